"""The engine's state in SQL: operations, units, step attempts and events.

A worker claims a unit with a conditional UPDATE (free, or its lease expired), which is correct
on SQLite, PostgreSQL and MariaDB alike; every later write about the unit first re-asserts the
claim (`UPDATE ... WHERE owner = me`) in the same transaction, so a worker whose lease was taken
over writes nothing. Events take their gapless sequence under the operation row's lock.

Writes lock the operation row first, then unit rows; but a step's progress (start_step,
finish_step), the writes of every step, locks its own unit's row first and the operation's last,
so that an operation's units wait for each other only while they number their events. The two
orders close no cycle: a write that locks the operation first waits only for units that no step
runs (to skip or undo them), or for the unit it claims, which a running step holds only after
its lease ran out; PostgreSQL then fails one of the two, and either may fail (a claim is tried
again; a write whose lease was lost was to be refused).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import (
    CursorResult,
    case,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.db import Database
from common.errors import AlreadyExists, FailedPrecondition
from services.orchestrator.engine.plan import (
    FINISH,
    FOLLOW_UP,
    PREPARE,
    VM,
    OperationState,
    Plan,
    StepState,
    UnitState,
)
from services.orchestrator.engine.progress import (
    SET_OUTPUTS,
    SUCCEEDED,
    hold,
    new_attempt,
    now,
    record_events,
)
from services.orchestrator.engine.progress_postgres import PostgresProgress
from services.orchestrator.engine.steps import LeaseLost, OperationInfo, UnitInfo, UnitSummary
from services.orchestrator.engine.unit_writes import (
    Taken,
    claim_in_running_operation,
    succeed_amid_others,
)
from services.orchestrator.models import (
    GroupLockRecord,
    OperationEventRecord,
    OperationRecord,
    StepAttemptRecord,
    UnitRecord,
)

_CLAIMABLE = (UnitState.PENDING, UnitState.RUNNING, UnitState.REVERTING)


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class FinishHooks(Protocol):
    """What the operation's kind does when it ends, in the transaction that ends it."""

    def finished(
        self, session: Session, operation: OperationRecord, units: list[UnitRecord]
    ) -> None:
        """E.g. release the group, or schedule a test's cleanup."""


@dataclass(frozen=True)
class OperationEnd:
    """How an operation ended, for the metrics: its kind and final state, the seconds from its
    request to its end, and the RTO its report measured (None without one)."""

    kind: str
    state: str
    seconds: float
    rto_seconds: float | None


@dataclass(frozen=True)
class DoneStep:
    """A step of the unit that succeeded and is not reverted yet."""

    attempt_id: int
    name: str
    outputs: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """A unit a worker now owns, with everything it needs to go on from where it stands."""

    operation: OperationInfo
    unit: UnitInfo
    state: str
    operation_state: str
    steps: list[str]
    done: list[DoneStep]
    # The unit's last attempt when it failed, or was left running by a worker that died: it
    # may have made something, so a revert undoes it first.
    unfinished: DoneStep | None
    shared: dict[str, Any]
    outputs: dict[str, Any]
    traceparent: str | None
    error: str | None


