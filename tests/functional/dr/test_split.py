"""Some VMs of a group failing over without the others: split off into a group of their own
at the source site, which then fails over (no write lost, by the arrays' write journals), is
reprotected and fails back on its own, never running at both sites, while the group's other
VMs stay protected where they run."""

from __future__ import annotations

import time

import grpc
import pytest

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from tests.functional.dr.test_failover import recovered_volumes, source_volumes, writing
from tests.functional.dr.twosite import (
    TENANT,
    await_at_b,
    finished,
    key,
    make_vm,
    project,
    protect,
)
from tests.functional.lab import tenant_connection


def refused(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call(request)
    return raised.value


def servers_at(lab, site: str) -> dict[str, str]:
    return {s.id: s.status for s in tenant_connection(lab, site, TENANT).compute.servers()}


def run(stub, project_id: str, started: opb.Operation) -> opb.Report:
    done = finished(stub, project_id, started.id)
    assert done.state == opb.OPERATION_STATE_SUCCEEDED, done.error
    return stub.GetReport(opb.GetReportRequest(project_id=project_id, operation_id=done.id))


def planned_failover(sites, lab, group_id: str, quiesce: bool = False) -> opb.Report:
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    request = opb.StartFailoverRequest(
        project_id=at_b,
        group_id=group_id,
        idempotency_key=key(),
        mode=opb.FAILOVER_MODE_PLANNED,
        quiesce=quiesce,
    )
    return run(b, at_b, b.StartFailover(request))


def test_one_vm_of_three_fails_over_is_reprotected_and_fails_back_on_its_own(
    sites, lab, tenant_network, control
):
    vms = [make_vm(lab, tenant_network, "async", volumes=1, name=f"split-{i}") for i in (1, 2, 3)]
    a, b = sites["site-a"].orchestrator, sites["site-b"].orchestrator
    at_a, at_b = project(lab), project(lab, "site-b")
    group = protect(sites, lab, "async", vms, tiers=[1, 2, 2])

    def split(**fields) -> opb.SplitFailoverGroupRequest:
        return opb.SplitFailoverGroupRequest(project_id=at_a, group_id=group.id, **fields)

    every = refused(a.SplitFailoverGroup, split(server_ids=[vm.id for vm in vms]))
    assert every.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "server_ids" in every.details() and "every VM" in every.details()
    stranger = refused(a.SplitFailoverGroup, split(server_ids=["not-a-member"]))
    assert stranger.code() == grpc.StatusCode.INVALID_ARGUMENT
    at_target = refused(
        b.SplitFailoverGroup,
        opb.SplitFailoverGroupRequest(project_id=at_b, group_id=group.id, server_ids=[vms[0].id]),
    )
    assert at_target.code() == grpc.StatusCode.FAILED_PRECONDITION
    listed = a.ListFailoverGroups(opb.ListFailoverGroupsRequest(project_id=at_a))
    assert [g.name for g in listed.groups if g.name.startswith(group.name)] == [group.name], (
        "a refused split makes no group"
    )

    with writing(lab):
        moved_at = time.time()
        alone = a.SplitFailoverGroup(split(server_ids=[vms[1].id]))
        assert (alone.name, alone.split_from) == (f"{group.name}-split-2", group.id)
        assert [(v.server_id, v.tier) for v in alone.vms] == [(vms[1].id, 2)]
        assert (alone.replication_type, alone.target_site) == (
            types_pb2.REPLICATION_TYPE_ASYNC,
            "site-b",
        )
        rest = a.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_a, group_id=group.id))
        assert sorted(v.server_id for v in rest.vms) == sorted([vms[0].id, vms[2].id])
        await_at_b(sites, lab, alone, moved_at)
        sources = source_volumes(lab, [vms[1]])
        time.sleep(0.5)
        report = planned_failover(sites, lab, alone.id, quiesce=True)

    # Every write of the VM is in its copy; the others run on at site A, still protected.
    copies = recovered_volumes(lab, report)
    for name, array_volume in sources.items():
        held = control.volume_data("array-a", array_volume)
        recovered = control.volume_data("array-b", copies[name])
        assert held["count"] > 0, "the source was written to"
        assert (recovered["count"], recovered["digest"]) == (held["count"], held["digest"])
    (recovered_id,) = [vm.recovered_server_id for vm in report.vms]
    at_site_a = servers_at(lab, "site-a")
    assert (at_site_a[vms[0].id], at_site_a[vms[2].id]) == ("ACTIVE", "ACTIVE")
    assert at_site_a[vms[1].id] == "SHUTOFF" and servers_at(lab, "site-b")[recovered_id] == "ACTIVE"
    rest = a.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_a, group_id=group.id))
    assert (rest.state, rest.source_site) == (opb.GROUP_STATE_PROTECTED, "site-a")

    # Reprotected back towards site A: the old server there is gone, never two running.
    reprotect = opb.StartReprotectRequest(
        project_id=at_b,
        group_id=alone.id,
        idempotency_key=key(),
        method=opb.REPROTECT_METHOD_RETYPE,
        target_replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
    )
    run(b, at_b, b.StartReprotect(reprotect))
    assert vms[1].id not in servers_at(lab, "site-a")

    # And home again, on its own; the group it came from is as it was.
    home = run(
        a,
        at_a,
        a.StartFailback(
            opb.StartFailbackRequest(project_id=at_a, group_id=alone.id, idempotency_key=key())
        ),
    )
    (back_id,) = [vm.recovered_server_id for vm in home.vms]
    assert servers_at(lab, "site-a")[back_id] == "ACTIVE"
    assert recovered_id not in servers_at(lab, "site-b")
    again = a.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_a, group_id=alone.id))
    assert (again.state, again.source_site, again.split_from) == (
        opb.GROUP_STATE_PROTECTED,
        "site-a",
        group.id,
    )
    rest = a.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_a, group_id=group.id))
    assert sorted(v.server_id for v in rest.vms) == sorted([vms[0].id, vms[2].id])


def test_a_synchronous_groups_vm_split_off_fails_over_on_its_own(sites, lab, tenant_network):
    vms = [make_vm(lab, tenant_network, "sync", volumes=1) for _ in range(2)]
    a, at_a = sites["site-a"].orchestrator, project(lab)
    group = protect(sites, lab, "sync", vms)
    moved_at = time.time()
    alone = a.SplitFailoverGroup(
        opb.SplitFailoverGroupRequest(
            project_id=at_a, group_id=group.id, server_ids=[vms[0].id], name="sync-alone"
        )
    )
    assert (alone.name, alone.split_from) == ("sync-alone", group.id)
    await_at_b(sites, lab, alone, moved_at)
    report = planned_failover(sites, lab, alone.id)
    (recovered_id,) = [vm.recovered_server_id for vm in report.vms]
    assert servers_at(lab, "site-b")[recovered_id] == "ACTIVE"
    at_site_a = servers_at(lab, "site-a")
    assert (at_site_a[vms[0].id], at_site_a[vms[1].id]) == ("SHUTOFF", "ACTIVE")
