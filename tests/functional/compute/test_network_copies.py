"""Removing the network copies a failover made at site B (RemoveNetworkCopies): only what draas
marked, only what nothing uses, in an order Neutron accepts; what stays is named with why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import grpc
import openstack
import pytest

from draas.compute.v1 import compute_pb2 as pb
from tests.functional.lab import tenant_connection

T = pb.ResourceType
TENANT = "tenant3"


@dataclass
class Copies:
    """One failover's copies at site B of a network behind a router, and a security group."""

    network: pb.Network
    subnet: pb.Subnet
    router: pb.Router
    group: pb.SecurityGroup
    # A port the failover made that no server took.
    port: pb.Port

    def refs(self) -> list[pb.ResourceRef]:
        return [
            pb.ResourceRef(type=T.RESOURCE_TYPE_ROUTER, id=self.router.id),
            pb.ResourceRef(type=T.RESOURCE_TYPE_SUBNET, id=self.subnet.id),
            pb.ResourceRef(type=T.RESOURCE_TYPE_NETWORK, id=self.network.id),
            pb.ResourceRef(type=T.RESOURCE_TYPE_SECURITY_GROUP, id=self.group.id),
        ]


def rebuilt(compute: Any, project: str, third_octet: int) -> Copies:
    """What a failover's EnsureNetwork... calls make at site B from one network of site A."""
    operation, tag = f"fo-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:6]
    cidr, gateway = f"10.6{third_octet}.0.0/24", f"10.6{third_octet}.0.1"
    network = compute.EnsureNetwork(
        pb.EnsureNetworkRequest(
            project_id=project,
            source=pb.Network(id=f"n-{tag}", name=f"net-{tag}", admin_state_up=True),
            operation_id=operation,
        )
    )
    subnet = compute.EnsureSubnet(
        pb.EnsureSubnetRequest(
            project_id=project,
            source=pb.Subnet(
                id=f"s-{tag}",
                name=f"subnet-{tag}",
                network_id=f"n-{tag}",
                cidr=cidr,
                ip_version=4,
                gateway_ip=gateway,
                enable_dhcp=True,
            ),
            network_id=network.id,
            operation_id=operation,
        )
    )
    router = compute.EnsureRouter(
        pb.EnsureRouterRequest(
            project_id=project,
            source=pb.Router(
                id=f"r-{tag}",
                name=f"edge-{tag}",
                interfaces=[pb.RouterInterface(subnet_id=f"s-{tag}")],
                external_network_name="public",
            ),
            subnet_ids={f"s-{tag}": subnet.id},
            external_network_name="public",
            operation_id=operation,
        )
    )
    group = compute.EnsureSecurityGroup(
        pb.EnsureSecurityGroupRequest(
            project_id=project,
            source=pb.SecurityGroup(
                id=f"g-{tag}",
                name=f"app-{tag}",
                rules=[
                    pb.SecurityGroupRule(
                        direction="ingress",
                        ethertype="IPv4",
                        protocol="tcp",
                        port_range_min=8080,
                        port_range_max=8080,
                        remote_group_id=f"g-{tag}",
                    )
                ],
            ),
            operation_id=operation,
        )
    ).group
    port = compute.EnsurePort(
        pb.EnsurePortRequest(
            project_id=project,
            source=pb.Port(
                id=f"p-{tag}",
                name=f"port-{tag}",
                network_id=f"n-{tag}",
                fixed_ips=[pb.FixedIp(subnet_id=f"s-{tag}", ip_address=cidr[:-4] + "20")],
                security_group_ids=[f"g-{tag}"],
            ),
            network_id=network.id,
            subnet_ids={f"s-{tag}": subnet.id},
            security_group_ids=[group.id],
            operation_id=operation,
        )
    ).port
    return Copies(network, subnet, router, group, port)


def named(kind: int, resource: Any, reason: str = "") -> tuple[int, str, str, str]:
    return (kind, resource.id, resource.name, reason)


def outcome(items: Any) -> set[tuple[int, str, str, str]]:
    return {(r.type, r.id, r.name, r.reason) for r in items}


@pytest.fixture
def project(lab) -> str:
    return lab.regions["site-b"].project_id(TENANT)


def test_free_copies_go_in_order_with_their_gateway_and_leftover_ports_and_a_repeat_finds_none(
    compute, lab, project
):
    conn = tenant_connection(lab, "site-b", TENANT)
    admin = openstack.connect(
        load_yaml_config=False, load_envvars=False, **lab.regions["site-b"].cloud()
    )
    copies = rebuilt(compute["site-b"], project, 1)
    owners = {p.device_owner for p in admin.network.ports(device_id=copies.router.id)}
    assert owners == {"network:router_interface", "network:router_gateway"}
    request = pb.RemoveNetworkCopiesRequest(project_id=project, resources=copies.refs())

    done = compute["site-b"].RemoveNetworkCopies(request)

    assert outcome(done.removed) == {
        named(T.RESOURCE_TYPE_ROUTER, copies.router),
        named(T.RESOURCE_TYPE_PORT, copies.port),
        named(T.RESOURCE_TYPE_SUBNET, copies.subnet),
        named(T.RESOURCE_TYPE_NETWORK, copies.network),
        named(T.RESOURCE_TYPE_SECURITY_GROUP, copies.group),
    }
    assert [r.type for r in done.removed][:2] == [T.RESOURCE_TYPE_ROUTER, T.RESOURCE_TYPE_PORT]
    assert not done.kept and not done.absent
    assert conn.network.find_network(copies.network.id) is None
    assert conn.network.find_router(copies.router.id) is None
    assert not list(admin.network.ports(device_id=copies.router.id)), "its public address is free"

    again = compute["site-b"].RemoveNetworkCopies(request)
    assert not again.removed and not again.kept
    assert {(r.type, r.id) for r in again.absent} == {(r.type, r.id) for r in copies.refs()}


