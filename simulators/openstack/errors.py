"""Errors in each OpenStack service's own body format."""

from __future__ import annotations

from typing import Any

_NOVA_KINDS = {
    400: "badRequest",
    403: "forbidden",
    404: "itemNotFound",
    409: "conflictingRequest",
    413: "overLimit",
    501: "notImplemented",
}


class ApiError(Exception):
    """A refused request: status, message, and Neutron's error type where it has one."""

    def __init__(self, status: int, message: str, neutron_type: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.neutron_type = neutron_type or {
            400: "BadRequest",
            403: "Forbidden",
            404: "NotFound",
            409: "Conflict",
        }.get(status, "Error")

    def body(self, service: str) -> dict[str, Any]:
        if service == "network":
            return {
                "NeutronError": {"type": self.neutron_type, "message": self.message, "detail": ""}
            }
        if service in ("compute", "volume"):
            kind = _NOVA_KINDS.get(self.status, "computeFault")
            return {kind: {"code": self.status, "message": self.message}}
        title = {
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            409: "Conflict",
        }.get(self.status, "Error")
        return {"error": {"code": self.status, "title": title, "message": self.message}}


def not_found(kind: str, key: str, neutron_type: str = "") -> ApiError:
    return ApiError(
        404, f"{kind} {key} could not be found.", neutron_type or f"{kind.replace(' ', '')}NotFound"
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def conflict(message: str, neutron_type: str = "Conflict") -> ApiError:
    return ApiError(409, message, neutron_type)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)
