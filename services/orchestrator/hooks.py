"""What happens when an operation ends, in the transaction that ends it: its report is
written; a failover releases its group; a test failover keeps its group until it is cleaned up,
which is scheduled (at once when the test failed); a cleanup releases the test's group."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
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
        if operation.kind == TEST_CLEANUP:
            if operation.state == OperationState.SUCCEEDED and operation.parent_operation_id:
                _release(session, operation.parent_operation_id)
            return
        _release(session, operation.id)


def _release(session: Session, operation_id: str) -> None:
    session.execute(delete(GroupLockRecord).where(GroupLockRecord.operation_id == operation_id))
