"""Failovers at the target site, checked against the arrays' write journals: a planned one
loses no write; an unplanned one, with the source site gone, recovers exactly the chosen point
for every volume of the group; ownership moves with the group."""

from __future__ import annotations

import time
from contextlib import contextmanager

import grpc
import pytest

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator import servicer as orchestrator_servicer
from tests.functional.dr.twosite import (
    TENANT,
    finished,
    key,
    listing,
    make_vm,
    project,
    protect,
    region_control,
    volumes_of,
    wait_for,
)
from tests.functional.lab import tenant_connection


@contextmanager
def writing(lab, per_second: float = 20.0):
    """Site A's running servers write to their volumes meanwhile."""
    region_control(lab, "site-a", "PUT", "write_rate", writes_per_second=per_second)
    try:
        yield
    finally:
        region_control(lab, "site-a", "PUT", "write_rate", writes_per_second=0)


def source_volumes(lab, vms) -> dict[str, str]:
    return volumes_of(lab, "site-a", [vm.id for vm in vms])


def recovered_volumes(lab, report) -> dict[str, str]:
    return volumes_of(lab, "site-b", [vm.recovered_server_id for vm in report.vms])


def fail_over(sites, lab, group, planned: bool, **options) -> tuple[opb.Operation, opb.Report]:
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    started = b.StartFailover(
        opb.StartFailoverRequest(
            project_id=at_b,
            group_id=group.id,
            idempotency_key=key(),
            mode=opb.FAILOVER_MODE_PLANNED if planned else opb.FAILOVER_MODE_UNPLANNED,
            **options,
        )
    )
    done = finished(b, at_b, started.id)
    report = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=done.id))
    return done, report


def assert_failed_over(sites, lab, group, report) -> None:
    at_b = project(lab, "site-b")
    moved = sites["site-b"].orchestrator.GetFailoverGroup(
        opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id)
    )
    assert (moved.state, moved.source_site, moved.target_site) == (
        opb.GROUP_STATE_FAILED_OVER,
        "site-b",
        "site-a",
    )
    assert sorted(vm.server_id for vm in moved.vms) == sorted(
        vm.recovered_server_id for vm in report.vms
    )
    conn_b = tenant_connection(lab, "site-b", TENANT)
    assert all(
        conn_b.compute.get_server(vm.recovered_server_id).status == "ACTIVE" for vm in report.vms
    )


@pytest.mark.parametrize(("kind", "quiesce"), [("async", True), ("sync", False)])
def test_a_planned_failover_stops_the_source_and_loses_no_write(
    sites, lab, tenant_network, control, kind, quiesce
):
    vms = [make_vm(lab, tenant_network, kind), make_vm(lab, tenant_network, kind, volumes=1)]
    with writing(lab):
        group = protect(sites, lab, kind, vms)
        time.sleep(0.5)
        operation, report = fail_over(sites, lab, group, planned=True, quiesce=quiesce)

    assert operation.state == opb.OPERATION_STATE_SUCCEEDED, operation.error
    conn_a = tenant_connection(lab, "site-a", TENANT)
    assert {conn_a.compute.get_server(vm.id).status for vm in vms} == {"SHUTOFF"}
    sources, copies = source_volumes(lab, vms), recovered_volumes(lab, report)
    assert sorted(copies) == sorted(sources)
    for name, array_volume in sources.items():
        held = control.volume_data("array-a", array_volume)
        recovered = control.volume_data("array-b", copies[name])
        assert held["count"] > 0, "the source was written to"
        assert (recovered["count"], recovered["digest"]) == (held["count"], held["digest"]), name
    assert report.rpo.ToTimedelta().total_seconds() == 0
    assert report.rto.ToTimedelta().total_seconds() > 0
    assert_failed_over(sites, lab, group, report)


