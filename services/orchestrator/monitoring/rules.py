"""The alert rules: what is wrong now with the groups this site watches (their health at this,
their target, site) and with the operations run here. Each rule looks at what it knows; a
(group, rule) pair it could not look at is left out of `Judged.pairs`, so its alerts stay as
they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from common.db import Database
from services.orchestrator import flows
from services.orchestrator.engine.plan import OperationState
from services.orchestrator.engine.store import aware
from services.orchestrator.groups import Group
from services.orchestrator.models import GroupLockRecord, OperationRecord
from services.orchestrator.monitoring import alerts
from services.orchestrator.monitoring.alerts import Condition, Judged
from services.orchestrator.monitoring.history import Sample
from services.orchestrator.settings import OrchestratorSettings

FAILED_STATES = (
    OperationState.FAILED,
    OperationState.PARTIALLY_SUCCEEDED,
    OperationState.COMPENSATED,
)
HEALTH_RULES = (alerts.RPO_OVER_TARGET, alerts.RPO_OVER_TWICE_TARGET, alerts.LINK_DOWN)


@dataclass(frozen=True)
class Watched:
    """A group watched here, under the tenant's project id here."""

    project_id: str
    group: Group


@dataclass(frozen=True)
class VmProblem:
    """A protected VM that cannot be recovered as it is, and why."""

    server_id: str
    name: str
    reason: str


