"""Cinder v3 up to microversion 3.71: volume types (extra specs, project access, encryption),
volumes (metadata, image metadata, bootable, attachments, made from a snapshot or another
volume), manage existing (and the list of manageable volumes) and unmanage, retype, extend,
services and failover, capabilities, limits, quotas, user messages, availability zones, and
the (always empty) lists of what it never makes: backups, groups and transfers. Snapshots are
in volume_snapshots.
Work on the backend happens after the API answers, as in real Cinder: a volume is `creating`
until it is made.

When the backend fails, the volume settles as Cinder's volume manager leaves it: a create in
`error`, a manage in `error_managing` (shown as `error`), an extend in `error_extending`, a
delete in `error_deleting` and an unmanage in `error_unmanaging`; the last two keep the volume
(and its array volume), and only an admin's `os-reset_status` (or a force delete) lets it be
deleted again."""

from __future__ import annotations

import functools
import time
from typing import Any

from simulators.openstack.backends import Backend, BackendError, PureBackend
from simulators.openstack.errors import ApiError, bad_request, not_found
from simulators.openstack.listing import filter_items, next_query, page
from simulators.openstack.quotas import flag, update_quota
from simulators.openstack.routing import Call, Router, ok
from simulators.openstack.store import (
    Attachment,
    Server,
    Snapshot,
    Store,
    Volume,
    VolumeType,
    iso,
    new_id,
)

router = Router()
MAX_MICROVERSION = (3, 71)
DEFAULT_TYPE = "__DEFAULT__"
# Internal statuses of a manage, as the API shows them (cinder api/v3/views/volumes.py).
SHOWN_STATUS = {
    "managing": "creating",
    "error_managing": "error",
    "error_managing_deleting": "deleting",
}
# What a delete or unmanage accepts without force (cinder volume/api.py, delete).
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")


def versions(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "v3.0",
            "status": "CURRENT",
            "version": "3.71",
            "min_version": "3.0",
            "updated": "2023-08-31T00:00:00Z",
            "links": [
                {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
                {"rel": "self", "href": f"{base_url}/volume/v3/"},
            ],
            "media-types": [
                {
                    "base": "application/json",
                    "type": "application/vnd.openstack.volume+json;version=3",
                }
            ],
        }
    ]


# Types ---------------------------------------------------------------------------------------


def _type_visible(call: Call, vtype: VolumeType) -> bool:
    return vtype.is_public or call.caller.is_admin or call.caller.project_id in vtype.access


def find_type(call: Call, key: str) -> VolumeType:
    """A visible type by id or name.

    :raises ApiError: 404 when none.
    """
    store = call.store
    vtype = store.volume_types.get(key) or next(
        (t for t in store.volume_types.values() if t.name == key), None
    )
    if vtype is None or not _type_visible(call, vtype):
        raise not_found("Volume type", key)
    return vtype


def render_type(call: Call, vtype: VolumeType) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": vtype.id,
        "name": vtype.name,
        "description": vtype.description,
        "is_public": vtype.is_public,
        "os-volume-type-access:is_public": vtype.is_public,
        "qos_specs_id": None,
        "extra_specs": dict(vtype.extra_specs),
    }
    return body


@router.add("GET", "/types")
def list_types(call: Call) -> Any:
    """As Cinder lists them: public types and the private ones the caller's project may use;
    only an admin's `is_public` chooses (false: private ones, None: all of them).

    :raises ApiError: 400 for an `is_public` that is not a boolean or None.
    """
    wanted: bool | None = True
    asked = call.query.get("is_public")
    if call.caller.is_admin and asked is not None:
        if asked.lower() == "none":
            wanted = None
        elif asked.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
            wanted = asked.lower() in ("true", "1", "yes", "on")
        else:
            raise bad_request(f"Invalid is_public filter [{asked}]")
    project = call.caller.project_id
    chosen = [
        t
        for t in call.store.volume_types.values()
        if wanted is None
        or t.is_public == wanted
        or (wanted and project is not None and project in t.access)
    ]
    return ok({"volume_types": [render_type(call, t) for t in chosen]})


@router.add("GET", "/types/default")
def default_type(call: Call) -> Any:
    return ok({"volume_type": render_type(call, find_type(call, DEFAULT_TYPE))})


@router.add("GET", "/types/{id}")
def get_type(call: Call) -> Any:
    return ok({"volume_type": render_type(call, find_type(call, call.params["id"]))})


@router.add("POST", "/types")
def create_type(call: Call) -> Any:
    call.require_admin()
    spec = call.member("volume_type")
    name = str(spec.get("name") or "").strip()
    if not name or len(name) > 255:
        raise bad_request("Volume type name can not be empty.")
    if any(t.name == name for t in call.store.volume_types.values()):
        raise ApiError(409, f"Volume Type {name} already exists.")
    vtype = VolumeType(
        new_id(),
        name,
        {str(k): str(v) for k, v in (spec.get("extra_specs") or {}).items()},
        spec.get("description"),
        bool(spec.get("os-volume-type-access:is_public", spec.get("is_public", True))),
    )
    call.store.volume_types[vtype.id] = vtype
    return ok({"volume_type": render_type(call, vtype)})


