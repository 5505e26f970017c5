"""Capturing a project: its servers and everything needed to rebuild them elsewhere, fetched in
parallel, each shared resource once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import NotFound
from common.telemetry import in_current_context
from draas.compute.v1 import compute_pb2 as pb
from services.compute import listing, records
from services.compute.cloud import Cloud, Conn, attr
from services.compute.volumes import encrypted

T = TypeVar("T")
K = TypeVar("K")


def volumes_of_servers(cloud: Cloud, project_id: str) -> pb.Inventory:
    """Every server of the project with its block devices, the project's volumes (listed in
    one call, not per server) and their types: what an eligibility check needs."""
    conn = cloud.connection(project_id)
    servers = listing.servers(cloud, conn)
    volumes = [records.volume(v) for v in listing.volumes(cloud, conn)]
    attached: dict[str, list[pb.Volume]] = {}
    for volume in volumes:
        for attachment in volume.attachments:
            attached.setdefault(attachment.server_id, []).append(volume)
    found = []
    for server in servers:
        root = attr(server, "root_device_name", "/dev/vda")
        devices = sorted(
            (
                pb.BlockDevice(
                    volume_id=v.id,
                    device_name=a.device,
                    boot_index=0 if a.device == root else -1,
                )
                for v in attached.get(server.id, [])
                for a in v.attachments
                if a.server_id == server.id
            ),
            key=lambda d: (d.boot_index != 0, d.device_name),
        )
        found.append(records.server(server, devices, []))
    names = sorted({v.volume_type for v in volumes if v.volume_type})
    with ThreadPoolExecutor(
        max_workers=cloud.settings.capture_concurrency, thread_name_prefix="capture"
    ) as pool:
        types = list(
            pool.map(in_current_context(functools.partial(_volume_type, cloud, conn)), names)
        )
    inventory = pb.Inventory(
        project_id=project_id, servers=found, volumes=volumes, volume_types=types
    )
    inventory.captured_at.GetCurrentTime()
    return inventory


def capture(cloud: Cloud, project_id: str, server_ids: list[str]) -> pb.Inventory:
    """The project's servers (all, or the ones named) with their flavors, images, key pairs,
    server groups, volumes and types, ports, networks, subnets, routers and security groups.

    :raises NotFound: for a named server the project does not have.
    """
    conn = cloud.connection(project_id)
    with ThreadPoolExecutor(
        max_workers=cloud.settings.capture_concurrency, thread_name_prefix="capture"
    ) as pool:

        def fan_out(keys: list[K], fetch: Callable[[K], T]) -> list[T]:
            return list(pool.map(in_current_context(fetch), keys))

        if server_ids:
            # Each named server on its own: listing the project's costs a resource per server
            # (about 2 ms each), so a VM joining a group of 1,000 would pay for all of them.
            servers = fan_out(
                list(server_ids), lambda i: project_server(cloud, conn, project_id, i)
            )
        else:
            servers = cloud.call("list servers", lambda: list(conn.compute.servers(details=True)))
        flavors = fan_out(
            sorted({_flavor_name(s) for s in servers}), lambda n: _flavor(cloud, conn, n)
        )
        flavor_ids = {f.name: f.id for f in flavors}
        per_server = fan_out(servers, lambda s: server_parts(cloud, conn, s, flavor_ids))
        volumes = [v for _, vols, _ in per_server for v in vols]
        ports = [p for _, _, ps in per_server for p in ps]
        network_ids = sorted({p.network_id for p in ports})
        group_ids = sorted({g for p in ports for g in p.security_group_ids})
        networks = fan_out(
            network_ids,
            lambda i: cloud.call(f"get network {i}", lambda: conn.network.get_network(i)),
        )
        subnets = [s for ss in fan_out(network_ids, lambda i: _subnets(cloud, conn, i)) for s in ss]
        groups = _security_groups(cloud, conn, group_ids, fan_out)
        routers = _routers(cloud, conn, network_ids, {s.id for s in subnets})
        key_pairs = fan_out(
            sorted({(s.key_name, s.user_id) for s in servers if s.key_name}),
            lambda k: _key_pair(cloud, conn, *k),
        )
        server_groups = fan_out(
            sorted({g for s in servers for g in attr(s, "server_groups", [])}),
            lambda i: cloud.call(f"get server group {i}", lambda: conn.compute.get_server_group(i)),
        )
        image_ids = sorted(
            {
                i
                for i in [_image_id(s) for s in servers]
                + [v.image_metadata.get("image_id", "") for v in volumes]
                if i
            }
        )
        images = [i for i in fan_out(image_ids, lambda i: _image(cloud, conn, i)) if i is not None]
        types = fan_out(
            sorted({v.volume_type for v in volumes}), lambda n: _volume_type(cloud, conn, n)
        )
    inventory = pb.Inventory(
        project_id=project_id,
        servers=[record for record, _, _ in per_server],
        flavors=flavors,
        images=images,
        key_pairs=key_pairs,
        server_groups=[records.server_group(g) for g in server_groups],
        volumes=volumes,
        volume_types=types,
        networks=[records.network(n) for n in networks],
        subnets=[records.subnet(s) for s in subnets],
        routers=routers,
        ports=ports,
        security_groups=groups,
    )
    now = Timestamp()
    now.GetCurrentTime()
    inventory.captured_at.CopyFrom(now)
    return inventory


def server_record(cloud: Cloud, conn: Conn, server: Any) -> pb.Server:
    """One server as captured: block devices in boot order and its ports."""
    name = _flavor_name(server)
    return server_parts(cloud, conn, server, {name: _flavor(cloud, conn, name).id})[0]


def server_parts(
    cloud: Cloud, conn: Conn, server: Any, flavor_ids: dict[str, str]
) -> tuple[pb.Server, list[pb.Volume], list[pb.Port]]:
    """A server's record (its flavor id resolved through `flavor_ids`, by flavor name), its
    volumes and its ports."""
    attachments = cloud.call(
        f"list volume attachments of {server.id}",
        lambda: list(conn.compute.volume_attachments(server)),
    )
    root = attr(server, "root_device_name", "/dev/vda")
    ordered = sorted(
        attachments, key=lambda a: (attr(a, "device", "") != root, attr(a, "device", ""))
    )
    devices = [
        pb.BlockDevice(
            volume_id=a.volume_id,
            boot_index=0 if attr(a, "device", "") == root else -1,
            device_name=attr(a, "device", ""),
            delete_on_termination=bool(attr(a, "delete_on_termination", False)),
        )
        for a in ordered
    ]
    volumes = []
    for device in devices:
        found = cloud.call(
            f"get volume {device.volume_id}",
            functools.partial(conn.block_storage.get_volume, device.volume_id),
        )
        volumes.append(records.volume(found))
    ports = cloud.call(
        f"list ports of {server.id}", lambda: list(conn.network.ports(device_id=server.id))
    )
    port_records = [records.port(p) for p in ports]
    record = records.server(server, devices, [p.id for p in port_records])
    record.flavor_id = flavor_ids.get(_flavor_name(server), "")
    return record, volumes, port_records


def project_server(cloud: Cloud, conn: Conn, project_id: str, server_id: str) -> Any:
    """The project's server `server_id`, as openstacksdk reads it. The service user may read
    other projects' servers by id, so one of another project is answered as one that does not
    exist: every read of a server by id goes through here.

    :raises NotFound: the project has no such server.
    """
    missing = NotFound(f"project {project_id} has no server {server_id}")
    if not server_id:
        raise missing
    try:
        found = cloud.call(f"get server {server_id}", lambda: conn.compute.get_server(server_id))
    except NotFound:
        raise missing from None
    if attr(found, "project_id", "") != project_id:
        raise missing
    return found


def _subnets(cloud: Cloud, conn: Conn, network_id: str) -> list[Any]:
    return cloud.call(
        f"list subnets of {network_id}", lambda: list(conn.network.subnets(network_id=network_id))
    )


def _security_groups(
    cloud: Cloud, conn: Conn, ids: list[str], fan_out: Any
) -> list[pb.SecurityGroup]:
    """The ports' groups, and every group their rules name as a remote group."""
    captured: dict[str, pb.SecurityGroup] = {}
    wanted = list(ids)
    while wanted:
        found = fan_out(
            wanted,
            lambda i: cloud.call(
                f"get security group {i}", lambda: conn.network.get_security_group(i)
            ),
        )
        for group in found:
            captured[group.id] = records.security_group(group)
        wanted = sorted(
            {r.remote_group_id for g in captured.values() for r in g.rules if r.remote_group_id}
            - set(captured)
        )
    return [captured[i] for i in sorted(captured)]


