"""After a failback, the network copies the failover made at the site the group came back from
(network, subnet, router with its gateway's public address, security group) are removed and
listed in the failback's report, unless another group of the project there still uses them or
a tenant's port is on them: then they stay, each listed as kept with the reason."""

from __future__ import annotations

import uuid
from typing import Any

import openstack

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from simulators.lab import TwoSiteLab
from tests.functional.dr.twosite import TENANT, finished, key, make_vm, project, protect
from tests.functional.lab import tenant_connection
from tools import tenant_vms
from tools.stack import Site
from tools.tenant_vms import TenantNetwork

KINDS = ("router", "subnet", "network", "security group")


def own_network(lab: TwoSiteLab, cidr: str) -> TenantNetwork:
    """A network of tenant4's at site A that no other test's VMs use."""
    conn = tenant_connection(lab, "site-a", TENANT)
    return tenant_vms.make_network(conn, cidr, f"nc{uuid.uuid4().hex[:4]}")


def run(stub: Any, at: str, started: opb.Operation) -> opb.Report:
    done = finished(stub, at, started.id)
    report = stub.GetReport(opb.GetReportRequest(project_id=at, operation_id=done.id))
    assert done.state == opb.OPERATION_STATE_SUCCEEDED, (done.error, report)
    return report


def fail_over(sites: dict[str, Site], lab: TwoSiteLab, group: Any) -> opb.Report:
    """A planned failover of the group to site B."""
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    request = opb.StartFailoverRequest(
        project_id=at_b,
        group_id=group.id,
        idempotency_key=key(),
        mode=opb.FAILOVER_MODE_PLANNED,
        quiesce=True,
    )
    return run(b, at_b, b.StartFailover(request))


def reprotect(sites: dict[str, Site], lab: TwoSiteLab, group: Any) -> opb.Report:
    """At site B, protected back to site A. Site A's networks are the tenant's own: they stay,
    and are not even named."""
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    request = opb.StartReprotectRequest(
        project_id=at_b,
        group_id=group.id,
        idempotency_key=key(),
        method=opb.REPROTECT_METHOD_RETYPE,
        target_replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
    )
    report = run(b, at_b, b.StartReprotect(request))
    assert not report.kept
    assert not [r for r in report.removed if r.startswith(KINDS)]
    return report


def fail_back(sites: dict[str, Site], lab: TwoSiteLab, group: Any) -> opb.Report:
    a, at_a = sites["site-a"].orchestrator, project(lab)
    request = opb.StartFailbackRequest(project_id=at_a, group_id=group.id, idempotency_key=key())
    return run(a, at_a, a.StartFailback(request))


def copies_at_b(lab: TwoSiteLab, net: TenantNetwork) -> dict[str, list[Any]]:
    """What draas made at site B from the network's resources at site A, by kind."""
    conn = tenant_connection(lab, "site-b", TENANT)
    sources = {
        "router": (conn.network.routers, net.router.id),
        "subnet": (conn.network.subnets, net.subnet.id),
        "network": (conn.network.networks, net.network.id),
        "security group": (conn.network.security_groups, net.security_group.id),
    }
    return {
        kind: [
            r
            for r in lister()
            if (r.description or "").startswith("draas op=")
            and r.description.endswith(f" src={source}")
        ]
        for kind, (lister, source) in sources.items()
    }


def named(kind: str, resource: Any) -> str:
    return f"{kind} {resource.id} ({resource.name})"


def kept(report: opb.Report) -> dict[str, str]:
    """What the report says was kept: "<kind> <id> (<name>)" -> why."""
    return dict(line.split(": ", 1) for line in report.kept)


def test_a_failback_removes_the_network_copies_at_the_site_it_left_and_lists_them(sites, lab):
    net = own_network(lab, "10.41.0.0/24")
    group = protect(sites, lab, "async", [make_vm(lab, net, "async", volumes=1)])
    conn_a = tenant_connection(lab, "site-a", TENANT)

    fail_over(sites, lab, group)
    made = copies_at_b(lab, net)
    assert all(len(made[kind]) == 1 for kind in KINDS), made
    [router] = made["router"]
    assert router.external_gateway_info["external_fixed_ips"], "it holds a public address"
    reprotect(sites, lab, group)
    report = fail_back(sites, lab, group)

    assert copies_at_b(lab, net) == {kind: [] for kind in KINDS}
    admin_b = openstack.connect(
        load_yaml_config=False, load_envvars=False, **lab.regions["site-b"].cloud()
    )
    assert not list(admin_b.network.ports(device_id=router.id)), "its public address is free"
    assert {named(kind, made[kind][0]) for kind in KINDS} <= set(report.removed)
    assert not report.kept
    # Home, on the tenant's own networks, which stay.
    assert conn_a.network.get_router(net.router.id).external_gateway_info
    [back] = report.vms
    server = conn_a.compute.get_server(back.recovered_server_id)
    assert server.status == "ACTIVE"
    assert [p.network_id for p in conn_a.network.ports(device_id=server.id)] == [net.network.id]

    # A second trip: the reprotect at site B leaves site A's networks (the failback took the
    # tenant's own), and the failback removes the second copies at site B.
    fail_over(sites, lab, group)
    second = copies_at_b(lab, net)
    reprotect(sites, lab, group)
    assert conn_a.network.get_network(net.network.id).id == net.network.id
    assert conn_a.network.get_security_group(net.security_group.id).id == net.security_group.id
    report = fail_back(sites, lab, group)
    assert copies_at_b(lab, net) == {kind: [] for kind in KINDS}
    assert {named(kind, second[kind][0]) for kind in KINDS} <= set(report.removed)


def test_network_copies_stay_while_another_group_uses_them_or_a_tenant_port_is_on_them(sites, lab):
    net = own_network(lab, "10.42.0.0/24")
    first, second = (
        protect(sites, lab, "async", [make_vm(lab, net, "async", volumes=1)]) for _ in range(2)
    )
    conn_b = tenant_connection(lab, "site-b", TENANT)
    fail_over(sites, lab, first)
    running = fail_over(sites, lab, second).vms[0].recovered_server_id
    # The second failover found the first one's copies: one of each for both groups.
    made = copies_at_b(lab, net)
    assert all(len(made[kind]) == 1 for kind in KINDS), made

    reprotect(sites, lab, first)
    report = fail_back(sites, lab, first)

    assert copies_at_b(lab, net) == made
    assert kept(report) == {
        named(kind, made[kind][0]): f"failover group {second.name} runs here and uses it"
        for kind in KINDS
    }
    assert not [r for r in report.removed if r.startswith(KINDS)]
    assert conn_b.compute.get_server(running).status == "ACTIVE"

    # The tenant puts a port of its own on the copied network; then the second group goes home.
    port = conn_b.network.create_port(network_id=made["network"][0].id, name="tenant-port")
    try:
        reprotect(sites, lab, second)
        report = fail_back(sites, lab, second)

        left = copies_at_b(lab, net)
        assert left == {**made, "security group": []}
        assert named("security group", made["security group"][0]) in report.removed
        why = kept(report)
        subnet = made["subnet"][0]
        assert why == {
            named("subnet", subnet): f"in use by port {port.id} (attached to nothing)",
            named("network", made["network"][0]): f"its subnet {subnet.id} ({subnet.name}) stays",
            named("router", made["router"][0]): f"it routes subnet {subnet.id}, which stays",
        }
    finally:
        conn_b.network.delete_port(port.id)
