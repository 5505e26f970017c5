"""When a group's tests may run by themselves: windows such as "mon-fri 20:00-06:00" or
"sat,sun 00:00-24:00" in a time zone. A window whose end is not after its start runs past
midnight into the next day (it belongs to the day it starts on)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import InvalidArgument

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WINDOWS = 20
MAX_CLEANUP_AFTER_SECONDS = 30 * 86400.0
_WINDOW = re.compile(
    r"^\s*(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class Window:
    """Days of the week (0 = Monday) and minutes of the day [start, end); end <= start runs
    into the next day."""

    days: frozenset[int]
    start: int
    end: int

    def allows(self, local: datetime) -> bool:
        minute, day = local.hour * 60 + local.minute, local.weekday()
        if self.start < self.end:
            return day in self.days and self.start <= minute < self.end
        return (day in self.days and minute >= self.start) or (
            (day - 1) % 7 in self.days and minute < self.end
        )


@dataclass(frozen=True)
class TestSchedule:
    """A group's scheduled tests: whether they run by themselves, when, and how long each
    stands before its cleanup."""

    enabled: bool = False
    windows: tuple[str, ...] = ()
    timezone: str = ""
    cleanup_after_seconds: float = 0.0
    parsed: tuple[Window, ...] = field(default=(), compare=False, repr=False)

    @staticmethod
    def of(
        enabled: bool, windows: list[str], timezone: str, cleanup_after_seconds: float
    ) -> TestSchedule:
        """A checked schedule.

        :raises InvalidArgument: naming the field (test_schedule.windows, ...) that is wrong.
        """
        if len(windows) > MAX_WINDOWS:
            raise InvalidArgument("test_schedule.windows", f"at most {MAX_WINDOWS} windows")
        parsed = tuple(parse_window(w) for w in windows)
        _zone(timezone)
        if not 0 <= cleanup_after_seconds <= MAX_CLEANUP_AFTER_SECONDS:
            raise InvalidArgument(
                "test_schedule.cleanup_after", "must be 0 (the site's default) to 30 days"
            )
        return TestSchedule(
            enabled,
            tuple(w.strip().lower() for w in windows),
            timezone,
            cleanup_after_seconds,
            parsed,
        )

    @staticmethod
    def from_body(body: dict[str, Any] | None) -> TestSchedule:
        """From a group record's `test_schedule` (already checked when it was written)."""
        body = body or {}
        windows = [str(w) for w in body.get("windows", [])]
        try:
            return TestSchedule.of(
                bool(body.get("enabled", False)),
                windows,
                str(body.get("timezone", "")),
                float(body.get("cleanup_after_seconds", 0)),
            )
        except InvalidArgument:
            return TestSchedule()

    def body(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "windows": list(self.windows),
            "timezone": self.timezone,
            "cleanup_after_seconds": self.cleanup_after_seconds,
        }

    def allows(self, moment: datetime) -> bool:
        """Whether a test may start at `moment` (no windows: any time)."""
        if not self.parsed:
            return True
        local = moment.astimezone(_zone(self.timezone))
        return any(w.allows(local) for w in self.parsed)

    def next_allowed(self, moment: datetime) -> datetime | None:
        """The first moment at or after `moment` inside a window (None: there is none)."""
        if self.allows(moment):
            return moment
        zone = _zone(self.timezone)
        local = moment.astimezone(zone)
        candidates = []
        for offset in range(0, 9):
            day = (local + timedelta(days=offset)).date()
            for window in self.parsed:
                start = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
                    minutes=window.start
                )
                # After midnight, an overnight window of the day before is still open.
                for begin in (start, datetime(day.year, day.month, day.day, tzinfo=zone)):
                    if begin > moment and self.allows(begin):
                        candidates.append(begin)
        return min(candidates) if candidates else None


def parse_window(text: str) -> Window:
    """:raises InvalidArgument: the window is not DAYS HH:MM-HH:MM."""
    found = _WINDOW.match(text.lower())
    if found is None:
        raise InvalidArgument(
            "test_schedule.windows",
            f"{text!r} is not DAYS HH:MM-HH:MM (e.g. 'mon-fri 20:00-06:00', 'sat,sun 00:00-24:00')",
        )
    days = _days(found.group("days"), text)
    start, end = _minutes(found.group("start"), text), _minutes(found.group("end"), text)
    if start == 24 * 60:
        raise InvalidArgument("test_schedule.windows", f"{text!r}: a window starts before 24:00")
    if start == end:
        raise InvalidArgument("test_schedule.windows", f"{text!r}: the window is empty")
    return Window(days, start, end)


def _days(text: str, window: str) -> frozenset[int]:
    if text in ("daily", "every"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidArgument(
                "test_schedule.windows", f"{window!r}: days are {', '.join(DAYS)} or daily"
            )
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(days)


def _minutes(text: str, window: str) -> int:
    hours, minutes = (int(x) for x in text.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise InvalidArgument("test_schedule.windows", f"{window!r}: {text} is not a time")
    return hours * 60 + minutes


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument(
            "test_schedule.timezone", f"{name!r} is not an IANA time zone (e.g. Europe/Paris)"
        ) from None
