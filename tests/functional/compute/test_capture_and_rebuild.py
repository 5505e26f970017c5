"""The compute service captures a project in site A and rebuilds its VMs in site B from copies of
their array volumes: on recreated networks with the same fixed IPs, and on isolated networks
that are then removed without a trace."""

import uuid

import pytest

from draas.compute.v1 import compute_pb2 as pb
from tests.functional.compute.conftest import copy_to_array_b
from tests.functional.lab import tenant_connection
from tools.tenant_vms import IMAGE

T = pb.ResourceType


@pytest.fixture(scope="module")
def inventory(compute, source):
    return compute["site-a"].CaptureInventory(
        pb.CaptureInventoryRequest(project_id=source.project_id)
    )


def by_id(items):
    return {i.id: i for i in items}


def test_capture_has_every_field(inventory, source):
    servers = {s.name: s for s in inventory.servers}
    assert set(servers) == {"vm-web", "vm-app", "vm-db"}
    web = servers["vm-web"]
    assert web.key_name == "ops-key"
    assert web.server_group_id == source.server_group.id
    assert web.metadata == {"role": "web", "tier": "1"}
    assert [(d.volume_id, d.boot_index) for d in web.block_devices] == [
        (source.volumes["vm-web"][0].id, 0),
        (source.volumes["vm-web"][1].id, -1),
    ]
    assert web.port_ids == [p.id for p in source.ports["vm-web"]]
    assert sorted(servers["vm-app"].port_ids) == sorted(p.id for p in source.ports["vm-app"])

    flavors = {f.name: f for f in inventory.flavors}
    assert {"m1.small", "m1.medium"} <= set(flavors)
    assert (flavors["m1.small"].vcpus, flavors["m1.small"].ram_mb, flavors["m1.small"].disk_gb) == (
        1,
        2048,
        20,
    )
    assert [k.name for k in inventory.key_pairs] == ["ops-key"] and inventory.key_pairs[
        0
    ].public_key.startswith("ssh-ed25519")
    assert [(g.name, g.policy) for g in inventory.server_groups] == [
        ("web-spread", "anti-affinity")
    ]
    assert [i.name for i in inventory.images] == ["cirros-0.6.2"]

    volumes = by_id(inventory.volumes)
    for name, source_volumes in source.volumes.items():
        for index, volume in enumerate(source_volumes):
            captured = volumes[volume.id]
            assert captured.volume_type == volume.volume_type
            assert captured.size_gb == volume.size
            assert captured.bootable == (index == 0)
            assert captured.array_name == "array-a"
            assert captured.array_volume_name == volume.metadata["array_volume_name"]
            assert captured.attachments[0].server_id == source.servers[name].id
            if index == 0:
                assert captured.image_metadata["image_id"] == IMAGE
                assert captured.image_metadata["hw_qemu_guest_agent"] == "yes"
            else:
                assert "image_id" not in captured.image_metadata
    assert volumes[source.volumes["vm-db"][0].id].array_volume_name.startswith("tenant1-pod::")
    types = {t.name: t for t in inventory.volume_types}
    assert (
        types["tenant1-async"].replication_enabled,
        types["tenant1-async"].replication_type,
    ) == (True, "async")
    assert (types["tenant1-sync"].replication_type, types["tenant1-sync"].encrypted) == (
        "sync",
        False,
    )

    ports = by_id(inventory.ports)
    for name, source_ports in source.ports.items():
        for port in source_ports:
            captured = ports[port.id]
            assert captured.mac_address == port.mac_address
            assert [(ip.subnet_id, ip.ip_address) for ip in captured.fixed_ips] == [
                (ip["subnet_id"], ip["ip_address"]) for ip in port.fixed_ips
            ]
            assert list(captured.security_group_ids) == port.security_group_ids
            assert captured.device_id == source.servers[name].id

    assert {n.name: n.mtu for n in inventory.networks} == {"app-net": 1400, "db-net": 1400}
    subnets = {s.name: s for s in inventory.subnets}
    assert subnets["app-net-subnet"].cidr == "10.10.0.0/24"
    assert list(subnets["app-net-subnet"].dns_nameservers) == ["10.0.0.53"]
    assert [(p.start, p.end) for p in subnets["db-net-subnet"].allocation_pools] == [
        ("10.20.0.10", "10.20.0.200")
    ]
    [router] = inventory.routers
    assert router.name == "edge" and router.external_network_id
    assert router.external_network_name == "public"
    assert {i.subnet_id for i in router.interfaces} == {s.id for s in source.subnets.values()}
    groups = {g.name: g for g in inventory.security_groups}
    assert {("ingress", "tcp", 80), ("ingress", "tcp", 443)} <= {
        (r.direction, r.protocol, r.port_range_min) for r in groups["web"].rules
    }
    [db_rule] = [r for r in groups["db"].rules if r.direction == "ingress"]
    assert (db_rule.port_range_min, db_rule.remote_group_id) == (5432, source.groups["web"].id)
    assert inventory.HasField("captured_at")


