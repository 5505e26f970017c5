"""Every error as `application/problem+json` (RFC 9457): draas errors by the one mapping table,
request validation as 400 naming the field, a method the path does not take as 405 with the
`Allow` header, anything unexpected as a 500 that says nothing more."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from common.errors import DraasError, http_status

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    429: "Too many requests",
    500: "Internal error",
    501: "Not implemented",
    503: "Service unavailable",
    504: "Timed out",
}
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def problem(
    status: int, detail: str, headers: Mapping[str, str] | None = None, **extra: object
) -> JSONResponse:
    """A problem response."""
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status}
    return JSONResponse(
        {**body, "detail": detail, **extra},
        status_code=status,
        headers=headers,
        media_type=PROBLEM,
    )


def allowed_methods(routes: list[BaseRoute], request: Request) -> list[str]:
    """The methods some route takes at the request's path. Starlette's 405 names only those
    of the first route there, and this API has a route per method; so each method is tried
    against every route, as the router would."""
    allowed = []
    for method in _METHODS:
        scope = {
            "type": "http",
            "path": request.scope["path"],
            "root_path": request.scope.get("root_path", ""),
            "method": method,
        }
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    """Registers the handlers."""

    @app.exception_handler(DraasError)
    async def draas_error(request: Request, error: DraasError) -> JSONResponse:
        return problem(http_status(error), str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            where = [
                str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "header")
            ]
            problems.append(f"{'.'.join(where) or 'body'}: {item.get('msg', 'invalid')}")
        return problem(400, "; ".join(problems), invalid_params=problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            allowed = ", ".join(allowed_methods(app.router.routes, request))
            headers["Allow"] = allowed
            detail = f"{request.method} is not a method of this path; it takes {allowed}"
            return problem(405, detail, headers)
        return problem(error.status_code, str(error.detail), headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "internal error; the gateway's log has the details")
