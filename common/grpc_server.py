"""gRPC servers for draas services.

`create_grpc_server` gives every service the same server: the standard health service,
reflection, OpenTelemetry tracing and Prometheus metrics (common.metrics) of every call, one
mapping of `DraasError` to status codes,
and, when the settings name TLS files, mutual TLS with a check of the caller's site
(common.tls).
RPCs a servicer does not implement yet answer UNIMPLEMENTED with a message naming the method
(`answers_unimplemented`), never a default success.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import server_interceptor
from opentelemetry.sdk.trace import TracerProvider

from common.errors import ANSWERED_KEY, DraasError, ServiceUnavailable, Unimplemented, grpc_code
from common.logs import mask
from common.metrics import GRPC_HANDLED, GRPC_HANDLING
from common.settings import ServiceSettings
from common.tls import CallerCheck, Callers, server_credentials

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceBinding:
    """One gRPC service a server offers."""

    descriptor: ServiceDescriptor
    servicer: object
    # The generated add_<Service>Servicer_to_server function.
    register: Callable[[Any, grpc.Server], None]


class ServiceServer:
    """A started-or-not gRPC server with its health service."""

    def __init__(
        self,
        server: grpc.Server,
        port: int,
        health_servicer: health.HealthServicer,
        names: list[str],
        secure_ports: list[int] | None = None,
    ) -> None:
        self.grpc_server = server
        self.port = port
        # Ports bound with TLS credentials (e.g. for peer sites), in the order asked.
        self.secure_ports = secure_ports or []
        self._health = health_servicer
        self._names = names
        self._on_stop: list[Callable[[], None]] = []

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Calls `callback` when the server starts stopping, before the grace period: a
        long-lived stream (e.g. replication) is not an in-flight call worth waiting for."""
        self._on_stop.append(callback)

    def start(self) -> None:
        """Starts serving and reports SERVING for the server and each of its services."""
        self.grpc_server.start()
        for name in ["", *self._names]:
            self._health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stop(self, grace: float | None) -> None:
        """Reports NOT_SERVING, refuses new calls, and waits up to `grace` seconds for
        in-flight calls before cancelling them."""
        self._health.enter_graceful_shutdown()
        for callback in self._on_stop:
            callback()
        self.grpc_server.stop(grace).wait()

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        """Blocks until the server stops or the timeout passes; True if it stopped."""
        return bool(self.grpc_server.wait_for_termination(timeout))


SERVER_OPTIONS = [
    # Without this, a second server on a taken port would silently share it.
    ("grpc.so_reuseport", 0),
    # Long-lived streams (replication between sites) stay open while idle: clients may ping
    # every 10 s (gRPC's default answers more than one ping per 5 min with GOAWAY), and the
    # server pings too, so a peer that vanished frees its stream within a minute.
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
]


def create_grpc_server(
    settings: ServiceSettings,
    bindings: Iterable[ServiceBinding],
    tracer_provider: TracerProvider,
    secure_ports: Iterable[tuple[int, grpc.ServerCredentials]] = (),
    callers: Callers | None = None,
) -> tuple[ServiceServer, int]:
    """Builds a server for the bindings, bound to settings.listen_host:settings.port (0 picks a
    free port) and to any further (port, TLS credentials); returns it, not started, and the
    bound port. With the settings' TLS files, that port serves mutual TLS only, and a caller's
    certificate must name one of `callers`' sites (default: this site only), health checks
    excepted.

    :raises ServiceUnavailable: when the address cannot be bound (e.g. the port is taken) or a
        TLS file cannot be read.
    """
    tls = settings.grpc_tls()
    interceptors: list[grpc.ServerInterceptor] = [
        server_interceptor(tracer_provider=tracer_provider),
        _Metered(),
        _ErrorMapping(),
    ]
    if tls is not None:
        interceptors.append(CallerCheck(callers or Callers(frozenset({settings.site}))))
    server = grpc.server(
        futures.ThreadPoolExecutor(
            max_workers=settings.max_workers, thread_name_prefix=f"{settings.service_name}-rpc"
        ),
        interceptors=interceptors,
        options=SERVER_OPTIONS,
    )
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = []
    for binding in bindings:
        binding.register(binding.servicer, server)
        names.append(binding.descriptor.full_name)
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    address = f"{settings.listen_host}:{settings.port}"
    try:
        port = (
            server.add_insecure_port(address)
            if tls is None
            else server.add_secure_port(address, server_credentials(tls))
        )
    except RuntimeError as error:
        raise ServiceUnavailable(f"cannot listen on {address}: {error}") from None
    if port == 0:
        raise ServiceUnavailable(f"cannot listen on {address}")
    bound = []
    for secure_port, credentials in secure_ports:
        secure_address = f"{settings.listen_host}:{secure_port}"
        try:
            bound.append(server.add_secure_port(secure_address, credentials))
        except RuntimeError as error:
            raise ServiceUnavailable(f"cannot listen on {secure_address}: {error}") from None
    return ServiceServer(server, port, health_servicer, names, bound), port


