"""Cinder v3 snapshots: made, listed, renamed, their metadata, deleted (and an admin's reset or
force delete). A Pure backend takes each as an array snapshot of the volume,
`<volume>.snapshot-<uuid>`, as Cinder's Pure driver does; a volume made from one is an array
copy (block_storage's create). As in Cinder, the backend's work happens after the API answers:
a snapshot is `creating` until it is taken, `deleting` until it is gone, and settles in `error`
or `error_deleting` with a user message when the backend fails."""

from __future__ import annotations

import time
from typing import Any

from simulators.openstack.block_storage import (
    SHOWN_STATUS,
    check_quota,
    in_background,
    visible_snapshot,
    visible_volume,
)
from simulators.openstack.errors import bad_request, not_found
from simulators.openstack.listing import filter_items, next_query, page
from simulators.openstack.routing import Call, Router, ok
from simulators.openstack.store import Snapshot, Store, iso, new_id

router = Router()
# What a delete accepts (cinder volume/api.py, delete_snapshot).
DELETABLE = ("available", "error")
# From 3.66 an in-use volume is snapshotted without `force`.
IN_USE_WITHOUT_FORCE = (3, 66)


def render_snapshot(call: Call, snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": snapshot.volume_id,
        "size": snapshot.size,
        "status": snapshot.status,
        "metadata": dict(snapshot.metadata),
        "created_at": iso(snapshot.created_at),
        "updated_at": iso(snapshot.updated_at),
        "user_id": snapshot.user_id,
        "group_snapshot_id": None,
        "consumes_quota": True,
        "os-extended-snapshot-attributes:project_id": snapshot.project_id,
        "os-extended-snapshot-attributes:progress": "100%"
        if snapshot.status == "available"
        else "0%",
    }


def _snapshots(call: Call) -> list[Snapshot]:
    everyone = call.flag("all_tenants") and call.caller.is_admin
    project = call.project()
    chosen = [s for s in call.store.snapshots.values() if everyone or s.project_id == project]
    return sorted(chosen, key=lambda s: (s.created_at, s.id), reverse=True)


def _list(call: Call, detail: bool) -> Any:
    rendered = [render_snapshot(call, s) for s in _snapshots(call)]
    rendered = filter_items(
        rendered,
        call.request.query_lists,
        ignore={"all_tenants", "project_id", "metadata", "with_count", "sort", "offset"},
    )
    chunk, marker = page(rendered, call.query, call.store.max_limit)
    if not detail:
        extended = ("os-extended-snapshot-attributes:", "user_id", "group_snapshot_id")
        chunk = [{k: v for k, v in s.items() if not k.startswith(extended)} for s in chunk]
    body: dict[str, Any] = {"snapshots": chunk}
    if marker:
        collection = f"{call.base_url}/volume/v3/{call.project()}/snapshots"
        href = f"{collection}{'/detail' if detail else ''}?{next_query(call.query, marker)}"
        body["snapshots_links"] = [{"rel": "next", "href": href}]
    return ok(body)


@router.add("GET", "/snapshots")
def list_snapshots(call: Call) -> Any:
    return _list(call, detail=False)


@router.add("GET", "/snapshots/detail")
def list_snapshots_detail(call: Call) -> Any:
    return _list(call, detail=True)


@router.add("GET", "/snapshots/{id}")
def get_snapshot(call: Call) -> Any:
    return ok({"snapshot": render_snapshot(call, visible_snapshot(call, call.params["id"]))})


@router.add("POST", "/snapshots")
def create_snapshot(call: Call) -> Any:
    """Takes a snapshot of an available volume (or, with `force` or from 3.66, an in-use one).

    :raises ApiError: 400 naming the field and why, 404 for a volume the caller cannot see,
        413 over the snapshot or gigabytes quota.
    """
    call.require_write()
    spec = call.member("snapshot")
    if not spec.get("volume_id"):
        raise bad_request("Invalid input received: snapshot must name its volume_id.")
    volume = visible_volume(call, str(spec["volume_id"]))
    force = str(spec.get("force", False)).lower() in ("true", "1", "yes")
    allowed = ("available", "in-use") if force or call.at_least(*IN_USE_WITHOUT_FORCE) else ()
    if volume.status not in (allowed or ("available",)):
        shown = SHOWN_STATUS.get(volume.status, volume.status)
        wanted = " or ".join(allowed or ("available",))
        raise bad_request(
            f"Invalid volume: Volume {volume.id} status must be {wanted}, but current status "
            f"is: {shown}."
        )
    metadata = spec.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise bad_request("Invalid input received: metadata must be a dictionary.")
    check_quota(call, volume.project_id, volume.size, kind="snapshots")
    snapshot = Snapshot(
        id=new_id(),
        name=spec.get("name") or spec.get("display_name"),
        description=spec.get("description") or spec.get("display_description"),
        volume_id=volume.id,
        project_id=volume.project_id,
        user_id=call.caller.user_id,
        size=volume.size,
        created_at=time.time(),
        metadata={str(k): str(v) for k, v in metadata.items()},
    )
    call.store.snapshots[snapshot.id] = snapshot
    backend, provider_id = call.store.backends.get(volume.backend), volume.provider_id

    def settle(taken: Snapshot, name: str | None) -> None:
        taken.provider_id, taken.status = name, "available"

    in_background(
        call.store,
        snapshot,
        lambda: backend.snapshot(provider_id, snapshot.id) if backend else None,
        "create snapshot",
        settle,
        key=volume.id,
    )
    return ok({"snapshot": render_snapshot(call, snapshot)}, 202)


