"""Errors the simulated REST API answers with, as real arrays do (400 for business errors)."""

from __future__ import annotations


class ArrayApiError(Exception):
    """A request the array refuses: status, message and the name it is about (`context`)."""

    def __init__(self, message: str, context: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.context = context
        self.status = status

    def body(self) -> dict[str, object]:
        """The JSON body: `errors` for most statuses, a top-level `message` for 403 and 429
        (which py-pure-client reads there)."""
        if self.status in (403, 429):
            return {"message": self.message}
        error: dict[str, object] = {"message": self.message}
        if self.context:
            error["context"] = self.context
        return {"errors": [error]}


def does_not_exist(kind: str, name: str) -> ArrayApiError:
    return ArrayApiError(f"{kind} does not exist.", name)


def already_exists(kind: str, name: str) -> ArrayApiError:
    return ArrayApiError(f"{kind} already exists.", name)


def has_been_destroyed(kind: str, name: str) -> ArrayApiError:
    return ArrayApiError(f"{kind} has been destroyed.", name)


def unsupported(what: str) -> ArrayApiError:
    return ArrayApiError(f"{what} is not supported by the draas FlashArray simulator.")
