"""The gateway's connection to its site's orchestrator: traced unary calls whose errors become
draas errors, and operation event streams for server-sent events, read on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import grpc
from google.protobuf.message import Message
from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider

from common.grpc_client import aio_channel, mapped_errors, open_channel
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
        self._address, self._tls = address, tls
        self._channel = open_channel(address, tracer_provider, tls=tls)
        self._stub = orchestrator_pb2_grpc.OrchestratorServiceStub(self._channel)
        # Event streams run on the event loop through an asyncio channel; it is untraced (the
        # trace context is passed on by hand).
        self._aio: tuple[asyncio.AbstractEventLoop, grpc.aio.Channel] | None = None

    def call(self, method: str, request: Message) -> Any:
        """One unary call.

        :raises DraasError: the orchestrator's error as the matching class.
        """
        with mapped_errors():
            return getattr(self._stub, method)(request, timeout=self._timeout)

    async def events(
        self, request: opb.WatchOperationRequest
    ) -> AsyncGenerator[opb.OperationEvent, None]:
        """The operation's events as they happen, read on the event loop (no thread per
        stream); the call is cancelled when the iteration stops (its HTTP client went away).

        :raises DraasError: the orchestrator's error as the matching class.
        """
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        stub = orchestrator_pb2_grpc.OrchestratorServiceStub(self._loop_channel())
        call = stub.WatchOperation(request, metadata=tuple(carrier.items()))
        try:
            with mapped_errors():
                async for event in call:
                    yield event
        finally:
            call.cancel()

    def _loop_channel(self) -> grpc.aio.Channel:
        # An asyncio channel belongs to the loop it was made in: one per loop (the gateway
        # runs one; a test client may run several in turn).
        loop = asyncio.get_running_loop()
        if self._aio is None or self._aio[0] is not loop:
            self._aio = (loop, aio_channel(self._address, self._tls))
        return self._aio[1]

    async def aclose(self) -> None:
        """Closes the asyncio channel of the running loop, if it has one."""
        if self._aio is not None and self._aio[0] is asyncio.get_running_loop():
            await self._aio[1].close()
        self._aio = None

    def close(self) -> None:
        self._channel.close()
