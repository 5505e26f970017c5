"""Tenant VMs, groups and operations on the two-site stack (tools/stack.py), for the DR tests
and the end-to-end tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import httpx
from google.protobuf.duration_pb2 import Duration

from draas.common.v1 import types_pb2
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from simulators.lab import ARRAYS, TwoSiteLab
from tests.functional.lab import array_client, tenant_connection
from tools import tenant_vms
from tools.stack import Site
from tools.tenant_vms import TenantNetwork

TENANT = "tenant4"
TERMINAL = {
    opb.OPERATION_STATE_SUCCEEDED,
    opb.OPERATION_STATE_PARTIALLY_SUCCEEDED,
    opb.OPERATION_STATE_FAILED,
    opb.OPERATION_STATE_COMPENSATED,
}


# Tenant VMs -------------------------------------------------------------------------------------


def make_network(lab: TwoSiteLab) -> TenantNetwork:
    """tenant4's network at site A: a subnet behind a router to the outside, a security
    group whose rule names itself."""
    return tenant_vms.make_network(tenant_connection(lab, "site-a", TENANT), "10.40.0.0/24", "dr")


def make_vm(
    lab: TwoSiteLab, net: TenantNetwork, kind: str, volumes: int = 2, name: str = ""
) -> Any:
    """A running VM of tenant4 at site A: `volumes` volumes of the tenant's `kind` type (the
    first bootable), one port in the app security group."""
    volume_type = f"{TENANT}-{kind}" if kind in ("async", "sync") else kind
    return tenant_vms.make_vm(
        tenant_connection(lab, "site-a", TENANT),
        net,
        volume_type,
        volumes,
        name or f"vm-{kind}-{uuid.uuid4().hex[:6]}",
    )


# Groups and operations ---------------------------------------------------------------------------


def project(lab: TwoSiteLab, site: str = "site-a") -> str:
    """tenant4's project id at a site (each site has its own Keystone)."""
    return lab.regions[site].project_id(TENANT)


def rpo(seconds: float) -> Duration:
    made = Duration()
    made.FromNanoseconds(int(seconds * 1e9))
    return made


def protect(
    sites: dict[str, Site],
    lab: TwoSiteLab,
    kind: str,
    vms: list[Any],
    tiers: list[int] | None = None,
) -> opb.FailoverGroup:
    """A group at site A of the VMs, replicated to site B, with its metadata at site B and (for
    async) a complete recovery point there."""
    a = sites["site-a"].orchestrator
    group = a.CreateFailoverGroup(
        opb.CreateFailoverGroupRequest(
            project_id=project(lab),
            name=f"group-{uuid.uuid4().hex[:6]}",
            replication_type=types_pb2.REPLICATION_TYPE_ASYNC
            if kind == "async"
            else types_pb2.REPLICATION_TYPE_SYNC,
            target_site="site-b",
            rpo_target=rpo(4.0) if kind == "async" else None,
            target_token=tenant_vms.token(lab, "site-b", TENANT),
        )
    )
    added = time.time()
    for vm, tier in zip(vms, tiers or [1] * len(vms), strict=True):
        # Adding a VM replicates at once: the point of the last one holds them all.
        added = time.time()
        group = a.AddVm(
            opb.AddVmRequest(project_id=project(lab), group_id=group.id, server_id=vm.id, tier=tier)
        )
    await_at_b(sites, lab, group, added)
    return group


def await_at_b(
    sites: dict[str, Site], lab: TwoSiteLab, group: opb.FailoverGroup, since: float
) -> None:
    """Until site B holds the group's metadata with every VM and (async) a complete recovery
    point taken at `since` (a time.time()) or later."""
    b = sites["site-b"].orchestrator
    request = opb.ListRecoveryPointsRequest(project_id=project(lab, "site-b"), group_id=group.id)
    wait_for(lambda: _replicated(sites, lab, group.id, len(group.vms)))
    if group.replication_type == types_pb2.REPLICATION_TYPE_ASYNC:
        wait_for(
            lambda: [
                p
                for p in b.ListRecoveryPoints(request).recovery_points
                if p.completed_at.seconds and p.created_at.ToMicroseconds() / 1e6 >= since
            ]
        )


def _replicated(sites: dict[str, Site], lab: TwoSiteLab, group_id: str, count: int) -> bool:
    try:
        bundle = sites["site-b"].metadata.GetRecoveryBundle(
            mpb.GetRecoveryBundleRequest(project_id=project(lab), group_id=group_id)
        )
    except grpc.RpcError:
        return False
    servers = [e for e in bundle.entities if e.key.kind == mpb.ENTITY_KIND_SERVER]
    return len(bundle.group.body["vms"]) == count and len(servers) == count


def wait_for(probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {probe}")
        time.sleep(0.05)


def finished(
    stub: orchestrator_pb2_grpc.OrchestratorServiceStub, project_id: str, operation_id: str
) -> opb.Operation:
    """The operation once it has ended (waiting through an orchestrator's restart)."""
    request = opb.GetOperationRequest(project_id=project_id, operation_id=operation_id)

    def ended() -> opb.Operation | None:
        found = stub.GetOperation(request, wait_for_ready=True, timeout=30)
        return found if found.state in TERMINAL else None

    return wait_for(ended, timeout=120)


def key() -> str:
    return f"req-{uuid.uuid4().hex[:10]}"


def listing(lab: TwoSiteLab, site: str) -> dict[str, list[str]]:
    """What tenant4 sees at a site, and the live volumes on its array."""
    conn = tenant_connection(lab, site, TENANT)
    live = array_client(lab, ARRAYS[site]).get_volumes(destroyed=False)
    return {
        "servers": sorted(s.id for s in conn.compute.servers()),
        "volumes": sorted(v.id for v in conn.block_storage.volumes()),
        "networks": sorted(n.id for n in conn.network.networks()),
        "subnets": sorted(s.id for s in conn.network.subnets()),
        "ports": sorted(p.id for p in conn.network.ports()),
        "routers": sorted(r.id for r in conn.network.routers()),
        "security_groups": sorted(g.id for g in conn.network.security_groups()),
        "server_groups": sorted(g.id for g in conn.compute.server_groups()),
        "key_pairs": sorted(k.name for k in conn.compute.keypairs()),
        "array_volumes": sorted(v.name for v in getattr(live, "items", [])),
    }


def region_control(lab: TwoSiteLab, site: str, method: str, path: str, **body: Any) -> None:
    httpx.request(
        method, f"{lab.regions[site].control_url}/_sim/{path}", json=body or None
    ).raise_for_status()


def volumes_of(lab: TwoSiteLab, site: str, server_ids: list[str]) -> dict[str, str]:
    """Each volume of tenant4's servers at a site (by name) with its array volume name."""
    conn = tenant_connection(lab, site, TENANT)
    found = {}
    for server_id in server_ids:
        for attachment in conn.compute.volume_attachments(server_id):
            volume = conn.block_storage.get_volume(attachment.volume_id)
            found[volume.name] = volume.metadata["array_volume_name"]
    return found
