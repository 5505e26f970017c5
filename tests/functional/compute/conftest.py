"""A tenant project in site A (on the shared lab) with three VMs to protect: vm-web (two async
volumes, web security group, key pair, server group), vm-app (on both networks) and vm-db (two
sync volumes, db security group whose rule names the web group), behind a router with an
external gateway."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from pypureclient import flasharray as fa

from simulators.lab import TwoSiteLab
from tests.functional.lab import PUBLIC_KEY, array_client, tenant_connection
from tools.tenant_vms import IMAGE


@dataclass
class SourceProject:
    project_id: str
    servers: dict[str, Any] = field(default_factory=dict)
    volumes: dict[str, list[Any]] = field(default_factory=dict)
    ports: dict[str, list[Any]] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    subnets: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Any] = field(default_factory=dict)
    router: Any = None
    server_group: Any = None


def _volume(conn: Any, vtype: str, size: int, boot: bool) -> Any:
    made = conn.block_storage.create_volume(
        size=size, volume_type=vtype, image_id=IMAGE if boot else None
    )
    return conn.block_storage.wait_for_status(made, "available", interval=0.02, wait=20)


@pytest.fixture(scope="package")
def source(lab: TwoSiteLab) -> SourceProject:
    conn = tenant_connection(lab, "site-a")
    project = SourceProject(lab.regions["site-a"].project_id("tenant1"))
    for name, cidr in (("app-net", "10.10.0.0/24"), ("db-net", "10.20.0.0/24")):
        project.networks[name] = conn.network.create_network(name=name, mtu=1400)
        project.subnets[name] = conn.network.create_subnet(
            network_id=project.networks[name].id,
            cidr=cidr,
            ip_version=4,
            name=f"{name}-subnet",
            dns_nameservers=["10.0.0.53"],
            allocation_pools=[
                {"start": cidr.replace("0/24", "10"), "end": cidr.replace("0/24", "200")}
            ],
        )
    public = conn.network.find_network("public")
    project.router = conn.network.create_router(
        name="edge", external_gateway_info={"network_id": public.id}
    )
    for subnet in project.subnets.values():
        conn.network.add_interface_to_router(project.router, subnet=subnet.id)
    web = conn.network.create_security_group(name="web", description="front end")
    for low in (80, 443):
        conn.network.create_security_group_rule(
            security_group_id=web.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=low,
            port_range_max=low,
            ethertype="IPv4",
            remote_ip_prefix="0.0.0.0/0",
        )
    db = conn.network.create_security_group(name="db", description="database")
    conn.network.create_security_group_rule(
        security_group_id=db.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=5432,
        port_range_max=5432,
        ethertype="IPv4",
        remote_group_id=web.id,
    )
    project.groups = {"web": web, "db": db}
    conn.compute.create_keypair(name="ops-key", public_key=PUBLIC_KEY)
    project.server_group = conn.compute.create_server_group(
        name="web-spread", policy="anti-affinity"
    )
    layout = {
        "vm-web": ("tenant1-async", [("app-net", "10.10.0.11", [web.id])], 2),
        "vm-app": (
            "tenant1-async",
            [("app-net", "10.10.0.12", [web.id]), ("db-net", "10.20.0.12", [db.id])],
            1,
        ),
        "vm-db": ("tenant1-sync", [("db-net", "10.20.0.13", [db.id])], 2),
    }
    for name, (vtype, nics, count) in layout.items():
        volumes = [_volume(conn, vtype, 1 + i, boot=i == 0) for i in range(count)]
        ports = [
            conn.network.create_port(
                network_id=project.networks[net].id,
                security_group_ids=groups,
                fixed_ips=[{"subnet_id": project.subnets[net].id, "ip_address": ip}],
            )
            for net, ip, groups in nics
        ]
        server = conn.compute.create_server(
            name=name,
            flavor_id="2" if name != "vm-db" else "3",
            networks=[{"port": p.id} for p in ports],
            key_name="ops-key" if name == "vm-web" else None,
            metadata={"role": name.removeprefix("vm-"), "tier": "1"},
            scheduler_hints={"group": project.server_group.id} if name == "vm-web" else None,
            block_device_mapping=[
                {
                    "boot_index": 0 if i == 0 else -1,
                    "uuid": v.id,
                    "source_type": "volume",
                    "destination_type": "volume",
                    "delete_on_termination": False,
                }
                for i, v in enumerate(volumes)
            ],
        )
        project.servers[name] = conn.compute.wait_for_server(server, interval=0.02, wait=20)
        project.volumes[name] = [conn.block_storage.get_volume(v.id) for v in volumes]
        project.ports[name] = ports
    return project


def copy_to_array_b(lab: TwoSiteLab, volumes: list[Any], suffix: str) -> dict[str, str]:
    """Copies of the volumes' data on array-b (as the storage service would recover them):
    async volumes from a replicated snapshot of the backend's protection group, sync ones by
    cloning them out of the stretched pod. Returns source volume id -> array-b volume name."""
    source, target = array_client(lab, "array-a"), array_client(lab, "array-b")
    copies = {}
    if any(v.volume_type == "tenant1-async" for v in volumes):
        source.post_protection_group_snapshots(
            source_names=["tenant1-pg"],
            replicate_now=True,
            protection_group_snapshot=fa.ProtectionGroupSnapshotPost(suffix=suffix),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = list(
                getattr(
                    target.get_protection_group_snapshots_transfer(
                        names=[f"array-a:tenant1-pg.{suffix}"]
                    ),
                    "items",
                    [],
                )
            )
            if rows and getattr(rows[0], "completed", None):
                break
            time.sleep(0.02)
    for volume in volumes:
        name = volume.metadata["array_volume_name"]
        base = name.split("::")[-1]
        copy = f"copy-{suffix}-{base}"[:63]
        origin = (
            f"array-a:tenant1-pg.{suffix}.{base}" if volume.volume_type == "tenant1-async" else name
        )
        response = target.post_volumes(
            names=[copy], volume=fa.VolumePost(source=fa.Reference(name=origin))
        )
        assert response.status_code == 200, response.errors
        copies[volume.id] = copy
    return copies
