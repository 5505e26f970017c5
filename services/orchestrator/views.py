"""Domain records as the orchestrator's protobuf messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from common.protobuf import duration
from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import policies_pb2 as pol
from services.orchestrator import flows
from services.orchestrator.checks import config as checks
from services.orchestrator.checks.messages import automation_message
from services.orchestrator.engine.plan import (
    VM,
    OperationState,
    StepState,
    UnitState,
    shown_tier,
)
from services.orchestrator.engine.store import aware
from services.orchestrator.groups import ASYNC, FAILED_OVER, Group
from services.orchestrator.models import OperationEventRecord, OperationRecord, StepAttemptRecord
from services.orchestrator.operations import Snapshot
from services.orchestrator.policies.schedule import TestSchedule
from services.orchestrator.readiness import Check, Readiness

KINDS = {
    flows.TEST_FAILOVER: opb.OPERATION_KIND_TEST_FAILOVER,
    flows.TEST_CLEANUP: opb.OPERATION_KIND_TEST_CLEANUP,
    flows.PLANNED_FAILOVER: opb.OPERATION_KIND_PLANNED_FAILOVER,
    flows.UNPLANNED_FAILOVER: opb.OPERATION_KIND_UNPLANNED_FAILOVER,
    flows.REPROTECT: opb.OPERATION_KIND_REPROTECT,
    flows.FAILBACK: opb.OPERATION_KIND_FAILBACK,
    flows.MOVE: opb.OPERATION_KIND_MOVE,
}
OPERATION_STATES = {
    OperationState.PENDING: opb.OPERATION_STATE_PENDING,
    OperationState.RUNNING: opb.OPERATION_STATE_RUNNING,
    OperationState.COMPENSATING: opb.OPERATION_STATE_COMPENSATING,
    OperationState.SUCCEEDED: opb.OPERATION_STATE_SUCCEEDED,
    OperationState.PARTIALLY_SUCCEEDED: opb.OPERATION_STATE_PARTIALLY_SUCCEEDED,
    OperationState.FAILED: opb.OPERATION_STATE_FAILED,
    OperationState.COMPENSATED: opb.OPERATION_STATE_COMPENSATED,
}
UNIT_STATES = {
    UnitState.PENDING: opb.STEP_STATE_PENDING,
    UnitState.RUNNING: opb.STEP_STATE_RUNNING,
    UnitState.REVERTING: opb.STEP_STATE_RUNNING,
    UnitState.SUCCEEDED: opb.STEP_STATE_SUCCEEDED,
    UnitState.FAILED: opb.STEP_STATE_FAILED,
    UnitState.COMPENSATED: opb.STEP_STATE_REVERTED,
    UnitState.SKIPPED: opb.STEP_STATE_SKIPPED,
}
STEP_STATES = {
    StepState.RUNNING: opb.STEP_STATE_RUNNING,
    StepState.SUCCEEDED: opb.STEP_STATE_SUCCEEDED,
    StepState.FAILED: opb.STEP_STATE_FAILED,
    StepState.REVERTED: opb.STEP_STATE_REVERTED,
    StepState.REVERT_FAILED: opb.STEP_STATE_FAILED,
    "skipped": opb.STEP_STATE_SKIPPED,
}


def timestamp(moment: datetime | str | None) -> Timestamp | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    stamp = Timestamp()
    stamp.FromDatetime(aware(moment) or datetime.now(UTC))
    return stamp


def group_message(
    group: Group,
    holder: OperationRecord | None,
    project_id: str,
    last_test: OperationRecord | None = None,
) -> opb.FailoverGroup:
    """The group as the tenant's project `project_id` of this site sees it, with its newest
    ended test here (`last_test`)."""
    state = opb.GROUP_STATE_FAILED_OVER if group.state == FAILED_OVER else opb.GROUP_STATE_PROTECTED
    if holder is not None and holder.kind == flows.TEST_FAILOVER:
        state = opb.GROUP_STATE_TESTING
    elif holder is not None and holder.kind in (*flows.FAILOVERS, flows.MOVE):
        state = opb.GROUP_STATE_FAILING_OVER
    elif holder is not None and holder.kind == flows.REPROTECT:
        state = opb.GROUP_STATE_REPROTECTING
    elif holder is not None and holder.kind == flows.FAILBACK:
        state = opb.GROUP_STATE_FAILING_BACK
    return opb.FailoverGroup(
        id=group.id,
        project_id=project_id,
        name=group.name,
        description=group.description,
        replication_type=types_pb2.REPLICATION_TYPE_ASYNC
        if group.replication_type == ASYNC
        else types_pb2.REPLICATION_TYPE_SYNC,
        source_site=group.source_site,
        target_site=group.target_site,
        rpo_target=duration(group.rpo_target_seconds),
        state=state,
        vms=[
            opb.ProtectedVm(
                server_id=vm.server_id,
                name=vm.name,
                tier=vm.tier,
                added_at=timestamp(vm.added_at) if vm.added_at else None,
                added_by=vm.added_by,
            )
            for vm in group.vms
        ],
        created_at=timestamp(group.created_at) if group.created_at else None,
        updated_at=timestamp(group.updated_at) if group.updated_at else None,
        last_test=_test_summary(last_test) if last_test is not None else None,
        home_site=group.home_site,
        rto_target=duration(group.rto_target_seconds),
        test_interval=duration(group.test_interval_seconds),
        policy_id=group.policy_id,
        policy_name=group.policy_name,
        test_schedule=schedule_message(TestSchedule.from_body(group.test_schedule)),
        automation=automation_message(checks.from_body(group.automation)),
        split_from=group.split_from,
    )


def schedule_message(schedule: TestSchedule) -> pol.TestSchedule:
    return pol.TestSchedule(
        enabled=schedule.enabled,
        windows=list(schedule.windows),
        timezone=schedule.timezone,
        cleanup_after=duration(schedule.cleanup_after_seconds),
    )


def _test_summary(test: OperationRecord) -> opb.TestSummary:
    rto = (test.report or {}).get("rto_seconds")
    return opb.TestSummary(
        operation_id=test.id,
        state=OPERATION_STATES[test.state],
        finished_at=timestamp(test.finished_at),
        rto=duration(rto) if rto is not None else None,
    )


def _step_results(steps: list[str], attempts: list[StepAttemptRecord]) -> list[opb.StepResult]:
    results = []
    for name in steps:
        tries = [a for a in attempts if a.step == name]
        if not tries:
            results.append(opb.StepResult(name=name, state=opb.STEP_STATE_PENDING))
            continue
        first, last = tries[0], tries[-1]
        timing = types_pb2.Timing(started_at=timestamp(first.started_at))
        finished = timestamp(last.finished_at)
        if finished is not None:
            timing.finished_at.CopyFrom(finished)
            timing.elapsed.FromTimedelta(
                (aware(last.finished_at) or datetime.now(UTC))
                - (aware(first.started_at) or datetime.now(UTC))
            )
        results.append(
            opb.StepResult(
                name=name,
                state=STEP_STATES.get(last.state, opb.STEP_STATE_UNSPECIFIED),
                attempts=len(tries),
                timing=timing,
                error=last.error or "",
            )
        )
    return results


def operation_message(snapshot: Snapshot) -> opb.Operation:
    op = snapshot.operation
    return opb.Operation(
        id=op.id,
        project_id=op.project_id,
        group_id=op.group_id,
        kind=KINDS.get(op.kind, opb.OPERATION_KIND_UNSPECIFIED),
        state=OPERATION_STATES[op.state],
        idempotency_key=op.idempotency_key,
        created_at=timestamp(op.created_at),
        started_at=timestamp(op.started_at),
        finished_at=timestamp(op.finished_at),
        vms=[
            opb.VmProgress(
                server_id=unit.server_id or unit.key,
                name=unit.name,
                tier=shown_tier(unit),
                state=UNIT_STATES[unit.state],
                current_step=unit.current_step or "",
                steps=_step_results(list(unit.steps), snapshot.attempts.get(unit.id, [])),
                recovered_server_id=(unit.outputs or {}).get("recovered_server_id", ""),
            )
            for unit in snapshot.units
            if unit.role == VM
        ],
        trace_id=op.trace_id,
        error=op.error or "",
        parent_operation_id=op.parent_operation_id or "",
        cleanup_at=timestamp(op.cleanup_at),
        partial=op.partial,
    )


def event_message(event: OperationEventRecord) -> opb.OperationEvent:
    return opb.OperationEvent(
        operation_id=event.operation_id,
        sequence=event.sequence,
        time=timestamp(event.time),
        server_id=event.server_id or "",
        step=event.step or "",
        operation_state=OPERATION_STATES.get(
            event.operation_state or "", opb.OPERATION_STATE_UNSPECIFIED
        ),
        step_state=STEP_STATES.get(event.step_state or "", opb.STEP_STATE_UNSPECIFIED),
        message=event.message,
    )


def report_message(snapshot: Snapshot) -> opb.Report:
    op, report = snapshot.operation, snapshot.operation.report or {}
    timing = types_pb2.Timing(
        started_at=timestamp(op.started_at), finished_at=timestamp(op.finished_at)
    )
    if op.started_at is not None and op.finished_at is not None:
        timing.elapsed.FromTimedelta(
            (aware(op.finished_at) or datetime.now(UTC))
            - (aware(op.started_at) or datetime.now(UTC))
        )
    message = opb.Report(
        operation_id=op.id,
        kind=KINDS.get(op.kind, opb.OPERATION_KIND_UNSPECIFIED),
        state=OPERATION_STATES[op.state],
        group_id=op.group_id,
        timing=timing,
        errors=report.get("errors", []),
        trace_id=op.trace_id,
        removed=report.get("removed", []),
        kept=report.get("kept", []),
    )
    if report.get("rto_seconds") is not None:
        message.rto.CopyFrom(duration(report["rto_seconds"]))
    if report.get("rpo_seconds") is not None:
        message.rpo.CopyFrom(duration(report["rpo_seconds"]))
    point: dict[str, Any] | None = report.get("recovery_point")
    if point:
        message.recovery_point.CopyFrom(
            types_pb2.RecoveryPoint(
                id=point["id"],
                group_id=op.group_id,
                created_at=timestamp(point["created_at"]),
                completed_at=timestamp(point.get("completed_at")),
                progress=1.0,
                source_array=point.get("source_array", ""),
                target_array=point.get("target_array", ""),
            )
        )
    attempts = {u.key: snapshot.attempts.get(u.id, []) for u in snapshot.units}
    units = {u.key: u for u in snapshot.units}
    for group_unit in snapshot.units:
        if group_unit.role != VM:
            message.group_steps.extend(
                _step_results(list(group_unit.steps), attempts[group_unit.key])
            )
    for vm in report.get("vms", []):
        unit = units.get(vm["server_id"])
        vm_report = opb.VmReport(
            server_id=vm["server_id"],
            name=vm["name"],
            tier=vm["tier"],
            recovered=vm["recovered"],
            recovered_server_id=vm["recovered_server_id"],
            steps=_step_results(list(unit.steps), attempts[unit.key]) if unit else [],
            error=vm["error"],
        )
        if vm.get("recovery_time_seconds") is not None:
            vm_report.recovery_time.CopyFrom(duration(vm["recovery_time_seconds"]))
        outputs = (unit.outputs or {}) if unit else {}
        vm_report.checks.extend(_check_results(outputs.get("checks", [])))
        vm_report.hooks.extend(
            _check_results([*outputs.get("pre_vm_hooks", []), *outputs.get("post_vm_hooks", [])])
        )
        message.vms.append(vm_report)
    for group_unit in snapshot.units:
        if group_unit.role != VM:
            outputs = group_unit.outputs or {}
            message.hooks.extend(
                _check_results(
                    [
                        *outputs.get("pre_operation_hooks", []),
                        *outputs.get("pre_tier_hooks", []),
                        *outputs.get("post_tier_hooks", []),
                        *outputs.get("post_operation_hooks", []),
                    ]
                )
            )
    return message


def _check_results(results: list[dict[str, Any]]) -> list[opb.CheckResult]:
    return [
        opb.CheckResult(
            name=str(r.get("name", "")),
            passed=bool(r.get("passed")),
            output=str(r.get("output", "")),
            elapsed=duration(float(r.get("seconds", 0))),
            on_failure=str(r.get("on_failure", "")),
        )
        for r in results
    ]


def _check(check: Check) -> opb.ReadinessCheck:
    return opb.ReadinessCheck(name=check.name, ok=check.ok, reason=check.reason)


def readiness_message(readiness: Readiness) -> opb.Readiness:
    return opb.Readiness(
        group_id=readiness.group_id,
        failover_ready=readiness.failover_ready,
        checks=[_check(c) for c in readiness.checks],
        vms=[
            opb.VmReadiness(
                server_id=vm.server_id, ready=vm.ready, checks=[_check(c) for c in vm.checks]
            )
            for vm in readiness.vms
        ],
        checked_at=timestamp(datetime.now(UTC)),
    )