def answers_unimplemented(service: ServiceDescriptor) -> Callable[[type[T]], type[T]]:
    """Class decorator for a servicer: every RPC of the service that the class does not define
    itself answers UNIMPLEMENTED, with a message naming it."""

    def decorate(cls: type[T]) -> type[T]:
        for method in service.methods:
            owner = next((k for k in cls.__mro__ if method.name in vars(k)), None)
            if owner is None or owner.__module__.endswith("_pb2_grpc"):
                setattr(cls, method.name, _unimplemented(f"{service.full_name}/{method.name}"))
        return cls

    return decorate


def _unimplemented(name: str) -> Callable[..., Any]:
    def rpc(self: object, request: object, context: grpc.ServicerContext) -> Any:
        raise Unimplemented(f"{name} is not implemented yet in this draas release")

    return rpc


class _ErrorMapping(grpc.ServerInterceptor):
    """Turns a DraasError into its status code and message, and any other exception into
    INTERNAL without its details (they go to the log)."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        codec = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _mapped(handler.unary_unary, method), **codec
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                _mapped(handler.stream_unary, method), **codec
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _mapped_stream(handler.unary_stream, method), **codec
            )
        assert handler.stream_stream is not None
        return grpc.stream_stream_rpc_method_handler(
            _mapped_stream(handler.stream_stream, method), **codec
        )


def _abort(context: grpc.ServicerContext, error: Exception, method: str) -> None:
    if isinstance(error, DraasError):
        context.set_trailing_metadata(((ANSWERED_KEY, type(error).__name__),))
        context.abort(grpc_code(error), mask(str(error)))
    # The servicer aborted on its own: its status stands.
    if context.code() not in (None, grpc.StatusCode.OK):  # type: ignore[attr-defined]
        raise error
    log.exception("unexpected error in %s", method)
    context.abort(grpc.StatusCode.INTERNAL, f"internal error in {method}; see the service log")


def _mapped(
    behavior: Callable[[Any, grpc.ServicerContext], Any], method: str
) -> Callable[..., Any]:
    def call(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return behavior(request, context)
        except Exception as error:
            _abort(context, error, method)
            raise  # unreachable: abort raises

    return call


def _mapped_stream(
    behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]], method: str
) -> Callable[..., Iterator[Any]]:
    def call(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behavior(request, context)
        except Exception as error:
            _abort(context, error, method)
            raise  # unreachable: abort raises

    return call


class _Metered(grpc.ServerInterceptor):
    """Counts every call by service, method and the status it ended with, and times it (a
    stream until its last message, or until the caller cancels it)."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        service, _, method = handler_call_details.method.lstrip("/").rpartition("/")
        labels = (service or "unknown", method)
        codec = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _metered(handler.unary_unary, labels), **codec
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                _metered(handler.stream_unary, labels), **codec
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _metered_stream(handler.unary_stream, labels), **codec
            )
        assert handler.stream_stream is not None
        return grpc.stream_stream_rpc_method_handler(
            _metered_stream(handler.stream_stream, labels), **codec
        )


def _observe(
    labels: tuple[str, str], started: float, context: grpc.ServicerContext, fallback: str
) -> None:
    code = context.code()  # type: ignore[attr-defined]
    name = code.name if isinstance(code, grpc.StatusCode) else fallback
    GRPC_HANDLED.labels(*labels, name).inc()
    GRPC_HANDLING.labels(*labels).observe(time.perf_counter() - started)


def _metered(
    behavior: Callable[[Any, grpc.ServicerContext], Any], labels: tuple[str, str]
) -> Callable[..., Any]:
    def call(request: Any, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        try:
            response = behavior(request, context)
        except BaseException:
            _observe(labels, started, context, "UNKNOWN")
            raise
        _observe(labels, started, context, "OK")
        return response

    return call


def _metered_stream(
    behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]], labels: tuple[str, str]
) -> Callable[..., Iterator[Any]]:
    def call(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            yield from behavior(request, context)
        except GeneratorExit:
            _observe(labels, started, context, "CANCELLED")
            raise
        except BaseException:
            _observe(labels, started, context, "UNKNOWN")
            raise
        _observe(labels, started, context, "OK")

    return call
