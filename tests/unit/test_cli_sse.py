"""The progress stream: server-sent events parsed from lines, and followed across drops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cli.errors import EXIT_UNREACHABLE, Unreachable
from cli.sse import SseEvent, StreamBroken, backoff, follow, parse_events


def test_events_are_dispatched_by_blank_lines_with_their_id_and_type():
    lines = [
        ": keepalive",
        "id: 1",
        'data: {"sequence": 1}',
        "",
        "id: 2",
        "data:first",
        "data: second",
        "",
        "event: end",
        'data: {"state": "succeeded"}',
        "",
    ]
    assert list(parse_events(lines)) == [
        SseEvent("message", '{"sequence": 1}', "1"),
        SseEvent("message", "first\nsecond", "2"),
        SseEvent("end", '{"state": "succeeded"}', "2"),
    ]


def test_blocks_without_data_and_a_last_unfinished_event_are_dropped():
    lines = ["id: 7", "", "event: ping", "", "data: cut off"]
    assert list(parse_events(lines)) == []


def test_only_one_space_after_the_colon_is_dropped_and_unknown_fields_are_ignored():
    assert list(parse_events(["retry: 100", "bogus", "data:  two spaces", ""])) == [
        SseEvent("message", " two spaces", "")
    ]


class Stream:
    """A gateway's event stream that drops as scripted: each open serves the next script."""

    def __init__(self, *scripts: list[str] | Exception) -> None:
        self.scripts = list(scripts)
        self.opened_after: list[int] = []

    def __call__(self, after: int) -> Iterator[str]:
        self.opened_after.append(after)
        script = self.scripts.pop(0)
        if isinstance(script, Exception):
            raise script
        yield from script


def event(sequence: int) -> list[str]:
    return [f"id: {sequence}", f'data: {{"sequence": {sequence}}}', ""]


END = ["event: end", 'data: {"state": "succeeded"}', ""]


def test_following_resumes_after_the_last_event_seen_when_the_stream_drops():
    stream = Stream(
        event(1) + event(2),
        StreamBroken("connection refused"),
        event(3) + END,
    )
    sleeps: list[float] = []
    events = list(follow(stream, sleep=sleeps.append, clock=lambda: 0.0))
    assert [e.data for e in events] == [
        '{"sequence": 1}',
        '{"sequence": 2}',
        '{"sequence": 3}',
        '{"state": "succeeded"}',
    ]
    assert stream.opened_after == [0, 2, 2]
    assert sleeps == [backoff(1), backoff(2)]


def test_following_stops_at_the_end_event():
    stream = Stream(event(1) + END + event(2))
    assert [e.event for e in follow(stream, sleep=lambda _: None)] == ["message", "end"]
    assert stream.opened_after == [0]


def test_following_starts_after_the_sequence_given():
    stream = Stream(END)
    list(follow(stream, after=41, sleep=lambda _: None))
    assert stream.opened_after == [41]


def test_a_stream_that_never_comes_back_ends_in_an_unreachable_error():
    stream = Stream(*[StreamBroken("connection refused")] * 4)
    sleeps: list[float] = []
    with pytest.raises(Unreachable) as raised:
        list(follow(stream, retries=3, sleep=sleeps.append, clock=lambda: 0.0))
    assert raised.value.exit_code == EXIT_UNREACHABLE
    assert "connection refused" in str(raised.value)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_quiet_connection_that_lasted_does_not_use_up_the_retries():
    # Each connection stays open (silent) for a minute, then times out and is reopened.
    ticks = iter(range(0, 10_000, 60))
    stream = Stream(*[[] for _ in range(10)], END)
    events = list(follow(stream, retries=2, sleep=lambda _: None, clock=lambda: next(ticks)))
    assert [e.event for e in events] == ["end"]


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_an_error_event_is_passed_on_and_the_stream_opened_again():
    error = ["event: error", 'data: {"detail": "orchestrator unavailable"}', ""]
    stream = Stream(event(1) + error, event(2) + END)
    events = list(follow(stream, sleep=lambda _: None, clock=lambda: 0.0))
    assert [e.event for e in events] == ["message", "error", "message", "end"]
    assert stream.opened_after == [0, 1]


def test_errors_alone_do_not_count_as_progress():
    error = ["event: error", 'data: {"detail": "not allowed"}', ""]
    stream = Stream(*[error] * 3)
    with pytest.raises(Unreachable, match="not allowed"):
        list(follow(stream, retries=2, sleep=lambda _: None, clock=lambda: 0.0))
