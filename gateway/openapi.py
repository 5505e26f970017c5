"""The published OpenAPI document: FastAPI's, with the errors this API really answers
(application/problem+json, 400 rather than FastAPI's 422) declared on every route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What is wrong, for people."},
        "invalid_params": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Each invalid field and why (400 only).",
        },
    },
}
_ERRORS = {
    "400": "Malformed input: `detail` names each field and why; nothing was changed.",
    "401": "No token, or Keystone does not accept it.",
    "403": "Your roles do not allow it (readers may only read).",
    "404": "Your project has no such thing at this site.",
    "409": "Not in this state, or not at this site: `detail` says what is allowed where.",
    "503": "A service behind the gateway does not answer; retry later.",
}
_UNAUTHENTICATED = {"/v1/health"}


def install(app: FastAPI) -> None:
    """Replaces app.openapi with the corrected document (built once)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _corrected(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _corrected(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if path in _UNAUTHENTICATED:
                continue
            for status, description in _ERRORS.items():
                responses.setdefault(status, {"description": description, "content": problem})
    return spec