@router.add("PUT", "/types/{id}")
def update_type(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    spec = call.member("volume_type")
    for key in ("name", "description"):
        if spec.get(key) is not None:
            setattr(vtype, key, spec[key])
    if "is_public" in spec:
        vtype.is_public = bool(spec["is_public"])
    return ok({"volume_type": render_type(call, vtype)})


@router.add("DELETE", "/types/{id}")
def delete_type(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    if any(v.volume_type is vtype for v in call.store.volumes.values()):
        raise bad_request(f"Target volume type {vtype.id} is still in use.")
    del call.store.volume_types[vtype.id]
    return ok(status=202)


@router.add("GET", "/types/{id}/extra_specs")
def get_specs(call: Call) -> Any:
    return ok({"extra_specs": dict(find_type(call, call.params["id"]).extra_specs)})


@router.add("POST", "/types/{id}/extra_specs")
def set_specs(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    vtype.extra_specs.update({str(k): str(v) for k, v in call.member("extra_specs").items()})
    return ok({"extra_specs": dict(vtype.extra_specs)})


@router.add("DELETE", "/types/{id}/extra_specs/{key}")
def delete_spec(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    if vtype.extra_specs.pop(call.params["key"], None) is None:
        raise not_found("Volume type extra spec", call.params["key"])
    return ok(status=202)


@router.add("GET", "/types/{id}/os-volume-type-access")
def list_access(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    return ok(
        {
            "volume_type_access": [
                {"volume_type_id": vtype.id, "project_id": p} for p in sorted(vtype.access)
            ]
        }
    )


@router.add("POST", "/types/{id}/action")
def type_action(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    if "addProjectAccess" in call.body:
        vtype.access.add(str(call.body["addProjectAccess"]["project"]))
    elif "removeProjectAccess" in call.body:
        vtype.access.discard(str(call.body["removeProjectAccess"]["project"]))
    else:
        raise bad_request("Invalid volume type action.")
    return ok(status=202)


@router.add("GET", "/types/{id}/encryption")
def get_encryption(call: Call) -> Any:
    vtype = find_type(call, call.params["id"])
    return ok(dict(vtype.encryption or {}))


@router.add("POST", "/types/{id}/encryption")
def set_encryption(call: Call) -> Any:
    call.require_admin()
    vtype = find_type(call, call.params["id"])
    vtype.encryption = {"volume_type_id": vtype.id, **call.member("encryption")}
    return ok({"encryption": dict(vtype.encryption)})


# Volumes -------------------------------------------------------------------------------------


def backend_for(store: Store, vtype: VolumeType) -> Backend | None:
    wanted = vtype.extra_specs.get("volume_backend_name")
    backends = list(store.backends.values())
    if wanted is None:
        return backends[0] if backends else None
    return next((b for b in backends if b.backend_name == wanted), None)


def visible_volume(call: Call, key: str, for_nova: bool = False) -> Volume:
    """A volume the caller may see.

    :raises ApiError: 404 otherwise (for Nova, a 400 naming the volume).
    """
    volume = call.store.volumes.get(key)
    if volume is None or (volume.project_id != call.caller.project_id and not call.caller.is_admin):
        if for_nova:
            raise bad_request(f"Block Device Mapping is Invalid: failed to get volume {key}.")
        raise not_found("Volume", key)
    return volume


def visible_snapshot(call: Call, key: str) -> Snapshot:
    """A snapshot the caller may see.

    :raises ApiError: 404 otherwise.
    """
    snapshot = call.store.snapshots.get(key)
    if snapshot is None or (
        snapshot.project_id != call.caller.project_id and not call.caller.is_admin
    ):
        raise not_found("Snapshot", key)
    return snapshot


def render_volume(call: Call, volume: Volume) -> dict[str, Any]:
    backend = call.store.backends.get(volume.backend)
    body: dict[str, Any] = {
        "id": volume.id,
        "name": volume.name,
        "description": volume.description,
        "size": volume.size,
        "status": SHOWN_STATUS.get(volume.status, volume.status),
        "bootable": "true" if volume.bootable else "false",
        "volume_type": volume.volume_type.name,
        "volume_type_id": volume.volume_type.id,
        "availability_zone": volume.availability_zone,
        "metadata": dict(volume.metadata),
        "attachments": [
            {
                "id": volume.id,
                "attachment_id": a.id,
                "volume_id": volume.id,
                "server_id": a.server_id,
                "host_name": "cmp1",
                "device": a.device,
                "attached_at": iso(a.attached_at),
            }
            for a in volume.attachments
        ],
        "replication_status": "enabled"
        if backend is not None and backend.replication
        else "disabled",
        "multiattach": False,
        "encrypted": volume.volume_type.encryption is not None,
        "os-vol-tenant-attr:tenant_id": volume.project_id,
        "os-vol-mig-status-attr:migstat": None,
        "os-vol-mig-status-attr:name_id": None,
        "created_at": iso(volume.created_at),
        "updated_at": iso(volume.updated_at),
        "user_id": volume.user_id,
        "links": [
            {
                "rel": "self",
                "href": f"{call.base_url}/volume/v3/{volume.project_id}/volumes/{volume.id}",
            }
        ],
        "snapshot_id": volume.snapshot_id,
        "source_volid": volume.source_volid,
        "consistencygroup_id": None,
        "group_id": None,
        "shared_targets": False,
        "cluster_name": None,
        "consumes_quota": True,
        "service_uuid": None,
    }
    if volume.image_metadata:
        body["volume_image_metadata"] = dict(volume.image_metadata)
    if call.caller.is_admin:
        body["os-vol-host-attr:host"] = backend.pool_host if backend else None
        body["provider_id"] = volume.provider_id
    return body


def _volumes(call: Call) -> list[Volume]:
    everyone = call.flag("all_tenants") and call.caller.is_admin
    chosen = [
        v for v in call.store.volumes.values() if everyone or v.project_id == call.caller.project_id
    ]
    if call.query.get("project_id"):
        chosen = [v for v in chosen if v.project_id == call.query["project_id"]]
    return sorted(chosen, key=lambda v: (v.created_at, v.id), reverse=True)


def _list_volumes(call: Call, detail: bool) -> Any:
    rendered = [render_volume(call, v) for v in _volumes(call)]
    rendered = filter_items(
        rendered, call.request.query_lists, ignore={"project_id", "metadata", "with_count", "sort"}
    )
    chunk, marker = page(rendered, call.query, call.store.max_limit)
    if not detail:
        chunk = [{"id": v["id"], "name": v["name"], "links": v["links"]} for v in chunk]
    body: dict[str, Any] = {"volumes": chunk}
    if marker:
        collection = f"{call.base_url}/volume/v3/{call.project()}/volumes"
        href = f"{collection}{'/detail' if detail else ''}?{next_query(call.query, marker)}"
        body["volumes_links"] = [{"rel": "next", "href": href}]
    return ok(body)


@router.add("GET", "/volumes")
def list_volumes(call: Call) -> Any:
    return _list_volumes(call, detail=False)


@router.add("GET", "/volumes/detail")
def list_volumes_detail(call: Call) -> Any:
    return _list_volumes(call, detail=True)


@router.add("GET", "/volumes/{id}")
def get_volume(call: Call) -> Any:
    return ok({"volume": render_volume(call, visible_volume(call, call.params["id"]))})


def check_quota(
    call: Call, project: str, size: int, new: bool = True, kind: str = "volumes"
) -> None:
    """:raises ApiError: 413 when a `new` volume (or snapshot, by `kind`), or `size` more
    gigabytes (volumes' and snapshots' together, as Cinder counts them), exceed the quota."""
    quota = call.store.quota(project)
    count, used = usage(call.store, project, kind)
    limit = quota.snapshots if kind == "snapshots" else quota.volumes
    if new and limit >= 0 and count + 1 > limit:
        error = "SnapshotLimitExceeded" if kind == "snapshots" else "VolumeLimitExceeded"
        raise ApiError(
            413, f"{error}: Maximum number of {kind} allowed ({limit}) exceeded for quota '{kind}'."
        )
    if quota.gigabytes >= 0 and used + size > quota.gigabytes:
        raise ApiError(
            413,
            f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed "
            f"gigabytes quota. Requested {size}G, quota is {quota.gigabytes}G and {used}G has "
            "been consumed.",
        )


def _new_volume(call: Call, spec: dict[str, Any], size: int, status: str) -> tuple[Volume, Backend]:
    store = call.store
    project = call.project()
    vtype = find_type(call, str(spec.get("volume_type") or DEFAULT_TYPE))
    backend = backend_for(store, vtype)
    if backend is None:
        raise bad_request(f"No valid backend was found for volume type {vtype.name}.")
    zone = spec.get("availability_zone") or store.availability_zone
    if zone != store.availability_zone:
        raise bad_request(f"Availability zone '{zone}' is invalid.")
    metadata = spec.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise bad_request("Invalid input received: metadata must be a dictionary.")
    check_quota(call, project, size)
    volume = Volume(
        id=new_id(),
        name=spec.get("name"),
        project_id=project,
        user_id=call.caller.user_id,
        size=size,
        volume_type=vtype,
        backend=backend.section,
        availability_zone=zone,
        created_at=time.time(),
        status=status,
        description=spec.get("description"),
        metadata={str(k): str(v) for k, v in metadata.items()},
    )
    store.volumes[volume.id] = volume
    return volume, backend


@router.add("POST", "/volumes")
def create_volume(call: Call) -> Any:
    call.require_write()
    spec = call.member("volume")
    if spec.get("backup_id"):
        raise bad_request("Creating a volume from a backup is not supported by the simulator.")
    source = _source(call, spec)
    size = _size(spec, source)
    image = None
    if spec.get("imageRef"):
        image = call.store.images.get(str(spec["imageRef"]))
        if image is None:
            raise bad_request(
                f"Invalid image identifier or unable to access requested image {spec['imageRef']}."
            )
    if source is not None:
        spec = _on_the_sources_backend(call, spec, source)
    volume, backend = _new_volume(call, spec, size, "creating")
    if image is not None:
        volume.bootable = True
        volume.image_metadata = image_metadata(image)
    work = (
        functools.partial(backend.create, volume.id, size)
        if source is None
        else _copy_from(call, volume, backend, source)
    )
    in_background(call.store, volume, work, "create volume", _created)
    return ok({"volume": render_volume(call, volume)}, 202)


def image_metadata(image: Any) -> dict[str, str]:
    """What a volume made from an image carries of it (Cinder's volume_image_metadata)."""
    return {
        "image_id": image.id,
        "image_name": image.name,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        **image.properties,
    }


def _source(call: Call, spec: dict[str, Any]) -> Volume | Snapshot | None:
    """The snapshot or volume a new volume is to be a copy of, if any.

    :raises ApiError: 404 when the caller cannot see it, 400 when it is not in a state to copy.
    """
    if spec.get("snapshot_id"):
        snapshot = visible_snapshot(call, str(spec["snapshot_id"]))
        if snapshot.status != "available":
            raise bad_request(
                f"Invalid snapshot: Originating snapshot status must be one of 'available' "
                f"values (current status: {snapshot.status})"
            )
        return snapshot
    if spec.get("source_volid"):
        volume = visible_volume(call, str(spec["source_volid"]))
        if volume.status not in ("available", "in-use"):
            raise bad_request(
                f"Invalid volume: Volume {volume.id} status must be available or in-use, "
                f"but current status is: {SHOWN_STATUS.get(volume.status, volume.status)}."
            )
        return volume
    return None


def _size(spec: dict[str, Any], source: Volume | Snapshot | None) -> int:
    """The new volume's size: as asked, or the source's; never smaller than the source.

    :raises ApiError: 400 naming the size and why.
    """
    asked = spec.get("size")
    if asked is None and source is not None:
        return source.size
    try:
        size = int(asked)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_request("Invalid input received: size must be an integer.") from None
    if size <= 0:
        raise bad_request(
            f"Invalid input received: Volume size '{size}' must be an integer and greater than 0."
        )
    if source is not None and size < source.size:
        what = "snapshot" if isinstance(source, Snapshot) else "original volume"
        raise bad_request(
            f"Invalid input received: Volume size '{size}'GB cannot be smaller than the {what} "
            f"size {source.size}GB. They must be >= original {what} size."
        )
    return size


def _source_volume(call: Call, source: Volume | Snapshot) -> Volume:
    if isinstance(source, Volume):
        return source
    return call.store.volumes[source.volume_id]


def _on_the_sources_backend(
    call: Call, spec: dict[str, Any], source: Volume | Snapshot
) -> dict[str, Any]:
    """The spec of a copy, its type the source's unless asked.

    :raises ApiError: 400 when the type asked puts it on another backend (a copy stays on its
        source's).
    """
    origin = _source_volume(call, source)
    if not spec.get("volume_type"):
        return {**spec, "volume_type": origin.volume_type.id}
    vtype = find_type(call, str(spec["volume_type"]))
    backend = backend_for(call.store, vtype)
    if backend is None or backend.section != origin.backend:
        raise bad_request(
            f"Invalid input received: volume type {vtype.name} is not on backend "
            f"{origin.backend}, where the source is: a copy stays on its source's backend."
        )
    return spec


def _copy_from(call: Call, volume: Volume, backend: Backend, source: Volume | Snapshot) -> Any:
    """The backend work that makes `volume` a copy of `source` (on the same backend); the new
    volume takes the source's bootable flag and image metadata."""
    origin = _source_volume(call, source)
    if isinstance(source, Snapshot):
        volume.snapshot_id = source.id
    else:
        volume.source_volid = source.id
    volume.bootable = origin.bootable
    volume.image_metadata = dict(origin.image_metadata)
    provider_id, size = source.provider_id, volume.size
    return lambda: backend.copy(volume.id, provider_id, size)


def _created(volume: Volume, result: Any) -> None:
    provider_id, metadata = result
    volume.provider_id = provider_id
    volume.metadata.update(metadata)
    volume.status = "in-use" if volume.attachments else "available"


def boot_volume_spec(
    call: Call, mapping: dict[str, Any], earlier_gb: int = 0
) -> tuple[dict[str, Any], Any]:
    """Checks a block device mapping that asks Nova to make a boot volume from an image (after
    `earlier_gb` of others in the same request); returns the volume's spec and the image.

    :raises ApiError: 400 as Nova words it.
    """
    image = call.store.images.get(str(mapping.get("uuid") or ""))
    if image is None:
        raise bad_request(f"Image {mapping.get('uuid')} could not be found.")
    try:
        size = int(mapping.get("volume_size") or 0)
    except (TypeError, ValueError):
        size = 0
    if size <= 0:
        raise bad_request(
            "Images with destination_type 'volume' need to have a non-zero size specified"
        )
    if image.min_disk > size:
        raise bad_request(
            f"Volume is smaller than the minimum size specified in image metadata. Volume size "
            f"is {size * 2**30} bytes, minimum size is {image.min_disk * 2**30} bytes."
        )
    type_name = str(mapping.get("volume_type") or DEFAULT_TYPE)
    try:
        vtype = find_type(call, type_name)
    except ApiError:
        raise bad_request(f"Volume type {type_name} could not be found.") from None
    if backend_for(call.store, vtype) is None:
        raise bad_request(f"No valid backend was found for volume type {vtype.name}.")
    try:
        check_quota(call, call.project(), size + earlier_gb)
    except ApiError as error:
        raise bad_request(f"Block Device Mapping is Invalid: {error.message}") from None
    return {"name": "", "description": "", "volume_type": vtype.id, "size": size}, image


def create_boot_volume(call: Call, spec: dict[str, Any], image: Any) -> Volume:
    """Makes the boot volume Nova asks Cinder for (spec and image from boot_volume_spec); it is
    `creating` until the backend has made it."""
    size = int(spec["size"])
    volume, backend = _new_volume(call, spec, size, "creating")
    volume.bootable = True
    volume.image_metadata = image_metadata(image)
    work = functools.partial(backend.create, volume.id, size)
    in_background(call.store, volume, work, "create volume", _created)
    return volume


def in_background(
    store: Store,
    resource: Volume | Snapshot,
    work: Any,
    action: str,
    settle: Any,
    failed: str = "error",
    key: str | None = None,
) -> None:
    """Runs backend work for a volume or snapshot after answering (after earlier work under the
    same `key`, by default its id); if it fails, the resource goes to the `failed` status with a
    user message saying why (and keeps the name the driver had already given its array volume,
    see BackendError)."""
    kept = store.snapshots if isinstance(resource, Snapshot) else store.volumes

    def task() -> None:
        try:
            result = work()
        except Exception as error:  # whatever happened, the resource must settle
            reason = str(error) if isinstance(error, BackendError) else "internal error"
            with store.lock:
                resource.status = failed
                resource.updated_at = time.time()
                if isinstance(error, BackendError) and error.provider_id:
                    resource.provider_id = error.provider_id
                user_message(store, resource, f"{action} failed: {reason}")
            return
        with store.lock:
            if resource.id in kept:
                settle(resource, result)
                resource.updated_at = time.time()

    store.worker.submit(key or resource.id, task)


def user_message(store: Store, resource: Volume | Snapshot, text: str) -> None:
    """Notes why a volume's or snapshot's work failed, as Cinder's user messages do."""
    now = time.time()
    store.messages.append(
        {
            "id": new_id(),
            "message_level": "ERROR",
            "user_message": text,
            "event_id": "SNAPSHOT_000001" if isinstance(resource, Snapshot) else "VOLUME_000001",
            "created_at": iso(now),
            "expires_at": iso(now + 2592000),
            "guaranteed_until": iso(now + 2592000),
            "resource_type": "SNAPSHOT" if isinstance(resource, Snapshot) else "VOLUME",
            "resource_uuid": resource.id,
            "request_id": f"req-{new_id()}",
            "project_id": resource.project_id,
        }
    )


@router.add("PUT", "/volumes/{id}")
def update_volume(call: Call) -> Any:
    call.require_write()
    volume = visible_volume(call, call.params["id"])
    spec = call.member("volume")
    for key in ("name", "description"):
        if key in spec:
            setattr(volume, key, spec[key])
    if "metadata" in spec:
        volume.metadata = {str(k): str(v) for k, v in spec["metadata"].items()}
    volume.updated_at = time.time()
    return ok({"volume": render_volume(call, volume)})


@router.add("DELETE", "/volumes/{id}")
def delete_volume(call: Call) -> Any:
    call.require_write()
    volume = visible_volume(call, call.params["id"])
    force = call.flag("force")
    if force:
        call.require_admin()
    _check_deletable(call.store, volume, force, cascade=call.flag("cascade"))
    remove_volume(call.store, volume)
    return ok(status=202)


def snapshots_of(store: Store, volume: Volume) -> list[Snapshot]:
    return [s for s in store.snapshots.values() if s.volume_id == volume.id]


def _check_deletable(
    store: Store, volume: Volume, force: bool = False, cascade: bool = False
) -> None:
    """:raises ApiError: 400 unless the volume may be deleted (or unmanaged) now; `force`
    (an admin's) allows any status but not an attached volume; `cascade`, snapshots that are
    available or in error (they are deleted first)."""
    snapshots = snapshots_of(store, volume)
    if (
        volume.attachments
        or not (force or volume.status in DELETABLE)
        or (snapshots and not cascade)
    ):
        raise bad_request(
            f"Invalid volume: Volume status must be {' or '.join(DELETABLE)} and must not be "
            f"migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be "
            f"disassociated from snapshots after volume transfer. "
            f"(current status: {SHOWN_STATUS.get(volume.status, volume.status)}"
            f"{f', {len(snapshots)} snapshots' if snapshots else ''})"
        )
    busy = [s for s in snapshots if s.status not in ("available", "error")]
    if busy:
        raise bad_request(
            f"Invalid volume: a cascade delete needs every snapshot available or in error; "
            f"snapshot {busy[0].id} is {busy[0].status}."
        )


def remove_volume(store: Store, volume: Volume) -> None:
    """Deletes the volume as Cinder does: `deleting` while its driver destroys the array volume
    (and, for a cascade delete, its snapshots first) in the background, then gone; if the
    driver fails, the volume stays, `error_deleting`."""
    backend, provider_id = store.backends.get(volume.backend), volume.provider_id
    snapshots = [s.provider_id for s in snapshots_of(store, volume)]
    for snapshot in snapshots_of(store, volume):
        snapshot.status, snapshot.updated_at = "deleting", time.time()
    volume.status = "error_managing_deleting" if volume.status == "error_managing" else "deleting"
    volume.updated_at = time.time()

    def work() -> None:
        if backend is not None:
            for snapshot_provider_id in snapshots:
                backend.delete_snapshot(snapshot_provider_id)
            backend.delete(provider_id)

    _leave_cinder(store, volume, work, "delete volume", "error_deleting")


def _leave_cinder(store: Store, volume: Volume, work: Any, action: str, failed: str) -> None:
    """Runs the backend's `work` (deleting or releasing the array volume) in the background; the
    volume's record goes once it is done, or settles in `failed` with a user message."""

    def task() -> None:
        try:
            work()
        except Exception as error:  # whatever happened, the volume must settle
            reason = str(error) if isinstance(error, BackendError) else "internal error"
            with store.lock:
                volume.status = failed
                volume.updated_at = time.time()
                for snapshot in snapshots_of(store, volume):
                    if snapshot.status == "deleting":
                        snapshot.status = "error_deleting"
                user_message(store, volume, f"{action} failed: {reason}")
            return
        with store.lock:
            store.volumes.pop(volume.id, None)
            for snapshot in snapshots_of(store, volume):
                store.snapshots.pop(snapshot.id, None)

    store.worker.submit(volume.id, task)


def attach(store: Store, volume: Volume, server: Server, device: str) -> None:
    """Marks the volume in use by the server and connects it on the array in the background
    (once it is made, for a volume still `creating`); the server stays in BUILD until every
    connection is made, and goes to ERROR if one fails."""
    if volume.status != "creating":
        volume.status = "in-use"
    volume.attachments.append(Attachment(new_id(), server.id, device, time.time()))
    backend = store.backends.get(volume.backend)
    booting = server.vm_state == "building"
    if booting:
        # It boots once its connections are made (ready_at is set then).
        server.ready_at = float("inf")
        server.pending_attachments += 1

    def connect() -> None:
        error = None
        with store.lock:
            provider_id, made = volume.provider_id, volume.status != "error"
        try:
            if not made:
                raise BackendError("the volume could not be made")
            if backend is not None:
                backend.attach(provider_id, server.host)
        except BackendError as failure:
            error = failure
        with store.lock:
            if booting:
                server.pending_attachments -= 1
            if error is not None and booting:
                server.vm_state, server.task_state = "error", None
                server.fault = f"volume {volume.id}: {error}"
            elif error is not None:
                # Attaching to a running server failed: Nova rolls the attachment back.
                detach(store, volume, server)
            elif server.pending_attachments == 0 and server.vm_state == "building":
                server.ready_at = max(server.created_at + store.boot_seconds, time.time())

    store.worker.submit(volume.id, connect)


def detach(store: Store, volume: Volume, server: Server) -> None:
    volume.attachments = [a for a in volume.attachments if a.server_id != server.id]
    if not volume.attachments:
        volume.status = "available"
    backend = store.backends.get(volume.backend)
    if backend is not None:
        provider_id = volume.provider_id
        store.worker.submit(volume.id, lambda: backend.detach(provider_id, server.host))


@router.add("POST", "/volumes/{id}/action")
def volume_action(call: Call) -> Any:
    volume = visible_volume(call, call.params["id"])
    if len(call.body) != 1:
        raise bad_request("There must be exactly one action in the request body.")
    action, argument = next(iter(call.body.items()))
    handler = _VOLUME_ACTIONS.get(action)
    if handler is None:
        raise bad_request(f"The volume action {action} is not supported by the simulator.")
    call.require_write()
    return handler(call, volume, argument if isinstance(argument, dict) else {})


def _set_bootable(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    value = argument.get("bootable")
    if not isinstance(value, bool) and str(value).lower() not in ("true", "false"):
        raise bad_request("Bad boolean value for bootable.")
    volume.bootable = value if isinstance(value, bool) else str(value).lower() == "true"
    return ok(status=200)


def _set_image_metadata(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    metadata = argument.get("metadata")
    if not isinstance(metadata, dict):
        raise bad_request("Malformed request body: metadata must be a dictionary.")
    volume.image_metadata.update({str(k): str(v) for k, v in metadata.items()})
    return ok({"metadata": dict(volume.image_metadata)})


def _unset_image_metadata(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    if volume.image_metadata.pop(str(argument.get("key")), None) is None:
        raise not_found("Image metadata", str(argument.get("key")))
    return ok(status=200)


def _show_image_metadata(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    return ok({"metadata": dict(volume.image_metadata)})


def _retype(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    new_type = find_type(call, str(argument.get("new_type", "")))
    policy = argument.get("migration_policy") or "never"
    if volume.status not in ("available", "in-use"):
        raise bad_request(
            f"Invalid volume: Volume status must be available or in-use, not {volume.status}."
        )
    store = call.store
    source, target = store.backends.get(volume.backend), backend_for(store, new_type)
    if target is None:
        raise bad_request(f"No valid backend was found for volume type {new_type.name}.")
    if source is not target and not _moves_in_place(source, target):
        if policy == "never":
            raise bad_request(
                "Retype requires migration but is not allowed (migration_policy is never)."
            )
        raise bad_request("Retype that needs a migration is not supported by the simulator.")
    status, volume.status = volume.status, "retyping"

    def settle(v: Volume, provider_id: Any) -> None:
        v.volume_type, v.backend, v.provider_id, v.status = (
            new_type,
            target.section,
            provider_id,
            status,
        )
        if provider_id:
            v.metadata["array_volume_name"] = provider_id

    in_background(
        store,
        volume,
        lambda: source.retype_to(volume.provider_id, target) if source else None,
        "retype",
        settle,
    )
    return ok(status=202)


def _moves_in_place(source: Backend | None, target: Backend) -> bool:
    return (
        source is not None
        and getattr(source, "san_ip", None) is not None
        and getattr(source, "san_ip", None) == getattr(target, "san_ip", None)
    )


def _unmanage(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    call.require_admin()
    _check_deletable(call.store, volume)
    # As in Cinder: the record goes once the driver has let the volume go (renamed it), so a
    # client that waits for the record to vanish can manage the array volume again.
    backend, provider_id = call.store.backends.get(volume.backend), volume.provider_id
    volume.status = "error_managing_deleting" if volume.status == "error_managing" else "unmanaging"
    volume.updated_at = time.time()
    _leave_cinder(
        call.store,
        volume,
        lambda: backend.unmanage(provider_id) if backend else None,
        "unmanage volume",
        "error_unmanaging",
    )
    return ok(status=202)


def _force_delete(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    call.require_admin()
    _check_deletable(call.store, volume, force=True)
    remove_volume(call.store, volume)
    return ok(status=202)


def _reset_status(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    call.require_admin()
    if argument.get("status"):
        volume.status = str(argument["status"])
        volume.updated_at = time.time()
    return ok(status=202)


def _extend(call: Call, volume: Volume, argument: dict[str, Any]) -> Any:
    try:
        new_size = int(argument["new_size"])
    except (KeyError, TypeError, ValueError):
        raise bad_request("New volume size must be specified as an integer.") from None
    if new_size <= volume.size:
        raise bad_request(
            f"New size for extend must be greater than current size. "
            f"(current: {volume.size}, extended: {new_size})."
        )
    if volume.status != "available":
        raise bad_request(f"Volume status must be 'available' to extend, not {volume.status}.")
    check_quota(call, volume.project_id, new_size - volume.size, new=False)
    backend = call.store.backends.get(volume.backend)
    volume.status = "extending"

    def settle(v: Volume, _: Any) -> None:
        v.size, v.status = new_size, "available"

    in_background(
        call.store,
        volume,
        lambda: backend.extend(volume.provider_id, new_size) if backend else None,
        "extend",
        settle,
        failed="error_extending",
    )
    return ok(status=202)


_VOLUME_ACTIONS = {
    "os-set_bootable": _set_bootable,
    "os-set_image_metadata": _set_image_metadata,
    "os-unset_image_metadata": _unset_image_metadata,
    "os-show_image_metadata": _show_image_metadata,
    "os-retype": _retype,
    "os-unmanage": _unmanage,
    "os-force_delete": _force_delete,
    "os-reset_status": _reset_status,
    "os-extend": _extend,
}


@router.add("GET", "/volumes/{id}/metadata")
def get_metadata(call: Call) -> Any:
    return ok({"metadata": dict(visible_volume(call, call.params["id"]).metadata)})


@router.add("POST", "/volumes/{id}/metadata")
def update_metadata(call: Call) -> Any:
    call.require_write()
    volume = visible_volume(call, call.params["id"])
    volume.metadata.update({str(k): str(v) for k, v in call.member("metadata").items()})
    return ok({"metadata": dict(volume.metadata)})


@router.add("PUT", "/volumes/{id}/metadata")
def replace_metadata(call: Call) -> Any:
    call.require_write()
    volume = visible_volume(call, call.params["id"])
    volume.metadata = {str(k): str(v) for k, v in call.member("metadata").items()}
    return ok({"metadata": dict(volume.metadata)})


@router.add("DELETE", "/volumes/{id}/metadata/{key}")
def delete_metadata(call: Call) -> Any:
    call.require_write()
    volume = visible_volume(call, call.params["id"])
    if volume.metadata.pop(call.params["key"], None) is None:
        raise not_found("Metadata item", call.params["key"])
    return ok(status=200)


def _manage(call: Call) -> Any:
    call.require_admin()
    spec = call.member("volume")
    reference = spec.get("ref") or {}
    source_name = reference.get("source-name") or reference.get("name")
    if not source_name:
        raise bad_request(
            "Manage existing volume failed: ref must name the array volume (source-name)."
        )
    host = str(spec.get("host") or spec.get("cluster") or "")
    backend = next((b for b in call.store.backends.values() if host in (b.host, b.pool_host)), None)
    if backend is None:
        raise bad_request(
            f"Invalid input received: host {host!r} is not a volume service of this cloud."
        )
    vtype = find_type(call, str(spec.get("volume_type") or DEFAULT_TYPE))
    wanted = vtype.extra_specs.get("volume_backend_name")
    if wanted is not None and wanted != backend.backend_name:
        raise bad_request(
            f"Volume type {vtype.name} (backend {wanted}) does not match host {host}."
        )
    for existing in call.store.volumes.values():
        if existing.backend == backend.section and existing.provider_id == source_name:
            raise bad_request(
                f"Manage existing volume failed: {source_name} is already managed "
                f"as volume {existing.id}."
            )
    volume, _ = _new_volume(call, {**spec, "volume_type": vtype.id}, 1, "managing")
    volume.backend = backend.section
    volume.bootable = bool(spec.get("bootable", False))

    def settle(v: Volume, result: Any) -> None:
        provider_id, size, metadata = result
        v.provider_id, v.size, v.status = provider_id, size, "available"
        v.metadata.update(metadata)

    in_background(
        call.store,
        volume,
        lambda: backend.manage(volume.id, source_name),
        "manage existing volume",
        settle,
        failed="error_managing",
    )
    return ok({"volume": render_volume(call, volume)}, 202)


@router.add("POST", "/manageable_volumes")
def manage_volume(call: Call) -> Any:
    return _manage(call)


@router.add("POST", "/os-volume-manage")
def manage_volume_legacy(call: Call) -> Any:
    return _manage(call)


def _backend_at(call: Call, host: str) -> Backend:
    """The backend of a volume service host (`cinder@backend`, with or without `#pool`).

    :raises ApiError: 404 when no volume service has that host.
    """
    backend = next((b for b in call.store.backends.values() if host in (b.host, b.pool_host)), None)
    if backend is None:
        raise ApiError(404, f"Service {host} could not be found.")
    return backend


def _list_manageable(call: Call, detail: bool) -> Any:
    """What the backend at `host` could manage, as its driver lists it (3.8), admin only."""
    call.require_admin()
    if not call.at_least(3, 8):
        raise ApiError(404, "The manageable volumes API needs microversion 3.8 or later.")
    host = call.query.get("host") or call.query.get("cluster")
    if not host:
        raise bad_request("Invalid input received: host or cluster must be given.")
    backend = _backend_at(call, host)
    managed = {
        v.provider_id: v.id
        for v in call.store.volumes.values()
        if v.backend == backend.section and v.provider_id
    }
    try:
        entries = backend.manageable(managed)
    except BackendError as error:
        raise ApiError(
            500, f"Bad or unexpected response from the storage volume backend API: {error}"
        ) from None
    if not detail:
        entries = [{k: e[k] for k in ("reference", "size", "safe_to_manage")} for e in entries]
    offset, limit = _count(call, "offset", 0), _count(call, "limit", len(entries))
    return ok({"manageable-volumes": entries[offset : offset + limit]})


def _count(call: Call, name: str, default: int) -> int:
    """:raises ApiError: 400 unless the query's `name` is a whole number, when given."""
    value = call.query.get(name)
    if not value:
        return default
    if not value.isdigit():
        raise bad_request(f"Invalid input received: {name} must be a whole number, not {value!r}.")
    return int(value)


@router.add("GET", "/manageable_volumes")
def list_manageable(call: Call) -> Any:
    return _list_manageable(call, detail=False)


@router.add("GET", "/manageable_volumes/detail")
def list_manageable_detail(call: Call) -> Any:
    return _list_manageable(call, detail=True)


@router.add("GET", "/capabilities/{host}")
def capabilities(call: Call) -> Any:
    """What a backend's driver reports of it, admin only."""
    call.require_admin()
    host = call.params["host"]
    backend = _backend_at(call, host)
    reported = backend.capabilities()
    return ok(
        {
            "namespace": f"OS::Storage::Capabilities::{host}",
            "volume_backend_name": backend.backend_name,
            "pool_name": None,
            "display_name": None,
            "description": None,
            "visibility": None,
            "replication_targets": [],
            **reported,
        }
    )


# Services, pools, limits, quotas, messages ---------------------------------------------------


@router.add("GET", "/scheduler-stats/get_pools")
def list_pools(call: Call) -> Any:
    """The scheduler's pools: one per backend here (as the Pure driver reports it)."""
    call.require_admin()
    pools = []
    for backend in call.store.backends.values():
        pool: dict[str, Any] = {"name": backend.pool_host}
        if call.flag("detail"):
            pool["capabilities"] = {
                "volume_backend_name": backend.backend_name,
                "pool_name": backend.backend_name,
                "storage_protocol": "iSCSI" if isinstance(backend, PureBackend) else "LVM",
                "replication_enabled": backend.replication is not None,
                "total_capacity_gb": 10240,
                "free_capacity_gb": 9216,
            }
        pools.append(pool)
    return ok({"pools": pools})


def _services(store: Store) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = [
        {
            "binary": "cinder-scheduler",
            "host": "cinder",
            "zone": store.availability_zone,
            "status": "enabled",
            "state": "up",
            "updated_at": iso(time.time()),
            "cluster": None,
            "disabled_reason": None,
        }
    ]
    for service in store.volume_services:
        services.append(
            {
                "binary": service.binary,
                "host": service.host,
                "zone": store.availability_zone,
                "status": "enabled",
                "state": "up",
                "updated_at": iso(time.time()),
                "cluster": None,
                "disabled_reason": None,
                "replication_status": service.replication_status,
                "active_backend_id": service.active_backend_id,
                "frozen": service.frozen,
                "backend_state": "up",
            }
        )
    return services


@router.add("GET", "/os-services")
def list_services(call: Call) -> Any:
    call.require_admin()
    found = _services(call.store)
    for key in ("binary", "host"):
        if call.query.get(key):
            found = [s for s in found if s[key] == call.query[key]]
    return ok({"services": found})


def _service(call: Call) -> Any:
    call.require_admin()
    host = str(call.body.get("host") or "")
    service = next((s for s in call.store.volume_services if s.host == host), None)
    if service is None:
        raise bad_request(f"Invalid input received: host {host!r} is not a volume service.")
    return service


def _failover(call: Call) -> Any:
    service = _service(call)
    backend = call.store.backends.get(service.host.removeprefix("cinder@"))
    if backend is None or not backend.replication:
        raise bad_request(
            f"Invalid input received: host {service.host} has no replication configured."
        )
    service.replication_status = "failed-over"
    service.active_backend_id = str(call.body.get("backend_id") or backend.device.backend_id)
    return ok(status=202)


@router.add("PUT", "/os-services/failover_host")
def failover_host(call: Call) -> Any:
    return _failover(call)


@router.add("PUT", "/os-services/failover")
def failover(call: Call) -> Any:
    return _failover(call)


@router.add("PUT", "/os-services/freeze")
def freeze(call: Call) -> Any:
    _service(call).frozen = True
    return ok(status=200)


@router.add("PUT", "/os-services/thaw")
def thaw(call: Call) -> Any:
    _service(call).frozen = False
    return ok(status=200)


def usage(store: Store, project: str, kind: str = "volumes") -> tuple[int, int]:
    """How many volumes (or snapshots, by `kind`) the project has, and the gigabytes its
    volumes and snapshots take together."""
    volumes = [v for v in store.volumes.values() if v.project_id == project]
    snapshots = [s for s in store.snapshots.values() if s.project_id == project]
    gigabytes = sum(v.size for v in volumes) + sum(s.size for s in snapshots)
    return len(snapshots if kind == "snapshots" else volumes), gigabytes


@router.add("GET", "/limits")
def limits(call: Call) -> Any:
    project = call.project()
    quota = call.store.quota(project)
    count, gigabytes = usage(call.store, project)
    snapshots, _ = usage(call.store, project, "snapshots")
    return ok(
        {
            "limits": {
                "rate": [],
                "absolute": {
                    "maxTotalVolumes": quota.volumes,
                    "totalVolumesUsed": count,
                    "maxTotalVolumeGigabytes": quota.gigabytes,
                    "totalGigabytesUsed": gigabytes,
                    "maxTotalSnapshots": quota.snapshots,
                    "totalSnapshotsUsed": snapshots,
                    "maxTotalBackups": 10,
                    "totalBackupsUsed": 0,
                    "maxTotalBackupGigabytes": 1000,
                    "totalBackupGigabytesUsed": 0,
                },
            }
        }
    )


@router.add("GET", "/os-quota-sets/{project}")
def quota_set(call: Call) -> Any:
    project = call.params["project"]
    if project != call.caller.project_id:
        call.require_admin()
    quota = call.store.quota(project)
    count, gigabytes = usage(call.store, project)
    snapshots, _ = usage(call.store, project, "snapshots")
    if call.flag("usage"):
        return ok(
            {
                "quota_set": {
                    "id": project,
                    "volumes": {"limit": quota.volumes, "in_use": count, "reserved": 0},
                    "snapshots": {"limit": quota.snapshots, "in_use": snapshots, "reserved": 0},
                    "gigabytes": {"limit": quota.gigabytes, "in_use": gigabytes, "reserved": 0},
                }
            }
        )
    return ok(
        {
            "quota_set": {
                "id": project,
                "volumes": quota.volumes,
                "snapshots": quota.snapshots,
                "gigabytes": quota.gigabytes,
            }
        }
    )


@router.add("GET", "/os-quota-sets/{project}/defaults")
def quota_defaults(call: Call) -> Any:
    defaults = call.store.default_quota
    return ok(
        {
            "quota_set": {
                "id": call.params["project"],
                "volumes": defaults.volumes,
                "snapshots": defaults.snapshots,
                "gigabytes": defaults.gigabytes,
            }
        }
    )


@router.add("PUT", "/os-quota-sets/{project}")
def update_quota_set(call: Call) -> Any:
    """An admin's new limits for a project (volumes, snapshots, gigabytes)."""
    project = call.params["project"]
    names = {"volumes": "volumes", "snapshots": "snapshots", "gigabytes": "gigabytes"}
    asked = call.member("quota_set")
    in_use = None
    if not flag(asked, "skip_validation", True):
        volumes, gigabytes = usage(call.store, project)
        snapshots, _ = usage(call.store, project, "snapshots")
        in_use = {"volumes": volumes, "snapshots": snapshots, "gigabytes": gigabytes}
    quota = update_quota(call, project, asked, names, in_use)
    return ok(
        {
            "quota_set": {
                "volumes": quota.volumes,
                "snapshots": quota.snapshots,
                "gigabytes": quota.gigabytes,
            }
        }
    )


@router.add("GET", "/messages")
def list_messages(call: Call) -> Any:
    project = call.project()
    found = [m for m in call.store.messages if m["project_id"] == project or call.caller.is_admin]
    if call.query.get("resource_uuid"):
        found = [m for m in found if m["resource_uuid"] == call.query["resource_uuid"]]
    return ok({"messages": [{k: v for k, v in m.items() if k != "project_id"} for m in found]})


def _none_listed(call: Call, key: str, since: tuple[int, int] | None = None) -> Any:
    """A list of what the simulator never makes (backups, groups, transfers):
    empty for every project, from the microversion that brought it."""
    call.project()
    if since is not None and not call.at_least(*since):
        raise ApiError(
            404,
            f"API version {call.microversion[0]}.{call.microversion[1]} is not supported "
            "on this method.",
        )
    return ok({key: []})


# Cinder's API extensions (name, alias) the simulator answers; Horizon asks for some by name.
EXTENSIONS = (
    ("AdminActions", "os-admin-actions"),
    ("AvailabilityZones", "os-availability-zone"),
    ("Quotas", "os-quota-sets"),
    ("SchedulerStats", "scheduler-stats"),
    ("Services", "os-services"),
    ("Types_extra_specs", "os-types-extra-specs"),
    ("UsedLimits", "os-used-limits"),
    ("VolumeActions", "os-volume-actions"),
    ("VolumeImageMetadata", "os-vol-image-meta"),
    ("VolumeManage", "os-volume-manage"),
    ("VolumeTransfer", "os-volume-transfer"),
    ("VolumeTypeAccess", "os-volume-type-access"),
    ("VolumeTypeEncryption", "encryption"),
)


@router.add("GET", "/extensions")
def list_extensions(call: Call) -> Any:
    return ok(
        {
            "extensions": [
                {
                    "alias": alias,
                    "name": name,
                    "description": f"{name} support.",
                    "links": [],
                    "updated": "2013-01-01T00:00:00+00:00",
                }
                for name, alias in EXTENSIONS
            ]
        }
    )


@router.add("GET", "/os-availability-zone")
def availability_zones(call: Call) -> Any:
    return ok(
        {
            "availabilityZoneInfo": [
                {"zoneName": call.store.availability_zone, "zoneState": {"available": True}}
            ]
        }
    )


@router.add("GET", "/qos-specs")
def list_qos_specs(call: Call) -> Any:
    """QoS specs: the simulator's regions define none."""
    call.require_admin()
    return ok({"qos_specs": []})


@router.add("GET", "/backups")
@router.add("GET", "/backups/detail")
def list_backups(call: Call) -> Any:
    return _none_listed(call, "backups")


@router.add("GET", "/groups")
@router.add("GET", "/groups/detail")
def list_groups(call: Call) -> Any:
    return _none_listed(call, "groups", (3, 13))


@router.add("GET", "/group_snapshots")
@router.add("GET", "/group_snapshots/detail")
def list_group_snapshots(call: Call) -> Any:
    return _none_listed(call, "group_snapshots", (3, 14))


@router.add("GET", "/os-volume-transfer")
@router.add("GET", "/os-volume-transfer/detail")
def list_transfers(call: Call) -> Any:
    return _none_listed(call, "transfers")


@router.add("GET", "/volume-transfers")
@router.add("GET", "/volume-transfers/detail")
def list_volume_transfers(call: Call) -> Any:
    return _none_listed(call, "transfers", (3, 55))
