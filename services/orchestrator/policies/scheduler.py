"""Tests that run by themselves, at each group's target site: a group whose schedule is on is
due a test failover once its test interval has passed since its last successful test (or its
creation); the test starts in the monitor's round when the moment is inside one of the
schedule's windows, and is cleaned up after the schedule's `cleanup_after`. A test that could
not start (the group busy, the source site down) or did not succeed is tried again after
`schedule_retry_seconds`; while none succeeds the group's test is overdue (an alert).

Attempts are keyed by their retry slot, so replicas start one test between them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from common.db import Database
from common.errors import DraasError
from services.orchestrator import flows
from services.orchestrator.engine.plan import OperationState
from services.orchestrator.engine.store import aware
from services.orchestrator.groups import Group
from services.orchestrator.models import OperationRecord, ScheduledTestRecord
from services.orchestrator.monitoring.rules import Watched
from services.orchestrator.operations import Operations
from services.orchestrator.policies.schedule import TestSchedule
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleState:
    """A group's scheduled tests as they stand."""

    schedule: TestSchedule
    interval_seconds: float
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_operation_id: str
    last_problem: str
    next_due_at: datetime | None
    next_run_at: datetime | None


class TestScheduler:
    """Starts the scheduled tests that are due, at this site."""

    def __init__(
        self, settings: OrchestratorSettings, db: Database, operations: Operations
    ) -> None:
        self.settings = settings
        self.db = db
        self.operations = operations

    def run(self, moment: datetime, watched: list[Watched]) -> list[str]:
        """Starts each due test whose window is open; returns the operations started."""
        started = []
        for item in watched:
            state = self.state(item.group, moment)
            if state.next_run_at is None or state.next_run_at > moment:
                continue
            operation_id = self._attempt(item, state.schedule, moment)
            if operation_id:
                started.append(operation_id)
        return started

    def run_now(self, project_id: str, group: Group, moment: datetime, key: str) -> str:
        """A test of the group now, as the schedule runs it (its cleanup time).

        :raises FailedPrecondition: the group cannot be tested here now (says why).
        """
        schedule = TestSchedule.from_body(group.test_schedule)
        operation_id = self.operations.start_test_failover(
            project_id, group.id, key, "", schedule.cleanup_after_seconds or None, False
        )
        self._remember(project_id, group.id, moment, operation_id, "")
        return operation_id

    def state(self, group: Group, moment: datetime) -> ScheduleState:
        """When the group's next scheduled test is due and when it would start."""
        schedule = TestSchedule.from_body(group.test_schedule)
        interval = group.test_interval_seconds
        with self.db.transaction() as session:
            last_success = aware(
                session.scalar(
                    select(func.max(OperationRecord.finished_at)).where(
                        OperationRecord.group_id == group.id,
                        OperationRecord.kind == flows.TEST_FAILOVER,
                        OperationRecord.state == OperationState.SUCCEEDED,
                    )
                )
            )
            memory = session.get(ScheduledTestRecord, group.id)
            last_attempt = aware(memory.last_attempt_at) if memory else None
            last_operation = (memory.last_operation_id or "") if memory else ""
            last_problem = memory.last_problem if memory else ""
        due = run = None
        if schedule.enabled and interval > 0:
            since = last_success or _created(group) or moment
            due = since + timedelta(seconds=interval)
            earliest = max(due, moment)
            if last_attempt is not None and (last_success is None or last_attempt > last_success):
                earliest = max(
                    earliest, last_attempt + timedelta(seconds=self.settings.schedule_retry_seconds)
                )
            run = schedule.next_allowed(earliest)
        return ScheduleState(
            schedule, interval, last_success, last_attempt, last_operation, last_problem, due, run
        )

    def _attempt(self, item: Watched, schedule: TestSchedule, moment: datetime) -> str:
        retry = self.settings.schedule_retry_seconds
        slot = int(moment.timestamp() // retry)
        key = f"scheduled-{item.group.id}-{slot}"
        try:
            operation_id = self.operations.start_test_failover(
                item.project_id,
                item.group.id,
                key,
                "",
                schedule.cleanup_after_seconds or None,
                False,
            )
        except DraasError as error:
            log.info("the scheduled test of group %s could not start: %s", item.group.id, error)
            self._remember(item.project_id, item.group.id, moment, None, str(error))
            return ""
        log.info("started the scheduled test %s of group %s", operation_id, item.group.id)
        self._remember(item.project_id, item.group.id, moment, operation_id, "")
        return operation_id

    def _remember(
        self,
        project_id: str,
        group_id: str,
        moment: datetime,
        operation_id: str | None,
        problem: str,
    ) -> None:
        with self.db.transaction() as session:
            memory = session.get(ScheduledTestRecord, group_id)
            if memory is None:
                memory = ScheduledTestRecord(group_id=group_id, project_id=project_id)
                session.add(memory)
            memory.last_attempt_at = moment
            memory.last_operation_id = operation_id or memory.last_operation_id
            memory.last_problem = problem


def _created(group: Group) -> datetime | None:
    try:
        return aware(datetime.fromisoformat(group.created_at)) if group.created_at else None
    except ValueError:
        return None