@contextmanager
def site_a_gone(sites, lab, control):
    """Site A's region, array and DR services do not answer meanwhile."""
    region_control(lab, "site-a", "POST", "down")
    control.set_online("array-a", False)
    sites["site-a"].stop_service("orchestrator")
    sites["site-a"].stop_service("metadata")
    try:
        yield
    finally:
        control.set_online("array-a", True)
        region_control(lab, "site-a", "POST", "up")
        sites["site-a"].start_service("metadata")
        sites["site-a"].start_service("orchestrator")


def test_an_unplanned_async_failover_recovers_exactly_the_chosen_point_without_the_source(
    sites, lab, tenant_network, control
):
    vms = [make_vm(lab, tenant_network, "async"), make_vm(lab, tenant_network, "async")]
    at_b, b = project(lab, "site-b"), sites["site-b"].orchestrator
    points = opb.ListRecoveryPointsRequest(project_id=at_b, group_id="")
    with writing(lab):
        group = protect(sites, lab, "async", vms)
        points.group_id = group.id
        first = b.ListRecoveryPoints(points).recovery_points[0]
        wait_for(
            lambda: [
                p
                for p in b.ListRecoveryPoints(points).recovery_points
                if p.completed_at.seconds
                and p.created_at.ToMicroseconds() > first.created_at.ToMicroseconds()
            ]
        )
    # The point protect() waited for holds every VM; a newer one came since.
    chosen = first
    assert sorted(chosen.server_ids) == sorted(vm.id for vm in vms)
    assert chosen.id != b.ListRecoveryPoints(points).recovery_points[0].id, "an older point"
    sources = source_volumes(lab, vms)

    with site_a_gone(sites, lab, control):
        operation, report = fail_over(sites, lab, group, planned=False, recovery_point_id=chosen.id)
        assert operation.state == opb.OPERATION_STATE_SUCCEEDED, operation.error
        assert_failed_over(sites, lab, group, report)

    assert report.recovery_point.id == chosen.id
    copies = recovered_volumes(lab, report)
    for name, array_volume in sources.items():
        base = array_volume.split("::")[-1]
        at_point = control.snapshot_data("array-b", f"{chosen.id}.{base}")
        assert at_point["count"] > 0, "the chosen point holds writes"
        recovered = control.volume_data("array-b", copies[name])
        assert (recovered["count"], recovered["digest"]) == (at_point["count"], at_point["digest"])
        newest = recovered["newest"]
        # The array gives the point's time in milliseconds; writes have microseconds.
        made = chosen.created_at.ToMicroseconds() / 1e6
        assert newest is None or newest["time"] < made + 0.001
    requested = operation.created_at.ToMicroseconds() / 1e6
    rpo = report.rpo.ToTimedelta().total_seconds()
    assert rpo == pytest.approx(requested - chosen.created_at.ToMicroseconds() / 1e6, abs=0.01)
    # Back, site A learns that the group runs at site B now.
    at_a = project(lab)
    wait_for(
        lambda: (
            sites["site-a"]
            .orchestrator.GetFailoverGroup(
                opb.GetFailoverGroupRequest(project_id=at_a, group_id=group.id)
            )
            .source_site
            == "site-b"
        )
    )


def test_an_unplanned_sync_failover_recovers_what_the_pod_held_when_the_source_went(
    sites, lab, tenant_network, control
):
    vms = [make_vm(lab, tenant_network, "sync")]
    with writing(lab):
        group = protect(sites, lab, "sync", vms)
        time.sleep(0.5)
    sources = source_volumes(lab, vms)

    with site_a_gone(sites, lab, control):
        held = {n: control.volume_data("array-b", v) for n, v in sources.items()}
        operation, report = fail_over(sites, lab, group, planned=False)
        assert operation.state == opb.OPERATION_STATE_SUCCEEDED, operation.error
        assert_failed_over(sites, lab, group, report)

    copies = recovered_volumes(lab, report)
    for name, before in held.items():
        recovered = control.volume_data("array-b", copies[name])
        assert before["count"] > 0
        assert (recovered["count"], recovered["digest"]) == (before["count"], before["digest"])


