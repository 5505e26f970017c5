"""What the route modules share: the orchestrator of the app, message conversion, paging and the
response of a started operation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from google.protobuf.message import Message

from draas.common.v1 import types_pb2
from gateway import audit
from gateway.orchestrator import Orchestrator
from gateway.views import as_json

REPLICATION_TYPES = {
    "async": types_pb2.REPLICATION_TYPE_ASYNC,
    "sync": types_pb2.REPLICATION_TYPE_SYNC,
}


def orchestrator(request: Request) -> Orchestrator:
    """The app's orchestrator client. A request that may change something has its attempt
    recorded in the audit trail first, so nothing is asked to change unaudited.

    :raises ServiceUnavailable: the audit trail cannot be written.
    """
    audit.before_change(request)
    found: Orchestrator = request.app.state.orchestrator
    return found


def key_or_new(given: str | None) -> str:
    """The request's idempotency key, or a new one (a repeat without a key starts anew)."""
    return given or f"gw-{uuid.uuid4().hex}"


def page(limit: int, token: str) -> types_pb2.PageRequest:
    return types_pb2.PageRequest(page_size=limit, page_token=token)


def started(operation: Message) -> JSONResponse:
    """202 with the operation, and where to follow it."""
    body: dict[str, Any] = as_json(operation)
    return JSONResponse(body, status_code=202, headers={"Location": f"/v1/operations/{body['id']}"})
