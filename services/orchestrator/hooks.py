"""What happens when an operation ends, in the transaction that ends it: its report is
written; a failover releases its group; a test failover keeps its group until it is cleaned up,
which is scheduled (at once when the test failed); a cleanup releases the test's group, or, when
it did not succeed, schedules the next one, later each time (until one succeeds)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.orchestrator import reports
from services.orchestrator.engine.plan import OperationState
from services.orchestrator.engine.store import aware, now
from services.orchestrator.flows import TEST_CLEANUP, TEST_FAILOVER
from services.orchestrator.models import GroupLockRecord, OperationRecord, UnitRecord


class OperationHooks:
    """The engine's finish hooks for the orchestrator's operations."""

    def finished(
        self, session: Session, operation: OperationRecord, units: list[UnitRecord]
    ) -> None:
        operation.report = reports.build(session, operation, units)
        ended = aware(operation.finished_at) or now()
        if operation.kind == TEST_FAILOVER:
            after = operation.request.get("cleanup_after_seconds")
            if operation.state != OperationState.SUCCEEDED:
                operation.cleanup_at = ended
            elif after:
                operation.cleanup_at = ended + timedelta(seconds=float(after))
            return
        if operation.kind == TEST_CLEANUP and operation.parent_operation_id:
            if operation.state == OperationState.SUCCEEDED:
                _release(session, operation.parent_operation_id)
            else:
                test = session.get_one(OperationRecord, operation.parent_operation_id)
                test.cleanup_at = ended + timedelta(seconds=_retry_after(session, operation))
            return
        _release(session, operation.id)


def _retry_after(session: Session, cleanup: OperationRecord) -> float:
    """Seconds until the next cleanup: the base, doubled for each that failed, at most an
    hour."""
    failed = session.scalar(
        select(func.count()).where(
            OperationRecord.kind == TEST_CLEANUP,
            OperationRecord.parent_operation_id == cleanup.parent_operation_id,
        )
    )
    base = float(cleanup.request.get("retry_base_seconds", 30.0))
    return float(min(base * 2 ** max((failed or 1) - 1, 0), 3600.0))


def _release(session: Session, operation_id: str) -> None:
    session.execute(delete(GroupLockRecord).where(GroupLockRecord.operation_id == operation_id))
