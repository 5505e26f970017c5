"""The gateway's problem documents (application/problem+json: status, title, detail) as
exceptions that Horizon's `exceptions.handle` shows as messages. The enabled files register
them as Horizon's RECOVERABLE, NOT_FOUND and UNAUTHORIZED classes. No Django here: settings
import this module before Django is set up."""

from __future__ import annotations

import json
from typing import Any


class DraasError(Exception):
    """A refusal or failure of the draas gateway (or of reaching it): the HTTP status (0 when
    nothing answered), the problem's title and detail, and any invalid parameters."""

    def __init__(
        self, status: int, title: str, detail: str = "", invalid_params: tuple[str, ...] = ()
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.invalid_params = invalid_params

    def __str__(self) -> str:
        return self.detail or self.title


class DraasRecoverable(DraasError):
    """Shown as a message; the page goes on (bad request, refused, conflict, unavailable)."""


class DraasNotFound(DraasRecoverable):
    """No such group or operation (or not in this project)."""


class DraasUnauthorized(DraasError):
    """The gateway does not accept the token (expired or revoked): Horizon logs the user out.
    A reader refused a change is a 403, which is recoverable, not this."""


class DraasUnreachable(DraasRecoverable):
    """Nothing answered: the gateway is down, or the catalog's endpoint is wrong."""


# What Horizon's exception handling is told about (see enabled/_1480_*.py).
RECOVERABLE: tuple[type[Exception], ...] = (DraasRecoverable,)
NOT_FOUND: tuple[type[Exception], ...] = (DraasNotFound,)
UNAUTHORIZED: tuple[type[Exception], ...] = (DraasUnauthorized,)


def problem_error(status: int, reason: str, content_type: str, body: bytes) -> DraasError:
    """The error a gateway response with an error status stands for: its problem document's
    title and detail, or just the status when the body is not one (a proxy's page)."""
    document: Any = None
    if "json" in content_type:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
    kind: type[DraasError] = DraasRecoverable
    if status == 404:
        kind = DraasNotFound
    elif status == 401:
        kind = DraasUnauthorized
    if not isinstance(document, dict):
        return kind(status, reason or f"HTTP {status}")
    invalid = document.get("invalid_params") or []
    return kind(
        status,
        str(document.get("title") or reason or f"HTTP {status}"),
        str(document.get("detail") or ""),
        tuple(str(item) for item in invalid) if isinstance(invalid, list) else (),
    )