def test_a_planned_failover_given_up_on_a_vm_failure_restarts_the_source_and_leaves_nothing(
    sites, lab, tenant_network
):
    vms = [make_vm(lab, tenant_network, "async", volumes=1) for _ in range(2)]
    group = protect(sites, lab, "async", vms)
    at_b = project(lab, "site-b")
    before = listing(lab, "site-b")
    conn_b = tenant_connection(lab, "site-b", TENANT)
    running = len(list(conn_b.compute.servers()))
    region_control(lab, "site-b", "PUT", f"quotas/{at_b}", instances=running + 1)
    try:
        operation, report = fail_over(
            sites, lab, group, planned=True, quiesce=True, stop_on_vm_failure=True
        )
    finally:
        region_control(lab, "site-b", "PUT", f"quotas/{at_b}")

    assert operation.state == opb.OPERATION_STATE_COMPENSATED
    assert "quota" in operation.error.lower(), operation.error
    conn_a = tenant_connection(lab, "site-a", TENANT)
    assert {conn_a.compute.get_server(vm.id).status for vm in vms} == {"ACTIVE"}
    assert listing(lab, "site-b") == before
    kept = sites["site-a"].orchestrator.GetFailoverGroup(
        opb.GetFailoverGroupRequest(project_id=project(lab), group_id=group.id)
    )
    assert (kept.state, kept.source_site) == (opb.GROUP_STATE_PROTECTED, "site-a")
    assert report.errors


def test_a_source_asked_twice_to_stop_for_one_failover_names_every_vm_it_stopped(
    sites, lab, tenant_network
):
    vms = [make_vm(lab, tenant_network, "async", volumes=1) for _ in range(2)]
    group = protect(sites, lab, "async", vms)
    a, at_a = sites["site-a"].orchestrator, project(lab)
    conn = tenant_connection(lab, "site-a", TENANT)
    stop = opb.StopSourceRequest(project_id=at_a, group_id=group.id, operation_id=key())

    first = a.StopSource(stop)
    # The answer was lost, the target asks again: the VMs are stopped already, and it still
    # learns which ones this failover stopped (so that giving up restarts them).
    again = a.StopSource(stop)
    assert sorted(first.stopped_server_ids) == sorted(again.stopped_server_ids)
    assert sorted(again.stopped_server_ids) == sorted(vm.id for vm in vms)
    assert {conn.compute.get_server(vm.id).status for vm in vms} == {"SHUTOFF"}
    other = a.StopSource(
        opb.StopSourceRequest(project_id=at_a, group_id=group.id, operation_id=key())
    )
    assert list(other.stopped_server_ids) == [], "another failover stopped nothing"

    restarted = a.RestartSource(
        opb.RestartSourceRequest(
            project_id=at_a, group_id=group.id, server_ids=list(again.stopped_server_ids)
        )
    )
    assert sorted(restarted.restarted_server_ids) == sorted(vm.id for vm in vms)
    wait_for(lambda: {conn.compute.get_server(vm.id).status for vm in vms} == {"ACTIVE"})


