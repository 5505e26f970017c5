"""Servers: read one as captured, quiesce and thaw, boot a recovered one, verify it."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from common.errors import FailedPrecondition, InvalidArgument, NotFound
from common.telemetry import in_current_context
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks
from services.compute.cloud import Cloud, Conn, attr
from services.compute.inventory import project_server, server_record
from services.compute.volumes import require_projects_volume

_QUIESCED: dict[int, tuple[str, str]] = {
    pb.QUIESCE_MODE_PAUSE: ("pause_server", "PAUSED"),
    pb.QUIESCE_MODE_STOP: ("stop_server", "SHUTOFF"),
}
_RESUME = {"PAUSED": "unpause_server", "SHUTOFF": "start_server", "SUSPENDED": "resume_server"}


def _get(cloud: Cloud, conn: Conn, project_id: str, server_id: str) -> Any:
    """:raises NotFound: the project has no such server (another project's included)."""
    marks.require(server_id, "server_id")
    return project_server(cloud, conn, project_id, server_id)


def get_server(cloud: Cloud, project_id: str, server_id: str) -> pb.Server:
    conn = cloud.connection(project_id)
    return server_record(cloud, conn, _get(cloud, conn, project_id, server_id))


def tagged(cloud: Cloud, metadata_key: str) -> list[pb.Server]:
    """Every server of the site whose metadata holds the key (the service user lists every
    project's servers, as an admin may).

    :raises InvalidArgument: without a key.
    """
    if not metadata_key:
        raise InvalidArgument("metadata_key", "is required")
    conn = cloud.home()
    servers = cloud.call(
        "list every project's servers",
        lambda: list(conn.compute.servers(details=True, all_projects=True)),
    )
    return [
        pb.Server(
            id=s.id,
            name=s.name or "",
            project_id=s.project_id or "",
            status=s.status or "",
            metadata={str(k): str(v) for k, v in (s.metadata or {}).items()},
        )
        for s in servers
        if metadata_key in (s.metadata or {})
    ]


def quiesce(cloud: Cloud, project_id: str, server_id: str, mode: int) -> pb.Server:
    """Stops the server's writes (pause or stop); an already quiesced server stays as it is.

    :raises InvalidArgument: without a mode. :raises FailedPrecondition: in another state.
    """
    if mode not in _QUIESCED:
        raise InvalidArgument("mode", "must be PAUSE or STOP")
    action, wanted = _QUIESCED[mode]
    conn = cloud.connection(project_id)
    server = _get(cloud, conn, project_id, server_id)
    if server.status not in (wanted, "SHUTOFF"):
        if server.status != "ACTIVE":
            raise FailedPrecondition(
                f"server {server_id} is {server.status}; only an ACTIVE server can be quiesced"
            )
        cloud.call(
            f"{action} {server_id}", lambda: getattr(conn.compute, action)(server), retry=False
        )
    return _settle(
        cloud, conn, server_id, {wanted, "SHUTOFF"} if mode == pb.QUIESCE_MODE_PAUSE else {wanted}
    )


def thaw(cloud: Cloud, project_id: str, server_id: str) -> pb.Server:
    """Undoes quiesce: unpause, start or resume; an ACTIVE server stays as it is."""
    conn = cloud.connection(project_id)
    server = _get(cloud, conn, project_id, server_id)
    if server.status in _RESUME:
        action = _RESUME[server.status]
        cloud.call(
            f"{action} {server_id}", lambda: getattr(conn.compute, action)(server), retry=False
        )
    elif server.status != "ACTIVE":
        raise FailedPrecondition(f"server {server_id} is {server.status} and cannot be thawed")
    return _settle(cloud, conn, server_id, {"ACTIVE"})


def _require_projects_parts(cloud: Cloud, conn: Conn, request: pb.BootServerRequest) -> None:
    """The volumes and ports a boot names must be its project's: with the service user's admin
    role, Nova would attach another project's (read at once, in parallel).

    :raises NotFound: one is not the project's (or does not exist).
    """
    project_id = request.project_id

    def volume(volume_id: str) -> None:
        found = cloud.call(
            f"get volume {volume_id}", functools.partial(conn.block_storage.get_volume, volume_id)
        )
        require_projects_volume(found, project_id)

    def port(port_id: str) -> None:
        found = cloud.call(f"get port {port_id}", functools.partial(conn.network.get_port, port_id))
        if attr(found, "project_id", "") not in ("", project_id):
            raise NotFound(f"project {project_id} has no port {port_id}")

    checks = [functools.partial(volume, d.volume_id) for d in request.block_devices]
    checks += [functools.partial(port, p) for p in request.port_ids]

    def run(check: Callable[[], None]) -> None:
        check()

    with ThreadPoolExecutor(max_workers=max(1, min(8, len(checks)))) as pool:
        list(pool.map(in_current_context(run), checks))


def _remove_failed_build(cloud: Cloud, conn: Conn, server: Any) -> None:
    """Deletes a server this request booted whose build failed, and waits until it is gone,
    so the request boots it again. Its volumes and ports were made before it and stay (its
    block devices are not deleted on termination)."""
    cloud.call(
        f"delete server {server.id} (its build failed)",
        lambda: conn.compute.delete_server(server.id, ignore_missing=True),
    )
    cloud.wait(
        f"server {server.id} to go",
        cloud.settings.boot_timeout_seconds,
        lambda: None if conn.compute.find_server(server.id, ignore_missing=True) else True,
    )


def _settle(cloud: Cloud, conn: Conn, server_id: str, statuses: set[str]) -> pb.Server:
    def settled() -> Any:
        server = conn.compute.get_server(server_id)
        return server if server.status in statuses else None

    server = cloud.wait(
        f"server {server_id} reaching {'/'.join(sorted(statuses))}",
        cloud.settings.boot_timeout_seconds,
        settled,
    )
    return server_record(cloud, conn, server)


def boot(cloud: Cloud, request: pb.BootServerRequest) -> pb.BootServerResponse:
    """Boots the recovered server, or finds the one this request booted before; says what else
    it had to make."""
    marks.require(request.request_id, "request_id")
    if not request.name:
        raise InvalidArgument("name", "is required")
    if not any(d.boot_index == 0 for d in request.block_devices):
        raise InvalidArgument("block_devices", "need one volume with boot_index 0")
    conn = cloud.connection(request.project_id)
    existing = [
        s
        for s in cloud.call(
            "find server",
            lambda: list(conn.compute.servers(details=True, name=f"^{_regex(request.name)}$")),
        )
        if marks.made_by(s, request.request_id)
    ]
    if existing and existing[0].status != "ERROR":
        return pb.BootServerResponse(server=server_record(cloud, conn, existing[0]))
    if existing:
        _remove_failed_build(cloud, conn, existing[0])
    _require_projects_parts(cloud, conn, request)
    created: list[pb.ResourceRef] = []
    flavor_id = _flavor(cloud, conn, request.flavor_id, request.source_flavor, created)
    key_name = _key_pair(cloud, conn, request.key_pair, created) if request.key_pair.name else None
    group_id = (
        _server_group(cloud, conn, request.server_group, created)
        if request.server_group.name
        else None
    )
    metadata = {
        **dict(request.metadata),
        **marks.metadata(request.operation_id, request.request_id, request.source.id),
    }
    mappings = [
        {
            "boot_index": d.boot_index if d.boot_index >= 0 else None,
            "uuid": d.volume_id,
            "source_type": "volume",
            "destination_type": "volume",
            "delete_on_termination": d.delete_on_termination,
        }
        for d in request.block_devices
    ]
    booted = cloud.call(
        "boot server",
        lambda: conn.compute.create_server(
            name=request.name,
            flavor_id=flavor_id,
            networks=[{"port": p} for p in request.port_ids] or "none",
            block_device_mapping=mappings,
            key_name=key_name,
            metadata=metadata,
            availability_zone=request.availability_zone or None,
            scheduler_hints={"group": group_id} if group_id else None,
        ),
        retry=False,
    )
    server = cloud.call("get server", lambda: conn.compute.get_server(booted.id))
    return pb.BootServerResponse(server=server_record(cloud, conn, server), created=created)


def _regex(name: str) -> str:
    return "".join("\\" + c if not c.isalnum() and c not in "-_ " else c for c in name)


def _flavor(
    cloud: Cloud, conn: Conn, flavor_id: str, source: pb.Flavor, created: list[pb.ResourceRef]
) -> str:
    """The mapped flavor, else one with the source's name and size, else any of its size, else
    a new one."""
    if flavor_id:
        try:
            return str(
                cloud.call(f"get flavor {flavor_id}", lambda: conn.compute.get_flavor(flavor_id)).id
            )
        except NotFound:
            raise InvalidArgument("flavor_id", f"no flavor {flavor_id} at the target") from None
    if not source.name:
        raise InvalidArgument("source_flavor", "is required when flavor_id is empty")
    flavors = cloud.call("list flavors", lambda: list(conn.compute.flavors(details=True)))

    def same_size(f: Any) -> bool:
        return (f.vcpus, f.ram, f.disk) == (source.vcpus, source.ram_mb, source.disk_gb) and dict(
            attr(f, "extra_specs", {})
        ) == dict(source.extra_specs)

    for candidate in [f for f in flavors if f.name == source.name] + flavors:
        if same_size(candidate):
            return str(candidate.id)
    taken = {f.name for f in flavors}
    name = (
        source.name
        if source.name not in taken
        else f"{source.name}-draas-{hashlib.sha256(repr(source).encode()).hexdigest()[:6]}"
    )
    made = cloud.call(
        "create flavor",
        lambda: conn.compute.create_flavor(
            name=name, vcpus=source.vcpus, ram=source.ram_mb, disk=source.disk_gb
        ),
        retry=False,
    )
    if source.extra_specs:
        cloud.call(
            "set flavor extra specs",
            lambda: conn.compute.create_flavor_extra_specs(made, dict(source.extra_specs)),
        )
    created.append(pb.ResourceRef(type=pb.RESOURCE_TYPE_FLAVOR, id=str(made.id)))
    return str(made.id)


def _key_pair(cloud: Cloud, conn: Conn, source: pb.KeyPair, created: list[pb.ResourceRef]) -> str:
    """The captured key pair for the booting user: kept if the same, else made (under another
    name if that one holds a different key)."""
    try:
        existing = cloud.call(
            f"get key pair {source.name}", lambda: conn.compute.get_keypair(source.name)
        )
    except NotFound:
        existing = None
    if existing is not None and attr(existing, "public_key", "") == source.public_key:
        return source.name
    name = (
        source.name
        if existing is None
        else f"{source.name}-{source.fingerprint.replace(':', '')[:8]}"
    )
    try:
        cloud.call(f"get key pair {name}", lambda: conn.compute.get_keypair(name))
    except NotFound:
        cloud.call(
            "create key pair",
            lambda: conn.compute.create_keypair(
                name=name, public_key=source.public_key, type=source.type or "ssh"
            ),
            retry=False,
        )
        created.append(pb.ResourceRef(type=pb.RESOURCE_TYPE_KEY_PAIR, id=name))
    return name


def _server_group(
    cloud: Cloud, conn: Conn, source: pb.ServerGroup, created: list[pb.ResourceRef]
) -> str:
    groups = cloud.call("list server groups", lambda: list(conn.compute.server_groups()))
    for group in groups:
        if group.name == source.name and attr(group, "policy", "") == source.policy:
            return str(group.id)
    made = cloud.call(
        "create server group",
        lambda: conn.compute.create_server_group(
            name=source.name, policy=source.policy or "anti-affinity"
        ),
        retry=False,
    )
    created.append(pb.ResourceRef(type=pb.RESOURCE_TYPE_SERVER_GROUP, id=str(made.id)))
    return str(made.id)


def verify(cloud: Cloud, request: pb.VerifyServerRequest) -> pb.VerifyServerResponse:
    """Waits for ACTIVE (or ERROR), then checks volumes attached, ports bound and addresses."""
    conn = cloud.connection(request.project_id)
    timeout = (
        request.timeout.ToNanoseconds() / 1e9
        if request.HasField("timeout")
        else cloud.settings.boot_timeout_seconds
    )
    deadline = time.monotonic() + timeout
    server = _get(cloud, conn, request.project_id, request.server_id)
    while server.status not in ("ACTIVE", "ERROR") and time.monotonic() < deadline:
        time.sleep(cloud.settings.poll_interval_seconds)
        server = _get(cloud, conn, request.project_id, request.server_id)
    problems = []
    if server.status != "ACTIVE":
        fault = (attr(server, "fault", {}) or {}).get("message", "")
        problems.append(
            f"server is {server.status}" + (f": {fault}" if fault else f" after {timeout:.0f} s")
        )
    attached = {v["id"] for v in attr(server, "attached_volumes", [])}
    problems += [f"volume {v} is not attached" for v in request.volume_ids if v not in attached]
    for port_id in request.port_ids:
        port = cloud.call(f"get port {port_id}", functools.partial(conn.network.get_port, port_id))
        if port.device_id != server.id:
            problems.append(f"port {port_id} is not bound to the server")
    addresses = {
        a["addr"] for entries in (attr(server, "addresses", {}) or {}).values() for a in entries
    }
    problems += [f"address {ip} is missing" for ip in request.ip_addresses if ip not in addresses]
    return pb.VerifyServerResponse(
        server=server_record(cloud, conn, server), verified=not problems, problems=problems
    )
