"""Server-sent events (the HTML living standard's `text/event-stream`): a parser fed with lines,
and a follower that reconnects from the last event id when the stream drops."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cli.errors import Unreachable


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event: its type (`message` unless named), data and the last event id."""

    event: str
    data: str
    id: str


@dataclass
class SseParser:
    """Turns lines (without their line endings) into events, one `feed` at a time."""

    last_event_id: str = ""
    _event: str = ""
    _data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> SseEvent | None:
        """Takes one line; returns the event a blank line completes, if any."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self.last_event_id = value
        return None

    def _dispatch(self) -> SseEvent | None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return SseEvent(event or "message", "\n".join(data), self.last_event_id)


def parse_events(lines: Iterable[str]) -> Iterator[SseEvent]:
    """The events in `lines`; an event the stream ends in the middle of is dropped."""
    parser = SseParser()
    for line in lines:
        event = parser.feed(line)
        if event is not None:
            yield event


class StreamBroken(Exception):
    """The stream could not be opened, or dropped; opening it again may work."""


def backoff(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` failed ones in a row."""
    return float(min(0.5 * 2 ** (failures - 1), 10.0))


def follow(
    open_lines: Callable[[int], Iterable[str]],
    after: int = 0,
    *,
    end_event: str = "end",
    error_event: str = "error",
    retries: int = 6,
    healthy_after: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[SseEvent]:
    """Every event from the stream `open_lines(after)` opens, up to and including the first
    `end_event`. When the stream ends or breaks before that, it is opened again after the last
    numeric event id seen; `retries` attempts in a row that bring no progress (no event but
    `error_event`s) end in `Unreachable`.

    :param open_lines: opens the stream for events after a sequence number and gives its lines;
        raises `StreamBroken` (also while iterating) when it cannot go on.
    """
    failures = 0
    while True:
        opened, delivered = clock(), False
        reason = "the stream ended before the operation did"
        try:
            for event in parse_events(open_lines(after)):
                yield event
                if event.event == end_event:
                    return
                if event.event == error_event:
                    reason = f"the gateway sent: {event.data}"
                    continue
                delivered = True
                if event.id.isdigit():
                    after = int(event.id)
        except StreamBroken as error:
            reason = str(error)
        # A connection that carried events, or stayed open a while, was a good one.
        if delivered or clock() - opened >= healthy_after:
            failures = 0
        failures += 1
        if failures > retries:
            raise Unreachable(f"lost the progress stream and could not get it back ({reason})")
        sleep(backoff(failures))