def test_a_point_taken_before_a_vm_joined_is_refused_at_the_start_naming_it(
    sites, lab, tenant_network, monkeypatch
):
    first_vm = make_vm(lab, tenant_network, "async", volumes=1, name="early-vm")
    group = protect(sites, lab, "async", [first_vm])
    at_b, b = project(lab, "site-b"), sites["site-b"].orchestrator
    points = opb.ListRecoveryPointsRequest(project_id=at_b, group_id=group.id)
    early = b.ListRecoveryPoints(points).recovery_points[0]
    late_vm = make_vm(lab, tenant_network, "async", volumes=1, name="late-vm")
    sites["site-a"].orchestrator.AddVm(
        opb.AddVmRequest(project_id=project(lab), group_id=group.id, server_id=late_vm.id, tier=1)
    )
    shown = opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id)
    wait_for(lambda: len(b.GetFailoverGroup(shown).vms) == 2)
    with pytest.raises(grpc.RpcError) as refused:
        b.StartTestFailover(
            opb.StartTestFailoverRequest(
                project_id=at_b,
                group_id=group.id,
                idempotency_key=key(),
                recovery_point_id=early.id,
            )
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "before late-vm (added" in refused.value.details()
    assert "early-vm" not in refused.value.details()
    assert b.GetFailoverGroup(shown).state == opb.GROUP_STATE_PROTECTED, "nothing started"
    # The points say which VMs they hold: the early one only the early VM.
    wait_for(
        lambda: [p for p in b.ListRecoveryPoints(points).recovery_points if len(p.server_ids) == 2]
    )
    held = {p.id: list(p.server_ids) for p in b.ListRecoveryPoints(points).recovery_points}
    assert held[early.id] == [first_vm.id]
    # A page at a time (a big group's points name many VMs each), newest first as a whole.
    paged, token = [], ""
    while True:
        page = b.ListRecoveryPoints(
            opb.ListRecoveryPointsRequest(
                project_id=at_b,
                group_id=group.id,
                page=types_pb2.PageRequest(page_size=1, page_token=token),
            )
        )
        assert len(page.recovery_points) == 1
        paged.extend(page.recovery_points)
        token = page.next_page_token
        if not token:
            break
    assert len(paged) >= 2
    assert {p.id for p in paged} <= {p.id for p in b.ListRecoveryPoints(points).recovery_points}
    # A page also ends before it grows too big for gRPC, whatever its size asked.
    monkeypatch.setattr(orchestrator_servicer, "POINTS_PAGE_BYTES", 1)
    small = b.ListRecoveryPoints(
        opb.ListRecoveryPointsRequest(
            project_id=at_b, group_id=group.id, page=types_pb2.PageRequest(page_size=100)
        )
    )
    assert len(small.recovery_points) == 1 and small.next_page_token == "1"
    with pytest.raises(grpc.RpcError) as bad_token:
        b.ListRecoveryPoints(
            opb.ListRecoveryPointsRequest(
                project_id=at_b, group_id=group.id, page=types_pb2.PageRequest(page_token="x")
            )
        )
    assert bad_token.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page.page_token" in bad_token.value.details()


def test_a_move_fails_over_with_no_write_lost_and_protects_the_group_back_in_one_operation(
    sites, lab, tenant_network, control
):
    vms = [make_vm(lab, tenant_network, "async", volumes=1) for _ in range(2)]
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    with writing(lab):
        group = protect(sites, lab, "async", vms)
        sources = source_volumes(lab, vms)
        time.sleep(0.5)
        started = b.StartMove(
            opb.StartMoveRequest(project_id=at_b, group_id=group.id, idempotency_key=key())
        )
        done = finished(b, at_b, started.id)
    assert (done.kind, done.state) == (opb.OPERATION_KIND_MOVE, opb.OPERATION_STATE_SUCCEEDED), (
        done.error
    )
    report = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=done.id))
    copies = recovered_volumes(lab, report)
    # The old volumes at site A are destroyed by the reprotect (not yet eradicated): the
    # array still holds what was written to them.
    for name, array_volume in sources.items():
        held = control.volume_data("array-a", array_volume)
        recovered = control.volume_data("array-b", copies[name])
        assert held["count"] > 0, "the source was written to"
        assert (recovered["count"], recovered["digest"]) == (held["count"], held["digest"]), name
    moved = b.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id))
    assert (moved.state, moved.source_site, moved.target_site) == (
        opb.GROUP_STATE_PROTECTED,
        "site-b",
        "site-a",
    )
    # No VM runs at both sites: the old servers are gone from site A.
    conn_a = tenant_connection(lab, "site-a", TENANT)
    left = {s.id for s in conn_a.compute.servers()}
    assert not left & {vm.id for vm in vms}
    assert sorted(vm.server_id for vm in moved.vms) == sorted(
        vm.recovered_server_id for vm in report.vms
    )
