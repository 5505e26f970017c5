"""Compliance reports: per group watched here and per project, over a period: RPO compliance
(share of the observed time within target, from the health history), worst RPO, breaches,
tests run and passed, the last successful test, its measured RTO against the group's RTO
target, and readiness now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from common.db import Database
from common.errors import DraasError, InvalidArgument
from services.orchestrator import flows
from services.orchestrator.engine.plan import OperationState
from services.orchestrator.engine.store import aware
from services.orchestrator.models import OperationRecord
from services.orchestrator.monitoring.history import HealthHistory
from services.orchestrator.monitoring.rules import Watched
from services.orchestrator.readiness import ReadinessChecker

# A report covers at most this much (the daily roll-ups are kept 800 days).
MAX_PERIOD_DAYS = 800


@dataclass
class GroupCompliance:
    group_id: str
    group_name: str
    rpo_target_seconds: float
    observed_seconds: float = 0.0
    rpo_compliance_percent: float | None = None
    worst_rpo_seconds: float | None = None
    breaches: int = 0
    breach_seconds: float = 0.0
    tests_run: int = 0
    tests_passed: int = 0
    last_successful_test_at: datetime | None = None
    last_successful_test_id: str = ""
    last_test_rto_seconds: float | None = None
    rto_target_seconds: float | None = None
    readiness: str = ""

    @property
    def rto_met(self) -> bool | None:
        if self.last_test_rto_seconds is None or self.rto_target_seconds is None:
            return None
        return self.last_test_rto_seconds <= self.rto_target_seconds


@dataclass
class ComplianceReport:
    project_id: str
    start: datetime
    end: datetime
    generated_at: datetime
    site: str
    groups: list[GroupCompliance] = field(default_factory=list)


class Compliance:
    """Builds compliance reports from the history and the operations kept here."""

    def __init__(
        self,
        site: str,
        db: Database,
        history: HealthHistory,
        readiness: ReadinessChecker | None,
    ) -> None:
        self.site = site
        self.db = db
        self.history = history
        self.readiness = readiness

    def report(
        self,
        project_id: str,
        groups: Sequence[Watched],
        start: datetime,
        end: datetime,
        now: datetime,
    ) -> ComplianceReport:
        """The report of the groups (of the project, watched here) over [start, end).

        :raises InvalidArgument: the period is empty, reversed or too long.
        """
        if end <= start:
            raise InvalidArgument("end", "must be after start")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise InvalidArgument("start", f"the period may be at most {MAX_PERIOD_DAYS} days")
        report = ComplianceReport(project_id, start, end, now, self.site)
        for item in groups:
            report.groups.append(self._group(item, start, end))
        return report

    def _group(self, item: Watched, start: datetime, end: datetime) -> GroupCompliance:
        group = item.group
        summary = self.history.summary(group.id, start, end)
        found = GroupCompliance(
            group_id=group.id,
            group_name=group.name,
            rpo_target_seconds=group.rpo_target_seconds,
            observed_seconds=summary.observed_seconds,
            rpo_compliance_percent=summary.compliance_percent,
            worst_rpo_seconds=summary.worst_rpo_seconds,
            breaches=summary.breaches,
            breach_seconds=summary.breach_seconds,
            rto_target_seconds=group.rto_target_seconds or None,
        )
        with self.db.transaction() as session:
            tests = session.scalars(
                select(OperationRecord)
                .where(
                    OperationRecord.group_id == group.id,
                    OperationRecord.kind == flows.TEST_FAILOVER,
                    OperationRecord.partial.is_(False),
                    OperationRecord.finished_at.is_not(None),
                    OperationRecord.finished_at < end,
                )
                .order_by(OperationRecord.finished_at)
            ).all()
        in_period = [t for t in tests if (aware(t.finished_at) or end) >= start]
        found.tests_run = len(in_period)
        found.tests_passed = sum(t.state == OperationState.SUCCEEDED for t in in_period)
        passed = [t for t in tests if t.state == OperationState.SUCCEEDED]
        if passed:
            found.last_successful_test_at = aware(passed[-1].finished_at)
            found.last_successful_test_id = passed[-1].id
        measured = [t for t in tests if (t.report or {}).get("rto_seconds") is not None]
        if measured:
            found.last_test_rto_seconds = float((measured[-1].report or {})["rto_seconds"])
        found.readiness = self._readiness(item)
        return found

    def _readiness(self, item: Watched) -> str:
        if self.readiness is None:
            return "unknown"
        try:
            ready = self.readiness.check(item.project_id, item.group.id).failover_ready
        except DraasError as error:
            return f"unknown: {error}"
        return "ready" if ready else "not_ready"
