"""The gateway's Prometheus metrics: `GET /metrics` (the process's registry, common.metrics) and
a middleware that counts and times every REST request by method and route template.

/metrics is unauthenticated, like /v1/health, and left out of the OpenAPI document: it carries
counts and timings per route, never a path with ids, a token, a project or a caller."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client.exposition import choose_encoder

from common.metrics import GATEWAY_DURATION, GATEWAY_REQUESTS, REGISTRY

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

UNMATCHED = "unmatched"

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The process's metrics, in the format the scraper asks for (Accept), as a service's
    metrics server answers."""
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(REGISTRY), headers={"Content-Type": content_type})


class MetricsMiddleware:
    """ASGI middleware: counts each request by method, route template and status, and times it
    (a stream until its last chunk). A request no route matched is counted as `unmatched`, so
    that made-up paths cannot grow the metrics."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            method = scope["method"]
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            GATEWAY_REQUESTS.labels(method, route, str(status)).inc()
            GATEWAY_DURATION.labels(method, route).observe(time.perf_counter() - started)


def install(app: FastAPI) -> None:
    """Adds /metrics and the request metrics to the app."""
    app.include_router(router)
    app.add_middleware(MetricsMiddleware)