@router.add("PUT", "/snapshots/{id}")
def update_snapshot(call: Call) -> Any:
    call.require_write()
    snapshot = visible_snapshot(call, call.params["id"])
    spec = call.member("snapshot")
    for key in ("name", "description"):
        if key in spec:
            setattr(snapshot, key, spec[key])
    snapshot.updated_at = time.time()
    return ok({"snapshot": render_snapshot(call, snapshot)})


@router.add("DELETE", "/snapshots/{id}")
def delete_snapshot(call: Call) -> Any:
    call.require_write()
    snapshot = visible_snapshot(call, call.params["id"])
    if snapshot.status not in DELETABLE:
        raise bad_request(
            f"Invalid snapshot: Volume Snapshot status must be {' or '.join(DELETABLE)} "
            f"(current status: {snapshot.status})"
        )
    remove_snapshot(call.store, snapshot)
    return ok(status=202)


def remove_snapshot(store: Store, snapshot: Snapshot) -> None:
    """Deletes the snapshot: `deleting` while the backend removes it, then gone; if the backend
    fails, it stays, `error_deleting`, with a user message."""
    volume = store.volumes.get(snapshot.volume_id)
    backend = store.backends.get(volume.backend) if volume else None
    provider_id = snapshot.provider_id
    snapshot.status, snapshot.updated_at = "deleting", time.time()

    def work() -> None:
        if backend is not None:
            backend.delete_snapshot(provider_id)

    in_background(
        store,
        snapshot,
        work,
        "delete snapshot",
        lambda gone, _: store.snapshots.pop(gone.id, None),
        failed="error_deleting",
        key=snapshot.volume_id,
    )


@router.add("POST", "/snapshots/{id}/action")
def snapshot_action(call: Call) -> Any:
    """An admin's os-reset_status or os-force_delete."""
    snapshot = visible_snapshot(call, call.params["id"])
    if len(call.body) != 1:
        raise bad_request("There must be exactly one action in the request body.")
    action, argument = next(iter(call.body.items()))
    call.require_admin()
    if action == "os-force_delete":
        if snapshot.status == "deleting":
            raise bad_request(f"Invalid snapshot: snapshot {snapshot.id} is being deleted.")
        remove_snapshot(call.store, snapshot)
        return ok(status=202)
    if action == "os-reset_status":
        status = (argument or {}).get("status") if isinstance(argument, dict) else None
        if status not in ("available", "error", "creating", "deleting", "error_deleting"):
            raise bad_request(
                f"Invalid input received: status {status!r} is not a snapshot status."
            )
        snapshot.status, snapshot.updated_at = status, time.time()
        return ok(status=202)
    raise bad_request(f"The snapshot action {action} is not supported by the simulator.")


@router.add("GET", "/snapshots/{id}/metadata")
def get_metadata(call: Call) -> Any:
    return ok({"metadata": dict(visible_snapshot(call, call.params["id"]).metadata)})


@router.add("POST", "/snapshots/{id}/metadata")
def update_metadata(call: Call) -> Any:
    call.require_write()
    snapshot = visible_snapshot(call, call.params["id"])
    snapshot.metadata.update({str(k): str(v) for k, v in call.member("metadata").items()})
    return ok({"metadata": dict(snapshot.metadata)})


@router.add("PUT", "/snapshots/{id}/metadata")
def replace_metadata(call: Call) -> Any:
    call.require_write()
    snapshot = visible_snapshot(call, call.params["id"])
    snapshot.metadata = {str(k): str(v) for k, v in call.member("metadata").items()}
    return ok({"metadata": dict(snapshot.metadata)})


@router.add("DELETE", "/snapshots/{id}/metadata/{key}")
def delete_metadata(call: Call) -> Any:
    call.require_write()
    snapshot = visible_snapshot(call, call.params["id"])
    if snapshot.metadata.pop(call.params["key"], None) is None:
        raise not_found("Metadata item", call.params["key"])
    return ok(status=200)