def _routers(
    cloud: Cloud, conn: Conn, network_ids: list[str], subnet_ids: set[str]
) -> list[pb.Router]:
    interfaces: dict[str, list[pb.RouterInterface]] = {}
    for network_id in network_ids:
        ports = cloud.call(
            "list router interfaces",
            functools.partial(_router_ports, conn, network_id),
        )
        for port in ports:
            for ip in port.fixed_ips:
                if ip["subnet_id"] in subnet_ids:
                    interfaces.setdefault(port.device_id, []).append(
                        pb.RouterInterface(subnet_id=ip["subnet_id"], port_id=port.id)
                    )
    routers = [
        cloud.call(f"get router {i}", functools.partial(conn.network.get_router, i))
        for i in sorted(interfaces)
    ]
    gateways = {r.id: _gateway(r) for r in routers}
    names = {
        i: cloud.call(f"get network {i}", functools.partial(conn.network.get_network, i)).name
        for i in sorted(set(gateways.values()) - {""})
    }
    return [records.router(r, interfaces[r.id], names.get(gateways[r.id], "")) for r in routers]


def _gateway(router: Any) -> str:
    return str((attr(router, "external_gateway_info", {}) or {}).get("network_id") or "")


def _router_ports(conn: Conn, network_id: str) -> list[Any]:
    return list(conn.network.ports(network_id=network_id, device_owner="network:router_interface"))


