"""The writes of every step of the engine, as few and as cheap as can be: each step's success
and the next step's start are one transaction of statements built once (building a statement
and its cache key cost more than running it on SQLite), which load no whole row, lock the unit's
row first and the operation's row last, only to number the events (see the store's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.sql.dml import Insert

from services.orchestrator.engine.plan import OperationState, StepState
from services.orchestrator.engine.steps import LeaseLost
from services.orchestrator.models import (
    OperationEventRecord,
    OperationRecord,
    StepAttemptRecord,
    UnitRecord,
)


def now() -> datetime:
    """The time in UTC, as the engine records it."""
    return datetime.now(UTC)


_OPERATIONS = cast(Table, OperationRecord.__table__)
_UNITS = cast(Table, UnitRecord.__table__)
_ATTEMPTS = cast(Table, StepAttemptRecord.__table__)
_EVENTS = cast(Table, OperationEventRecord.__table__)

_ITS_OPERATIONS_STATE = (
    select(_OPERATIONS.c.state)
    .where(_OPERATIONS.c.id == _UNITS.c.operation_id)
    .scalar_subquery()
    .label("operation_state")
)
_FENCED = (
    _UNITS.c.name,
    _UNITS.c.key,
    _UNITS.c.server_id,
    _UNITS.c.outputs,
    _UNITS.c.operation_id,
    _ITS_OPERATIONS_STATE,
)
_HOLDER = (_UNITS.c.id == bindparam("unit"), _UNITS.c.owner == bindparam("holder"))
# Re-asserts the claim; the step named (if any) becomes the unit's current one.
_FENCE = (
    update(_UNITS)
    .where(*_HOLDER)
    .values(
        updated_at=bindparam("moment"),
        current_step=func.coalesce(bindparam("step_name", type_=String), _UNITS.c.current_step),
    )
    .returning(*_FENCED)
)
# Re-asserts the claim; the next step becomes the current one if the operation runs.
_FENCE_AND_GO_ON = (
    update(_UNITS)
    .where(*_HOLDER)
    .values(
        updated_at=bindparam("moment"),
        current_step=case(
            (_ITS_OPERATIONS_STATE == OperationState.RUNNING, bindparam("step_name")),
            else_=_UNITS.c.current_step,
        ),
    )
    .returning(*_FENCED)
)
# Locks the operation's row (as briefly as can be: its writes wait for each other there) and
# takes the sequences of the write's events.
_RESERVE_EVENTS = (
    update(_OPERATIONS)
    .where(_OPERATIONS.c.id == bindparam("operation"))
    .values(event_sequence=_OPERATIONS.c.event_sequence + bindparam("reserved"))
    .returning(_OPERATIONS.c.state, _OPERATIONS.c.event_sequence)
)


def _numbering(rows: int) -> Insert:
    """PostgreSQL: `_RESERVE_EVENTS` and the insert of `rows` events in one statement, so that
    the operation's row stays locked for one round trip and the commit."""
    reserved = (
        update(_OPERATIONS)
        .where(_OPERATIONS.c.id == bindparam("operation"))
        .values(event_sequence=_OPERATIONS.c.event_sequence + rows)
        .returning(_OPERATIONS.c.id, _OPERATIONS.c.state, _OPERATIONS.c.event_sequence)
        .cte("reserved")
    )
    each = [
        select(
            reserved.c.id,
            reserved.c.event_sequence - (rows - 1 - index),
            bindparam("moment", type_=_EVENTS.c.time.type),
            bindparam("server", type_=String),
            bindparam(f"step_{index}", type_=String),
            null(),
            bindparam(f"step_state_{index}", type_=String),
            bindparam(f"message_{index}", type_=Text),
        )
        for index in range(rows)
    ]
    columns = ["operation_id", "sequence", "time", "server_id", "step"]
    columns += ["operation_state", "step_state", "message"]
    return (
        _EVENTS.insert()
        .from_select(columns, union_all(*each) if rows > 1 else each[0])
        .returning(select(reserved.c.state).scalar_subquery())
    )


