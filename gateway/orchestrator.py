"""The gateway's one connection to its site's orchestrator: traced unary calls whose errors
become draas errors, and the operation event stream for server-sent events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf.message import Message
from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider

from common.grpc_client import mapped_errors, open_channel, raw_channel
from common.tls import ClientTls
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc


class Orchestrator:
    """Calls this site's orchestrator on behalf of a validated caller."""

    def __init__(
        self,
        address: str,
        timeout: float,
        tracer_provider: TracerProvider,
        tls: ClientTls | None = None,
    ) -> None:
        """With `tls` (GatewaySettings.client_tls()), both channels use mutual TLS."""
        self._timeout = timeout
        self._channel = open_channel(address, tracer_provider, tls=tls)
        self._stub = orchestrator_pb2_grpc.OrchestratorServiceStub(self._channel)
        # Event streams are cancelled when their HTTP client goes away, which needs the call
        # object that the tracing interceptor hides; the trace context is passed on by hand.
        self._raw_channel = raw_channel(address, tls)
        self._raw_stub = orchestrator_pb2_grpc.OrchestratorServiceStub(self._raw_channel)

    def call(self, method: str, request: Message) -> Any:
        """One unary call.

        :raises DraasError: the orchestrator's error as the matching class.
        """
        with mapped_errors():
            return getattr(self._stub, method)(request, timeout=self._timeout)

    def watch(self, request: opb.WatchOperationRequest) -> EventStream:
        """The operation's events as they happen; `cancel()` ends the stream from any thread."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        call = self._raw_stub.WatchOperation(request, metadata=tuple(carrier.items()))
        return EventStream(call)

    def close(self) -> None:
        self._channel.close()
        self._raw_channel.close()


class EventStream:
    """A WatchOperation call: iterate it in one thread, cancel it from another."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._cancelled = threading.Event()

    def __iter__(self) -> Iterator[opb.OperationEvent]:
        try:
            yield from self._call
        except grpc.RpcError:
            if self._cancelled.is_set():
                return
            with mapped_errors():
                raise

    def cancel(self) -> None:
        self._cancelled.set()
        self._call.cancel()


def pump(stream: EventStream, put: Callable[[object], None], end: object) -> None:
    """Hands each event of the stream to `put`, then `end` (or the error that ended it)."""
    try:
        for event in stream:
            put(event)
    except Exception as error:  # handed over to the request's task
        put(error)
        return
    put(end)
