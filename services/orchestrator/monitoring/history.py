"""Replication health over time: one sample per group per sampling slot, kept raw for a day,
summed up per hour (kept 32 days) and per day (kept 800 days), so that the history of a group
is bounded in size whatever its age.

Every read goes through slices: stretches of a group's history, each a raw sample or a roll-up,
that do not overlap and are as fine as what is kept allows (see `_slices`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.db import Database
from services.orchestrator.engine.store import aware
from services.orchestrator.models import HealthRollupRecord, HealthSampleRecord

HOUR, DAY = 3600, 86400
RAW_RETENTION = timedelta(days=1)
ROLLUP_RETENTION = {HOUR: timedelta(days=32), DAY: timedelta(days=800)}
RAW = 0
# The history API gives at most this many points when no step is asked for.
DEFAULT_POINTS = 200


@dataclass(frozen=True)
class Sample:
    """A group's replication health at one moment, as its target site sees it."""

    project_id: str
    group_id: str
    sampled_at: datetime
    covers_seconds: float
    rpo_seconds: float | None
    rpo_target_seconds: float
    link_up: bool
    within_target: bool
    metadata_lag_seconds: float | None = None
    protected_vms: int = 0


@dataclass
class Slice:
    """A stretch of a group's history: one raw sample or one roll-up."""

    start: datetime
    seconds: float
    within_seconds: float
    link_down_seconds: float
    breaches_started: int
    breach_at_start: bool
    worst_rpo_seconds: float | None
    last_rpo_seconds: float | None
    worst_metadata_lag_seconds: float | None
    protected_vms: int
    rpo_target_seconds: float


@dataclass
class Point:
    """The slices of one step of a history, summed up."""

    start: datetime
    observed_seconds: float = 0.0
    within_seconds: float = 0.0
    link_down_seconds: float = 0.0
    breaches: int = 0
    breach_seconds: float = 0.0
    worst_rpo_seconds: float | None = None
    last_rpo_seconds: float | None = None
    worst_metadata_lag_seconds: float | None = None
    protected_vms: int = 0
    rpo_target_seconds: float = 0.0

    def add(self, piece: Slice, first: bool) -> None:
        self.observed_seconds += piece.seconds
        self.within_seconds += piece.within_seconds
        self.link_down_seconds += piece.link_down_seconds
        self.breach_seconds += piece.seconds - piece.within_seconds
        # A breach under way when the point starts counts once, in this point.
        self.breaches += piece.breaches_started + (1 if first and piece.breach_at_start else 0)
        self.worst_rpo_seconds = _max(self.worst_rpo_seconds, piece.worst_rpo_seconds)
        if piece.last_rpo_seconds is not None:
            self.last_rpo_seconds = piece.last_rpo_seconds
        self.worst_metadata_lag_seconds = _max(
            self.worst_metadata_lag_seconds, piece.worst_metadata_lag_seconds
        )
        self.protected_vms = piece.protected_vms
        self.rpo_target_seconds = piece.rpo_target_seconds

    @property
    def compliance_percent(self) -> float | None:
        """The observed time within target, in percent; None when nothing was observed."""
        if self.observed_seconds <= 0:
            return None
        return 100.0 * self.within_seconds / self.observed_seconds


def resolution_for(step_seconds: float) -> int:
    """The coarsest kept resolution that a step of this length can be drawn from."""
    if step_seconds >= DAY:
        return DAY
    if step_seconds >= HOUR:
        return HOUR
    return RAW


def default_step(start: datetime, end: datetime) -> float:
    """A step that gives at most DEFAULT_POINTS points over the range, in whole minutes."""
    seconds = (end - start).total_seconds() / DEFAULT_POINTS
    return float(max(60, math.ceil(seconds / 60) * 60))


