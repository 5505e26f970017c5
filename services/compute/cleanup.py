"""Deleting what an operation made, and only that: what it tagged or marked, and what the
caller lists, in an order the APIs accept. The service user may delete any project's resources
by id: one of another project than the request's is not this project's to delete, and is
answered as absent."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from common.errors import InvalidArgument, NotFound, ServiceUnavailable
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks
from services.compute.cloud import Cloud, Conn, attr
from services.compute.volumes import failure_reason

T = pb.ResourceType
# Servers first (they hold ports and volumes), then routers before the subnets they use...
ORDER = [
    T.RESOURCE_TYPE_SERVER,
    T.RESOURCE_TYPE_ROUTER,
    T.RESOURCE_TYPE_PORT,
    T.RESOURCE_TYPE_SUBNET,
    T.RESOURCE_TYPE_NETWORK,
    T.RESOURCE_TYPE_SECURITY_GROUP,
    T.RESOURCE_TYPE_VOLUME,
    T.RESOURCE_TYPE_SERVER_GROUP,
    T.RESOURCE_TYPE_KEY_PAIR,
    T.RESOURCE_TYPE_FLAVOR,
]


def delete(cloud: Cloud, request: pb.DeleteResourcesRequest) -> pb.DeleteResourcesResponse:
    conn = cloud.connection(request.project_id)
    wanted: dict[int, list[str]] = {kind: [] for kind in ORDER}
    for ref in request.resources:
        if ref.type not in wanted or not ref.id:
            raise InvalidArgument("resources", f"each needs a known type and an id (got {ref})")
        wanted[ref.type].append(ref.id)
    found: dict[int, list[str]] = {}
    if request.operation_id:
        found = _marked(cloud, conn, request.operation_id)
    if request.made_by:
        found = _merge(found, _made_by(cloud, conn, list(request.made_by)))
    for kind, ids in found.items():
        wanted[kind] += [i for i in ids if i not in wanted[kind]]
    deleted: list[pb.ResourceRef] = []
    absent: list[pb.ResourceRef] = []
    for kind in ORDER:
        gone = _delete_kind(cloud, conn, kind, wanted[kind], request.project_id)
        for resource_id in wanted[kind]:
            (deleted if resource_id in gone else absent).append(
                pb.ResourceRef(type=kind, id=resource_id)
            )
    return pb.DeleteResourcesResponse(deleted=deleted, absent=absent)


def _marked(cloud: Cloud, conn: Conn, operation_id: str) -> dict[int, list[str]]:
    tag = marks.operation_tag(operation_id)
    servers = cloud.call("list servers", lambda: list(conn.compute.servers(details=True)))
    volumes = cloud.call("list volumes", lambda: list(conn.block_storage.volumes(details=True)))

    def tagged(lister: Callable[..., Any]) -> list[str]:
        return [r.id for r in cloud.call("list tagged", lambda: list(lister(tags=tag)))]

    return {
        T.RESOURCE_TYPE_SERVER: [
            s.id
            for s in servers
            if (attr(s, "metadata", {}) or {}).get(marks.OPERATION) == operation_id
        ],
        T.RESOURCE_TYPE_VOLUME: [
            v.id
            for v in volumes
            if (attr(v, "metadata", {}) or {}).get(marks.OPERATION) == operation_id
        ],
        T.RESOURCE_TYPE_ROUTER: tagged(conn.network.routers),
        T.RESOURCE_TYPE_PORT: tagged(conn.network.ports),
        T.RESOURCE_TYPE_SUBNET: tagged(conn.network.subnets),
        T.RESOURCE_TYPE_NETWORK: tagged(conn.network.networks),
        T.RESOURCE_TYPE_SECURITY_GROUP: tagged(conn.network.security_groups),
    }


def _made_by(cloud: Cloud, conn: Conn, made_by: list[pb.MadeBy]) -> dict[int, list[str]]:
    """Servers and volumes by request id (or by operation and source), and Neutron resources
    by the operation and source their description names."""
    for index, mark in enumerate(made_by):
        if not mark.request_id and not mark.source_id:
            raise InvalidArgument(f"made_by[{index}]", "needs a request_id or a source_id")
        if mark.source_id and not mark.operation_id:
            raise InvalidArgument(f"made_by[{index}].operation_id", "is required with source_id")
    requests = {m.request_id for m in made_by if m.request_id}
    sources = {(m.operation_id, m.source_id) for m in made_by if m.source_id}

    def made(resource: Any) -> bool:
        data = attr(resource, "metadata", {}) or {}
        return data.get(marks.SERVER_REQUEST) in requests or (
            (data.get(marks.OPERATION), data.get(marks.SOURCE)) in sources
        )

    servers = cloud.call("list servers", lambda: list(conn.compute.servers(details=True)))
    volumes = cloud.call("list volumes", lambda: list(conn.block_storage.volumes(details=True)))
    found: dict[int, list[str]] = {
        T.RESOURCE_TYPE_SERVER: [s.id for s in servers if made(s)],
        T.RESOURCE_TYPE_VOLUME: [v.id for v in volumes if made(v)],
    }
    descriptions = {marks.description(op, src) for op, src in sources}
    for operation_id in sorted({op for op, _ in sources}):
        for kind, lister in _NEUTRON_LISTERS.items():
            listed = cloud.call(
                "list tagged",
                functools.partial(_listed, lister(conn), marks.operation_tag(operation_id)),
            )
            found.setdefault(kind, []).extend(
                r.id for r in listed if attr(r, "description", "") in descriptions
            )
    return found


def _listed(lister: Callable[..., Any], tag: str) -> list[Any]:
    return list(lister(tags=tag))


def _merge(*parts: dict[int, list[str]]) -> dict[int, list[str]]:
    merged: dict[int, list[str]] = {}
    for part in parts:
        for kind, ids in part.items():
            held = merged.setdefault(kind, [])
            held += [i for i in ids if i not in held]
    return merged


_NEUTRON_LISTERS: dict[int, Callable[[Conn], Callable[..., Any]]] = {
    T.RESOURCE_TYPE_ROUTER: lambda conn: conn.network.routers,
    T.RESOURCE_TYPE_PORT: lambda conn: conn.network.ports,
    T.RESOURCE_TYPE_SUBNET: lambda conn: conn.network.subnets,
    T.RESOURCE_TYPE_NETWORK: lambda conn: conn.network.networks,
    T.RESOURCE_TYPE_SECURITY_GROUP: lambda conn: conn.network.security_groups,
}


def _delete_kind(cloud: Cloud, conn: Conn, kind: int, ids: list[str], project_id: str) -> set[str]:
    """Deletes each of the project's; returns the ids that existed (in the project)."""
    existed = set()
    for resource_id in ids:
        try:
            _require_owned(cloud, conn, kind, resource_id, project_id)
            _DELETERS[kind](cloud, conn, resource_id)
            existed.add(resource_id)
        except NotFound:
            pass
    if kind == T.RESOURCE_TYPE_SERVER:
        for resource_id in existed:
            cloud.wait(
                f"server {resource_id} gone",
                cloud.settings.delete_timeout_seconds,
                functools.partial(_gone, conn.compute.find_server, resource_id),
            )
    if kind == T.RESOURCE_TYPE_VOLUME:
        for resource_id in existed:
            _volume_gone(cloud, conn, resource_id)
    return existed


