"""Replication health history on a real database: samples, hourly and daily roll-ups, what is
kept, and the figures read back over any range (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from common.db import Database
from services.orchestrator.models import MIGRATIONS, HealthRollupRecord, HealthSampleRecord
from services.orchestrator.monitoring.history import DAY, HOUR, RAW, HealthHistory, Sample

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GROUP, PROJECT = "group-1", "project-1"


@pytest.fixture
def history(database_url: str) -> Iterator[HealthHistory]:
    db = Database(database_url)
    MIGRATIONS.upgrade(db.engine)
    yield HealthHistory(db)
    db.close()


def minute_samples(
    history: HealthHistory, start: datetime, minutes: int, down: range = range(0)
) -> None:
    """A sample a minute; the link down (and so out of target) in the minutes of `down`."""
    for minute in range(minutes):
        link_up = minute not in down
        history.record(
            Sample(
                project_id=PROJECT,
                group_id=GROUP,
                sampled_at=start + timedelta(minutes=minute),
                covers_seconds=60.0,
                rpo_seconds=30.0 + minute % 5 if link_up else 120.0 + minute,
                rpo_target_seconds=60.0,
                link_up=link_up,
                within_target=link_up,
                metadata_lag_seconds=1.0,
                protected_vms=3,
            )
        )


def count(history: HealthHistory, table: type) -> int:
    with history.db.transaction() as session:
        return session.query(table).count()


def test_link_down_ten_of_sixty_minutes_is_83_3_percent(history: HealthHistory) -> None:
    minute_samples(history, T0, 60, down=range(20, 30))
    total = history.summary(GROUP, T0, T0 + timedelta(hours=1))
    assert total.observed_seconds == 3600
    assert total.within_seconds == 3000
    assert total.compliance_percent == pytest.approx(83.333, abs=0.001)
    assert total.breaches == 1
    assert total.breach_seconds == 600
    assert total.link_down_seconds == 600
    assert total.worst_rpo_seconds == 120.0 + 29


def test_a_repeated_slot_is_kept_once(history: HealthHistory) -> None:
    minute_samples(history, T0, 3)
    minute_samples(history, T0, 3)
    assert count(history, HealthSampleRecord) == 3


def test_separate_breaches_are_counted_and_one_under_way_counts_once(
    history: HealthHistory,
) -> None:
    minute_samples(history, T0, 60, down=range(10, 15))
    minute_samples(history, T0 + timedelta(hours=1), 60, down=range(0, 5))
    # The second breach begins in the first range's last minutes? No: it begins at 11:00.
    first = history.summary(GROUP, T0, T0 + timedelta(hours=1))
    assert first.breaches == 1
    # A range that starts inside a breach counts it.
    inside = history.summary(GROUP, T0 + timedelta(minutes=12), T0 + timedelta(minutes=40))
    assert inside.breaches == 1 and inside.breach_seconds == 180
    both = history.summary(GROUP, T0, T0 + timedelta(hours=2))
    assert both.breaches == 2 and both.breach_seconds == 600


def test_roll_ups_keep_the_figures_once_the_raw_samples_are_gone(
    history: HealthHistory,
) -> None:
    minute_samples(history, T0, 180, down=range(50, 70))  # 10:50 to 11:10: one breach
    expected = history.summary(GROUP, T0, T0 + timedelta(hours=3))
    later = T0 + timedelta(days=2)
    assert history.roll_up(later) == 3 + 1  # three hours, one day
    assert history.roll_up(later) == 0  # nothing twice
    history.prune(later)
    assert count(history, HealthSampleRecord) == 0
    rolled = history.summary(GROUP, T0, T0 + timedelta(hours=3))
    assert rolled.compliance_percent == pytest.approx(expected.compliance_percent)
    assert rolled.breaches == expected.breaches == 1
    assert rolled.breach_seconds == expected.breach_seconds == 1200
    assert rolled.worst_rpo_seconds == expected.worst_rpo_seconds
    # Hour by hour: the breach begins in the first hour and goes on into the second.
    resolution, hours = history.points(GROUP, T0, T0 + timedelta(hours=3), HOUR)
    assert resolution == HOUR
    assert [p.breaches for p in hours] == [1, 1, 0]
    assert [p.breach_seconds for p in hours] == [600, 600, 0]


def test_history_is_bounded(history: HealthHistory) -> None:
    """Raw samples for a day, hours for 32 days, days for 800: older ones are dropped."""
    for day in range(0, 900, 10):
        minute_samples(history, T0 + timedelta(days=day), 2)
        history.roll_up(T0 + timedelta(days=day + 1))
    now = T0 + timedelta(days=900)
    history.prune(now)
    assert count(history, HealthSampleRecord) == 0
    with history.db.transaction() as session:
        kept = session.query(HealthRollupRecord).all()
    oldest_day = min(r.bucket_start for r in kept if r.resolution == DAY)
    assert (now - oldest_day.replace(tzinfo=UTC)).days <= 800
    assert all(
        (now - r.bucket_start.replace(tzinfo=UTC)).days <= 32 for r in kept if r.resolution == HOUR
    )
    # What is kept still answers for the years it covers.
    year = history.summary(GROUP, now - timedelta(days=400), now)
    assert year.observed_seconds == 40 * 120


def test_points_over_a_range_by_step(history: HealthHistory) -> None:
    minute_samples(history, T0, 30, down=range(10, 20))
    resolution, points = history.points(GROUP, T0, T0 + timedelta(minutes=30), 600)
    assert resolution == RAW
    assert [p.compliance_percent for p in points] == [100.0, 0.0, 100.0]
    assert [p.link_down_seconds for p in points] == [0, 600, 0]
    assert points[1].worst_rpo_seconds == 120.0 + 19
    assert points[2].last_rpo_seconds == 30.0 + 29 % 5
    # Steps with nothing observed are there, empty.
    _, wider = history.points(GROUP, T0 - timedelta(minutes=20), T0 + timedelta(minutes=10), 600)
    assert [p.observed_seconds for p in wider] == [0, 0, 600]
    assert wider[0].compliance_percent is None


def test_recent_samples_not_rolled_up_yet_are_read_with_the_roll_ups(
    history: HealthHistory,
) -> None:
    minute_samples(history, T0, 90)
    history.roll_up(T0 + timedelta(minutes=90))  # 10:00-11:00 rolled; 11:00-11:30 raw only
    resolution, points = history.points(GROUP, T0, T0 + timedelta(hours=2), HOUR)
    assert resolution == HOUR
    assert [p.observed_seconds for p in points] == [3600, 1800]
