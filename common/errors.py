"""The one exception hierarchy of draas, and its one mapping to gRPC status codes and HTTP.

Raise these from domain code; the gRPC server interceptor turns them into a status with the
message, and clients turn a status back into the same class with `from_grpc`.
"""

from __future__ import annotations

import grpc


class DraasError(Exception):
    """Root of every error draas raises on purpose. Its message is shown to the caller, so it
    says what is wrong and never carries a secret."""

    retryable = False


class RetryableError(DraasError):
    """The same request may succeed later (a dependency down, a lease lost, a timeout)."""

    retryable = True


class InvalidArgument(DraasError):
    """A request field is wrong; nothing was changed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(DraasError):
    """The named thing does not exist (or is not visible to the caller)."""


class AlreadyExists(DraasError):
    """Something with that name or key exists already."""


class FailedPrecondition(DraasError):
    """The request is valid but not in the current state (e.g. a group in the wrong state)."""


class PermissionDenied(DraasError):
    """The caller may not do this."""


class Unauthenticated(DraasError):
    """The caller did not prove who it is."""


class Unimplemented(DraasError):
    """This draas release does not do this yet."""


class ServiceUnavailable(RetryableError):
    """A dependency (a service, an array, a cloud) does not answer."""


class ServiceUnreachable(ServiceUnavailable):
    """Another draas service did not answer at all (restarting, or its port closed): not an
    answer of its, so a caller may wait for it to come back rather than give up."""


class DeadlineExceeded(RetryableError):
    """It took longer than allowed."""


class Aborted(RetryableError):
    """Lost a race (a lease taken over, a concurrent change); retrying is safe."""


class ResourceExhausted(RetryableError):
    """A quota or rate limit was hit."""


class InternalError(DraasError):
    """A bug or an unexpected failure; details are in the service log, not in the message."""


# The one table: error class, gRPC status code, HTTP status. Most specific classes first.
_MAPPING: tuple[tuple[type[DraasError], grpc.StatusCode, int], ...] = (
    (InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT, 400),
    (NotFound, grpc.StatusCode.NOT_FOUND, 404),
    (AlreadyExists, grpc.StatusCode.ALREADY_EXISTS, 409),
    (FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION, 409),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED, 403),
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED, 401),
    (Unimplemented, grpc.StatusCode.UNIMPLEMENTED, 501),
    (ServiceUnavailable, grpc.StatusCode.UNAVAILABLE, 503),
    (DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    (Aborted, grpc.StatusCode.ABORTED, 409),
    (ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    (RetryableError, grpc.StatusCode.UNAVAILABLE, 503),
    (InternalError, grpc.StatusCode.INTERNAL, 500),
    (DraasError, grpc.StatusCode.INTERNAL, 500),
)


def grpc_code(error: DraasError) -> grpc.StatusCode:
    """The gRPC status code for an error."""
    return next(code for cls, code, _ in _MAPPING if isinstance(error, cls))


def http_status(error: DraasError) -> int:
    """The HTTP status for an error (for the gateway's problem responses)."""
    return next(status for cls, _, status in _MAPPING if isinstance(error, cls))


# The trailing metadata key a draas server sets on every status it aborts with on purpose (its
# value: the error's class); a failed call without it was never answered by draas (grpc's own
# transport failure).
ANSWERED_KEY = "draas-error"


def from_grpc(code: grpc.StatusCode, details: str, answered_as: str | None = "") -> DraasError:
    """The error a client raises for a failed call: the class that maps to the code. An
    UNAVAILABLE that no draas server answered (`answered_as` None), or that a server answered
    because a service it calls did not answer, is ServiceUnreachable."""
    if code == grpc.StatusCode.UNAVAILABLE and answered_as in (None, ServiceUnreachable.__name__):
        return ServiceUnreachable(details or "the service did not answer")
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        field, _, reason = details.partition(": ")
        return InvalidArgument(field, reason) if reason else InvalidArgument("request", details)
    for cls, mapped, _ in _MAPPING:
        if mapped == code and cls not in (RetryableError, DraasError):
            return cls(details)
    if code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS, grpc.StatusCode.OUT_OF_RANGE):
        return InternalError(details)
    if code == grpc.StatusCode.CANCELLED:
        return Aborted(details or "cancelled")
    return InternalError(details)
