"""A tenant's VMs on the simulated lab, made the way a tenant makes them (openstacksdk, the
tenant's own credentials): a network behind a router to the outside with a security group, and
VMs booted from volumes of a chosen type. For the demo, `make up`, tests and benchmarks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import openstack

from simulators.lab import USER_PASSWORD, TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID

IMAGE = CIRROS_IMAGE_ID
WAIT_SECONDS = 60


@dataclass
class TenantNetwork:
    network: Any
    subnet: Any
    router: Any
    security_group: Any


def connect(lab: TwoSiteLab, site: str, tenant: str) -> Any:
    """The tenant's member user, scoped to its project, at a site."""
    return openstack.connect(
        load_yaml_config=False,
        load_envvars=False,
        **lab.regions[site].cloud(f"{tenant}-user", USER_PASSWORD, tenant),
    )


def token(lab: TwoSiteLab, site: str, tenant: str) -> str:
    """A Keystone token of the tenant's member user at a site, scoped to its project there:
    what proves the tenant holds that project when its project at another site is linked."""
    return str(connect(lab, site, tenant).auth_token)


def make_network(conn: Any, cidr: str, prefix: str) -> TenantNetwork:
    """A subnet behind a router to the external network `public`, and a security group whose
    rule names itself (an app tier reachable from its own members on 8080)."""
    network = conn.network.create_network(name=f"{prefix}-net")
    subnet = conn.network.create_subnet(
        network_id=network.id, cidr=cidr, ip_version=4, name=f"{prefix}-subnet"
    )
    public = conn.network.find_network("public")
    router = conn.network.create_router(
        name=f"{prefix}-edge", external_gateway_info={"network_id": public.id}
    )
    conn.network.add_interface_to_router(router, subnet=subnet.id)
    group = conn.network.create_security_group(name=f"{prefix}-app", description="app tier")
    conn.network.create_security_group_rule(
        security_group_id=group.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=8080,
        port_range_max=8080,
        ethertype="IPv4",
        remote_group_id=group.id,
    )
    return TenantNetwork(network, subnet, router, group)


def make_vm(
    conn: Any,
    net: TenantNetwork,
    volume_type: str,
    volumes: int = 2,
    name: str = "",
    flavor: str = "2",
) -> Any:
    """A running VM: `volumes` volumes of the type (the first bootable, from the image), one
    port in the network's security group. Returns the server once it is ACTIVE."""
    name = name or f"vm-{uuid.uuid4().hex[:6]}"
    made = [
        conn.block_storage.create_volume(
            size=1 + i,
            volume_type=volume_type,
            image_id=IMAGE if i == 0 else None,
            name=f"{name}-disk{i}",
        )
        for i in range(volumes)
    ]
    made = [
        conn.block_storage.wait_for_status(v, "available", interval=0.02, wait=WAIT_SECONDS)
        for v in made
    ]
    port = conn.network.create_port(
        network_id=net.network.id, security_group_ids=[net.security_group.id]
    )
    server = conn.compute.create_server(
        name=name,
        flavor_id=flavor,
        networks=[{"port": port.id}],
        metadata={"app": name},
        block_device_mapping=[
            {
                "boot_index": 0 if i == 0 else -1,
                "uuid": v.id,
                "source_type": "volume",
                "destination_type": "volume",
                "delete_on_termination": False,
            }
            for i, v in enumerate(made)
        ],
    )
    return conn.compute.wait_for_server(server, interval=0.02, wait=WAIT_SECONDS)
