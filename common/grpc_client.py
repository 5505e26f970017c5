"""gRPC clients between draas services: traced channels, health checks, and failed calls turned
back into DraasError subclasses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.instrumentation.grpc import client_interceptor
from opentelemetry.instrumentation.grpc.grpcext import intercept_channel
from opentelemetry.sdk.trace import TracerProvider

from common.errors import ANSWERED_KEY, from_grpc

# A service restarting is back within seconds: reconnect soon after it is, rather than after
# grpc's default backoff (1 s growing to 120 s), during which every call fails at once.
RECONNECT: list[tuple[str, Any]] = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]


def open_channel(
    address: str,
    tracer_provider: TracerProvider,
    credentials: grpc.ChannelCredentials | None = None,
    options: list[tuple[str, Any]] | None = None,
) -> grpc.Channel:
    """A channel to another service that traces each call and passes the trace context on
    (TLS when credentials are given). Channels connect lazily: opening one never fails, calls do."""
    options = [*RECONNECT, *(options or [])]
    raw = (
        grpc.secure_channel(address, credentials, options=options)
        if credentials is not None
        else grpc.insecure_channel(address, options=options)
    )
    # The instrumentation's interceptor speaks its own interface, hence its intercept_channel.
    channel: grpc.Channel = intercept_channel(
        raw, client_interceptor(tracer_provider=tracer_provider)
    )
    return channel


def check_health(channel: grpc.Channel, service: str = "", timeout: float = 2.0) -> str:
    """The standard health check: SERVING, NOT_SERVING, SERVICE_UNKNOWN or UNKNOWN.

    :raises grpc.RpcError: when the server cannot be reached in time.
    """
    stub = health_pb2_grpc.HealthStub(channel)
    response = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Raises the DraasError matching a failed call's status instead of grpc.RpcError (a
    service that did not answer at all: ServiceUnreachable)."""
    try:
        yield
    except grpc.RpcError as error:
        raise from_grpc(error.code(), error.details() or "", answered_by_draas(error)) from error


def answered_by_draas(error: grpc.RpcError) -> bool:
    """Whether a draas server sent this status on purpose (rather than grpc failing to reach
    it, or the connection breaking)."""
    trailing = getattr(error, "trailing_metadata", None)
    metadata = trailing() if callable(trailing) else None
    return any(key == ANSWERED_KEY for key, _ in metadata or ())