# How to read a resource of each kind that belongs to a project (flavors are the cloud's, key
# pairs their user's).
_OWNED: dict[int, Callable[[Conn], Callable[[str], Any]]] = {
    T.RESOURCE_TYPE_SERVER: lambda conn: conn.compute.get_server,
    T.RESOURCE_TYPE_ROUTER: lambda conn: conn.network.get_router,
    T.RESOURCE_TYPE_PORT: lambda conn: conn.network.get_port,
    T.RESOURCE_TYPE_SUBNET: lambda conn: conn.network.get_subnet,
    T.RESOURCE_TYPE_NETWORK: lambda conn: conn.network.get_network,
    T.RESOURCE_TYPE_SECURITY_GROUP: lambda conn: conn.network.get_security_group,
    T.RESOURCE_TYPE_VOLUME: lambda conn: conn.block_storage.get_volume,
    T.RESOURCE_TYPE_SERVER_GROUP: lambda conn: conn.compute.get_server_group,
}


def _require_owned(cloud: Cloud, conn: Conn, kind: int, resource_id: str, project_id: str) -> None:
    """:raises NotFound: there is no such resource in the project (another project's is one)."""
    getter = _OWNED.get(kind)
    if getter is None:
        return
    found = cloud.call(f"get {T.Name(kind)} {resource_id}", lambda: getter(conn)(resource_id))
    owner = attr(found, "project_id", "")
    if owner and owner != project_id:
        raise NotFound(f"project {project_id} has no {T.Name(kind)} {resource_id}")


def _gone(find: Callable[..., Any], resource_id: str) -> bool | None:
    return True if find(resource_id, ignore_missing=True) is None else None