def test_capture_sees_only_the_project(compute, lab, source):
    other = lab.regions["site-a"].project_id("tenant2")
    captured = compute["site-a"].CaptureInventory(pb.CaptureInventoryRequest(project_id=other))
    assert not set(s.id for s in captured.servers) & {s.id for s in source.servers.values()}


def rebuild(compute_b, lab, inventory, source, operation, isolated):
    """What the orchestrator will do: manage the copies, rebuild the network, boot and verify
    each VM. Returns the booted servers and the verifications by source name, and the ports."""
    project = lab.regions["site-b"].project_id("tenant1")
    volumes = by_id(inventory.volumes)
    all_volumes = [v for vs in source.volumes.values() for v in vs]
    copies = copy_to_array_b(lab, all_volumes, operation[:8])
    managed = {}
    for volume in all_volumes:
        captured = volumes[volume.id]
        managed[volume.id] = compute_b.ManageVolume(
            pb.ManageVolumeRequest(
                project_id=project,
                host=f"cinder@{captured.volume_type}#{captured.volume_type}",
                source_name=copies[volume.id],
                name=f"recovered-{volume.id[:8]}",
                volume_type=captured.volume_type,
                bootable=captured.bootable,
                image_metadata=captured.image_metadata,
                request_id=f"{operation}-manage-{volume.id}",
                operation_id=operation,
            )
        )
    networks = {
        n.id: compute_b.EnsureNetwork(
            pb.EnsureNetworkRequest(
                project_id=project, source=n, isolated=isolated, operation_id=operation
            )
        )
        for n in inventory.networks
    }
    subnet_ids = {
        s.id: compute_b.EnsureSubnet(
            pb.EnsureSubnetRequest(
                project_id=project,
                source=s,
                network_id=networks[s.network_id].id,
                operation_id=operation,
            )
        ).id
        for s in inventory.subnets
    }
    if not isolated:
        # By name: site B's external network has another id than site A's.
        for router in inventory.routers:
            compute_b.EnsureRouter(
                pb.EnsureRouterRequest(
                    project_id=project,
                    source=router,
                    subnet_ids=subnet_ids,
                    external_network_name=router.external_network_name,
                    operation_id=operation,
                )
            )
    group_ids, deferred = {}, None
    for _ in range(2):
        for group in inventory.security_groups:
            ensured = compute_b.EnsureSecurityGroup(
                pb.EnsureSecurityGroupRequest(
                    project_id=project, source=group, group_ids=group_ids, operation_id=operation
                )
            )
            group_ids[group.id] = ensured.group.id
            deferred = ensured.deferred_rules
    assert deferred == 0
    ports = {
        p.id: compute_b.EnsurePort(
            pb.EnsurePortRequest(
                project_id=project,
                source=p,
                network_id=networks[p.network_id].id,
                subnet_ids=subnet_ids,
                security_group_ids=[group_ids[g] for g in p.security_group_ids],
                operation_id=operation,
            )
        )
        for p in inventory.ports
    }
    flavors, groups, keys = (
        by_id(inventory.flavors),
        by_id(inventory.server_groups),
        {k.name: k for k in inventory.key_pairs},
    )
    booted, verified, created = {}, {}, []
    for server in inventory.servers:
        request = pb.BootServerRequest(
            project_id=project,
            source=server,
            name=server.name,
            source_flavor=flavors[server.flavor_id],
            block_devices=[
                pb.BlockDevice(volume_id=managed[d.volume_id].id, boot_index=d.boot_index)
                for d in server.block_devices
            ],
            port_ids=[ports[p].port.id for p in server.port_ids],
            metadata=dict(server.metadata),
            key_pair=keys.get(server.key_name),
            server_group=groups.get(server.server_group_id),
            request_id=f"{operation}-boot-{server.id}",
            operation_id=operation,
        )
        response = compute_b.BootServer(request)
        booted[server.name], created = response.server, created + list(response.created)
        assert compute_b.BootServer(request).server.id == booted[server.name].id, (
            "a repeat finds the first"
        )
        addresses = [
            ip.ip_address for p in server.port_ids for ip in by_id(inventory.ports)[p].fixed_ips
        ]
        verified[server.name] = compute_b.VerifyServer(
            pb.VerifyServerRequest(
                project_id=project,
                server_id=booted[server.name].id,
                volume_ids=[d.volume_id for d in request.block_devices],
                port_ids=list(request.port_ids),
                ip_addresses=addresses,
            )
        )
    return booted, verified, ports, created


