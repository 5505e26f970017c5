"""The workflow engine: tiers, parallelism and limits, failure of one VM, abort and
compensation, retries, idempotency, leases taken over, two engines on one operation."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from common.errors import AlreadyExists, FailedPrecondition
from services.orchestrator.engine.plan import (
    FINISH,
    PREPARE,
    OperationState,
    StepState,
    UnitState,
)
from services.orchestrator.engine.steps import LeaseLost
from services.orchestrator.models import StepAttemptRecord, UnitRecord
from tests.functional.orchestrator.conftest import Bench, plan
from tests.waiting import wait_until


def test_tiers_run_in_order_in_parallel_inside_each_and_share_the_prepare_outputs(bench: Bench):
    bench.engine()
    vms = {"web-1": 1, "web-2": 1, "web-3": 1, "app-1": 2, "app-2": 2, "db-1": 3}
    operation_id, created = bench.store.create(plan(vms, {k: {"sleep": 0.1} for k in vms}), "key-1")
    ended = bench.wait(operation_id)

    assert created and ended.state == OperationState.SUCCEEDED
    times = bench.journal.times
    start = {k: times[(k, "manage")][0] for k in vms}
    end = {k: times[(k, "verify")][1] for k in vms}
    for later, earlier in (("app-1", "web-"), ("db-1", "app-")):
        assert all(start[later] >= end[k] for k in vms if k.startswith(earlier))
    assert max(start[k] for k in ("web-1", "web-2", "web-3")) < min(
        end[k] for k in ("web-1", "web-2", "web-3")
    ), "a tier's VMs run side by side"
    assert times[(FINISH, "report")][0] >= max(end.values())
    seen = bench.store.units(operation_id)
    web = next(u for u in seen if u.key == "web-1")
    seen_by_verify = web.outputs["seen"]
    assert (seen_by_verify["recover"], seen_by_verify["manage"], seen_by_verify["boot"]) == (
        PREPARE,
        "web-1",
        "web-1",
    )


def test_one_failed_vm_reverts_itself_and_the_others_go_on(bench: Bench):
    bench.engine()
    vms = {"web-1": 1, "web-2": 1, "app-1": 2}
    operation_id, _ = bench.store.create(plan(vms, {"web-2": {"fail": "boot"}}), "key-1")
    ended = bench.wait(operation_id)

    assert ended.state == OperationState.PARTIALLY_SUCCEEDED
    assert bench.unit_states(operation_id) == {
        PREPARE: "succeeded",
        "web-1": "succeeded",
        "web-2": "failed",
        "app-1": "succeeded",
        FINISH: "succeeded",
    }
    # The failed step first: it may have made something before it failed.
    assert bench.journal.reverted() == [("web-2", "boot"), ("web-2", "manage")]
    failed = next(u for u in bench.store.units(operation_id) if u.key == "web-2")
    assert failed.error == "boot refused web-2"


def test_stop_on_failure_compensates_in_reverse_and_skips_what_did_not_start(bench: Bench):
    bench.engine()
    vms = {"web-1": 1, "web-2": 1, "app-1": 2, "db-1": 3}
    operation_id, _ = bench.store.create(
        plan(vms, {"app-1": {"fail": "verify"}}, stop_on_failure=True), "key-1"
    )
    ended = bench.wait(operation_id)

    assert ended.state == OperationState.COMPENSATED
    assert ended.error == "vm app-1 failed: verify refused app-1"
    assert bench.unit_states(operation_id) == {
        PREPARE: "compensated",
        "web-1": "compensated",
        "web-2": "compensated",
        "app-1": "failed",
        "db-1": "skipped",
        FINISH: "skipped",
    }
    reverted = bench.journal.reverted()
    assert reverted[:3] == [("app-1", "verify"), ("app-1", "boot"), ("app-1", "manage")]
    web = sorted(reverted[3:9])
    assert web == sorted((k, s) for k in ("web-1", "web-2") for s in ("verify", "boot", "manage"))
    assert reverted[9:] == [(PREPARE, "recover")]
    assert ("db-1", "manage") not in bench.journal.executed()


def test_a_unit_that_ends_after_its_operation_was_aborted_is_undone_too(bench: Bench):
    operation_id, _ = bench.store.create(
        plan({"web-1": 1, "web-2": 1}, stop_on_failure=True), "key-1"
    )
    store = bench.store

    def run(unit_id: str, steps: list[str]) -> None:
        for step in steps:
            attempt, _ = store.start_step(unit_id, "w", step)
            store.finish_step(unit_id, "w", attempt, {step: "done"})

    prepare = store.claimable(10)[0]
    assert store.claim(prepare, "w", 30) is not None
    run(prepare, ["recover"])
    store.finish_unit(prepare, "w", "succeeded")
    with bench.database.transaction() as session:
        units = {
            u.key: u.id for u in session.query(UnitRecord).filter_by(operation_id=operation_id)
        }
    for key in ("web-1", "web-2"):
        assert store.claim(units[key], "w", 30) is not None
    run(units["web-2"], ["manage", "boot", "verify"])
    # web-1 fails and aborts the operation just before web-2 says it has ended.
    attempt, _ = store.start_step(units["web-1"], "w", "manage")
    store.fail_step(units["web-1"], "w", attempt, "manage refused web-1")
    store.finish_unit(units["web-1"], "w", "failed", "manage refused web-1")
    store.finish_unit(units["web-2"], "w", "succeeded")
    assert bench.unit_states(operation_id)["web-2"] == "reverting"

    bench.engine()
    assert bench.wait(operation_id).state == OperationState.COMPENSATED
    assert bench.unit_states(operation_id)["web-2"] == "compensated"
    assert bench.journal.reverted()[:3] == [
        ("web-2", "verify"),
        ("web-2", "boot"),
        ("web-2", "manage"),
    ]


def test_a_failed_prepare_fails_the_operation_and_no_vm_starts(bench: Bench):
    bench.engine()
    operation_id, _ = bench.store.create(
        plan({"web-1": 1}, {PREPARE: {"fail": "recover"}}), "key-1"
    )
    ended = bench.wait(operation_id)

    assert ended.state == OperationState.COMPENSATED
    assert bench.unit_states(operation_id) == {
        PREPARE: "failed",
        "web-1": "skipped",
        FINISH: "skipped",
    }
    assert bench.journal.executed() == [(PREPARE, "recover")]
    assert bench.journal.reverted() == [(PREPARE, "recover")]


def test_retryable_errors_are_retried_and_each_attempt_is_recorded(bench: Bench):
    bench.engine()
    operation_id, _ = bench.store.create(plan({"web-1": 1}, {"web-1": {"flaky": {"boot": 2}}}), "k")
    assert bench.wait(operation_id).state == OperationState.SUCCEEDED
    with bench.database.transaction() as session:
        attempts = [
            (a.attempt, a.state, a.error)
            for a in session.query(StepAttemptRecord).filter_by(step="boot").order_by("attempt")
        ]
    assert attempts == [
        (1, StepState.FAILED, "boot backend busy"),
        (2, StepState.FAILED, "boot backend busy"),
        (3, StepState.SUCCEEDED, None),
    ]


def test_a_steps_time_ends_with_its_work_not_with_the_write_that_records_it(bench: Bench):
    bench.engine()
    operation_id, _ = bench.store.create(plan({"web-1": 1}, {"web-1": {"sleep": 0.3}}), "k")
    wait_until(lambda: ("web-1", "manage") in bench.journal.executed("manage"))
    # The unit's row held (on SQLite, the file) past the step's end: its success waits.
    with bench.database.transaction() as session:
        session.execute(select(UnitRecord).filter_by(key="web-1").with_for_update()).all()
        time.sleep(0.8)
        released = time.monotonic()
    assert bench.wait(operation_id).state == OperationState.SUCCEEDED
    started, ended = bench.journal.times[("web-1", "manage")]
    assert released - ended > 0.4, "the write waited"
    with bench.database.transaction() as session:
        attempt = session.query(StepAttemptRecord).filter_by(step="manage").one()
        recorded = (attempt.finished_at - attempt.started_at).total_seconds()
    assert ended - started <= recorded < ended - started + 0.3


def _attempts(bench: Bench, step: str) -> list[tuple[int, str, str | None]]:
    with bench.database.transaction() as session:
        return [
            (a.attempt, a.state, a.error)
            for a in session.query(StepAttemptRecord).filter_by(step=step).order_by("attempt")
        ]


def test_a_step_waits_for_a_service_that_does_not_answer_in_one_attempt(bench: Bench):
    bench.engine(unreachable_wait_seconds=30, unreachable_backoff_max_seconds=0.05)
    inputs = {"web-1": {"unreachable": {"boot": 6}, "flaky": {"manage": 1}}}
    operation_id, _ = bench.store.create(plan({"web-1": 1}, inputs), "k")
    assert bench.wait(operation_id).state == OperationState.SUCCEEDED
    # Waiting is not failing: one attempt, however long the service took to come back; an
    # answer that says "busy" still counts as a failed attempt.
    assert _attempts(bench, "boot") == [(1, StepState.SUCCEEDED, None)]
    assert [a[1] for a in _attempts(bench, "manage")] == [StepState.FAILED, StepState.SUCCEEDED]
    assert len(bench.journal.executed("boot")) == 7


def test_a_service_that_stays_away_fails_the_step_after_the_wait_and_reverts_wait_too(
    bench: Bench,
):
    bench.engine(unreachable_wait_seconds=0.3, unreachable_backoff_max_seconds=0.05)
    inputs = {"web-1": {"unreachable": {"boot": 10**6}, "unreachable_revert": {"manage": 3}}}
    operation_id, _ = bench.store.create(plan({"web-1": 1}, inputs), "k")
    bench.wait(operation_id)
    assert bench.unit_states(operation_id)["web-1"] == "failed"
    # The wait was the retrying: one attempt, failed, then undone with the rest.
    assert _attempts(bench, "boot") == [(1, StepState.REVERTED, "boot's service does not answer")]
    # manage's revert found its service away three times, then undid it.
    assert bench.journal.reverted().count(("web-1", "manage")) == 4
    with bench.database.transaction() as session:
        manage = session.query(StepAttemptRecord).filter_by(step="manage").one()
        assert manage.state == StepState.REVERTED


def test_a_stopping_engine_hands_its_units_back_between_steps(bench: Bench):
    first = bench.engine("e1", lease_seconds=300.0)
    operation_id, _ = bench.store.create(plan({"web-1": 1}, {"web-1": {"sleep": 0.3}}), "k")
    wait_until(lambda: ("web-1", "manage") in bench.journal.executed())
    first.stop()
    # Another engine goes on at once, not when the 300 s lease runs out.
    bench.engine("e2", lease_seconds=300.0)
    assert bench.wait(operation_id, timeout=20).state == OperationState.SUCCEEDED
    with bench.database.transaction() as session:
        owners = {
            (a.step, a.owner)
            for a in session.query(StepAttemptRecord).filter(StepAttemptRecord.state == "succeeded")
        }
    assert ("manage", "e1") in owners and ("verify", "e2") in owners


def test_a_repeated_request_is_the_same_operation(bench: Bench):
    first, created = bench.store.create(plan({"web-1": 1}), "key-1")
    again, created_again = bench.store.create(plan({"web-1": 1}), "key-1")
    assert (again, created, created_again) == (first, True, False)
    with pytest.raises(AlreadyExists, match="idempotency key 'key-1' already started"):
        bench.store.create(plan({"web-1": 1}, group="g2"), "key-1")


def test_a_group_is_held_by_one_operation_at_a_time(bench: Bench):
    first, _ = bench.store.create(plan({"web-1": 1}), "key-1", lock_group=True)
    with pytest.raises(FailedPrecondition, match=f"group g1 is held by test_failover {first}"):
        bench.store.create(plan({"web-1": 1}), "key-2", lock_group=True)
    other_group, _ = bench.store.create(plan({"web-1": 1}, group="g2"), "key-3", lock_group=True)
    bench.engine()
    bench.wait(first)
    bench.wait(other_group)
    second, created = bench.store.create(plan({"web-1": 1}), "key-2", lock_group=True)
    assert created and second != first


def test_a_backend_limit_bounds_its_steps_across_the_operation(bench: Bench):
    bench.engine(limits={"nova": 2})
    vms = {f"vm-{i}": 1 for i in range(8)}
    # Steps long enough that unbounded ones overlap even on a loaded machine.
    operation_id, _ = bench.store.create(plan(vms, {k: {"sleep": 0.25} for k in vms}), "k")
    assert bench.wait(operation_id).state == OperationState.SUCCEEDED
    assert bench.journal.peak["boot"] == 2
    assert bench.journal.peak["manage"] > 2


def test_a_dead_workers_unit_is_taken_over_after_its_lease_and_its_late_write_is_refused(
    bench: Bench,
):
    operation_id, _ = bench.store.create(plan({"web-1": 1}, {"web-1": {"sleep": 0.05}}), "k")
    # A worker that claimed everything, started the prepare step and died.
    prepare = bench.store.claimable(10)[0]
    assert bench.store.claim(prepare, "dead", lease_seconds=0.5) is not None
    attempt, _ = bench.store.start_step(prepare, "dead", "recover")
    bench.engine("e2")
    ended = bench.wait(operation_id)

    assert ended.state == OperationState.SUCCEEDED
    assert bench.journal.executed("recover") == [(PREPARE, "recover")]
    with pytest.raises(LeaseLost):
        bench.store.finish_step(prepare, "dead", attempt, {"recover": "from the dead"})
    units = {u.key: u for u in bench.store.units(operation_id)}
    assert units[PREPARE].outputs["recover"] == PREPARE
    with bench.database.transaction() as session:
        attempts = [
            (a.attempt, a.owner, a.state)
            for a in session.query(StepAttemptRecord).filter_by(step="recover").order_by("attempt")
        ]
    assert attempts == [(1, "dead", StepState.RUNNING), (2, "e2", StepState.SUCCEEDED)]


def test_two_engines_share_an_operation_and_run_each_step_once(bench: Bench):
    vms = {f"vm-{i:02}": 1 + i // 10 for i in range(30)}
    operation_id, _ = bench.store.create(plan(vms, {k: {"sleep": 0.02} for k in vms}), "k")
    bench.engine("e1", worker_threads=4)
    bench.engine("e2", worker_threads=4)
    assert bench.wait(operation_id).state == OperationState.SUCCEEDED

    executed = bench.journal.executed()
    assert sorted(executed) == sorted(
        [(PREPARE, "recover"), (FINISH, "report")]
        + [(k, s) for k in vms for s in ("manage", "boot", "verify")]
    )
    engines = {thread.split("_")[0] for _, thread, _, _ in bench.journal.calls}
    assert engines == {"engine-e1", "engine-e2"}


def test_events_are_numbered_without_gaps_and_end_with_the_outcome(bench: Bench):
    bench.engine()
    operation_id, _ = bench.store.create(plan({"web-1": 1, "web-2": 1}), "k")
    bench.wait(operation_id)
    events = bench.store.events(operation_id, 0, 1000)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].message == "test_failover requested"
    assert events[-1].message == "ended succeeded"
    assert [e.message for e in events if e.server_id == "web-1"] == [
        "web-1: manage started",
        "web-1: manage succeeded",
        "web-1: boot started",
        "web-1: boot succeeded",
        "web-1: verify started",
        "web-1: verify succeeded",
        "web-1: succeeded",
    ]


def test_every_unit_and_step_joins_the_requests_trace(bench: Bench):
    bench.engine()
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    operation_id, _ = bench.store.create(plan({"web-1": 1}), "k", traceparent=traceparent)
    bench.wait(operation_id)
    spans = bench.exporter.get_finished_spans()
    assert {s.name for s in spans} >= {"vm web-1", "step boot", "prepare prepare"}
    assert {format(s.context.trace_id, "032x") for s in spans} == {
        "0af7651916cd43dd8448eb211c80319c"
    }


def test_a_step_a_dead_worker_left_running_is_undone_when_the_operation_compensates(
    bench: Bench,
):
    operation_id, _ = bench.store.create(
        plan({"web-1": 1, "web-2": 1}, {"web-2": {"fail": "manage"}}, stop_on_failure=True), "k"
    )
    prepare = bench.store.claimable(10)[0]
    bench.store.claim(prepare, "me", lease_seconds=30)
    attempt, _ = bench.store.start_step(prepare, "me", "recover")
    bench.store.finish_step(prepare, "me", attempt, {"recover": "volumes"})
    bench.store.finish_unit(prepare, "me", "succeeded")
    web_1 = next(u for u in bench.store.claimable(10) if u != prepare)
    held = bench.store.claim(web_1, "dead", lease_seconds=1.5)
    assert held is not None and held.unit.key == "web-1"
    bench.store.start_step(web_1, "dead", "manage")  # ... and the worker died here.
    bench.engine()
    ended = bench.wait(operation_id)

    assert ended.state == OperationState.COMPENSATED
    assert bench.unit_states(operation_id)["web-1"] == "compensated"
    assert ("web-1", "manage") in bench.journal.reverted()
    assert ("web-1", "manage") not in bench.journal.executed()


def test_a_held_unit_is_neither_claimed_nor_ended_by_another_and_a_new_holder_goes_on(
    bench: Bench,
):
    """The quick paths of a running operation's claims and unit ends (one engine's writes by
    hand, no engine running): what a holder did stays done for the next one."""
    operation_id, _ = bench.store.create(plan({"web-1": 1, "web-2": 1}), "k")
    prepare = bench.store.claimable(10)[0]
    assert bench.store.claim(prepare, "a", lease_seconds=30) is not None  # it starts the operation
    assert bench.store.claim(prepare, "b", lease_seconds=30) is None
    with pytest.raises(LeaseLost):
        bench.store.finish_unit(prepare, "b", UnitState.SUCCEEDED)
    attempt, _ = bench.store.start_step(prepare, "a", "recover")
    bench.store.finish_step(prepare, "a", attempt, {"recover": "done"})
    assert bench.store.finish_unit(prepare, "a", UnitState.SUCCEEDED) is None
    assert bench.unit_states(operation_id)[PREPARE] == UnitState.SUCCEEDED

    vm = bench.store.claimable(10)[0]
    first = bench.store.claim(vm, "b", lease_seconds=0.2)
    assert first is not None and first.shared == {"recover": "done"} and first.done == []
    attempt, _ = bench.store.start_step(vm, "b", "manage")
    bench.store.finish_step(vm, "b", attempt, {"managed": 1}, next_step="boot")
    time.sleep(0.3)
    second = bench.store.claim(vm, "c", lease_seconds=30)
    assert second is not None
    assert [d.name for d in second.done] == ["manage"] and second.outputs == {"managed": 1}
    assert second.unfinished is not None and second.unfinished.name == "boot"
    with pytest.raises(LeaseLost):
        bench.store.finish_unit(vm, "b", UnitState.SUCCEEDED)