class EngineStore:
    """Reads and writes the engine's tables."""

    def __init__(self, database: Database, hooks: FinishHooks | None = None) -> None:
        self.db = database
        self.hooks = hooks
        # Every step's writes, as one statement each where the database allows it.
        self._postgres = (
            PostgresProgress(database.engine)
            if database.engine.dialect.name == "postgresql"
            else None
        )

    # Creating -----------------------------------------------------------------------------------

    def create(
        self,
        plan: Plan,
        idempotency_key: str,
        trace_id: str = "",
        traceparent: str | None = None,
        lock_group: bool = False,
    ) -> tuple[str, bool]:
        """Stores a new operation and its units; returns its id and True, or, when this
        project already used the idempotency key, that operation's id and False.

        :raises AlreadyExists: the key was used for another kind of operation or group.
        :raises FailedPrecondition: `lock_group` and another operation holds the group.
        """
        for _ in range(2):
            existing = self._by_key(plan, idempotency_key)
            if existing is not None:
                return existing, False
            try:
                return self._insert(plan, idempotency_key, trace_id, traceparent, lock_group), True
            except IntegrityError:
                continue  # a concurrent request with the same key (or the group's lock) won
        existing = self._by_key(plan, idempotency_key)
        if existing is not None:
            return existing, False
        with self.db.transaction() as session:
            raise FailedPrecondition(_held_message(session, plan))

    def _by_key(self, plan: Plan, key: str) -> str | None:
        with self.db.transaction() as session:
            found = session.scalar(
                select(OperationRecord).where(
                    OperationRecord.project_id == plan.project_id,
                    OperationRecord.idempotency_key == key,
                )
            )
            if found is None:
                return None
            if (found.kind, found.group_id) != (plan.kind, plan.group_id):
                raise AlreadyExists(
                    f"idempotency key {key!r} already started operation {found.id} "
                    f"({found.kind} of group {found.group_id})"
                )
            return found.id

    def _insert(
        self, plan: Plan, key: str, trace_id: str, traceparent: str | None, lock_group: bool
    ) -> str:
        moment = now()
        operation_id = str(uuid.uuid4())
        with self.db.transaction() as session:
            if lock_group:
                holder = session.get(GroupLockRecord, (plan.project_id, plan.group_id))
                if holder is not None:
                    raise FailedPrecondition(_held_message(session, plan))
            session.add(
                OperationRecord(
                    id=operation_id,
                    project_id=plan.project_id,
                    group_id=plan.group_id,
                    kind=plan.kind,
                    state=OperationState.PENDING,
                    idempotency_key=key,
                    parent_operation_id=plan.parent_operation_id,
                    request=plan.request,
                    trace_id=trace_id,
                    traceparent=traceparent,
                    stop_on_failure=plan.stop_on_failure,
                    partial=plan.partial,
                    event_sequence=0,
                    created_at=moment,
                )
            )
            session.flush()
            if plan.parent_operation_id:
                # The parent's scheduled follow-up (a test's cleanup) is this one now; in the
                # same transaction, so that neither a crash nor this one ending at once (and
                # scheduling its own retry) leaves the schedule wrong.
                parent = session.get(OperationRecord, plan.parent_operation_id)
                if parent is not None:
                    parent.cleanup_at = None
            for unit in plan.units:
                session.add(
                    UnitRecord(
                        id=str(uuid.uuid4()),
                        operation_id=operation_id,
                        key=unit.key,
                        role=unit.role,
                        name=unit.name,
                        server_id=unit.server_id,
                        tier=unit.tier,
                        state=UnitState.PENDING,
                        steps=list(unit.steps),
                        inputs=unit.inputs,
                        outputs={},
                        updated_at=moment,
                    )
                )
            if lock_group:
                session.add(
                    GroupLockRecord(
                        project_id=plan.project_id,
                        group_id=plan.group_id,
                        operation_id=operation_id,
                        acquired_at=moment,
                    )
                )
            _event(session, operation_id, f"{plan.kind} requested", OperationState.PENDING)
        return operation_id

    # Claiming -----------------------------------------------------------------------------------

    def claimable(self, limit: int) -> list[str]:
        """Units a worker may claim now, in the order to run them: free or with an expired
        lease, of an active operation, at the tier that operation is working on (the lowest
        tier not done; the highest while it compensates). One query."""
        working = (
            select(
                UnitRecord.operation_id,
                func.min(UnitRecord.tier).label("low"),
                func.max(UnitRecord.tier).label("high"),
            )
            .join(OperationRecord, OperationRecord.id == UnitRecord.operation_id)
            .where(
                OperationRecord.state.in_(OperationState.ACTIVE),
                UnitRecord.state.not_in(UnitState.DONE),
            )
            .group_by(UnitRecord.operation_id)
            .subquery()
        )
        tier = case(
            (OperationRecord.state == OperationState.COMPENSATING, working.c.high),
            else_=working.c.low,
        )
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    select(UnitRecord.id)
                    .join(OperationRecord, OperationRecord.id == UnitRecord.operation_id)
                    .join(working, working.c.operation_id == UnitRecord.operation_id)
                    .where(
                        OperationRecord.state.in_(OperationState.ACTIVE),
                        UnitRecord.state.in_(_CLAIMABLE),
                        (UnitRecord.owner.is_(None)) | (UnitRecord.lease_expires_at < now()),
                        UnitRecord.tier == tier,
                    )
                    .order_by(OperationRecord.created_at, UnitRecord.tier, UnitRecord.key)
                    .limit(limit)
                )
            )

    def claim(self, unit_id: str, owner: str, lease_seconds: float) -> Claim | None:
        """Takes the unit if it is still free (or its lease expired); None when another
        worker was first."""
        moment = now()
        try:
            with self.db.connection() as connection:
                taken = claim_in_running_operation(
                    connection, unit_id, owner, lease_seconds, moment
                )
                if taken is False:
                    raise _GeneralPath
        except _GeneralPath:
            return self._claim_generally(unit_id, owner, lease_seconds, moment)
        if not isinstance(taken, Taken):
            return None
        return _assembled(taken.operation, taken.unit, taken.attempts, taken.shared)

    def _claim_generally(
        self, unit_id: str, owner: str, lease_seconds: float, moment: datetime
    ) -> Claim | None:
        """claim for an operation to start or to compensate, through the ORM."""
        with self.db.transaction() as session:
            if _lock_operation_of(session, unit_id) is None:
                return None
            taken = _rowcount(
                session.execute(
                    update(UnitRecord)
                    .where(
                        UnitRecord.id == unit_id,
                        UnitRecord.state.in_(_CLAIMABLE),
                        (UnitRecord.owner.is_(None)) | (UnitRecord.lease_expires_at < moment),
                    )
                    .values(
                        owner=owner,
                        lease_expires_at=moment + timedelta(seconds=lease_seconds),
                        updated_at=moment,
                    )
                    .execution_options(synchronize_session=False)
                )
            )
            if taken != 1:
                return None
            unit = session.execute(
                select(UnitRecord)
                .where(UnitRecord.id == unit_id)
                .execution_options(populate_existing=True)
            ).scalar_one()
            operation = session.get_one(OperationRecord, unit.operation_id)
            if operation.state == OperationState.PENDING:
                operation.state, operation.started_at = OperationState.RUNNING, moment
                _event(session, operation.id, "started", OperationState.RUNNING)
            if unit.state == UnitState.PENDING:
                unit.state, unit.started_at = UnitState.RUNNING, moment
            return self._claim(session, operation, unit)

    def _claim(self, session: Session, operation: OperationRecord, unit: UnitRecord) -> Claim:
        prepare = session.scalar(
            select(UnitRecord.outputs).where(
                UnitRecord.operation_id == operation.id, UnitRecord.role == PREPARE
            )
        )
        attempts = list(
            session.scalars(
                select(StepAttemptRecord)
                .where(StepAttemptRecord.unit_id == unit.id)
                .order_by(StepAttemptRecord.id)
            )
        )
        return _assembled(operation, unit, attempts, prepare)

    def renew(self, owner: str, unit_ids: Iterable[str], lease_seconds: float) -> set[str]:
        """Extends the leases of these units; returns those the owner still holds."""
        ids = list(unit_ids)
        if not ids:
            return set()
        with self.db.transaction() as session:
            # Rows a write holds right now are renewed next time: the lease outlasts a few
            # renewals, and waiting here could close a cycle with that write.
            free = (
                select(UnitRecord.id)
                .where(UnitRecord.owner == owner, UnitRecord.id.in_(ids))
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            renewed = set(
                session.scalars(
                    update(UnitRecord)
                    .where(UnitRecord.id.in_(free))
                    .values(lease_expires_at=now() + timedelta(seconds=lease_seconds))
                    .returning(UnitRecord.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if renewed == set(ids):
                return renewed
            return set(
                session.scalars(
                    select(UnitRecord.id).where(UnitRecord.owner == owner, UnitRecord.id.in_(ids))
                )
            )

    def release(self, unit_id: str, owner: str) -> None:
        """Hands the unit back between two of its steps (its owner is stopping), so that any
        worker may claim it at once rather than when the lease runs out."""
        with self.db.transaction() as session:
            session.execute(
                update(UnitRecord)
                .where(UnitRecord.id == unit_id, UnitRecord.owner == owner)
                .values(owner=None, lease_expires_at=None, updated_at=now())
                .execution_options(synchronize_session=False)
            )

    def claim_view(self, unit_id: str, owner: str) -> Claim:
        """The unit as it stands now, for the worker that holds it.

        :raises LeaseLost: the unit is no longer this owner's.
        """
        with self.db.transaction() as session:
            unit, operation = _fenced(session, unit_id, owner)
            return self._claim(session, operation, unit)

    def lost(self, unit_ids: Iterable[str], owner: str) -> set[str]:
        """Which of these units the owner no longer holds, other than by ending them."""
        ids = list(unit_ids)
        if not ids:
            return set()
        with self.db.transaction() as session:
            rows = session.execute(
                select(UnitRecord.id, UnitRecord.owner, UnitRecord.state).where(
                    UnitRecord.id.in_(ids)
                )
            ).all()
        return {
            row.id
            for row in rows
            if row.owner != owner and not (row.owner is None and row.state in UnitState.DONE)
        }

    def owns(self, unit_id: str, owner: str) -> bool:
        with self.db.transaction() as session:
            return session.scalar(select(UnitRecord.owner).where(UnitRecord.id == unit_id)) == owner

    # Progress, fenced on the claim ---------------------------------------------------------------

    def start_step(self, unit_id: str, owner: str, step: str) -> tuple[int, str]:
        """Records a new attempt at `step`; returns its id and the operation's state.

        :raises LeaseLost: the unit is no longer this owner's.
        """
        if self._postgres is not None:
            return self._postgres.start_step(unit_id, owner, step)
        with self.db.connection() as session:
            held = hold(session, unit_id, owner, step, going_on=False)
            attempt_id, message = new_attempt(session, unit_id, owner, step)
            state = record_events(session, held, [(message, step, StepState.RUNNING)])
            return attempt_id, state

    def finish_step(
        self,
        unit_id: str,
        owner: str,
        attempt_id: int,
        outputs: dict[str, Any],
        next_step: str | None = None,
        ended_at: datetime | None = None,
    ) -> tuple[str, int | None]:
        """Records the step's success and its outputs and, in the same write, the start of
        `next_step` while the operation runs; returns the operation's state and the next
        step's attempt id (None when it was not started). `ended_at`: when the step's own work
        ended (default now): its timing leaves out the wait for this write.

        :raises LeaseLost: the unit is no longer this owner's.
        """
        if self._postgres is not None:
            return self._postgres.finish_step(
                unit_id, owner, attempt_id, outputs, next_step, ended_at
            )
        with self.db.connection() as session:
            held = hold(session, unit_id, owner, next_step, going_on=next_step is not None)
            if outputs:
                session.execute(
                    SET_OUTPUTS,
                    {"unit": unit_id, "produced": {**(held.outputs or {}), **outputs}},
                )
            step = session.execute(
                SUCCEEDED,
                {"attempt_row": attempt_id, "produced": outputs, "moment": ended_at or now()},
            ).scalar_one()
            happened: list[tuple[str, str | None, str | None]] = [
                (f"{step} succeeded", step, StepState.SUCCEEDED)
            ]
            started = None
            if next_step and held.operation_state == OperationState.RUNNING:
                started, message = new_attempt(session, unit_id, owner, next_step)
                happened.append((message, next_step, StepState.RUNNING))
            return record_events(session, held, happened), started

    def deliver(self, unit_id: str, owner: str, inputs: dict[str, dict[str, Any]]) -> None:
        """Merges inputs into other units of the unit's operation, by unit key.

        :raises LeaseLost: the giving unit is no longer this owner's.
        """
        with self.db.transaction() as session:
            _, operation = _fenced(session, unit_id, owner)
            targets = session.scalars(
                select(UnitRecord).where(
                    UnitRecord.operation_id == operation.id, UnitRecord.key.in_(list(inputs))
                )
            )
            for target in targets:
                target.inputs = {**(target.inputs or {}), **inputs[target.key]}

    def fail_step(self, unit_id: str, owner: str, attempt_id: int, error: str) -> None:
        """:raises LeaseLost: the unit is no longer this owner's."""
        with self.db.transaction() as session:
            unit, operation = _fenced(session, unit_id, owner)
            attempt = session.get_one(StepAttemptRecord, attempt_id)
            attempt.state, attempt.error, attempt.finished_at = StepState.FAILED, error, now()
            _event(
                session,
                operation.id,
                f"{attempt.step} failed: {error}",
                unit=unit,
                step=attempt.step,
                step_state=StepState.FAILED,
            )

    def begin_revert(self, unit_id: str, owner: str, error: str | None) -> None:
        """Marks the unit as undoing its steps; `error` when it is because it failed.

        :raises LeaseLost: the unit is no longer this owner's.
        """
        with self.db.transaction() as session:
            unit, operation = _fenced(session, unit_id, owner)
            unit.state = UnitState.REVERTING
            if error is not None:
                unit.error = error
            _event(session, operation.id, "reverting its steps", unit=unit)

    def step_reverted(
        self, unit_id: str, owner: str, attempt_id: int, error: str | None = None
    ) -> None:
        """:raises LeaseLost: the unit is no longer this owner's."""
        with self.db.transaction() as session:
            unit, operation = _fenced(session, unit_id, owner)
            attempt = session.get_one(StepAttemptRecord, attempt_id)
            attempt.state = StepState.REVERT_FAILED if error else StepState.REVERTED
            if error:
                attempt.error = f"revert failed: {error}"
            _event(
                session,
                operation.id,
                f"{attempt.step} reverted" + (f" with an error: {error}" if error else ""),
                unit=unit,
                step=attempt.step,
                step_state=StepState.FAILED if error else StepState.REVERTED,
            )

    def finish_unit(
        self, unit_id: str, owner: str, state: str, error: str | None = None
    ) -> OperationEnd | None:
        """Ends the unit. A failed group unit, or a failed VM of an operation that stops on
        failure, aborts the operation: what has not started is skipped, what succeeded is
        compensated. The last unit to end ends the operation, and says how (once committed).

        :raises LeaseLost: the unit is no longer this owner's.
        """
        if state == UnitState.SUCCEEDED and error is None:
            try:
                with self.db.connection() as connection:
                    ended = succeed_amid_others(connection, unit_id, owner, now())
                    if ended is None:
                        raise LeaseLost(f"unit {unit_id} is no longer held by {owner}")
                    if not ended:
                        raise _GeneralPath
                return None
            except _GeneralPath:
                pass  # its operation ends or compensates with it: the general path below
        with self.db.transaction() as session:
            unit, operation = _fenced(session, unit_id, owner)
            if state == UnitState.SUCCEEDED and operation.state == OperationState.COMPENSATING:
                # The operation was aborted while this unit finished: it is undone like those
                # that had succeeded before, by whichever worker claims it next.
                unit.state, unit.owner, unit.lease_expires_at = UnitState.REVERTING, None, None
                unit.current_step = None
                _event(session, operation.id, "compensating", unit=unit)
                return None
            unit.state, unit.owner, unit.lease_expires_at = state, None, None
            unit.finished_at, unit.current_step = now(), None
            if error is not None:
                unit.error = error
            _event(
                session,
                operation.id,
                # _event prefixes it with the unit's name (a group unit's is its key).
                state + (f": {unit.error}" if state == UnitState.FAILED and unit.error else ""),
                unit=unit,
            )
            if (
                state == UnitState.FAILED
                and operation.state == OperationState.RUNNING
                and unit.role != FOLLOW_UP
                and (unit.role != VM or operation.stop_on_failure)
            ):
                self._abort(session, operation, unit)
            return self._finish_if_done(session, operation)

    def _abort(self, session: Session, operation: OperationRecord, cause: UnitRecord) -> None:
        operation.state = OperationState.COMPENSATING
        operation.error = " ".join(filter(None, (cause.role, cause.name, "failed:", cause.error)))
        units = session.scalars(
            select(UnitRecord).where(UnitRecord.operation_id == operation.id)
        ).all()
        for unit in units:
            if unit.state == UnitState.PENDING:
                unit.state = UnitState.SKIPPED
            elif unit.state == UnitState.SUCCEEDED:
                unit.state = UnitState.REVERTING
        _event(
            session,
            operation.id,
            f"aborted ({operation.error}); compensating",
            OperationState.COMPENSATING,
        )

    def _finish_if_done(self, session: Session, operation: OperationRecord) -> OperationEnd | None:
        # Counted first: loading every unit at each unit's end is quadratic in the operation.
        if session.scalar(
            select(func.count()).where(
                UnitRecord.operation_id == operation.id, UnitRecord.state.not_in(UnitState.DONE)
            )
        ):
            return None
        units = list(
            session.scalars(select(UnitRecord).where(UnitRecord.operation_id == operation.id))
        )
        if any(u.state not in UnitState.DONE for u in units):
            return None
        # The operation row is locked (see _fenced): one worker ends it.
        if operation.state not in OperationState.ACTIVE:
            return None
        operation.state = final_state(operation.state, units)
        ended = operation.finished_at = now()
        if self.hooks is not None:
            self.hooks.finished(session, operation, units)
        _event(session, operation.id, f"ended {operation.state}", operation.state)
        requested = aware(operation.created_at) or ended
        rto = (operation.report or {}).get("rto_seconds")
        return OperationEnd(
            operation.kind,
            operation.state,
            max(0.0, (ended - requested).total_seconds()),
            float(rto) if isinstance(rto, int | float) else None,
        )

    # Reading ------------------------------------------------------------------------------------

    def units(self, operation_id: str) -> list[UnitSummary]:
        with self.db.transaction() as session:
            return [
                UnitSummary(
                    u.key, u.role, u.name, u.server_id, u.state, dict(u.outputs or {}), u.error
                )
                for u in session.scalars(
                    select(UnitRecord)
                    .where(UnitRecord.operation_id == operation_id)
                    .order_by(UnitRecord.tier, UnitRecord.key)
                )
            ]

    def events(self, operation_id: str, after: int, limit: int) -> list[OperationEventRecord]:
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    select(OperationEventRecord)
                    .where(
                        OperationEventRecord.operation_id == operation_id,
                        OperationEventRecord.sequence > after,
                    )
                    .order_by(OperationEventRecord.sequence)
                    .limit(limit)
                )
            )


class _GeneralPath(Exception):
    """Raised in a quick write's transaction to roll it back and take the general path."""


def _assembled(operation: Any, unit: Any, attempts: Sequence[Any], shared: Any) -> Claim:
    """A claim from the rows it read (ORM records or Core rows alike): the operation's, the
    unit's, the unit's attempts in order, the prepare unit's outputs."""
    done = [
        DoneStep(a.id, a.step, dict(a.outputs or {}))
        for a in attempts
        if a.state == StepState.SUCCEEDED
    ]
    last = attempts[-1] if attempts else None
    unfinished = (
        DoneStep(last.id, last.step, {})
        if last is not None and last.state in (StepState.FAILED, StepState.RUNNING)
        else None
    )
    return Claim(
        operation=_operation_info(operation),
        unit=UnitInfo(
            unit.id,
            unit.key,
            unit.role,
            unit.name,
            unit.tier,
            unit.server_id,
            dict(unit.inputs or {}),
        ),
        state=unit.state,
        operation_state=operation.state,
        steps=list(unit.steps),
        done=done,
        unfinished=unfinished,
        shared=dict(shared or {}) if unit.role != PREPARE else {},
        outputs=dict(unit.outputs or {}),
        traceparent=operation.traceparent,
        error=unit.error,
    )


def final_state(state: str, units: Sequence[UnitRecord]) -> str:
    """How an operation whose units are all done ended."""
    if state == OperationState.COMPENSATING:
        return OperationState.COMPENSATED
    groups = [u for u in units if u.role not in (VM, FOLLOW_UP)]
    vms = [u for u in units if u.role == VM]
    if any(u.state != UnitState.SUCCEEDED for u in groups):
        return OperationState.FAILED
    recovered = sum(u.state == UnitState.SUCCEEDED for u in vms)
    followed_up = all(u.state == UnitState.SUCCEEDED for u in units if u.role == FOLLOW_UP)
    if recovered == len(vms) and followed_up:
        return OperationState.SUCCEEDED
    return OperationState.PARTIALLY_SUCCEEDED if recovered else OperationState.FAILED


def _held_message(session: Session, plan: Plan) -> str:
    lock = session.get(GroupLockRecord, (plan.project_id, plan.group_id))
    holder = session.get(OperationRecord, lock.operation_id) if lock else None
    held_by = f"{holder.kind} {holder.id}" if holder else "another operation"
    return (
        f"group {plan.group_id} is held by {held_by} at this site; wait for it to end (a test "
        "failover holds its group until it is cleaned up)"
    )


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (a CursorResult's count; the typed Result hides it)."""
    return int(cast(CursorResult[Any], result).rowcount)


def _lock_operation_of(session: Session, unit_id: str) -> OperationRecord | None:
    """Locks (and reloads) the operation of a unit: the first lock of every write."""
    operation_id = session.scalar(select(UnitRecord.operation_id).where(UnitRecord.id == unit_id))
    if operation_id is None:
        return None
    return session.execute(
        select(OperationRecord)
        .where(OperationRecord.id == operation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _fenced(session: Session, unit_id: str, owner: str) -> tuple[UnitRecord, OperationRecord]:
    """Re-asserts the claim inside the transaction, or raises LeaseLost. The locks it takes
    (on PostgreSQL) keep a competing claim waiting until this transaction ends."""
    operation = _lock_operation_of(session, unit_id)
    if operation is None:
        raise LeaseLost(f"unit {unit_id} does not exist")
    held = _rowcount(
        session.execute(
            update(UnitRecord)
            .where(UnitRecord.id == unit_id, UnitRecord.owner == owner)
            .values(updated_at=now())
            .execution_options(synchronize_session=False)
        )
    )
    if held != 1:
        raise LeaseLost(f"unit {unit_id} is no longer held by {owner}")
    unit = session.execute(
        select(UnitRecord).where(UnitRecord.id == unit_id).execution_options(populate_existing=True)
    ).scalar_one()
    return unit, operation


def _event(
    session: Session,
    operation_id: str,
    message: str,
    operation_state: str | None = None,
    unit: UnitRecord | None = None,
    step: str | None = None,
    step_state: str | None = None,
) -> None:
    sequence = session.execute(
        update(OperationRecord)
        .where(OperationRecord.id == operation_id)
        .values(event_sequence=OperationRecord.event_sequence + 1)
        .returning(OperationRecord.event_sequence)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    session.add(
        OperationEventRecord(
            operation_id=operation_id,
            sequence=sequence,
            time=now(),
            server_id=unit.server_id if unit is not None else None,
            step=step,
            operation_state=operation_state,
            step_state=step_state,
            message=message if unit is None else f"{unit.name or unit.key}: {message}",
        )
    )


def _operation_info(operation: Any) -> OperationInfo:
    return OperationInfo(
        operation.id,
        operation.kind,
        operation.project_id,
        operation.group_id,
        dict(operation.request or {}),
        aware(operation.created_at) or now(),
        operation.parent_operation_id,
    )


__all__ = ["FINISH", "PREPARE", "VM", "Claim", "DoneStep", "EngineStore", "final_state"]
