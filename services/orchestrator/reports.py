"""An operation's report, written when it ends: per VM its steps with timings and results, the
recovery point, RTO (request to last VM verified) and RPO (the point's age at the moment of
failure: the request, or when the source's VMs were stopped), errors, what a cleanup removed,
and what a reprotect (or failback) removed at the old source site and what it kept there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orchestrator.engine.plan import PREPARE, VM, UnitState, shown_tier
from services.orchestrator.engine.store import aware
from services.orchestrator.models import OperationRecord, StepAttemptRecord, UnitRecord


def _iso(moment: datetime | None) -> str | None:
    found = aware(moment)
    return found.isoformat() if found else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def build(session: Session, operation: OperationRecord, units: list[UnitRecord]) -> dict[str, Any]:
    """The report of an operation whose units have all ended."""
    attempts: dict[str, list[StepAttemptRecord]] = {}
    for attempt in session.scalars(
        select(StepAttemptRecord)
        .where(StepAttemptRecord.unit_id.in_([u.id for u in units]))
        .order_by(StepAttemptRecord.id)
    ):
        attempts.setdefault(attempt.unit_id, []).append(attempt)
    requested = aware(operation.created_at)
    prepare = next((u.outputs or {} for u in units if u.role == PREPARE), {})
    vms, verified = [], []
    for unit in units:
        if unit.role != VM:
            continue
        outputs = unit.outputs or {}
        done = unit.state == UnitState.SUCCEEDED and "verified_at" in outputs
        verified_at = datetime.fromisoformat(outputs["verified_at"]) if done else None
        if verified_at is not None:
            verified.append(verified_at)
        vms.append(
            {
                "server_id": unit.server_id or unit.key,
                "name": unit.name,
                "tier": shown_tier(unit),
                "recovered": done,
                "recovered_server_id": outputs.get("recovered_server_id", ""),
                "steps": _steps(unit, attempts.get(unit.id, [])),
                "recovery_time_seconds": _seconds(requested, verified_at),
                "error": unit.error or "",
            }
        )
    point = prepare.get("point")
    failure = (
        datetime.fromisoformat(prepare["stopped_at"]) if "stopped_at" in prepare else requested
    )
    rpo = None
    if point and failure is not None:
        rpo = max(0.0, (failure - datetime.fromisoformat(point["created_at"])).total_seconds())
    errors = [f"{u.name or u.key}: {u.error}" for u in units if u.error]
    if operation.error and operation.error not in errors:
        errors.insert(0, operation.error)
    removed = [
        item
        for u in units
        for key in ("removed", "destroyed")
        for item in (u.outputs or {}).get(key, [])
    ]
    # A reprotect's (or failback's) network copies at the old source site.
    removed += [_named(r) for u in units for r in (u.outputs or {}).get("networks_removed", [])]
    kept = [
        f"{_named(r)}: {r.get('reason', '')}"
        for u in units
        for r in (u.outputs or {}).get("networks_kept", [])
    ]
    return {
        "started_at": _iso(operation.started_at),
        "finished_at": _iso(operation.finished_at),
        "rto_seconds": _seconds(requested, max(verified)) if verified else None,
        "recovery_point": point,
        "rpo_seconds": rpo,
        "vms": vms,
        "group_steps": [
            {"unit": u.name or u.role, "steps": _steps(u, attempts.get(u.id, []))}
            for u in units
            if u.role != VM
        ],
        "errors": errors,
        "removed": removed,
        "kept": kept,
    }


def _named(resource: dict[str, Any]) -> str:
    """E.g. "network 1f0c... (dr-net)"."""
    name = f" ({resource['name']})" if resource.get("name") else ""
    return f"{resource.get('kind', 'resource')} {resource.get('id', '')}{name}"


def _steps(unit: UnitRecord, attempts: list[StepAttemptRecord]) -> list[dict[str, Any]]:
    steps = []
    for name in unit.steps:
        tries = [a for a in attempts if a.step == name]
        if not tries:
            steps.append({"name": name, "state": "skipped", "attempts": 0})
            continue
        last = tries[-1]
        steps.append(
            {
                "name": name,
                "state": last.state,
                "attempts": len(tries),
                "started_at": _iso(tries[0].started_at),
                "finished_at": _iso(last.finished_at),
                "elapsed_seconds": _seconds(aware(tries[0].started_at), aware(last.finished_at)),
                "error": last.error or "",
            }
        )
    return steps
