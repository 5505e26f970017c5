"""Alerts raised at this site: each condition a rule finds fires one alert, which resolves by
itself once the rule no longer finds it, may be acknowledged, and keeps its history. Firing
and resolving queue one delivery per matching channel in the same transaction, so each is
delivered once (see delivery.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.db import Database
from common.errors import InvalidArgument, NotFound
from services.orchestrator.engine.store import aware
from services.orchestrator.models import (
    AlertChannelRecord,
    AlertEventRecord,
    AlertRecord,
    DeliveryRecord,
)

WARNING, CRITICAL = "warning", "critical"
SEVERITY_RANK = {WARNING: 1, CRITICAL: 2}
FIRING, RESOLVED = "firing", "resolved"
# What a delivery says happened.
FIRED = "fired"
# Rules (monitoring.proto's AlertRule, lower case).
RPO_OVER_TARGET = "rpo_over_target"
RPO_OVER_TWICE_TARGET = "rpo_over_twice_target"
LINK_DOWN = "link_down"
VM_INELIGIBLE = "vm_ineligible"
METADATA_LAG = "metadata_lag"
TEST_OVERDUE = "test_overdue"
OPERATION_FAILED = "operation_failed"
TEST_NOT_CLEANED_UP = "test_not_cleaned_up"
TAGGED_VM_UNPROTECTED = "tagged_vm_unprotected"
RULES = (
    RPO_OVER_TARGET,
    RPO_OVER_TWICE_TARGET,
    LINK_DOWN,
    VM_INELIGIBLE,
    METADATA_LAG,
    TEST_OVERDUE,
    OPERATION_FAILED,
    TEST_NOT_CLEANED_UP,
    TAGGED_VM_UNPROTECTED,
)
MAX_COMMENT = 1024


@dataclass(frozen=True)
class Condition:
    """Something a rule found wrong now, about a group (and within it, a subject: a server or
    an operation)."""

    project_id: str
    group_id: str
    group_name: str
    rule: str
    severity: str
    summary: str
    subject: str = ""

    @property
    def key(self) -> str:
        return f"{self.project_id}:{self.group_id}:{self.rule}:{self.subject}"


@dataclass(frozen=True)
class Judged:
    """What one round of the rules looked at: a firing alert of one of these (group, rule)
    pairs, or of a rule judged `everywhere`, that the round did not find again is resolved;
    others (a group whose health could not be read) stay as they are."""

    conditions: list[Condition]
    pairs: set[tuple[str, str]]
    everywhere: set[str] = field(default_factory=set)

    def looked_at(self, group_id: str, rule: str) -> bool:
        return rule in self.everywhere or (group_id, rule) in self.pairs


@dataclass(frozen=True)
class Change:
    """An alert fired or resolved by `reconcile`."""

    alert_id: str
    event: str


class AlertStore:
    """This site's alerts, their history, and the deliveries they queue."""

    def __init__(self, db: Database, site: str) -> None:
        self.db = db
        self.site = site

    def reconcile(self, judged: Judged, now: datetime) -> list[Change]:
        """Fires an alert for each condition that has none firing, resolves the firing
        alerts whose condition was looked for and is gone."""
        changes: list[Change] = []
        found = {c.key: c for c in judged.conditions}
        with self.db.transaction() as session:
            firing = session.scalars(select(AlertRecord).where(AlertRecord.state == FIRING)).all()
            open_keys = {a.open_key for a in firing}
            for alert in firing:
                if alert.open_key in found or not judged.looked_at(alert.group_id, alert.rule):
                    continue
                alert.state, alert.resolved_at, alert.open_key = RESOLVED, now, None
                session.add(
                    AlertEventRecord(
                        alert_id=alert.id, at=now, kind=RESOLVED, detail="the condition ended"
                    )
                )
                _queue(session, alert, RESOLVED, now, self.site)
                changes.append(Change(alert.id, RESOLVED))
        for condition in judged.conditions:
            if condition.key in open_keys:
                continue
            fired = self._fire(condition, now)
            if fired is not None:
                changes.append(Change(fired, FIRED))
        return changes

    def resolve_group(self, group_id: str, now: datetime, why: str) -> list[Change]:
        """Resolves every firing alert of a group (it was deleted, or is no longer watched
        here)."""
        with self.db.transaction() as session:
            firing = session.scalars(
                select(AlertRecord).where(
                    AlertRecord.group_id == group_id, AlertRecord.state == FIRING
                )
            ).all()
            for alert in firing:
                alert.state, alert.resolved_at, alert.open_key = RESOLVED, now, None
                session.add(AlertEventRecord(alert_id=alert.id, at=now, kind=RESOLVED, detail=why))
                _queue(session, alert, RESOLVED, now, self.site)
            return [Change(a.id, RESOLVED) for a in firing]

    def firing_groups(self) -> set[str]:
        """The groups with a firing alert."""
        with self.db.transaction() as session:
            return set(
                session.scalars(
                    select(AlertRecord.group_id).where(AlertRecord.state == FIRING).distinct()
                )
            )

    def acknowledge(
        self, project_ids: Iterable[str], alert_id: str, user_id: str, comment: str, now: datetime
    ) -> AlertRecord:
        """Marks the alert acknowledged by the user (once: a repeat changes nothing).

        :raises NotFound: the project has no such alert here.
        :raises InvalidArgument: the comment is too long.
        """
        if len(comment) > MAX_COMMENT:
            raise InvalidArgument("comment", f"must be at most {MAX_COMMENT} characters")
        with self.db.transaction() as session:
            alert = self._own(session, project_ids, alert_id)
            if alert.acknowledged_at is None:
                session.execute(
                    update(AlertRecord)
                    .where(AlertRecord.id == alert.id, AlertRecord.acknowledged_at.is_(None))
                    .values(acknowledged_at=now, acknowledged_by=user_id)
                )
                session.add(
                    AlertEventRecord(
                        alert_id=alert.id, at=now, kind="acknowledged", by=user_id, detail=comment
                    )
                )
        return self.get(project_ids, alert_id)[0]

    def get(
        self, project_ids: Iterable[str], alert_id: str
    ) -> tuple[AlertRecord, list[AlertEventRecord]]:
        """The alert and its history.

        :raises NotFound: the project has no such alert here.
        """
        with self.db.transaction() as session:
            alert = self._own(session, project_ids, alert_id)
            events = session.scalars(
                select(AlertEventRecord)
                .where(AlertEventRecord.alert_id == alert.id)
                .order_by(AlertEventRecord.id)
            ).all()
            return alert, list(events)

    def list(
        self,
        project_ids: Iterable[str] | None,
        state: str = "",
        group_id: str = "",
        limit: int = 100,
    ) -> list[tuple[AlertRecord, list[AlertEventRecord]]]:
        """Newest first; `project_ids` None: every project's."""
        query = select(AlertRecord).order_by(AlertRecord.fired_at.desc(), AlertRecord.id)
        if project_ids is not None:
            query = query.where(AlertRecord.project_id.in_(list(project_ids)))
        if state:
            query = query.where(AlertRecord.state == state)
        if group_id:
            query = query.where(AlertRecord.group_id == group_id)
        with self.db.transaction() as session:
            alerts = session.scalars(query.limit(limit)).all()
            events = session.scalars(
                select(AlertEventRecord)
                .where(AlertEventRecord.alert_id.in_([a.id for a in alerts]))
                .order_by(AlertEventRecord.id)
            ).all()
        history: dict[str, list[AlertEventRecord]] = {}
        for event in events:
            history.setdefault(event.alert_id, []).append(event)
        return [(a, history.get(a.id, [])) for a in alerts]

    def _fire(self, condition: Condition, now: datetime) -> str | None:
        alert = AlertRecord(
            id=str(uuid.uuid4()),
            project_id=condition.project_id,
            group_id=condition.group_id,
            group_name=condition.group_name,
            rule=condition.rule,
            severity=condition.severity,
            subject=condition.subject,
            summary=condition.summary,
            state=FIRING,
            open_key=condition.key,
            fired_at=now,
        )
        try:
            with self.db.transaction() as session:
                session.add(alert)
                session.flush()
                session.add(
                    AlertEventRecord(alert_id=alert.id, at=now, kind=FIRED, detail=alert.summary)
                )
                _queue(session, alert, FIRED, now, self.site)
        except IntegrityError:
            return None  # another monitor fired it first
        return alert.id

    @staticmethod
    def _own(session: Session, project_ids: Iterable[str], alert_id: str) -> AlertRecord:
        alert = session.get(AlertRecord, alert_id)
        if alert is None or alert.project_id not in set(project_ids):
            raise NotFound(f"no alert {alert_id} here")
        return alert