def test_what_the_tenant_made_what_is_needed_and_what_is_in_use_stays_with_the_reason(
    compute, lab, project
):
    conn = tenant_connection(lab, "site-b", TENANT)
    used, needed = rebuilt(compute["site-b"], project, 2), rebuilt(compute["site-b"], project, 3)
    named_by_rule = (
        compute["site-b"]
        .EnsureSecurityGroup(
            pb.EnsureSecurityGroupRequest(
                project_id=project,
                source=pb.SecurityGroup(id=f"g-{uuid.uuid4().hex[:6]}", name="db"),
                operation_id=f"fo-{uuid.uuid4().hex[:8]}",
            )
        )
        .group
    )
    # The tenant's own network, its port on a copy (with a floating IP through the copied
    # router), and its group with a rule naming a copied one.
    own = conn.network.create_network(name="tenants-own")
    tenant_port = conn.network.create_port(network_id=used.network.id, name="tenants-port")
    public = conn.network.find_network("public")
    floating = conn.network.create_ip(floating_network_id=public.id, port_id=tenant_port.id)
    naming = conn.network.create_security_group(name="tenants-group")
    conn.network.create_security_group_rule(
        security_group_id=naming.id,
        direction="ingress",
        ethertype="IPv4",
        remote_group_id=named_by_rule.id,
    )
    missing = str(uuid.uuid4())
    request = pb.RemoveNetworkCopiesRequest(
        project_id=project,
        resources=[
            *used.refs(),
            *needed.refs(),
            pb.ResourceRef(type=T.RESOURCE_TYPE_SECURITY_GROUP, id=named_by_rule.id),
            pb.ResourceRef(type=T.RESOURCE_TYPE_NETWORK, id=own.id),
            pb.ResourceRef(type=T.RESOURCE_TYPE_NETWORK, id=missing),
        ],
        needed={r.id: "group g2 uses it" for r in needed.refs()},
    )
    try:
        done = compute["site-b"].RemoveNetworkCopies(request)

        assert not done.removed
        assert outcome(done.kept) == {
            named(
                T.RESOURCE_TYPE_ROUTER,
                used.router,
                f"floating IP {floating.floating_ip_address} is in use through it",
            ),
            named(
                T.RESOURCE_TYPE_SUBNET,
                used.subnet,
                f"in use by port {tenant_port.id} (attached to nothing)",
            ),
            named(
                T.RESOURCE_TYPE_NETWORK,
                used.network,
                f"its subnet {used.subnet.id} ({used.subnet.name}) stays",
            ),
            # The port the failover made stays with its subnet, and holds its group.
            named(
                T.RESOURCE_TYPE_SECURITY_GROUP,
                used.group,
                f"in use by port {used.port.id} (attached to nothing)",
            ),
            named(
                T.RESOURCE_TYPE_SECURITY_GROUP,
                named_by_rule,
                f"a rule of security group {naming.id} (tenants-group) refers to it",
            ),
            *(
                named(kind, resource, "group g2 uses it")
                for kind, resource in (
                    (T.RESOURCE_TYPE_ROUTER, needed.router),
                    (T.RESOURCE_TYPE_SUBNET, needed.subnet),
                    (T.RESOURCE_TYPE_NETWORK, needed.network),
                    (T.RESOURCE_TYPE_SECURITY_GROUP, needed.group),
                )
            ),
        }
        assert outcome(done.not_copies) == {named(T.RESOURCE_TYPE_NETWORK, own)}
        assert [(r.type, r.id) for r in done.absent] == [(T.RESOURCE_TYPE_NETWORK, missing)]
        assert conn.network.get_router(used.router.id).external_gateway_info
        assert conn.network.find_port(used.port.id) is not None
        assert conn.network.find_port(needed.port.id) is not None, "a needed network's ports stay"
    finally:
        conn.network.delete_ip(floating)
        conn.network.delete_port(tenant_port)
        conn.network.delete_security_group(naming)
        conn.network.delete_network(own)


def test_only_network_resources_are_taken(compute, project):
    with pytest.raises(grpc.RpcError) as refused:
        compute["site-b"].RemoveNetworkCopies(
            pb.RemoveNetworkCopiesRequest(
                project_id=project, resources=[pb.ResourceRef(type=T.RESOURCE_TYPE_SERVER, id="x")]
            )
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "resources[0]" in refused.value.details()
