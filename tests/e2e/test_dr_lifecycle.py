"""The whole DR lifecycle of a group, with every draas service of both sites as its own process
(site A on SQLite, site B on PostgreSQL): from site A to site B (planned failover), writes at
B, reprotect at B (by retype, or by managing the volumes again under the replicated type),
failback to A. Every write survives (checked against the arrays' write journals), and no VM
ever ran at both sites at once (checked against both clouds' record of when each server ran).
Requests the group's state does not allow are refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.functional.dr.twosite import (
    TENANT,
    finished,
    key,
    listing,
    make_network,
    make_vm,
    project,
    protect,
    region_control,
    volumes_of,
    wait_for,
)
from tests.functional.lab import tenant_connection
from tools.process_sites import ProcessSite, running_process_sites

REPLICATION = {"async": types_pb2.REPLICATION_TYPE_ASYNC, "sync": types_pb2.REPLICATION_TYPE_SYNC}
METHODS = {"retype": opb.REPROTECT_METHOD_RETYPE, "volume-type": opb.REPROTECT_METHOD_VOLUME_TYPE}


@pytest.fixture(scope="module")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def sites(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, ProcessSite]]:
    state = tmp_path_factory.mktemp("lifecycle")
    with (
        mixed_site_databases(state) as databases,
        running_process_sites(lab, state, databases) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def tenant_network(lab):
    return make_network(lab)


@pytest.fixture
def control(lab) -> Iterator[SimulatorControl]:
    made = SimulatorControl(lab.flasharrays.control_url)
    yield made
    made.close()


@pytest.fixture
def writes(lab):
    """Sets where running servers write to their volumes (20 writes a second); none after."""

    def at(site: str) -> None:
        for each in ("site-a", "site-b"):
            rate = 20 if each == site else 0
            region_control(lab, each, "PUT", "write_rate", writes_per_second=rate)

    yield at
    at("")


def run(stub, at: str, started: opb.Operation) -> tuple[opb.Operation, opb.Report]:
    done = finished(stub, at, started.id)
    report = stub.GetReport(opb.GetReportRequest(project_id=at, operation_id=done.id))
    assert done.state == opb.OPERATION_STATE_SUCCEEDED, (done.error, report)
    return done, report


def server_runs(lab, site: str) -> dict[str, list[list[float | None]]]:
    runs = httpx.get(f"{lab.regions[site].control_url}/_sim/server_runs").json()
    return {server_id: found["runs"] for server_id, found in runs.items()}


def assert_never_at_both_sites(lab, lineages: list[dict[str, list[str]]]) -> None:
    """No server of a VM's lineage ran at one site while another ran at the other."""
    runs = {site: server_runs(lab, site) for site in ("site-a", "site-b")}
    now = time.time()
    for lineage in lineages:
        at_a = [r for s in lineage["site-a"] for r in runs["site-a"][s]]
        at_b = [r for s in lineage["site-b"] for r in runs["site-b"][s]]
        assert at_a and at_b
        for start_a, stop_a in at_a:
            for start_b, stop_b in at_b:
                overlap = min(stop_a or now, stop_b or now) - max(start_a, start_b)
                assert overlap <= 0, f"{lineage} ran at both sites for {overlap:.3f} s"


def assert_same_data(control, held: tuple[str, dict[str, str]], copy: tuple[str, dict[str, str]]):
    (held_array, held_volumes), (copy_array, copy_volumes) = held, copy
    assert sorted(held_volumes) == sorted(copy_volumes)
    counts = {}
    for name, volume in held_volumes.items():
        source = control.volume_data(held_array, volume)
        recovered = control.volume_data(copy_array, copy_volumes[name])
        assert (recovered["count"], recovered["digest"]) == (source["count"], source["digest"])
        counts[name] = source["count"]
    return counts


def fail_over_to_b(b, at_b: str, group) -> tuple[opb.Operation, opb.Report]:
    """A planned, quiesced failover of the group to site B, which must succeed."""
    request = opb.StartFailoverRequest(
        project_id=at_b,
        group_id=group.id,
        idempotency_key=key(),
        mode=opb.FAILOVER_MODE_PLANNED,
        quiesce=True,
    )
    return run(b, at_b, b.StartFailover(request))


def reprotection(project_id: str, group, kind: str, method: str, **extra):
    """A reprotect that makes the group replicate `kind`."""
    return opb.StartReprotectRequest(
        project_id=project_id,
        group_id=group.id,
        idempotency_key=key(),
        method=METHODS[method],
        target_replication_type=REPLICATION[kind],
        **extra,
    )