def alert_body(alert: AlertRecord, site: str) -> dict[str, object]:
    """The alert as a delivery carries it."""
    return {
        "id": alert.id,
        "site": site,
        "project_id": alert.project_id,
        "group_id": alert.group_id,
        "group_name": alert.group_name,
        "rule": alert.rule,
        "severity": alert.severity,
        "subject": alert.subject,
        "summary": alert.summary,
        "state": alert.state,
        "fired_at": _iso(alert.fired_at),
        "resolved_at": _iso(alert.resolved_at),
    }


def _queue(session: Session, alert: AlertRecord, event: str, now: datetime, site: str) -> None:
    """One pending delivery of the event to each of the project's channels that wants it."""
    channels = session.scalars(
        select(AlertChannelRecord).where(AlertChannelRecord.project_id == alert.project_id)
    ).all()
    for channel in channels:
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK.get(channel.min_severity, 1):
            continue
        delivery_id = str(uuid.uuid4())
        session.add(
            DeliveryRecord(
                id=delivery_id,
                project_id=alert.project_id,
                alert_id=alert.id,
                channel_id=channel.id,
                event=event,
                payload={
                    "delivery_id": delivery_id,
                    "event": event,
                    "alert": alert_body(alert, site),
                },
                state="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )


def _iso(moment: datetime | None) -> str | None:
    stamp = aware(moment)
    return stamp.isoformat() if stamp is not None else None
