"""What goes wrong with arrays, as typed errors that name the array and the object."""

from __future__ import annotations

from common.errors import FailedPrecondition, NotFound, ServiceUnavailable


class ArrayUnreachable(ServiceUnavailable):
    """The array does not answer (down, network, TLS)."""

    def __init__(self, array: str, detail: str) -> None:
        super().__init__(f"array {array} is unreachable: {detail}")
        self.array = array


class ArrayBusy(ServiceUnavailable):
    """The array answered with a server error; trying again may work."""

    def __init__(self, array: str, status: int, detail: str) -> None:
        super().__init__(f"array {array} failed ({status}): {detail}")
        self.array = array


class ArrayCredentialsRefused(FailedPrecondition):
    """The array refused the configured API token: an operator must fix the settings."""

    def __init__(self, array: str) -> None:
        super().__init__(f"array {array} refused the configured API token")
        self.array = array


class ArrayObjectMissing(NotFound):
    """An object the request names does not exist on the array."""

    def __init__(self, array: str, kind: str, name: str) -> None:
        super().__init__(f"array {array}: {kind} {name} does not exist")
        self.array = array
        self.object_name = name


class ArrayRefused(FailedPrecondition):
    """The array refused a change (its message says why)."""

    def __init__(self, array: str, message: str, context: str = "") -> None:
        about = f" ({context})" if context else ""
        super().__init__(f"array {array} refused{about}: {message}")
        self.array = array
        self.message = message
        self.context = context
