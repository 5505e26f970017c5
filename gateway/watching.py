"""Operation event streams shared by every client of the gateway that watches one operation.

Each WatchOperation stream holds one of the orchestrator's handler threads for as long as it
runs, so 200 tenants watching a failover through the gateway must not open 200 of them: the
gateway opens one per (project, operation), keeps the events it brought, and hands each
client those after the sequence it asked for, then the new ones as they come.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncGenerator

from common.errors import DraasError
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway.orchestrator import Orchestrator


class EventHub:
    """The gateway's shared operation event streams, on its event loop."""

    def __init__(self, orchestrator: Orchestrator) -> None:
        self._orchestrator = orchestrator
        self._feeds: dict[tuple[str, str], _Feed] = {}

    async def events(
        self, project_id: str, operation_id: str, after: int
    ) -> AsyncGenerator[opb.OperationEvent, None]:
        """The operation's events after the sequence `after`, as they happen, until its
        stream ends.

        :raises DraasError: the orchestrator's error that ended the stream.
        """
        key = (project_id, operation_id)
        feed = self._feeds.get(key)
        if feed is None or not feed.joinable():
            feed = _Feed(self._orchestrator, project_id, operation_id)
            self._feeds[key] = feed
        following = feed.follow(after)
        try:
            async for event in following:
                yield event
        finally:
            # Closed here, not when collected: its follower count must drop now.
            await following.aclose()
            if feed.followers == 0 and self._feeds.get(key) is feed:
                del self._feeds[key]

    @property
    def streams(self) -> int:
        """Operations whose stream the hub keeps now (each one stream of the orchestrator's
        while it runs)."""
        return len(self._feeds)


class _Feed:
    """One WatchOperation stream and the events it brought, for its followers."""

    def __init__(self, orchestrator: Orchestrator, project_id: str, operation_id: str) -> None:
        self.loop = asyncio.get_running_loop()
        self.events: list[opb.OperationEvent] = []
        self.sequences: list[int] = []
        self.error: DraasError | None = None
        self.ended = False
        self.followers = 0
        self.given_up = False
        self._changed = asyncio.Event()
        watch = opb.WatchOperationRequest(project_id=project_id, operation_id=operation_id)
        self._pump = self.loop.create_task(self._read(orchestrator, watch))

    def joinable(self) -> bool:
        """Whether a new follower may use this feed: on this loop, and neither given up (its
        last follower went) nor ended by an error (a new stream may fare better)."""
        return self.loop is asyncio.get_running_loop() and not self.given_up and self.error is None

    async def _read(self, orchestrator: Orchestrator, watch: opb.WatchOperationRequest) -> None:
        try:
            async for event in orchestrator.events(watch):
                self.events.append(event)
                self.sequences.append(event.sequence)
                self._notify()
        except DraasError as error:
            self.error = error
        finally:
            self.ended = True
            self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def follow(self, after: int) -> AsyncGenerator[opb.OperationEvent, None]:
        self.followers += 1
        try:
            position = 0
            while True:
                changed = self._changed
                # Those it has now after `after`, then each as it comes.
                position = max(position, bisect.bisect_right(self.sequences, after))
                while position < len(self.events):
                    yield self.events[position]
                    position += 1
                if self.ended:
                    if self.error is not None:
                        raise self.error
                    return
                await changed.wait()
        finally:
            self.followers -= 1
            if self.followers == 0 and not self.ended:
                self.given_up = True
                self._pump.cancel()