def _flavor_name(server: Any) -> str:
    flavor = attr(server, "flavor", {})
    return str(
        attr(flavor, "original_name", "") or attr(flavor, "name", "") or attr(flavor, "id", "")
    )


def _flavor(cloud: Cloud, conn: Conn, name: str) -> pb.Flavor:
    found = cloud.call(
        f"find flavor {name}", lambda: conn.compute.find_flavor(name, ignore_missing=True)
    )
    if found is None:
        raise NotFound(f"flavor {name} of a captured server no longer exists")
    return records.flavor(found)


def _key_pair(cloud: Cloud, conn: Conn, name: str, user_id: str) -> pb.KeyPair:
    return records.key_pair(
        cloud.call(f"get key pair {name}", lambda: conn.compute.get_keypair(name, user_id=user_id))
    )


def _image_id(server: Any) -> str:
    image = attr(server, "image", {})
    return str(image.get("id", "")) if isinstance(image, dict) else ""


def _image(cloud: Cloud, conn: Conn, image_id: str) -> pb.Image | None:
    found = cloud.call(
        f"get image {image_id}", lambda: conn.image.find_image(image_id, ignore_missing=True)
    )
    return records.image(found) if found is not None else None


def _volume_type(cloud: Cloud, conn: Conn, name: str) -> pb.VolumeType:
    found = cloud.call(
        f"find volume type {name}", lambda: conn.block_storage.find_type(name, ignore_missing=False)
    )
    return records.volume_type(found, encrypted=encrypted(cloud, conn, found.id))