# Where Cinder leaves a volume whose driver failed on the array: the volume and its array volume
# live on until an admin resets the status and asks again.
_STUCK = ("error_deleting", "error_unmanaging")


def _volume(cloud: Cloud, conn: Conn, volume_id: str) -> None:
    """Deletes a volume. One Cinder left error_deleting or error_unmanaging (its driver failed on
    the array) is reset to error first, as an admin would; one being deleted is left to it.

    :raises NotFound: when there is no such volume.
    """
    volume = cloud.call(f"get volume {volume_id}", lambda: conn.block_storage.get_volume(volume_id))
    if volume.status == "deleting":
        return
    if volume.status in _STUCK:
        cloud.call(
            f"reset status of volume {volume_id}",
            lambda: conn.block_storage.reset_volume_status(volume_id, status="error"),
        )
    cloud.call(
        f"delete volume {volume_id}",
        lambda: conn.block_storage.delete_volume(volume_id, ignore_missing=False),
    )


def _volume_gone(cloud: Cloud, conn: Conn, volume_id: str) -> None:
    """Waits until the volume is gone; a delete that Cinder's driver failed (error_deleting: the
    array errored or did not answer, so the array volume lives on) is asked again with backoff,
    up to `delete_attempts` deletes.

    :raises ServiceUnavailable: when the last delete failed too.
    """

    def gone_or_stuck() -> Any:
        found = conn.block_storage.find_volume(volume_id, ignore_missing=True)
        if found is None:
            return True
        return found if found.status in _STUCK else None

    attempts = cloud.settings.delete_attempts
    for attempt in range(1, attempts + 1):
        left = cloud.wait(
            f"volume {volume_id} gone", cloud.settings.delete_timeout_seconds, gone_or_stuck
        )
        if left is True:
            return
        reason = failure_reason(cloud, conn, volume_id)
        if attempt == attempts:
            raise ServiceUnavailable(
                f"delete of volume {volume_id} failed {attempts} times; the last: {reason}"
            )
        cloud.back_off(attempt, f"delete of volume {volume_id} failed: {reason}")
        try:
            _volume(cloud, conn, volume_id)
        except NotFound:
            return


def _server(cloud: Cloud, conn: Conn, server_id: str) -> None:
    server = cloud.call(f"get server {server_id}", lambda: conn.compute.get_server(server_id))
    cloud.call(
        f"delete server {server_id}",
        lambda: conn.compute.delete_server(server, ignore_missing=False),
    )


def _router(cloud: Cloud, conn: Conn, router_id: str) -> None:
    router = cloud.call(f"get router {router_id}", lambda: conn.network.get_router(router_id))
    interfaces = cloud.call(
        "list router interfaces",
        lambda: list(
            conn.network.ports(device_id=router_id, device_owner="network:router_interface")
        ),
    )
    for port in interfaces:
        remove = functools.partial(
            conn.network.remove_interface_from_router, router, port_id=port.id
        )
        cloud.call("remove router interface", remove)
    cloud.call(
        f"delete router {router_id}",
        lambda: conn.network.delete_router(router_id, ignore_missing=False),
    )


def _plain(proxy: str, resource: str) -> Callable[[Cloud, Conn, str], None]:
    """Deletes through `conn.<proxy>.delete_<resource>`; a missing one raises NotFound."""

    def run(cloud: Cloud, conn: Conn, resource_id: str) -> None:
        remove = getattr(getattr(conn, proxy), f"delete_{resource}")
        what = resource.replace("_", " ")
        cloud.call(
            f"delete {what} {resource_id}", lambda: remove(resource_id, ignore_missing=False)
        )

    return run


_DELETERS: dict[int, Callable[[Cloud, Conn, str], None]] = {
    T.RESOURCE_TYPE_SERVER: _server,
    T.RESOURCE_TYPE_ROUTER: _router,
    T.RESOURCE_TYPE_PORT: _plain("network", "port"),
    T.RESOURCE_TYPE_SUBNET: _plain("network", "subnet"),
    T.RESOURCE_TYPE_NETWORK: _plain("network", "network"),
    T.RESOURCE_TYPE_SECURITY_GROUP: _plain("network", "security_group"),
    T.RESOURCE_TYPE_VOLUME: _volume,
    T.RESOURCE_TYPE_SERVER_GROUP: _plain("compute", "server_group"),
    T.RESOURCE_TYPE_KEY_PAIR: _plain("compute", "keypair"),
    T.RESOURCE_TYPE_FLAVOR: _plain("compute", "flavor"),
}
