"""The engine's writes at each unit's start and end in their common case, as a few Core
statements built once: claiming a unit of a running operation, and ending a unit that succeeded
while others of its operation go on. The store takes its general (ORM) path for everything else:
an operation to start, compensate or end, a unit that failed.

Both lock the operation's row first, then the unit's, as the store's other writes do (see its
docstring), and read what depends on other units only once that lock is held: on PostgreSQL each
statement of a transaction sees what committed before it began, so a count made after the lock
is current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, case, func, select, update

from services.orchestrator.engine.plan import PREPARE, OperationState, UnitState
from services.orchestrator.engine.progress import Held, record_events
from services.orchestrator.models import (
    OperationRecord,
    StepAttemptRecord,
    UnitRecord,
)

_OPERATIONS = cast(Table, OperationRecord.__table__)
_UNITS = cast(Table, UnitRecord.__table__)
_ATTEMPTS = cast(Table, StepAttemptRecord.__table__)
_CLAIMABLE = (UnitState.PENDING, UnitState.RUNNING, UnitState.REVERTING)

_LOCK_OPERATION = (
    select(_OPERATIONS)
    .where(
        _OPERATIONS.c.id
        == select(_UNITS.c.operation_id).where(_UNITS.c.id == bindparam("unit")).scalar_subquery()
    )
    .with_for_update()
)
_TAKE = (
    update(_UNITS)
    .where(
        _UNITS.c.id == bindparam("unit"),
        _UNITS.c.state.in_(_CLAIMABLE),
        _UNITS.c.owner.is_(None) | (_UNITS.c.lease_expires_at < bindparam("moment")),
    )
    .values(
        owner=bindparam("claimant"),
        lease_expires_at=bindparam("lease"),
        updated_at=bindparam("moment"),
        state=case((_UNITS.c.state == UnitState.PENDING, UnitState.RUNNING), else_=_UNITS.c.state),
        started_at=case(
            (_UNITS.c.state == UnitState.PENDING, bindparam("moment")),
            else_=_UNITS.c.started_at,
        ),
    )
    .returning(*_UNITS.c)
)
_ATTEMPTS_OF = (
    select(_ATTEMPTS.c.id, _ATTEMPTS.c.step, _ATTEMPTS.c.state, _ATTEMPTS.c.outputs)
    .where(_ATTEMPTS.c.unit_id == bindparam("unit"))
    .order_by(_ATTEMPTS.c.id)
)
_SHARED = select(_UNITS.c.outputs).where(
    _UNITS.c.operation_id == bindparam("operation"), _UNITS.c.role == PREPARE
)
_OTHERS_GOING_ON = select(func.count()).where(
    _UNITS.c.operation_id == bindparam("operation"),
    _UNITS.c.id != bindparam("unit"),
    _UNITS.c.state.not_in(UnitState.DONE),
)
_SUCCEED = (
    update(_UNITS)
    .where(_UNITS.c.id == bindparam("unit"), _UNITS.c.owner == bindparam("holder"))
    .values(
        state=UnitState.SUCCEEDED,
        owner=None,
        lease_expires_at=None,
        finished_at=bindparam("moment"),
        updated_at=bindparam("moment"),
        current_step=None,
    )
    .returning(_UNITS.c.name, _UNITS.c.key, _UNITS.c.server_id)
)


@dataclass(frozen=True)
class Taken:
    """What a claim read: the operation's row, the unit's (as claimed), its attempts in order
    (id, step, state, outputs), and the prepare unit's outputs."""

    operation: Any
    unit: Any
    attempts: list[Any]
    shared: dict[str, Any] | None


def claim_in_running_operation(
    connection: Connection, unit_id: str, owner: str, lease_seconds: float, moment: datetime
) -> Taken | bool | None:
    """Claims the unit if its operation runs: what it read, None when the unit is not free (or
    gone), False when its operation does not run (the caller takes the general path, after
    rolling this transaction back)."""
    operation = connection.execute(_LOCK_OPERATION, {"unit": unit_id}).one_or_none()
    if operation is None:
        return None
    if operation.state != OperationState.RUNNING:
        return False
    unit = connection.execute(
        _TAKE,
        {
            "unit": unit_id,
            "claimant": owner,
            "moment": moment,
            "lease": moment + timedelta(seconds=lease_seconds),
        },
    ).one_or_none()
    if unit is None:
        return None
    attempts = list(connection.execute(_ATTEMPTS_OF, {"unit": unit_id}))
    shared = (
        connection.execute(_SHARED, {"operation": operation.id}).scalar()
        if unit.role != PREPARE
        else None
    )
    return Taken(operation, unit, attempts, shared)


def succeed_amid_others(
    connection: Connection, unit_id: str, owner: str, moment: datetime
) -> bool | None:
    """Ends the unit as succeeded if its operation runs and other units of it go on: True;
    False when that is not the case (the caller takes the general path, after rolling this
    transaction back); None when the unit is no longer this owner's."""
    operation = connection.execute(_LOCK_OPERATION, {"unit": unit_id}).one_or_none()
    if operation is None:
        return None
    if operation.state != OperationState.RUNNING:
        return False
    if not connection.execute(
        _OTHERS_GOING_ON, {"operation": operation.id, "unit": unit_id}
    ).scalar():
        return False
    unit = connection.execute(
        _SUCCEED, {"unit": unit_id, "holder": owner, "moment": moment}
    ).one_or_none()
    if unit is None:
        return None
    held = Held(operation.id, operation.state, unit.name or unit.key, unit.server_id, None)
    record_events(connection, held, [(UnitState.SUCCEEDED, None, None)])
    return True