def test_vms_boot_in_site_b_from_managed_copies_on_recreated_networks_with_the_same_ips(
    compute, lab, inventory, source
):
    booted, verified, ports, _ = rebuild(
        compute["site-b"], lab, inventory, source, f"fo-{uuid.uuid4().hex[:8]}", isolated=False
    )

    assert all(v.verified for v in verified.values()), {
        n: list(v.problems) for n, v in verified.items()
    }
    assert all(p.mac_kept and p.fixed_ips_kept for p in ports.values())
    conn = tenant_connection(lab, "site-b")
    for name, server in booted.items():
        running = conn.compute.get_server(server.id)
        assert running.status == "ACTIVE"
        source_ips = sorted(ip["ip_address"] for p in source.ports[name] for ip in p.fixed_ips)
        assert (
            sorted(a["addr"] for addrs in running.addresses.values() for a in addrs) == source_ips
        )
        assert running.metadata["role"] == source.servers[name].metadata["role"]
    web = conn.compute.get_server(booted["vm-web"].id)
    assert web.key_name == "ops-key"
    assert [g.name for g in conn.compute.server_groups()] == ["web-spread"]
    assert {n.name for n in conn.network.networks()} >= {"app-net", "db-net"}
    boot_volume = conn.block_storage.get_volume(booted["vm-db"].block_devices[0].volume_id)
    assert (
        boot_volume.is_bootable
        and boot_volume.volume_image_metadata["hw_qemu_guest_agent"] == "yes"
    )
    assert boot_volume.metadata["array_name"] == "array-b"
    [edge] = [r for r in conn.network.routers() if r.name == "edge"]
    public = conn.network.find_network("public")
    assert edge.external_gateway_info["network_id"] == public.id


def listing(conn):
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
    }


def test_a_test_boot_on_isolated_networks_is_removed_without_a_trace(
    compute, lab, inventory, source
):
    conn = tenant_connection(lab, "site-b")
    before = listing(conn)
    operation = f"test-{uuid.uuid4().hex[:8]}"

    booted, verified, _, created = rebuild(
        compute["site-b"], lab, inventory, source, operation, isolated=True
    )

    assert all(v.verified for v in verified.values()), {
        n: list(v.problems) for n, v in verified.items()
    }
    isolated = {
        n.name for n in conn.network.networks() if n.description.startswith(f"draas op={operation}")
    }
    assert isolated == {"app-net-drtest", "db-net-drtest"}
    assert not [
        r for r in conn.network.routers() if r.description.startswith(f"draas op={operation}")
    ]
    project = lab.regions["site-b"].project_id("tenant1")
    removed = compute["site-b"].DeleteResources(
        pb.DeleteResourcesRequest(project_id=project, operation_id=operation, resources=created)
    )

    assert {r.id for r in removed.deleted if r.type == T.RESOURCE_TYPE_SERVER} == {
        s.id for s in booted.values()
    }
    assert not removed.absent
    lab.regions["site-b"].settle()
    assert listing(conn) == before


def test_deleting_again_finds_nothing_and_names_absent_resources(compute, lab):
    project = lab.regions["site-b"].project_id("tenant1")
    removed = compute["site-b"].DeleteResources(
        pb.DeleteResourcesRequest(
            project_id=project,
            operation_id="never-ran",
            resources=[pb.ResourceRef(type=T.RESOURCE_TYPE_PORT, id=str(uuid.uuid4()))],
        )
    )
    assert not removed.deleted
    assert [r.type for r in removed.absent] == [T.RESOURCE_TYPE_PORT]