class HealthHistory:
    """The health samples and roll-ups of the groups this site watches."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, sample: Sample) -> bool:
        """Keeps the sample; False when the group already has one at that moment (another
        monitor sampled the same slot)."""
        try:
            with self.db.transaction() as session:
                previous = session.scalars(
                    select(HealthSampleRecord.within_target)
                    .where(
                        HealthSampleRecord.group_id == sample.group_id,
                        HealthSampleRecord.sampled_at < sample.sampled_at,
                    )
                    .order_by(HealthSampleRecord.sampled_at.desc())
                    .limit(1)
                ).first()
                session.add(
                    HealthSampleRecord(
                        project_id=sample.project_id,
                        group_id=sample.group_id,
                        sampled_at=sample.sampled_at,
                        covers_seconds=sample.covers_seconds,
                        rpo_seconds=sample.rpo_seconds,
                        rpo_target_seconds=sample.rpo_target_seconds,
                        link_up=sample.link_up,
                        within_target=sample.within_target,
                        breach_started=not sample.within_target and previous is not False,
                        metadata_lag_seconds=sample.metadata_lag_seconds,
                        protected_vms=sample.protected_vms,
                    )
                )
        except IntegrityError:
            return False
        return True

    def latest(self, group_id: str) -> Sample | None:
        """The group's newest sample."""
        with self.db.transaction() as session:
            row = session.scalars(
                select(HealthSampleRecord)
                .where(HealthSampleRecord.group_id == group_id)
                .order_by(HealthSampleRecord.sampled_at.desc())
                .limit(1)
            ).first()
            return _sample(row) if row is not None else None

    def roll_up(self, now: datetime) -> int:
        """Sums up every hour and day that has ended and is not summed up yet; returns how
        many roll-ups it made."""
        made = 0
        with self.db.transaction() as session:
            for group_id in _groups(session, HealthSampleRecord.group_id):
                made += self._roll_hours(session, group_id, _floor(now, HOUR))
        with self.db.transaction() as session:
            for group_id in _groups(session, HealthRollupRecord.group_id):
                made += self._roll_days(session, group_id, _floor(now, DAY))
        return made

    def prune(self, now: datetime) -> None:
        """Drops what is older than it is kept for (already summed up by `roll_up`): raw samples
        by whole hours, roll-ups by whole days, so that what is left of each begins at the
        start of an hour or a day."""
        with self.db.transaction() as session:
            # Whole hours only, so that the raw samples kept start at an hour's start.
            raw_before = _floor(now - RAW_RETENTION, HOUR)
            session.execute(
                delete(HealthSampleRecord).where(HealthSampleRecord.sampled_at < raw_before)
            )
            for resolution, kept in ROLLUP_RETENTION.items():
                session.execute(
                    delete(HealthRollupRecord).where(
                        HealthRollupRecord.resolution == resolution,
                        HealthRollupRecord.bucket_start < _floor(now - kept, DAY),
                    )
                )

    def forget(self, group_id: str) -> None:
        """Drops a deleted group's history."""
        with self.db.transaction() as session:
            session.execute(
                delete(HealthSampleRecord).where(HealthSampleRecord.group_id == group_id)
            )
            session.execute(
                delete(HealthRollupRecord).where(HealthRollupRecord.group_id == group_id)
            )

    def points(
        self, group_id: str, start: datetime, end: datetime, step_seconds: float
    ) -> tuple[int, list[Point]]:
        """The group's history over [start, end), one point per step (steps with nothing
        observed included, empty); returns the resolution read too."""
        resolution = resolution_for(step_seconds)
        count = max(1, math.ceil((end - start).total_seconds() / step_seconds))
        points = [Point(start + timedelta(seconds=i * step_seconds)) for i in range(count)]
        seen: set[int] = set()
        for piece in self._slices(group_id, start, end, resolution):
            index = max(0, int((piece.start - start).total_seconds() // step_seconds))
            if 0 <= index < count:
                points[index].add(piece, first=index not in seen)
                seen.add(index)
        return resolution, points

    def summary(self, group_id: str, start: datetime, end: datetime) -> Point:
        """The group's history over [start, end) as one point, from the finest kept data."""
        total = Point(start)
        for index, piece in enumerate(self._slices(group_id, start, end, RAW)):
            total.add(piece, first=index == 0)
        return total

    def _slices(
        self, group_id: str, start: datetime, end: datetime, finest: int
    ) -> Iterable[Slice]:
        """The group's slices over [start, end), oldest first, none overlapping. Each source
        covers a span: raw samples from the hour of the oldest one kept, hourly and daily
        roll-ups from their oldest bucket to the end of their newest. The `finest` source
        asked for is read over all of its span; coarser ones before it, finer ones after it
        (what is not summed up yet)."""
        with self.db.transaction() as session:
            spans = {
                RAW: _raw_span(session, group_id),
                HOUR: _rollup_span(session, group_id, HOUR),
                DAY: _rollup_span(session, group_id, DAY),
            }
            order = (DAY, HOUR, RAW)
            chosen = order.index(finest)
            lower = _span_start(spans[finest])
            upper = _span_end(spans[finest])
            ranges: dict[int, tuple[datetime, datetime]] = {}
            if spans[finest] is not None:
                ranges[finest] = (lower, upper) if finest != RAW else (lower, end)
            # Coarser sources, newest first, fill in before what finer ones hold.
            edge = lower if spans[finest] is not None else end
            for coarser in reversed(order[:chosen]):
                if spans[coarser] is not None:
                    ranges[coarser] = (_span_start(spans[coarser]), edge)
                    edge = min(edge, _span_start(spans[coarser]))
            # Finer sources fill in after what coarser ones hold.
            edge = upper if spans[finest] is not None else _earliest()
            for finer in order[chosen + 1 :]:
                if spans[finer] is not None:
                    until = end if finer == RAW else _span_end(spans[finer])
                    ranges[finer] = (max(edge, _span_start(spans[finer])), until)
                    edge = max(edge, _span_end(spans[finer]))
            pieces: list[Slice] = []
            for source, (since, until) in ranges.items():
                # A roll-up that begins before `start` but reaches into it is read whole.
                first = start if source == RAW else _floor(start, source)
                lower_bound, upper_bound = max(since, first), min(until, end)
                if lower_bound < upper_bound:
                    pieces += _read(session, group_id, source, lower_bound, upper_bound)
        return sorted(pieces, key=lambda p: p.start)

    def _roll_hours(self, session: Session, group_id: str, before: datetime) -> int:
        last = session.scalar(
            select(func.max(HealthRollupRecord.bucket_start)).where(
                HealthRollupRecord.group_id == group_id, HealthRollupRecord.resolution == HOUR
            )
        )
        since = _utc(last) + timedelta(seconds=HOUR) if last is not None else _earliest()
        rows = session.scalars(
            select(HealthSampleRecord)
            .where(
                HealthSampleRecord.group_id == group_id,
                HealthSampleRecord.sampled_at >= since,
                HealthSampleRecord.sampled_at < before,
            )
            .order_by(HealthSampleRecord.sampled_at)
        ).all()
        return _store_rollups(session, group_id, HOUR, [_raw_slice(r) for r in rows], rows)

    def _roll_days(self, session: Session, group_id: str, before: datetime) -> int:
        last = session.scalar(
            select(func.max(HealthRollupRecord.bucket_start)).where(
                HealthRollupRecord.group_id == group_id, HealthRollupRecord.resolution == DAY
            )
        )
        since = _utc(last) + timedelta(seconds=DAY) if last is not None else _earliest()
        rows = session.scalars(
            select(HealthRollupRecord)
            .where(
                HealthRollupRecord.group_id == group_id,
                HealthRollupRecord.resolution == HOUR,
                HealthRollupRecord.bucket_start >= since,
                HealthRollupRecord.bucket_start < before,
            )
            .order_by(HealthRollupRecord.bucket_start)
        ).all()
        return _store_rollups(session, group_id, DAY, [_rollup_slice(r) for r in rows], rows)


def _store_rollups(
    session: Session, group_id: str, resolution: int, pieces: list[Slice], rows: Sequence[Any]
) -> int:
    buckets: dict[datetime, Point] = {}
    firsts: dict[datetime, Slice] = {}
    for piece in pieces:
        bucket = _floor(piece.start, resolution)
        new = bucket not in buckets
        point = buckets.setdefault(bucket, Point(bucket))
        point.add(piece, first=new)
        firsts.setdefault(bucket, piece)
    project_id = rows[0].project_id if rows else ""
    for bucket, point in buckets.items():
        first = firsts[bucket]
        session.add(
            HealthRollupRecord(
                group_id=group_id,
                resolution=resolution,
                bucket_start=bucket,
                project_id=project_id,
                observed_seconds=point.observed_seconds,
                within_seconds=point.within_seconds,
                link_down_seconds=point.link_down_seconds,
                breach_seconds=point.breach_seconds,
                breaches_started=point.breaches - (1 if first.breach_at_start else 0),
                breach_at_start=first.breach_at_start,
                worst_rpo_seconds=point.worst_rpo_seconds,
                last_rpo_seconds=point.last_rpo_seconds,
                worst_metadata_lag_seconds=point.worst_metadata_lag_seconds,
                protected_vms=point.protected_vms,
                rpo_target_seconds=point.rpo_target_seconds,
            )
        )
    return len(buckets)


def _read(
    session: Session, group_id: str, source: int, start: datetime, end: datetime
) -> list[Slice]:
    if source == RAW:
        rows = session.scalars(
            select(HealthSampleRecord).where(
                HealthSampleRecord.group_id == group_id,
                HealthSampleRecord.sampled_at >= start,
                HealthSampleRecord.sampled_at < end,
            )
        ).all()
        return [_raw_slice(r) for r in rows]
    rollups = session.scalars(
        select(HealthRollupRecord).where(
            HealthRollupRecord.group_id == group_id,
            HealthRollupRecord.resolution == source,
            HealthRollupRecord.bucket_start >= start,
            HealthRollupRecord.bucket_start < end,
        )
    ).all()
    return [_rollup_slice(r) for r in rollups]


def _raw_slice(row: HealthSampleRecord) -> Slice:
    return Slice(
        start=_utc(row.sampled_at),
        seconds=row.covers_seconds,
        within_seconds=row.covers_seconds if row.within_target else 0.0,
        link_down_seconds=0.0 if row.link_up else row.covers_seconds,
        breaches_started=1 if row.breach_started else 0,
        breach_at_start=not row.within_target and not row.breach_started,
        worst_rpo_seconds=row.rpo_seconds,
        last_rpo_seconds=row.rpo_seconds,
        worst_metadata_lag_seconds=row.metadata_lag_seconds,
        protected_vms=row.protected_vms,
        rpo_target_seconds=row.rpo_target_seconds,
    )


def _rollup_slice(row: HealthRollupRecord) -> Slice:
    return Slice(
        start=_utc(row.bucket_start),
        seconds=row.observed_seconds,
        within_seconds=row.within_seconds,
        link_down_seconds=row.link_down_seconds,
        breaches_started=row.breaches_started,
        breach_at_start=row.breach_at_start,
        worst_rpo_seconds=row.worst_rpo_seconds,
        last_rpo_seconds=row.last_rpo_seconds,
        worst_metadata_lag_seconds=row.worst_metadata_lag_seconds,
        protected_vms=row.protected_vms,
        rpo_target_seconds=row.rpo_target_seconds,
    )


def _sample(row: HealthSampleRecord) -> Sample:
    return Sample(
        project_id=row.project_id,
        group_id=row.group_id,
        sampled_at=_utc(row.sampled_at),
        covers_seconds=row.covers_seconds,
        rpo_seconds=row.rpo_seconds,
        rpo_target_seconds=row.rpo_target_seconds,
        link_up=row.link_up,
        within_target=row.within_target,
        metadata_lag_seconds=row.metadata_lag_seconds,
        protected_vms=row.protected_vms,
    )


Span = tuple[datetime, datetime] | None


def _raw_span(session: Session, group_id: str) -> Span:
    oldest, newest = session.execute(
        select(
            func.min(HealthSampleRecord.sampled_at), func.max(HealthSampleRecord.sampled_at)
        ).where(HealthSampleRecord.group_id == group_id)
    ).one()
    if oldest is None:
        return None
    return _floor(_utc(oldest), HOUR), _utc(newest) + timedelta(seconds=1)


def _rollup_span(session: Session, group_id: str, resolution: int) -> Span:
    oldest, newest = session.execute(
        select(
            func.min(HealthRollupRecord.bucket_start), func.max(HealthRollupRecord.bucket_start)
        ).where(
            HealthRollupRecord.group_id == group_id, HealthRollupRecord.resolution == resolution
        )
    ).one()
    if oldest is None:
        return None
    # Hours are dropped a whole day at a time (see prune): the day of the oldest one kept
    # is all there.
    return _floor(_utc(oldest), DAY), _utc(newest) + timedelta(seconds=resolution)


def _span_start(span: Span) -> datetime:
    return span[0] if span is not None else _earliest()


def _span_end(span: Span) -> datetime:
    return span[1] if span is not None else _earliest()


def _groups(session: Session, column: Any) -> list[str]:
    return list(session.scalars(select(column).distinct()))


def _floor(moment: datetime, seconds: int) -> datetime:
    stamp = moment.timestamp()
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def _utc(moment: datetime) -> datetime:
    aware_moment = aware(moment)
    assert aware_moment is not None
    return aware_moment.astimezone(UTC)


def _earliest() -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC)


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
