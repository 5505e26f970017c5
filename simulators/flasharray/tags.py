"""Tags: key-value pairs in namespaces on volumes, snapshots, protection groups, pods, hosts and
host groups (GET and DELETE /<kind>/tags, PUT /<kind>/tags/batch), as Pure's tools set them.

A tag lives as long as the object it names: once the object is gone, so are its tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.flasharray.errors import ArrayApiError
from simulators.flasharray.fabric import Fabric, SimArray
from simulators.flasharray.rest import Items, Request, route, select

DEFAULT_NAMESPACE = "default"
# Each taggable collection, and where its objects are on an array.
TAGGABLE: dict[str, tuple[str, Callable[[SimArray], dict[str, Any]]]] = {
    "/volumes": ("Volume", lambda a: a.volumes),
    "/volume-snapshots": ("Volume snapshot", lambda a: a.volume_snapshots),
    "/protection-groups": ("Protection group", lambda a: a.protection_groups),
    "/pods": ("Pod", lambda a: a.pods),
    "/hosts": ("Host", lambda a: a.hosts),
    "/host-groups": ("Host group", lambda a: a.host_groups),
}


def _tagged(collection: str) -> Callable[[Fabric, SimArray, Request], Items]:
    kind, objects_of = TAGGABLE[collection]

    def get(fabric: Fabric, array: SimArray, request: Request) -> Items:
        objects = objects_of(array)
        wanted = select(objects, request.names("resource_names"), kind)
        namespaces = request.names("namespaces")
        destroyed = request.flag("resource_destroyed")
        rows = []
        for obj in wanted:
            if destroyed is not None and bool(getattr(obj, "destroyed", False)) != destroyed:
                continue
            for (namespace, _), tag in array.tags.get((collection, obj.id), {}).items():
                if not namespaces or namespace in namespaces:
                    rows.append({**tag, "resource": {"id": obj.id, "name": obj.name}})
        return rows

    def put(fabric: Fabric, array: SimArray, request: Request) -> Items:
        targets = select(objects_of(array), request.names("resource_names"), kind)
        if not request.names("resource_names"):
            raise ArrayApiError("resource_names is required.", "resource_names")
        tags = [_tag(item) for item in request.listed]
        rows = []
        for obj in targets:
            kept = array.tags.setdefault((collection, obj.id), {})
            for tag in tags:
                kept[(tag["namespace"], tag["key"])] = tag
                rows.append({**tag, "resource": {"id": obj.id, "name": obj.name}})
        return rows

    def delete(fabric: Fabric, array: SimArray, request: Request) -> Items:
        targets = select(objects_of(array), request.names("resource_names"), kind)
        keys = request.names("keys")
        namespaces = request.names("namespaces") or [DEFAULT_NAMESPACE]
        for obj in targets:
            kept = array.tags.get((collection, obj.id), {})
            for namespace, key in list(kept):
                if namespace in namespaces and (not keys or key in keys):
                    del kept[(namespace, key)]
        return []

    route("GET", f"{collection}/tags")(get)
    route("PUT", f"{collection}/tags/batch")(put)
    route("DELETE", f"{collection}/tags")(delete)
    return get


def _tag(item: Any) -> dict[str, Any]:
    """:raises ArrayApiError: for a tag without a key."""
    if not isinstance(item, dict) or not item.get("key"):
        raise ArrayApiError("Each tag needs a key.", "tag")
    return {
        "key": str(item["key"]),
        "value": str(item.get("value") or ""),
        "namespace": str(item.get("namespace") or DEFAULT_NAMESPACE),
        "copyable": bool(item.get("copyable", True)),
    }


for _collection in TAGGABLE:
    _tagged(_collection)