def refused(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call(request)
    return raised.value


@pytest.mark.parametrize(
    ("kind", "method", "target"),
    [
        ("async", "retype", "async"),
        ("sync", "retype", "sync"),
        ("async", "volume-type", "async"),
        ("sync", "volume-type", "sync"),
        # Protected back synchronously: the pod stretched from site B to site A.
        ("async", "volume-type", "sync"),
    ],
)
def test_a_group_goes_to_site_b_and_back_losing_no_write_and_never_running_twice(
    sites, lab, tenant_network, control, writes, kind, method, target
):
    a, b = sites["site-a"].orchestrator, sites["site-b"].orchestrator
    at_a, at_b = project(lab), project(lab, "site-b")
    vms = [make_vm(lab, tenant_network, kind), make_vm(lab, tenant_network, kind, volumes=1)]
    writes("site-a")
    group = protect(sites, lab, kind, vms)
    time.sleep(0.3)
    originals = volumes_of(lab, "site-a", [vm.id for vm in vms])
    networks_at_a = _networks(lab, "site-a")

    # Reprotect is refused while the group is protected; failback too.
    wrong = refused(b.StartReprotect, reprotection(at_b, group, kind, method))
    assert wrong.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (
        "is protected" in wrong.details() and "allowed: test failover at site-b" in wrong.details()
    )

    _, failover = fail_over_to_b(b, at_b, group)
    at_b_ids = [vm.recovered_server_id for vm in failover.vms]
    first = assert_same_data(
        control, ("array-a", originals), ("array-b", volumes_of(lab, "site-b", at_b_ids))
    )

    # Failed over: a failback or another failover is refused, and says what is allowed.
    for call, request in [
        (a.StartFailback, opb.StartFailbackRequest(project_id=at_a, group_id=group.id)),
        (
            b.StartFailover,
            opb.StartFailoverRequest(
                project_id=at_b, group_id=group.id, mode=opb.FAILOVER_MODE_UNPLANNED
            ),
        ),
    ]:
        request.idempotency_key = key()
        wrong = refused(call, request)
        assert wrong.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "is failed over" in wrong.details()
        assert "allowed: reprotect at site-b" in wrong.details()
    volume_type = refused(
        b.StartReprotect, reprotection(at_b, group, target, method, volume_type="pure")
    )
    assert volume_type.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"types that do: {TENANT}-{target}" in volume_type.details()

    conn_b = tenant_connection(lab, "site-b", TENANT)
    ports_before = {s: _ports(conn_b, s) for s in at_b_ids}
    reprotected, reprotect = run(
        b, at_b, b.StartReprotect(reprotection(at_b, group, target, method))
    )
    assert reprotected.kind == opb.OPERATION_KIND_REPROTECT
    # By retype the servers stay; by volume type each is booted again on its own ports.
    moved = {vm.server_id: vm.recovered_server_id or vm.server_id for vm in reprotect.vms}
    if method == "retype":
        assert not moved
    else:
        assert sorted(moved) == sorted(at_b_ids) and not set(moved.values()) & set(at_b_ids)
        assert {moved[s]: _ports(conn_b, moved[s]) for s in at_b_ids} == {
            moved[s]: ports for s, ports in ports_before.items()
        }
    at_b_ids = [moved.get(s, s) for s in at_b_ids]
    protected = b.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id))
    assert (
        protected.state,
        protected.source_site,
        protected.target_site,
        protected.replication_type,
    ) == (opb.GROUP_STATE_PROTECTED, "site-b", "site-a", REPLICATION[target])
    # The old VMs, their ports and their volumes are gone from site A.
    conn_a = tenant_connection(lab, "site-a", TENANT)
    assert not {s.id for s in conn_a.compute.servers()} & {vm.id for vm in vms}
    assert not {v.name for v in conn_a.block_storage.volumes()} & set(originals)
    writes("site-b")
    at_b_volumes = volumes_of(lab, "site-b", at_b_ids)
    assert {conn_b.block_storage.get_volume(v).volume_type for v in _ids(conn_b, at_b_ids)} == {
        f"{TENANT}-{target}"
    }
    for name, volume in at_b_volumes.items():  # writes at site B
        wait_for(lambda v=volume, n=name: control.volume_data("array-b", v)["count"] > first[n])

    failed_back, failback = run(
        a,
        at_a,
        a.StartFailback(
            opb.StartFailbackRequest(project_id=at_a, group_id=group.id, idempotency_key=key())
        ),
    )
    assert failed_back.kind == opb.OPERATION_KIND_FAILBACK
    home = a.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_a, group_id=group.id))
    assert (home.state, home.source_site, home.target_site) == (
        opb.GROUP_STATE_PROTECTED,
        "site-a",
        "site-b",
    )
    at_a_ids = [vm.recovered_server_id for vm in failback.vms]
    assert sorted(vm.server_id for vm in home.vms) == sorted(at_a_ids)
    back = volumes_of(lab, "site-a", at_a_ids)
    second = assert_same_data(control, ("array-b", at_b_volumes), ("array-a", back))
    assert all(second[name] > first[name] for name in first), "site B's writes came back"
    assert {conn_a.block_storage.get_volume(v).volume_type for v in _ids(conn_a, at_a_ids)} == {
        f"{TENANT}-{target}"
    }
    assert not {s.id for s in conn_b.compute.servers()} & set(at_b_ids)

    lineages = []
    for vm, at_b_id in zip(failover.vms, at_b_ids, strict=True):
        returned = next(v for v in failback.vms if v.server_id == at_b_id)
        lineages.append(
            {
                "site-a": [vm.server_id, returned.recovered_server_id],
                "site-b": sorted({vm.recovered_server_id, at_b_id}),
            }
        )
    assert_never_at_both_sites(lab, lineages)
    # Home again on its own networks; site B keeps one copy of them, however many trips.
    assert _networks(lab, "site-a") == networks_at_a
    at_b_names = [n.name for n in tenant_connection(lab, "site-b", TENANT).network.networks()]
    assert len(at_b_names) == len(set(at_b_names))
    assert reprotect.group_steps and failback.group_steps


