"""Hosts and their connections to volumes (what Cinder's attach does)."""

from __future__ import annotations

from typing import Any

from simulators.flasharray.errors import ArrayApiError, already_exists, does_not_exist
from simulators.flasharray.fabric import SimArray, check_name
from simulators.flasharray.objects import Host, HostConnection, ref


def host_named(array: SimArray, name: str) -> Host:
    """:raises ArrayApiError: when there is no such host."""
    try:
        return array.hosts[name]
    except KeyError:
        raise ArrayApiError("Host does not exist.", name) from None


def create_hosts(array: SimArray, names: list[str], body: dict[str, Any]) -> list[Host]:
    made = []
    for name in names:
        check_name("host", name)
        if name in array.hosts:
            raise already_exists("Host", name)
        host = Host(
            name=name,
            iqns=list(body.get("iqns") or []),
            wwns=list(body.get("wwns") or []),
            nqns=list(body.get("nqns") or []),
            personality=body.get("personality"),
            chap=dict(body.get("chap") or {}),
        )
        for other in array.hosts.values():
            for iqn in set(host.iqns) & set(other.iqns):
                raise ArrayApiError(f"The IQN is already in use by host {other.name}.", iqn)
        array.hosts[name] = host
        made.append(host)
    return made


def patch_hosts(array: SimArray, names: list[str], body: dict[str, Any]) -> list[Host]:
    hosts = [host_named(array, name) for name in names]
    for host in hosts:
        for kind in ("iqns", "wwns", "nqns"):
            values: list[str] = getattr(host, kind)
            if body.get(kind) is not None:
                values[:] = list(body[kind])
            values.extend(v for v in body.get(f"add_{kind}") or [] if v not in values)
            values[:] = [v for v in values if v not in (body.get(f"remove_{kind}") or [])]
        if "personality" in body:
            host.personality = body["personality"]
        if body.get("chap") is not None:
            host.chap = dict(body["chap"])
    group = body.get("host_group")
    if group is not None:
        _move_to_group(array, hosts, group.get("name") or None)
    return hosts


def _move_to_group(array: SimArray, hosts: list[Host], group: str | None) -> None:
    """PATCH /hosts {"host_group": {"name": g}}: the hosts join g ("" or null: leave theirs).

    :raises ArrayApiError: for an unknown group, or a host in another group.
    """
    if group is not None and group not in array.host_groups:
        raise does_not_exist("Host group", group)
    for host in hosts:
        if group is not None and host.group not in (None, group):
            raise ArrayApiError(f"Host already belongs to host group {host.group}.", host.name)
    for host in hosts:
        host.group = group


def delete_hosts(array: SimArray, names: list[str]) -> None:
    hosts = [host_named(array, name) for name in names]
    for host in hosts:
        if any(c.host is host for c in array.host_connections):
            raise ArrayApiError("Host cannot be deleted due to existing connections.", host.name)
        if host.group is not None:
            raise ArrayApiError(
                f"Host cannot be deleted: it belongs to host group {host.group}.", host.name
            )
    for host in hosts:
        del array.hosts[host.name]


def connect(
    array: SimArray, host_names: list[str], volume_names: list[str], lun: int | None
) -> list[HostConnection]:
    hosts = [host_named(array, name) for name in host_names]
    volumes = [array.volume(name) for name in volume_names]
    made = []
    for host in hosts:
        for volume in volumes:
            if volume.destroyed:
                raise ArrayApiError("Volume has been destroyed.", volume.name)
            if any(c.host is host and c.volume is volume for c in array.host_connections):
                raise ArrayApiError("Connection already exists.", volume.name)
            used = {c.lun for c in array.host_connections if c.host is host}
            chosen = lun if lun is not None else next(n for n in range(1, 4096) if n not in used)
            connection = HostConnection(host, volume, chosen)
            array.host_connections.append(connection)
            made.append(connection)
    return made


def connections(
    array: SimArray, host_names: list[str], volume_names: list[str]
) -> list[HostConnection]:
    return [
        c
        for c in array.host_connections
        if (not host_names or c.host.name in host_names)
        and (not volume_names or c.volume.name in volume_names)
    ]


def disconnect(array: SimArray, host_names: list[str], volume_names: list[str]) -> None:
    found = connections(array, host_names, volume_names)
    if not found:
        raise does_not_exist("Connection", ",".join(host_names + volume_names))
    array.host_connections[:] = [c for c in array.host_connections if c not in found]


def _group_id(array: SimArray, name: str | None) -> str | None:
    group = array.host_groups.get(name) if name else None
    return group.id if group is not None else None


def render_host(array: SimArray, host: Host) -> dict[str, Any]:
    return {
        "name": host.name,
        "iqns": list(host.iqns),
        "wwns": list(host.wwns),
        "nqns": list(host.nqns),
        "personality": host.personality,
        "chap": {
            "host_user": None,
            "target_user": None,
            **{k: v for k, v in host.chap.items() if not k.endswith("password")},
        },
        "connection_count": sum(1 for c in array.host_connections if c.host is host)
        + sum(1 for c in array.host_group_connections if c.group.name == host.group),
        "host_group": ref(host.group, _group_id(array, host.group)),
        "is_local": True,
        "destroyed": False,
        "preferred_arrays": [],
        # The lab's hosts reach both controllers (its simulated Nova attaches through them).
        "port_connectivity": {"details": "Redundant", "status": "healthy"},
        "space": {"total_physical": 0},
    }


def render_connection(connection: HostConnection) -> dict[str, Any]:
    return {
        "host": ref(connection.host.name, connection.host.id),
        "host_group": ref(None),
        "volume": ref(connection.volume.name, connection.volume.id),
        "lun": connection.lun,
        "nsid": None,
        "protocol_endpoint": None,
    }