_NUMBERED_EVENTS = {rows: _numbering(rows) for rows in (1, 2)}
SET_OUTPUTS = (
    update(_UNITS).where(_UNITS.c.id == bindparam("unit")).values(outputs=bindparam("produced"))
)
SUCCEEDED = (
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("attempt_row"))
    .values(
        state=StepState.SUCCEEDED,
        outputs=bindparam("produced"),
        finished_at=bindparam("moment"),
    )
    .returning(_ATTEMPTS.c.step)
)
_NEW_ATTEMPT = (
    _ATTEMPTS.insert()
    .values(
        unit_id=bindparam("unit"),
        step=bindparam("step_name"),
        attempt=select(func.coalesce(func.max(_ATTEMPTS.c.attempt), 0) + 1)
        .where(_ATTEMPTS.c.unit_id == bindparam("unit"), _ATTEMPTS.c.step == bindparam("step_name"))
        .scalar_subquery(),
        state=StepState.RUNNING,
        owner=bindparam("holder"),
        started_at=bindparam("moment"),
    )
    .returning(_ATTEMPTS.c.id, _ATTEMPTS.c.attempt)
)


@dataclass(frozen=True)
class Held:
    """A unit whose claim a write re-asserted."""

    operation_id: str
    # Its operation's state as the write began (the row is not locked yet).
    operation_state: str
    label: str
    server_id: str | None
    outputs: dict[str, Any] | None


def hold(session: Connection, unit_id: str, owner: str, step: str | None, going_on: bool) -> Held:
    """`_fenced` for the writes of every step, in one statement that loads no whole row:
    re-asserts the claim and makes `step` the unit's current one (with `going_on`, only if
    the operation runs). The unit's row first and the operation's last, so that the writes of
    one operation's units wait for each other only while they number their events.

    :raises LeaseLost: the unit does not exist or is no longer this owner's.
    """
    unit = session.execute(
        _FENCE_AND_GO_ON if going_on else _FENCE,
        {"unit": unit_id, "holder": owner, "moment": now(), "step_name": step},
    ).one_or_none()
    if unit is None:
        raise LeaseLost(f"unit {unit_id} is no longer held by {owner} (or does not exist)")
    return Held(
        unit.operation_id, unit.operation_state, unit.name or unit.key, unit.server_id, unit.outputs
    )


def new_attempt(session: Connection, unit_id: str, owner: str, step: str) -> tuple[int, str]:
    """Inserts the next attempt at a step; returns its id and its event's message."""
    attempt_id, number = session.execute(
        _NEW_ATTEMPT, {"unit": unit_id, "step_name": step, "holder": owner, "moment": now()}
    ).one()
    return attempt_id, f"{step} started" + (f" (attempt {number})" if number > 1 else "")


def record_events(
    session: Connection, held: Held, happened: list[tuple[str, str | None, str | None]]
) -> str:
    """Numbers and inserts a held unit's events (message, step, step state: none for the
    unit's own), locking its operation's row until the write commits; returns the operation's
    state then."""
    if session.dialect.name == "postgresql":
        params: dict[str, Any] = {
            "operation": held.operation_id,
            "moment": now(),
            "server": held.server_id,
        }
        for index, (message, step, step_state) in enumerate(happened):
            params[f"message_{index}"] = f"{held.label}: {message}"
            params[f"step_{index}"] = step
            params[f"step_state_{index}"] = step_state
        return str(session.execute(_NUMBERED_EVENTS[len(happened)], params).scalars().first())
    state, last = session.execute(
        _RESERVE_EVENTS, {"operation": held.operation_id, "reserved": len(happened)}
    ).one()
    first = last - len(happened) + 1
    moment = now()
    session.execute(
        _EVENTS.insert(),
        [
            {
                "operation_id": held.operation_id,
                "sequence": first + index,
                "time": moment,
                "server_id": held.server_id,
                "step": step,
                "operation_state": None,
                "step_state": step_state,
                "message": f"{held.label}: {message}",
            }
            for index, (message, step, step_state) in enumerate(happened)
        ],
    )
    return str(state)