def _networks(lab, site: str) -> dict[str, list[str]]:
    found = listing(lab, site)
    return {k: found[k] for k in ("networks", "subnets", "routers", "security_groups")}


def _ports(conn, server_id: str) -> list[tuple[str, list[str]]]:
    return sorted(
        (p.id, sorted(ip["ip_address"] for ip in p.fixed_ips))
        for p in conn.network.ports(device_id=server_id)
    )


def _ids(conn, server_ids: list[str]) -> list[str]:
    return [a.volume_id for s in server_ids for a in conn.compute.volume_attachments(s)]


def test_a_reprotect_whose_orchestrator_is_killed_finishes_after_a_restart_making_nothing_twice(
    sites, lab, tenant_network
):
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    vms = [make_vm(lab, tenant_network, "async", volumes=1, name=f"cut-{i}") for i in range(4)]
    group = protect(sites, lab, "async", vms)
    _, failover = fail_over_to_b(b, at_b, group)
    names = sorted(vm.name for vm in vms)
    region_control(lab, "site-b", "PUT", "boot_time", seconds=1.5)
    try:
        started = b.StartReprotect(reprotection(at_b, group, "async", "volume-type"))
        request = opb.GetOperationRequest(project_id=at_b, operation_id=started.id)

        def booting_again() -> bool:
            steps = [s for vm in b.GetOperation(request).vms for s in vm.steps]
            return any(s.name == "boot_again" and s.state == opb.STEP_STATE_RUNNING for s in steps)

        wait_for(booting_again, timeout=60)
        killed = sites["site-b"].processes["orchestrator"].process
        killed.kill()
        assert killed.wait(10) == -9
        sites["site-b"].start_again("orchestrator").wait_until_serving(60)
        done = finished(b, at_b, started.id)
    finally:
        region_control(lab, "site-b", "PUT", "boot_time", seconds=0.05)

    report = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=done.id))
    assert done.state == opb.OPERATION_STATE_SUCCEEDED, (done.error, report)
    assert [s for vm in done.vms for s in vm.steps if s.attempts > 1], "a step was run again"
    conn_b = tenant_connection(lab, "site-b", TENANT)
    servers = [s for s in conn_b.compute.servers() if s.name in names]
    assert sorted(s.name for s in servers) == names, "one server per VM"
    volumes = [v for v in conn_b.block_storage.volumes() if v.name.split("-disk")[0] in names]
    assert len(volumes) == len(vms) and {v.volume_type for v in volumes} == {f"{TENANT}-async"}
    assert {s.id for s in servers} == {vm.recovered_server_id for vm in report.vms}
    assert not {s.id for s in servers} & {vm.recovered_server_id for vm in failover.vms}
    group_now = b.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id))
    assert group_now.state == opb.GROUP_STATE_PROTECTED
    assert sorted(vm.server_id for vm in group_now.vms) == sorted(s.id for s in servers)