class Rules:
    """Judges every rule for the groups watched here and the operations run here."""

    def __init__(self, settings: OrchestratorSettings, db: Database) -> None:
        self.settings = settings
        self.db = db

    def judge(
        self,
        now: datetime,
        watched: Sequence[Watched],
        samples: dict[str, Sample],
        vm_problems: dict[str, list[VmProblem]],
    ) -> Judged:
        """`samples`: the newest sample of each group sampled in this round (a group missing
        could not be read); `vm_problems`: per group checked this round, its VMs' problems."""
        conditions: list[Condition] = []
        pairs: set[tuple[str, str]] = set()
        for item in watched:
            group = item.group
            sample = samples.get(group.id)
            if sample is not None:
                pairs.update((group.id, rule) for rule in (*HEALTH_RULES, alerts.METADATA_LAG))
                conditions += self._health(item, sample)
            if group.id in vm_problems:
                pairs.add((group.id, alerts.VM_INELIGIBLE))
                conditions += [
                    _condition(
                        item,
                        alerts.VM_INELIGIBLE,
                        alerts.WARNING,
                        f"VM {p.name or p.server_id} can no longer be recovered as it is: "
                        f"{p.reason}",
                        p.server_id,
                    )
                    for p in vm_problems[group.id]
                ]
            pairs.add((group.id, alerts.TEST_OVERDUE))
            overdue = self._test_overdue(item, now)
            if overdue is not None:
                conditions.append(overdue)
        # The operations here are all read each round: their rules judge every group.
        return Judged(
            conditions + self._operations(now, watched),
            pairs,
            everywhere={alerts.OPERATION_FAILED, alerts.TEST_NOT_CLEANED_UP},
        )

    def _health(self, item: Watched, sample: Sample) -> list[Condition]:
        group, found = item.group, []
        if not sample.link_up:
            found.append(
                _condition(
                    item,
                    alerts.LINK_DOWN,
                    alerts.CRITICAL,
                    f"the replication link of {group.name} to {group.target_site} is down",
                )
            )
        target = group.rpo_target_seconds
        if target > 0:
            rpo = sample.rpo_seconds
            if rpo is None:
                found.append(
                    _condition(
                        item,
                        alerts.RPO_OVER_TWICE_TARGET,
                        alerts.CRITICAL,
                        f"{group.target_site} holds no recovery point of {group.name}",
                    )
                )
            elif rpo > 2 * target:
                found.append(
                    _condition(
                        item,
                        alerts.RPO_OVER_TWICE_TARGET,
                        alerts.CRITICAL,
                        f"the RPO of {group.name} is {rpo:.0f} s, over twice its target "
                        f"({target:.0f} s)",
                    )
                )
            if rpo is None or rpo > target:
                found.append(
                    _condition(
                        item,
                        alerts.RPO_OVER_TARGET,
                        alerts.WARNING,
                        f"the RPO of {group.name} is "
                        f"{'unknown' if rpo is None else f'{rpo:.0f} s'}, over its target "
                        f"({target:.0f} s)",
                    )
                )
        lag = sample.metadata_lag_seconds
        if lag is not None and lag > self.settings.alert_metadata_lag_seconds:
            found.append(
                _condition(
                    item,
                    alerts.METADATA_LAG,
                    alerts.WARNING,
                    f"the metadata of {group.name} at {group.target_site} is {lag:.0f} s behind "
                    f"{group.owner_site} "
                    f"(threshold {self.settings.alert_metadata_lag_seconds:.0f} s)",
                )
            )
        return found

    def _test_overdue(self, item: Watched, now: datetime) -> Condition | None:
        group = item.group
        interval = group.test_interval_seconds
        if interval <= 0:
            return None
        with self.db.transaction() as session:
            last = session.scalar(
                select(func.max(OperationRecord.finished_at)).where(
                    OperationRecord.group_id == group.id,
                    OperationRecord.kind == flows.TEST_FAILOVER,
                    OperationRecord.partial.is_(False),
                    OperationRecord.state == OperationState.SUCCEEDED,
                )
            )
        since = aware(last) if last is not None else _parsed(group.created_at)
        if since is None or now - since <= timedelta(seconds=interval):
            return None
        what = "never had a successful test" if last is None else "had no successful test"
        return _condition(
            item,
            alerts.TEST_OVERDUE,
            alerts.WARNING,
            f"{group.name} {what} within its test interval ({_span(interval)})"
            + (f"; the last one ended {since.isoformat(timespec='seconds')}" if last else ""),
        )

    def _operations(self, now: datetime, watched: Sequence[Watched]) -> list[Condition]:
        names = {w.group.id: w.group.name for w in watched}
        window = now - timedelta(seconds=self.settings.alert_operation_window_seconds)
        grace = timedelta(seconds=self.settings.alert_cleanup_grace_seconds)
        conditions: list[Condition] = []
        with self.db.transaction() as session:
            failed = session.scalars(
                select(OperationRecord).where(
                    OperationRecord.state.in_(FAILED_STATES),
                    OperationRecord.finished_at >= window,
                )
            ).all()
            newest_success = {
                (group_id, kind): aware(at)
                for group_id, kind, at in session.execute(
                    select(
                        OperationRecord.group_id,
                        OperationRecord.kind,
                        func.max(OperationRecord.finished_at),
                    )
                    .where(OperationRecord.state == OperationState.SUCCEEDED)
                    .group_by(OperationRecord.group_id, OperationRecord.kind)
                ).all()
            }
            standing = (
                session.execute(
                    select(OperationRecord)
                    .join(GroupLockRecord, GroupLockRecord.operation_id == OperationRecord.id)
                    .where(
                        OperationRecord.kind == flows.TEST_FAILOVER,
                        OperationRecord.cleanup_at.is_not(None),
                    )
                )
                .scalars()
                .all()
            )
        for operation in failed:
            succeeded_after = newest_success.get((operation.group_id, operation.kind))
            finished = aware(operation.finished_at)
            if succeeded_after is not None and finished is not None and succeeded_after > finished:
                continue
            kind = operation.kind.replace("_", " ")
            conditions.append(
                Condition(
                    project_id=operation.project_id,
                    group_id=operation.group_id,
                    group_name=names.get(operation.group_id, operation.group_id),
                    rule=alerts.OPERATION_FAILED,
                    severity=alerts.CRITICAL
                    if operation.kind in (*flows.FAILOVERS, flows.FAILBACK, flows.MOVE)
                    else alerts.WARNING,
                    summary=f"the {kind} {operation.id} "
                    f"{operation.state.replace('_', ' ')}: {operation.error or 'see its report'}",
                    subject=operation.id,
                )
            )
        for test in standing:
            due = aware(test.cleanup_at)
            if due is None or now - due <= grace:
                continue
            conditions.append(
                Condition(
                    project_id=test.project_id,
                    group_id=test.group_id,
                    group_name=names.get(test.group_id, test.group_id),
                    rule=alerts.TEST_NOT_CLEANED_UP,
                    severity=alerts.WARNING,
                    summary=f"test failover {test.id} still stands, "
                    f"{(now - due).total_seconds() / 60:.0f} min past its cleanup time",
                    subject=test.id,
                )
            )
        return conditions


def _condition(
    item: Watched, rule: str, severity: str, summary: str, subject: str = ""
) -> Condition:
    return Condition(
        project_id=item.project_id,
        group_id=item.group.id,
        group_name=item.group.name,
        rule=rule,
        severity=severity,
        summary=summary,
        subject=subject,
    )


def _parsed(moment: str) -> datetime | None:
    try:
        return aware(datetime.fromisoformat(moment)) if moment else None
    except ValueError:
        return None


def _span(seconds: float) -> str:
    """E.g. 1 day, 7 days, 12 hours."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds / size
            return f"{count:g} {unit}{'' if count == 1 else 's'}"
    return f"{seconds:g} seconds"
