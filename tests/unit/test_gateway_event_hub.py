"""The gateway's shared event streams, against a stateful fake of the orchestrator's stream:
one stream per watched operation whatever the number of clients, each client from its own
sequence, errors to all, and nothing left open when the last client goes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from common.errors import ServiceUnreachable
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway.watching import EventHub


class FakeOrchestrator:
    """Streams what the test feeds, per (project, operation); counts streams opened and
    closed."""

    def __init__(self) -> None:
        self.feeds: dict[tuple[str, str], asyncio.Queue[Any]] = {}
        self.opened: list[tuple[str, str, int]] = []
        self.closed = 0

    def feed(self, project: str, operation: str) -> asyncio.Queue[Any]:
        return self.feeds.setdefault((project, operation), asyncio.Queue())

    async def events(
        self, request: opb.WatchOperationRequest
    ) -> AsyncGenerator[opb.OperationEvent, None]:
        self.opened.append((request.project_id, request.operation_id, request.after_sequence))
        queue = self.feed(request.project_id, request.operation_id)
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            self.closed += 1


def event(sequence: int) -> opb.OperationEvent:
    return opb.OperationEvent(operation_id="op1", sequence=sequence, message=f"e{sequence}")


async def settle() -> None:
    """Lets every task that can run, run (the hub's own stream task included)."""
    await asyncio.sleep(0.01)


async def collect(hub: EventHub, project: str, after: int = 0) -> list[int]:
    return [e.sequence async for e in hub.events(project, "op1", after)]


def test_fifty_clients_of_one_operation_share_one_stream_each_from_its_sequence():
    async def scenario() -> None:
        fake = FakeOrchestrator()
        hub = EventHub(fake)  # type: ignore[arg-type]
        queue = fake.feed("p1", "op1")
        early = [asyncio.create_task(collect(hub, "p1")) for _ in range(50)]
        # A client resuming from a sequence the stream has not brought yet.
        ahead = asyncio.create_task(collect(hub, "p1", after=1))
        await settle()
        for sequence in (1, 2, 3):
            queue.put_nowait(event(sequence))
        await settle()
        late = asyncio.create_task(collect(hub, "p1", after=2))
        await settle()
        for sequence in (4, 5):
            queue.put_nowait(event(sequence))
        queue.put_nowait(None)
        assert [await t for t in early] == [[1, 2, 3, 4, 5]] * 50
        assert await late == [3, 4, 5]
        assert await ahead == [2, 3, 4, 5]
        assert fake.opened == [("p1", "op1", 0)] and fake.closed == 1
        assert hub.streams == 0

    asyncio.run(scenario())


def test_each_project_has_its_own_stream_and_an_error_ends_every_client():
    async def scenario() -> None:
        fake = FakeOrchestrator()
        hub = EventHub(fake)  # type: ignore[arg-type]
        mine = [asyncio.create_task(collect(hub, "p1")) for _ in range(3)]
        theirs = asyncio.create_task(collect(hub, "p2"))
        await settle()
        assert sorted(fake.opened) == [("p1", "op1", 0), ("p2", "op1", 0)]
        fake.feed("p1", "op1").put_nowait(event(1))
        fake.feed("p1", "op1").put_nowait(ServiceUnreachable("orchestrator restarting"))
        fake.feed("p2", "op1").put_nowait(None)
        for task in mine:
            with pytest.raises(ServiceUnreachable, match="restarting"):
                await task
        assert await theirs == []

    asyncio.run(scenario())


def test_the_stream_closes_when_its_last_client_goes_and_the_next_opens_another():
    async def scenario() -> None:
        fake = FakeOrchestrator()
        hub = EventHub(fake)  # type: ignore[arg-type]
        watchers = [asyncio.create_task(collect(hub, "p1")) for _ in range(2)]
        await settle()
        assert hub.streams == 1
        watchers[0].cancel()
        await settle()
        assert fake.closed == 0  # one client still watches
        watchers[1].cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        await settle()
        assert (fake.closed, hub.streams) == (1, 0)
        again = asyncio.create_task(collect(hub, "p1"))
        await settle()
        fake.feed("p1", "op1").put_nowait(event(7))
        fake.feed("p1", "op1").put_nowait(None)
        assert await again == [7]
        assert len(fake.opened) == 2

    asyncio.run(scenario())


def test_a_client_closed_between_two_events_leaves_at_once():
    async def scenario() -> None:
        fake = FakeOrchestrator()
        hub = EventHub(fake)  # type: ignore[arg-type]
        stream = hub.events("p1", "op1", 0)
        fake.feed("p1", "op1").put_nowait(event(1))
        assert (await stream.__anext__()).sequence == 1
        await stream.aclose()
        await settle()
        assert (fake.closed, hub.streams) == (1, 0)

    asyncio.run(scenario())
