"""The REST 2.x resources of one array: routes from (method, path) to the operations, query
parsing, name selection and the list envelope (filter, sort, paging).

Every response has `items`, `continuation_token`, `more_items_remaining` and
`total_item_count`; every business error is a 400 with `errors: [{context, message}]`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from simulators.flasharray import arrays, hosts, pods, protection, volumes
from simulators.flasharray.errors import ArrayApiError, does_not_exist
from simulators.flasharray.fabric import Fabric, SimArray
from simulators.flasharray.filters import FilterError, compile_filter, sort_items

T = TypeVar("T")
Items = list[dict[str, Any]]


@dataclass
class Request:
    """One REST call on one array, after authentication."""

    method: str
    # The resource path after /api/2.x, e.g. "/volumes".
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    # A body that is a JSON list (PUT .../tags/batch), else empty.
    listed: list[Any] = field(default_factory=list)

    @classmethod
    def parse(cls, method: str, path: str, query_string: str, body: Any) -> Request:
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        listed = body if isinstance(body, list) else []
        return cls(method, path, query, body if isinstance(body, dict) else {}, listed)

    def names(self, key: str) -> list[str]:
        value = self.query.get(key, "")
        return [v for v in value.split(",") if v] if value else []

    def flag(self, key: str) -> bool | None:
        value = self.query.get(key)
        if value is None or value == "":
            return None
        if value.lower() not in ("true", "false"):
            raise ArrayApiError(f"Invalid value for {key}: {value}.", key)
        return value.lower() == "true"

    def one(self, key: str) -> str | None:
        return self.query.get(key) or None

    def number(self, key: str) -> int | None:
        value = self.query.get(key)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise ArrayApiError(f"Invalid value for {key}: {value}.", key) from None


def select(objects: dict[str, T], names: list[str], kind: str) -> list[T]:
    """Objects by exact name or `*` pattern; all when no names.

    :raises ArrayApiError: for an exact name that does not exist.
    """
    if not names:
        return list(objects.values())
    chosen: list[T] = []
    for name in names:
        if "*" in name:
            matched = [o for n, o in objects.items() if fnmatch.fnmatchcase(n, name)]
        elif name in objects:
            matched = [objects[name]]
        else:
            raise does_not_exist(kind, name)
        chosen += [o for o in matched if o not in chosen]
    return chosen


def envelope(request: Request, items: Items) -> dict[str, Any]:
    """The list response: filtered, sorted and paged as the query asks."""
    if request.method == "GET":
        ids = request.names("ids")
        if ids:
            items = [i for i in items if i.get("id") in ids]
        destroyed = request.flag("destroyed")
        if destroyed is not None:
            kept = [i for i in items if bool(i.get("destroyed")) == destroyed]
            _refuse_names_filtered_out(request, items, kept)
            items = kept
        if request.one("filter"):
            try:
                predicate = compile_filter(request.query["filter"])
            except FilterError as error:
                raise ArrayApiError(str(error), "filter") from None
            items = [i for i in items if predicate(i)]
        if request.one("sort"):
            items = sort_items(items, request.names("sort"))
    total = len(items)
    start = request.number("continuation_token") or request.number("offset") or 0
    limit = request.number("limit")
    if limit is not None and limit < 0:
        raise ArrayApiError("limit must not be negative.", "limit")
    page = items[start:] if limit is None else items[start : start + limit]
    more = start + len(page) < total
    if request.flag("total_only"):
        page = []
    return {
        "items": page,
        "continuation_token": str(start + len(page)) if more else None,
        "more_items_remaining": more,
        "total_item_count": total,
    }


# What an object of a path is called in the array's errors.
_KINDS = {
    "/volumes": "Volume",
    "/volume-snapshots": "Volume snapshot",
    "/protection-groups": "Protection group",
    "/protection-group-snapshots": "Protection group snapshot",
    "/pods": "Pod",
    "/hosts": "Host",
}


def _refuse_names_filtered_out(request: Request, found: Items, kept: Items) -> None:
    """An object named exactly, but destroyed or not as `destroyed=` excludes: the array says it
    does not exist (as it does for `names=X&destroyed=true` on a live X), rather than answering
    an empty list. Names that matched no object by name (a protection group's name asked of
    its snapshots) are left alone.

    :raises ArrayApiError: for the first such name.
    """
    named = {i.get("name") for i in found}
    left = {i.get("name") for i in kept}
    for name in request.names("names"):
        if "*" not in name and name in named and name not in left:
            raise does_not_exist(_KINDS.get(request.path, "Object"), name)


Handler = Callable[[Fabric, SimArray, Request], Items]
ROUTES: dict[tuple[str, str], Handler] = {}


def route(method: str, path: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES[(method, path)] = handler
        return handler

    return register


def handle(fabric: Fabric, array: SimArray, request: Request) -> dict[str, Any]:
    """Runs one call under the fabric lock; returns the envelope.

    :raises ArrayApiError: for anything the array refuses (nothing is changed then).
    """
    handler = ROUTES.get((request.method, request.path))
    if handler is None:
        raise ArrayApiError(
            f"{request.method} {request.path} is not supported by the draas FlashArray simulator.",
            status=404 if not any(p == request.path for _, p in ROUTES) else 405,
        )
    with fabric.lock:
        return envelope(request, handler(fabric, array, request))


# Arrays --------------------------------------------------------------------------------------


@route("GET", "/arrays")
def _get_arrays(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [arrays.render_array(fabric, array)]


@route("GET", "/arrays/space")
def _get_space(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [arrays.render_space(fabric, array)]


@route("GET", "/controllers")
def _get_controllers(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return arrays.render_controllers(array)


@route("GET", "/hardware")
def _get_hardware(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return arrays.render_hardware(array)


@route("GET", "/array-connections")
def _get_array_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = arrays.connections_of(fabric, array)
    wanted = request.names("names") or request.names("remote_names")
    for name in wanted:
        if name not in {remote for remote, _ in found}:
            raise does_not_exist("Array connection", name)
    return [
        arrays.render_array_connection(fabric, array, remote, link)
        for remote, link in found
        if not wanted or remote in wanted
    ]


@route("POST", "/array-connections")
def _post_array_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    remote, link = arrays.connect_arrays(fabric, array, request.body)
    return [arrays.render_array_connection(fabric, array, remote, link)]


@route("PATCH", "/array-connections")
def _patch_array_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    changed = arrays.patch_array_connections(fabric, array, request.names("names"), request.body)
    return [arrays.render_array_connection(fabric, array, name, link) for name, link in changed]


@route("GET", "/array-connections/connection-key")
def _get_connection_key(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [{"connection_key": array.connection_key}]


# Volumes -------------------------------------------------------------------------------------


@route("GET", "/volumes")
def _get_volumes(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.volumes, request.names("names"), "Volume")
    return [volumes.render_volume(fabric, array, v) for v in found]


@route("POST", "/volumes")
def _post_volumes(fabric: Fabric, array: SimArray, request: Request) -> Items:
    made = volumes.create_volumes(
        fabric,
        array,
        request.names("names"),
        request.body,
        bool(request.flag("overwrite")),
        request.names("add_to_protection_group_names"),
    )
    return [volumes.render_volume(fabric, array, v) for v in made]


@route("PATCH", "/volumes")
def _patch_volumes(fabric: Fabric, array: SimArray, request: Request) -> Items:
    changed = volumes.patch_volumes(
        fabric,
        array,
        request.names("names"),
        request.body,
        bool(request.flag("truncate")),
        request.names("add_to_protection_group_names"),
        request.names("remove_from_protection_group_names"),
    )
    return [volumes.render_volume(fabric, array, v) for v in changed]


@route("DELETE", "/volumes")
def _delete_volumes(fabric: Fabric, array: SimArray, request: Request) -> Items:
    volumes.eradicate_volumes(fabric, array, request.names("names"))
    return []


@route("GET", "/volumes/protection-groups")
def _get_volumes_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pairs = protection.members(array, request.names("group_names"), request.names("member_names"))
    return [protection.render_member(g, v) for g, v in pairs]


@route("GET", "/volume-snapshots")
def _get_volume_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.volume_snapshots, request.names("names"), "Snapshot")
    sources = request.names("source_names")
    for name in sources:
        array.volume(name)
    return [
        volumes.render_volume_snapshot(fabric, s)
        for s in found
        if not sources or s.source in sources
    ]


@route("POST", "/volume-snapshots")
def _post_volume_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    made = volumes.create_volume_snapshots(
        fabric, array, request.names("source_names"), request.body.get("suffix")
    )
    return [volumes.render_volume_snapshot(fabric, s) for s in made]


@route("PATCH", "/volume-snapshots")
def _patch_volume_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    changed = volumes.patch_volume_snapshots(fabric, array, request.names("names"), request.body)
    return [volumes.render_volume_snapshot(fabric, s) for s in changed]


@route("DELETE", "/volume-snapshots")
def _delete_volume_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    volumes.eradicate_volume_snapshots(fabric, array, request.names("names"))
    return []


# Protection groups ---------------------------------------------------------------------------


@route("GET", "/protection-groups")
def _get_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.protection_groups, request.names("names"), "Protection group")
    return [protection.render_group(fabric, array, g) for g in found]


@route("POST", "/protection-groups")
def _post_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    if request.names("source_names") or request.names("source_ids"):
        raise ArrayApiError(
            "Copying a protection group is not supported by the draas FlashArray simulator."
        )
    made = protection.create_groups(fabric, array, request.names("names"))
    return [protection.render_group(fabric, array, g) for g in made]


@route("PATCH", "/protection-groups")
def _patch_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    changed = protection.patch_groups(fabric, array, request.names("names"), request.body)
    return [protection.render_group(fabric, array, g) for g in changed]


@route("DELETE", "/protection-groups")
def _delete_groups(fabric: Fabric, array: SimArray, request: Request) -> Items:
    protection.eradicate_groups(fabric, array, request.names("names"))
    return []


@route("GET", "/protection-groups/volumes")
def _get_members(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pairs = protection.members(array, request.names("group_names"), request.names("member_names"))
    return [protection.render_member(g, v) for g, v in pairs]


@route("POST", "/protection-groups/volumes")
def _post_members(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pairs = protection.add_members(
        array, request.names("group_names"), request.names("member_names")
    )
    return [protection.render_member(g, v) for g, v in pairs]


@route("DELETE", "/protection-groups/volumes")
def _delete_members(fabric: Fabric, array: SimArray, request: Request) -> Items:
    protection.remove_members(array, request.names("group_names"), request.names("member_names"))
    return []


@route("GET", "/protection-groups/targets")
def _get_targets(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pairs = protection.targets(array, request.names("group_names"))
    wanted = request.names("member_names")
    return [
        protection.render_target(fabric, g, t) for g, t in pairs if not wanted or t.array in wanted
    ]


@route("POST", "/protection-groups/targets")
def _post_targets(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pairs = protection.add_targets(
        fabric, array, request.names("group_names"), request.names("member_names")
    )
    return [protection.render_target(fabric, g, t) for g, t in pairs]


@route("PATCH", "/protection-groups/targets")
def _patch_targets(fabric: Fabric, array: SimArray, request: Request) -> Items:
    if "allowed" not in request.body:
        raise ArrayApiError("Only allowed can be changed on a target.")
    pairs = protection.patch_targets(
        array,
        request.names("group_names"),
        request.names("member_names"),
        bool(request.body["allowed"]),
    )
    return [protection.render_target(fabric, g, t) for g, t in pairs]


@route("DELETE", "/protection-groups/targets")
def _delete_targets(fabric: Fabric, array: SimArray, request: Request) -> Items:
    protection.remove_targets(array, request.names("group_names"), request.names("member_names"))
    return []


@route("GET", "/protection-group-snapshots")
def _get_pg_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = protection.pg_snapshots_named(
        array, request.names("names"), request.names("source_names")
    )
    return [protection.render_pg_snapshot(fabric, s) for s in found]


@route("POST", "/protection-group-snapshots")
def _post_pg_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    if request.flag("replicate") and request.flag("replicate_now"):
        raise ArrayApiError("replicate and replicate_now cannot be used together.")
    replicate = bool(request.flag("replicate") or request.flag("replicate_now"))
    made = []
    for name in request.names("source_names"):
        group = protection.group_named(array, name)
        made.append(
            protection.take_snapshot(
                fabric,
                array,
                group,
                request.body.get("suffix"),
                replicate,
                bool(request.flag("for_replication")),
            )
        )
        if request.flag("apply_retention"):
            protection.apply_retention(fabric, array, group, group.source_retention)
    return [protection.render_pg_snapshot(fabric, s) for s in made]


@route("PATCH", "/protection-group-snapshots")
def _patch_pg_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    changed = protection.patch_pg_snapshots(fabric, array, request.names("names"), request.body)
    return [protection.render_pg_snapshot(fabric, s) for s in changed]


@route("DELETE", "/protection-group-snapshots")
def _delete_pg_snapshots(fabric: Fabric, array: SimArray, request: Request) -> Items:
    protection.eradicate_pg_snapshots(array, request.names("names"))
    return []


@route("GET", "/protection-group-snapshots/transfer")
def _get_transfers(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = protection.pg_snapshots_named(
        array, request.names("names"), request.names("source_names")
    )
    return [protection.render_transfer(s) for s in found if s.transfers]


# Pods ----------------------------------------------------------------------------------------


@route("GET", "/pods")
def _get_pods(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [pods.render_pod(fabric, p) for p in select(array.pods, request.names("names"), "Pod")]


@route("POST", "/pods")
def _post_pods(fabric: Fabric, array: SimArray, request: Request) -> Items:
    made = pods.create_pods(fabric, array, request.names("names"), request.body)
    return [pods.render_pod(fabric, p) for p in made]


@route("PATCH", "/pods")
def _patch_pods(fabric: Fabric, array: SimArray, request: Request) -> Items:
    if request.flag("quiesce") or request.names("promote_from"):
        raise ArrayApiError(
            "Pod promotion and quiescing (ActiveDR) are not supported by the draas FlashArray "
            "simulator."
        )
    changed = pods.patch_pods(
        fabric, array, request.names("names"), request.body, bool(request.flag("destroy_contents"))
    )
    return [pods.render_pod(fabric, p) for p in changed]


@route("DELETE", "/pods")
def _delete_pods(fabric: Fabric, array: SimArray, request: Request) -> Items:
    pods.eradicate_pods(
        fabric, array, request.names("names"), bool(request.flag("eradicate_contents"))
    )
    return []


def _pod_membership(fabric: Fabric, pod: Any, name: str) -> dict[str, Any]:
    """An item of /pods/members (what /pods/arrays answers as `group` and `member`)."""
    return {
        "pod": {"id": pod.id, "name": pod.name, "resource_type": "pods"},
        "member": {"id": fabric.arrays[name].id, "name": name, "resource_type": "arrays"},
    }


def _pod_member_routes(
    path: str, pods_key: str, render: Callable[[Fabric, Any, str], dict[str, Any]]
) -> None:
    """GET, POST and DELETE of a pod's arrays: /pods/arrays (pods by group_names) and
    /pods/members, which newer clients use instead (pods by pod_names)."""

    def get(fabric: Fabric, array: SimArray, request: Request) -> Items:
        found = select(array.pods, request.names(pods_key), "Pod")
        wanted = request.names("member_names")
        return [
            render(fabric, p, name)
            for p in found
            for name in p.arrays
            if not wanted or name in wanted
        ]

    def post(fabric: Fabric, array: SimArray, request: Request) -> Items:
        pairs = pods.stretch(fabric, array, request.names(pods_key), request.names("member_names"))
        return [render(fabric, p, name) for p, name in pairs]

    def delete(fabric: Fabric, array: SimArray, request: Request) -> Items:
        pods.unstretch(
            fabric,
            array,
            request.names(pods_key),
            request.names("member_names"),
            bool(request.flag("with_unknown")),
        )
        return []

    route("GET", path)(get)
    route("POST", path)(post)
    route("DELETE", path)(delete)


_pod_member_routes("/pods/arrays", "group_names", pods.render_pod_member)
_pod_member_routes("/pods/members", "pod_names", _pod_membership)


# Hosts and connections -----------------------------------------------------------------------


@route("GET", "/hosts")
def _get_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.hosts, request.names("names"), "Host")
    return [hosts.render_host(array, h) for h in found]


@route("POST", "/hosts")
def _post_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [
        hosts.render_host(array, h)
        for h in hosts.create_hosts(array, request.names("names"), request.body)
    ]


@route("PATCH", "/hosts")
def _patch_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [
        hosts.render_host(array, h)
        for h in hosts.patch_hosts(array, request.names("names"), request.body)
    ]


@route("DELETE", "/hosts")
def _delete_hosts(fabric: Fabric, array: SimArray, request: Request) -> Items:
    hosts.delete_hosts(array, request.names("names"))
    return []


@route("GET", "/connections")
def _get_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    host_names, volume_names = request.names("host_names"), request.names("volume_names")
    group_names = request.names("host_group_names")
    private = [] if group_names else hosts.connections(array, host_names, volume_names)
    shared = host_groups.group_connections(array, host_names, group_names, volume_names)
    return [hosts.render_connection(c) for c in private] + shared


@route("POST", "/connections")
def _post_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    lun = request.body.get("lun")
    chosen = int(lun) if lun is not None else None
    if request.names("host_group_names"):
        return [
            row
            for name in request.names("host_group_names")
            for row in host_groups.connect(
                array, host_groups.group_named(array, name), request.names("volume_names"), chosen
            )
        ]
    made = hosts.connect(array, request.names("host_names"), request.names("volume_names"), chosen)
    return [hosts.render_connection(c) for c in made]


@route("DELETE", "/connections")
def _delete_connections(fabric: Fabric, array: SimArray, request: Request) -> Items:
    if request.names("host_group_names"):
        host_groups.disconnect(
            array, request.names("host_group_names"), request.names("volume_names")
        )
        return []
    hosts.disconnect(array, request.names("host_names"), request.names("volume_names"))
    return []


# Routes of other modules (registered on import): host groups, tags, and what an array answers
# but the lab configures nothing of.
from simulators.flasharray import host_groups, inventory, tags  # noqa: E402, F401
