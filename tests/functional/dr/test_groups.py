"""Groups at their source site: VMs that cannot be protected are refused with the VM, the
volume and the reason; readiness at the target site explains every condition that fails."""

from __future__ import annotations

import time

import grpc
import pytest

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from simulators.flasharray.control_client import SimulatorControl
from tests.functional.dr.twosite import (
    TENANT,
    make_vm,
    project,
    protect,
    region_control,
    rpo,
)
from tools import tenant_vms


def add(sites, lab, group, vm) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        sites["site-a"].orchestrator.AddVm(
            opb.AddVmRequest(project_id=project(lab), group_id=group.id, server_id=vm.id, tier=1)
        )
    return refused.value


def test_vms_that_cannot_be_protected_are_refused_with_the_vm_volume_and_reason(
    sites, lab, tenant_network
):
    a = sites["site-a"].orchestrator
    group = a.CreateFailoverGroup(
        opb.CreateFailoverGroupRequest(
            project_id=project(lab),
            name="refusals",
            replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
            target_site="site-b",
            rpo_target=rpo(60),
            target_token=tenant_vms.token(lab, "site-b", TENANT),
        )
    )
    plain = make_vm(lab, tenant_network, "standard", volumes=1, name="plain-vm")
    refused = add(sites, lab, group, plain)
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert refused.details().startswith(f"VM plain-vm ({plain.id}), volume ")
    assert "its type standard does not replicate" in refused.details()

    synced = make_vm(lab, tenant_network, "sync", volumes=1, name="sync-vm")
    refused = add(sites, lab, group, synced)
    assert (
        "its type tenant4-sync replicates sync, and group refusals replicates async"
        in refused.details()
    )

    taken = make_vm(lab, tenant_network, "async", volumes=1, name="taken-vm")
    protect(sites, lab, "async", [taken])
    refused = add(sites, lab, group, taken)
    assert refused.details().startswith(f"VM taken-vm ({taken.id}): it is in failover group group-")

    unchanged = a.GetFailoverGroup(
        opb.GetFailoverGroupRequest(project_id=project(lab), group_id=group.id)
    )
    assert list(unchanged.vms) == []
    # With no VM, nothing of the group replicates yet: said so, not a missing field.
    with pytest.raises(grpc.RpcError) as empty:
        a.GetReplicationHealth(
            opb.GetReplicationHealthRequest(project_id=project(lab), group_id=group.id)
        )
    assert empty.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert empty.value.details() == (
        "group refusals protects no VM yet, so nothing of it replicates: add a VM to it first"
    )


def test_bad_group_requests_name_the_field(sites, lab):
    a = sites["site-a"].orchestrator
    cases = [
        (
            opb.CreateFailoverGroupRequest(project_id=project(lab), name="x", target_site="site-b"),
            "replication_type: must be ASYNC or SYNC",
        ),
        (
            opb.CreateFailoverGroupRequest(
                project_id=project(lab),
                name="x",
                replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
                target_site="site-b",
            ),
            "rpo_target: is required for an async group",
        ),
        (
            opb.CreateFailoverGroupRequest(
                project_id=project(lab),
                name="x",
                replication_type=types_pb2.REPLICATION_TYPE_SYNC,
                target_site="site-z",
            ),
            "target_site: 'site-z' is not a peer site (peers: site-b)",
        ),
    ]
    for request, message in cases:
        with pytest.raises(grpc.RpcError) as refused:
            a.CreateFailoverGroup(request)
        assert (refused.value.code(), refused.value.details()) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            message,
        )


def test_readiness_says_ready_and_then_explains_every_condition_that_fails(
    sites, lab, tenant_network
):
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(sites, lab, "async", [vm])
    at_b, b = project(lab, "site-b"), sites["site-b"]
    request = opb.GetReadinessRequest(project_id=at_b, group_id=group.id)
    ready = b.orchestrator.GetReadiness(request)
    assert ready.failover_ready, ready
    assert {c.name for c in ready.checks} == {
        "replicated_within_rpo",
        "metadata_replicated",
        "target_quota",
    }
    assert {c.name for c in ready.vms[0].checks} == {
        "metadata_replicated",
        "eligible",
        "network_mapping",
        "flavor_mapping",
    }

    settings = b.settings["orchestrator"]
    control = SimulatorControl(lab.flasharrays.control_url)
    b.stop_service("orchestrator")
    b.settings["orchestrator"] = settings.model_copy(
        update={"external_networks": {"public": "internet"}}
    )
    b.start_service("orchestrator")
    region_control(lab, "site-b", "PUT", f"quotas/{at_b}", instances=0)
    control.set_link("array-a", "array-b", up=False)
    try:
        time.sleep(4.5)  # past the group's RPO target of 4 s
        readiness = b.orchestrator.GetReadiness(request)
    finally:
        control.set_link("array-a", "array-b", up=True)
        control.close()
        region_control(lab, "site-b", "PUT", f"quotas/{at_b}")
        b.stop_service("orchestrator")
        b.settings["orchestrator"] = settings
        b.start_service("orchestrator")

    assert not readiness.failover_ready
    failing = {c.name: c.reason for c in readiness.checks if not c.ok}
    failing.update({c.name: c.reason for c in readiness.vms[0].checks if not c.ok})
    assert set(failing) == {"replicated_within_rpo", "target_quota", "network_mapping"}
    assert failing["target_quota"].startswith("instances: needs 1, 0 free")
    assert (
        failing["network_mapping"] == "router dr-edge: this site has no external network internet"
    )
    assert "old; the target is 4 s" in failing["replicated_within_rpo"]


def test_every_vm_is_listed_with_its_protection_or_every_reason_it_cannot_have_one(
    sites, lab, tenant_network
):
    plain = make_vm(lab, tenant_network, "standard", volumes=1, name="listed-plain")
    synced = make_vm(lab, tenant_network, "sync", volumes=1, name="listed-sync")
    kept = make_vm(lab, tenant_network, "async", volumes=2, name="listed-async")
    group = protect(sites, lab, "async", [kept])

    listed = sites["site-a"].orchestrator.ListVms(opb.ListVmsRequest(project_id=project(lab)))
    shown = {v.server_id: v for v in listed.vms}
    names = [v.name for v in listed.vms]
    assert names == sorted(names)

    assert shown[kept.id].state == opb.VM_PROTECTION_STATE_PROTECTED
    assert (shown[kept.id].group_id, shown[kept.id].group_name) == (group.id, group.name)
    assert shown[kept.id].tier == 1
    assert shown[synced.id].state == opb.VM_PROTECTION_STATE_ELIGIBLE
    assert list(shown[synced.id].eligible_for) == [types_pb2.REPLICATION_TYPE_SYNC]
    assert list(shown[synced.id].reasons) == []
    assert shown[plain.id].state == opb.VM_PROTECTION_STATE_NOT_ELIGIBLE
    volume = plain.attached_volumes[0]["id"]
    # Every reason for each replication type, as adding it to such a group would give them.
    assert list(shown[plain.id].reasons) == [
        f"{kind}: volume {volume}: {reason}"
        for kind in ("async", "sync")
        for reason in (
            "its type standard does not replicate",
            "Cinder does not say which array holds it",
            *(["it is not in an ActiveCluster pod"] if kind == "sync" else []),
        )
    ]

    # Paged, every VM once.
    first = sites["site-a"].orchestrator.ListVms(
        opb.ListVmsRequest(project_id=project(lab), page=types_pb2.PageRequest(page_size=1))
    )
    assert len(first.vms) == 1 and first.next_page_token == "1"
