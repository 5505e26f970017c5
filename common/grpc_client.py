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
from common.tls import ClientTls

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
    tls: ClientTls | None = None,
) -> grpc.Channel:
    """A channel to another service that traces each call and passes the trace context on;
    with `tls`, mutual TLS to a server of that site (or TLS with the `credentials` given).
    Channels connect lazily: opening one never fails, calls do.

    :raises ServiceUnavailable: a TLS file cannot be read.
    """
    options = [*RECONNECT, *(options or [])]
    raw = (
        grpc.secure_channel(address, credentials, options=options)
        if credentials is not None
        else raw_channel(address, tls, options)
    )
    # The instrumentation's interceptor speaks its own interface, hence its intercept_channel.
    channel: grpc.Channel = intercept_channel(
        raw, client_interceptor(tracer_provider=tracer_provider)
    )
    return channel


def raw_channel(
    address: str, tls: ClientTls | None = None, options: list[tuple[str, Any]] | None = None
) -> grpc.Channel:
    """An untraced channel (for tools, tests, and calls whose call object must stay visible);
    with `tls`, mutual TLS to a server of that site.

    :raises ServiceUnavailable: a TLS file cannot be read.
    """
    if tls is None:
        return grpc.insecure_channel(address, options=options)
    return grpc.secure_channel(
        address, tls.credentials(), options=[*(options or []), *tls.options()]
    )


def aio_channel(
    address: str, tls: ClientTls | None = None, options: list[tuple[str, Any]] | None = None
) -> grpc.aio.Channel:
    """`raw_channel` for asyncio: calls made on the running event loop, no thread each.

    :raises ServiceUnavailable: a TLS file cannot be read.
    """
    options = [*RECONNECT, *(options or [])]
    if tls is None:
        return grpc.aio.insecure_channel(address, options=options)
    return grpc.aio.secure_channel(address, tls.credentials(), options=[*options, *tls.options()])


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
        raise from_grpc(error.code(), error.details() or "", answered_as(error)) from error


def answered_as(error: grpc.RpcError) -> str | None:
    """The error class a draas server sent this status for on purpose; None when no draas
    server answered (grpc failed to reach it, or the connection broke)."""
    trailing = getattr(error, "trailing_metadata", None)
    metadata = trailing() if callable(trailing) else None
    return next((str(value) for key, value in metadata or () if key == ANSWERED_KEY), None)
