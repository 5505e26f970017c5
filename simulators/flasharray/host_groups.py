"""Host groups: hosts that share their volume connections (a cluster's), and their routes.

A volume connected to a group is connected to each of its hosts at the group's LUN; GET
/connections shows one row per host of the group (with the group named), as arrays do."""

from __future__ import annotations

from typing import Any

from simulators.flasharray.errors import ArrayApiError, already_exists, does_not_exist
from simulators.flasharray.fabric import Fabric, SimArray, check_name
from simulators.flasharray.hosts import host_named
from simulators.flasharray.objects import Host, HostGroup, HostGroupConnection, ref
from simulators.flasharray.rest import Items, Request, route, select


def group_named(array: SimArray, name: str) -> HostGroup:
    """:raises ArrayApiError: when there is no such host group."""
    try:
        return array.host_groups[name]
    except KeyError:
        raise does_not_exist("Host group", name) from None


def members(array: SimArray, group: HostGroup) -> list[Host]:
    return [h for h in array.hosts.values() if h.group == group.name]


def add_hosts(array: SimArray, group: HostGroup, host_names: list[str]) -> list[Host]:
    """Hosts join the group (a host belongs to one group at most).

    :raises ArrayApiError: for an unknown host, or one in another group.
    """
    hosts = [host_named(array, name) for name in host_names]
    for host in hosts:
        if host.group is not None and host.group != group.name:
            raise ArrayApiError(f"Host already belongs to host group {host.group}.", host.name)
    for host in hosts:
        host.group = group.name
    return hosts


def remove_hosts(array: SimArray, group: HostGroup, host_names: list[str]) -> None:
    """:raises ArrayApiError: for a host not in the group."""
    hosts = [host_named(array, name) for name in host_names]
    for host in hosts:
        if host.group != group.name:
            raise ArrayApiError("Host is not a member of the host group.", host.name)
    for host in hosts:
        host.group = None


def connect(array: SimArray, group: HostGroup, volume_names: list[str], lun: int | None) -> Items:
    """Connects volumes to every host of the group, at `lun` or the lowest LUN free on all.

    :raises ArrayApiError: for a destroyed volume, or one connected to the group already.
    """
    made = []
    for name in volume_names:
        volume = array.volume(name)
        if volume.destroyed:
            raise ArrayApiError("Volume has been destroyed.", volume.name)
        if any(c.group is group and c.volume is volume for c in array.host_group_connections):
            raise ArrayApiError("Connection already exists.", volume.name)
        used = {c.lun for c in array.host_group_connections if c.group is group}
        hosts = members(array, group)
        used |= {c.lun for c in array.host_connections if c.host in hosts}
        chosen = lun if lun is not None else next(n for n in range(1, 4096) if n not in used)
        connection = HostGroupConnection(group, volume, chosen)
        array.host_group_connections.append(connection)
        made.append(connection)
    return [row for c in made for row in render_connection(array, c)]


def render_connection(array: SimArray, connection: HostGroupConnection) -> Items:
    """One row per host of the group (one with no host while it has none)."""
    group = ref(connection.group.name, connection.group.id)
    volume = ref(connection.volume.name, connection.volume.id)
    hosts: list[Host | None] = [*members(array, connection.group)] or [None]
    return [
        {
            "host": ref(h.name, h.id) if h is not None else ref(None),
            "host_group": group,
            "volume": volume,
            "lun": connection.lun,
            "nsid": None,
            "protocol_endpoint": ref(None),
        }
        for h in hosts
    ]


def group_connections(
    array: SimArray, host_names: list[str], group_names: list[str], volume_names: list[str]
) -> Items:
    """The rows of group connections that the filters of GET /connections keep."""
    rows = []
    for connection in array.host_group_connections:
        if group_names and connection.group.name not in group_names:
            continue
        if volume_names and connection.volume.name not in volume_names:
            continue
        for row in render_connection(array, connection):
            if not host_names or row["host"]["name"] in host_names:
                rows.append(row)
    return rows


def disconnect(array: SimArray, group_names: list[str], volume_names: list[str]) -> None:
    """:raises ArrayApiError: when no such connection exists."""
    found = [
        c
        for c in array.host_group_connections
        if c.group.name in group_names and (not volume_names or c.volume.name in volume_names)
    ]
    if not found:
        raise does_not_exist("Connection", ",".join(group_names + volume_names))
    array.host_group_connections[:] = [c for c in array.host_group_connections if c not in found]


def render_group(array: SimArray, group: HostGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "host_count": len(members(array, group)),
        "connection_count": sum(1 for c in array.host_group_connections if c.group is group),
        "is_local": True,
        "destroyed": False,
        "time_remaining": None,
        "protection_group_count": 0,
        "space": {"snapshots": 0, "total_physical": 0, "unique": 0, "total_used": 0},
    }


def _membership(group: HostGroup, host: Host) -> dict[str, Any]:
    return {"group": ref(group.name, group.id), "member": ref(host.name, host.id)}


@route("GET", "/host-groups")
def _get_host_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.host_groups, request.names("names"), "Host group")
    return [render_group(array, g) for g in found]


@route("POST", "/host-groups")
def _post_host_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    names = request.names("names")
    for name in names:
        check_name("host group", name)
        if name in array.host_groups or name in array.hosts:
            raise already_exists("Host group", name)
    made = [HostGroup(name) for name in names]
    for group in made:
        array.host_groups[group.name] = group
    return [render_group(array, g) for g in made]


@route("PATCH", "/host-groups")
def _patch_host_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    groups = [group_named(array, name) for name in request.names("names")]
    new_name = request.body.get("name")
    if new_name:
        if len(groups) != 1:
            raise ArrayApiError("Only one host group can be renamed at a time.", "names")
        check_name("host group", new_name)
        if new_name in array.host_groups:
            raise already_exists("Host group", new_name)
        group = groups[0]
        for host in members(array, group):
            host.group = new_name
        del array.host_groups[group.name]
        group.name = new_name
        array.host_groups[new_name] = group
    return [render_group(array, g) for g in groups]


@route("DELETE", "/host-groups")
def _delete_host_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    groups = [group_named(array, name) for name in request.names("names")]
    for group in groups:
        if members(array, group):
            raise ArrayApiError("Host group cannot be deleted: it still has hosts.", group.name)
        if any(c.group is group for c in array.host_group_connections):
            raise ArrayApiError(
                "Host group cannot be deleted due to existing connections.", group.name
            )
    for group in groups:
        del array.host_groups[group.name]
    return []


@route("GET", "/host-groups/hosts")
def _get_host_group_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    groups = select(array.host_groups, request.names("group_names"), "Host group")
    wanted = request.names("member_names")
    return [
        _membership(group, host)
        for group in groups
        for host in members(array, group)
        if not wanted or host.name in wanted
    ]


@route("POST", "/host-groups/hosts")
def _post_host_group_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    groups = [group_named(array, name) for name in request.names("group_names")]
    return [
        _membership(group, host)
        for group in groups
        for host in add_hosts(array, group, request.names("member_names"))
    ]


@route("DELETE", "/host-groups/hosts")
def _delete_host_group_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    for name in request.names("group_names"):
        remove_hosts(array, group_named(array, name), request.names("member_names"))
    return []
