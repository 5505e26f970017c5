"""The writes of every step on PostgreSQL, each one statement in autocommit: re-asserting the
claim, ending the attempt, starting the next one and numbering their events are data-modifying
CTEs of a single statement, atomic on its own. A step costs one round trip (and one statement for
the engine's Python to run) instead of a transaction of five; the locks are taken in the same
order as progress.py takes them (the unit's row, then the operation's), the operation's held only
until the statement ends.

Every CTE after the fence reads the fence's row: when the claim is lost, the statement changes
nothing and returns no row.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from services.orchestrator.engine.plan import OperationState, StepState
from services.orchestrator.engine.progress import now
from services.orchestrator.engine.steps import LeaseLost

# The message of an attempt's start, as progress.new_attempt words it.
_STARTED_MESSAGE = """
    CAST(:next_step AS varchar) || ' started'
    || CASE WHEN started.attempt > 1 THEN ' (attempt ' || started.attempt || ')' ELSE '' END
"""
_NEXT_ATTEMPT = """
    started AS (
        INSERT INTO step_attempts (unit_id, step, attempt, state, owner, started_at)
        SELECT :unit, CAST(:next_step AS varchar),
               COALESCE((SELECT max(a.attempt) FROM step_attempts a
                         WHERE a.unit_id = :unit AND a.step = CAST(:next_step AS varchar)), 0) + 1,
               :running, :holder, :moment
          FROM fence
         WHERE {condition}
        RETURNING id, attempt
    )
"""
_NUMBERED = """
    reserved AS (
        UPDATE operations o SET event_sequence = o.event_sequence + (SELECT count(*) FROM happened)
         WHERE o.id = (SELECT operation_id FROM fence)
        RETURNING o.id, o.state, o.event_sequence
    ),
    events AS (
        INSERT INTO operation_events
               (operation_id, sequence, time, server_id, step, operation_state, step_state, message)
        SELECT reserved.id, reserved.event_sequence - (SELECT count(*) FROM happened) + happened.n,
               :moment, fence.server_id, happened.step, NULL, happened.step_state,
               fence.label || ': ' || happened.message
          FROM reserved, fence, happened
    )
"""
_FENCED_COLUMNS = """
    u.operation_id, COALESCE(NULLIF(u.name, ''), u.key) AS label, u.server_id,
    (SELECT o.state FROM operations o WHERE o.id = u.operation_id) AS operation_state
"""

# The statements are made of this module's constant fragments only (no input is formatted in:
# every value is a bound parameter).
START_STEP = text(
    f"""
    WITH fence AS (
        UPDATE units u SET updated_at = :moment, current_step = CAST(:next_step AS varchar)
         WHERE u.id = :unit AND u.owner = :holder
        RETURNING {_FENCED_COLUMNS}
    ),
    {_NEXT_ATTEMPT.format(condition="TRUE")},
    happened AS (
        SELECT 1 AS n, CAST(:next_step AS varchar) AS step, CAST(:running AS varchar) AS step_state,
               {_STARTED_MESSAGE} AS message
          FROM started
    ),
    {_NUMBERED}
    SELECT reserved.state, (SELECT id FROM started) AS started FROM reserved
    """  # noqa: S608
)

FINISH_STEP = text(
    f"""
    WITH fence AS (
        UPDATE units u
           SET updated_at = :moment,
               current_step = CASE
                   WHEN CAST(:next_step AS varchar) IS NOT NULL AND
                        (SELECT o.state FROM operations o WHERE o.id = u.operation_id)
                        = :operation_running
                   THEN CAST(:next_step AS varchar) ELSE u.current_step END,
               outputs = CASE
                   WHEN CAST(:produced AS jsonb) = CAST('{{}}' AS jsonb) THEN u.outputs
                   ELSE CAST(COALESCE(CAST(u.outputs AS jsonb), CAST('{{}}' AS jsonb))
                             || CAST(:produced AS jsonb) AS json) END
         WHERE u.id = :unit AND u.owner = :holder
        RETURNING {_FENCED_COLUMNS}
    ),
    done AS (
        UPDATE step_attempts a
           SET state = :succeeded, outputs = CAST(:produced AS json), finished_at = :ended
         WHERE a.id = :attempt_row AND EXISTS (SELECT 1 FROM fence)
        RETURNING a.step
    ),
    {
        _NEXT_ATTEMPT.format(
            condition="CAST(:next_step AS varchar) IS NOT NULL "
            "AND fence.operation_state = :operation_running"
        )
    },
    happened AS (
        SELECT 1 AS n, done.step AS step, CAST(:succeeded AS varchar) AS step_state,
               done.step || ' succeeded' AS message
          FROM done
        UNION ALL
        SELECT 2, CAST(:next_step AS varchar), CAST(:running AS varchar), {_STARTED_MESSAGE}
          FROM started
    ),
    {_NUMBERED}
    SELECT reserved.state, (SELECT id FROM started) AS started FROM reserved
    """  # noqa: S608
)


class PostgresProgress:
    """start_step and finish_step of the engine's store, on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        # Each write is one statement: it commits alone, with no BEGIN and COMMIT round trips.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def start_step(self, unit_id: str, owner: str, step: str) -> tuple[int, str]:
        """:raises LeaseLost: the unit is no longer this owner's."""
        state, started = self._run(START_STEP, unit_id, owner, {"next_step": step})
        return int(started), state

    def finish_step(
        self,
        unit_id: str,
        owner: str,
        attempt_id: int,
        outputs: dict[str, Any],
        next_step: str | None,
        ended_at: datetime | None,
    ) -> tuple[str, int | None]:
        """:raises LeaseLost: the unit is no longer this owner's."""
        state, started = self._run(
            FINISH_STEP,
            unit_id,
            owner,
            {
                "next_step": next_step,
                "attempt_row": attempt_id,
                "produced": json.dumps(outputs),
                "ended": ended_at or now(),
                "succeeded": StepState.SUCCEEDED,
            },
        )
        return state, None if started is None else int(started)

    def _run(
        self, statement: Any, unit_id: str, owner: str, params: dict[str, Any]
    ) -> tuple[str, Any]:
        with self._engine.connect() as connection:
            row = connection.execute(
                statement,
                {
                    "unit": unit_id,
                    "holder": owner,
                    "moment": now(),
                    "running": StepState.RUNNING,
                    "operation_running": OperationState.RUNNING,
                    **params,
                },
            ).one_or_none()
        if row is None:
            raise LeaseLost(f"unit {unit_id} is no longer held by {owner} (or does not exist)")
        return str(row.state), row.started
