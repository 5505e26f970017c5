"""Test-schedule windows: which moments they allow, the next one they allow, and what they
refuse (naming the field)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.errors import InvalidArgument
from services.orchestrator.policies.schedule import TestSchedule

# 2026-12-07 is a Monday.
MONDAY = datetime(2026, 12, 7, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(day=7 + day, hour=hour, minute=minute)


def schedule(*windows: str, timezone: str = "") -> TestSchedule:
    return TestSchedule.of(True, list(windows), timezone, 0)


def test_no_window_allows_any_time():
    assert schedule().allows(at(2, 13))
    assert schedule().next_allowed(at(2, 13)) == at(2, 13)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (at(0, 19, 59), False),
        (at(0, 20, 0), True),
        (at(0, 23, 59), True),
        (at(1, 5, 59), True),  # Monday's window runs past midnight
        (at(1, 6, 0), False),
        (at(4, 22), True),  # Friday night
        (at(5, 3), True),  # Saturday early: still Friday's window
        (at(5, 22), False),  # Saturday night: not a weekday's
        (at(0, 3), False),  # Monday early: Sunday has no window
    ],
)
def test_an_overnight_window_on_weekdays(moment, allowed):
    assert schedule("mon-fri 20:00-06:00").allows(moment) is allowed


def test_whole_days_and_lists_of_days():
    weekend = schedule("sat,sun 00:00-24:00")
    assert weekend.allows(at(5, 0)) and weekend.allows(at(6, 23, 59))
    assert not weekend.allows(at(4, 23, 59)) and not weekend.allows(at(7, 0))
    assert schedule("fri-mon 10:00-11:00").allows(at(0, 10, 30))  # the range wraps the week
    assert schedule("daily 02:00-03:00").allows(at(3, 2, 15))


def test_the_next_moment_a_blackout_allows():
    nights = schedule("mon-fri 20:00-06:00")
    assert nights.next_allowed(at(0, 12)) == at(0, 20)
    assert nights.next_allowed(at(5, 12)) == at(7, 20), "Saturday noon: Monday evening"
    assert nights.next_allowed(at(1, 3)) == at(1, 3), "inside a window: now"


def test_windows_are_read_in_their_time_zone():
    paris = schedule("mon 09:00-10:00", timezone="Europe/Paris")
    assert paris.allows(at(0, 8, 30))  # 09:30 in Paris in winter
    assert not paris.allows(at(0, 9, 30))
    assert paris.next_allowed(at(0, 0)) == at(0, 8)


@pytest.mark.parametrize(
    ("windows", "timezone", "cleanup", "field"),
    [
        (["weekdays 20:00-06:00"], "", 0, "test_schedule.windows"),
        (["mon 25:00-26:00"], "", 0, "test_schedule.windows"),
        (["mon 10:00-10:00"], "", 0, "test_schedule.windows"),
        (["mon 10:00"], "", 0, "test_schedule.windows"),
        (["mon 24:00-02:00"], "", 0, "test_schedule.windows"),
        ([], "Mars/Olympus", 0, "test_schedule.timezone"),
        ([], "", -1, "test_schedule.cleanup_after"),
        ([], "", 31 * 86400, "test_schedule.cleanup_after"),
        (["mon 01:00-02:00"] * 21, "", 0, "test_schedule.windows"),
    ],
)
def test_a_wrong_schedule_is_refused_naming_its_field(windows, timezone, cleanup, field):
    with pytest.raises(InvalidArgument) as refused:
        TestSchedule.of(True, windows, timezone, cleanup)
    assert refused.value.field == field


def test_a_schedule_round_trips_through_a_group_record():
    made = TestSchedule.of(True, ["Sat,Sun 00:00-24:00"], "Europe/Paris", 3600)
    again = TestSchedule.from_body(made.body())
    assert again == made and again.windows == ("sat,sun 00:00-24:00",)
    assert again.allows(at(5, 12))
