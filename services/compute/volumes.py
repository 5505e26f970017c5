"""Cinder: managing recovered array volumes into the target cloud, unmanaging, retyping, and
the volume types a project may use."""

from __future__ import annotations

from typing import Any

from common.errors import FailedPrecondition, InvalidArgument
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks, records
from services.compute.cloud import Cloud, Conn, attr

_SETTLED = ("available", "in-use", "error")


def manage(cloud: Cloud, request: pb.ManageVolumeRequest) -> pb.Volume:
    """Brings the array volume under Cinder with the given type and host, bootable and with image
    metadata as asked; a repeated request returns the volume it made.

    :raises FailedPrecondition: when Cinder cannot manage it (its message says why); the failed
        volume record is removed so nothing is left behind.
    """
    marks.require(request.request_id, "request_id")
    for field in ("host", "source_name", "volume_type"):
        if not getattr(request, field):
            raise InvalidArgument(field, "is required")
    conn = cloud.connection(request.project_id)
    name = request.name or f"draas-{request.request_id}"
    volume = _made_before(cloud, conn, name, request.request_id)
    if volume is None:
        metadata = {
            **dict(request.metadata),
            **marks.metadata(request.operation_id, request.request_id),
        }
        volume = cloud.call(
            "manage volume",
            lambda: conn.block_storage.manage_volume(
                host=request.host,
                ref={"source-name": request.source_name},
                name=name,
                volume_type=request.volume_type,
                bootable=request.bootable,
                metadata=metadata,
            ),
            retry=False,
        )
    volume = _settle(cloud, conn, volume.id, f"managing {request.source_name}")
    if volume.status == "error":
        reason = _reason(cloud, conn, volume.id)
        cloud.call("delete failed volume", lambda: conn.block_storage.delete_volume(volume.id))
        raise FailedPrecondition(
            f"Cinder could not manage array volume {request.source_name}: {reason}"
        )
    if request.image_metadata:
        cloud.call(
            "set image metadata",
            lambda: conn.block_storage.set_volume_image_metadata(
                volume, **dict(request.image_metadata)
            ),
        )
        volume = cloud.call("get volume", lambda: conn.block_storage.get_volume(volume.id))
    return records.volume(volume)


def _made_before(cloud: Cloud, conn: Conn, name: str, request_id: str) -> Any:
    found = cloud.call(
        "find volume", lambda: list(conn.block_storage.volumes(details=True, name=name))
    )
    return next(
        (
            v
            for v in found
            if (attr(v, "metadata", {}) or {}).get(marks.SERVER_REQUEST) == request_id
        ),
        None,
    )


def _settle(cloud: Cloud, conn: Conn, volume_id: str, what: str) -> Any:
    def settled() -> Any:
        volume = conn.block_storage.get_volume(volume_id)
        return volume if volume.status in _SETTLED else None

    return cloud.wait(what, cloud.settings.volume_timeout_seconds, settled)


def _reason(cloud: Cloud, conn: Conn, volume_id: str) -> str:
    """Why Cinder put a volume in error, from its user messages."""
    response = cloud.call(
        "read Cinder messages",
        lambda: conn.block_storage.get(
            "/messages", params={"resource_uuid": volume_id}, microversion="3.3"
        ),
    )
    messages = response.json().get("messages", []) if response.ok else []
    return messages[-1]["user_message"] if messages else "no reason given"


def unmanage(cloud: Cloud, project_id: str, volume_id: str) -> None:
    """Cinder forgets the volume; the array volume stays (the Pure driver renames it
    `<name>-unmanaged`). Returns once Cinder's record is gone; a volume already gone is done.

    :raises FailedPrecondition: Cinder refuses (attached) or its driver fails.
    """
    marks.require(volume_id, "volume_id")
    conn = cloud.connection(project_id)
    volume = cloud.call(
        f"find volume {volume_id}",
        lambda: conn.block_storage.find_volume(volume_id, ignore_missing=True),
    )
    if volume is None:
        return
    if volume.status != "unmanaging":
        cloud.call(
            "unmanage volume", lambda: conn.block_storage.unmanage_volume(volume), retry=False
        )

    def gone() -> Any:
        found = conn.block_storage.find_volume(volume_id, ignore_missing=True)
        if found is None:
            return True
        # Cinder's volume manager says error_unmanaging when the driver fails.
        return found if str(found.status).startswith("error") else None

    if (
        cloud.wait(
            f"volume {volume_id} leaving Cinder", cloud.settings.volume_timeout_seconds, gone
        )
        is not True
    ):
        raise FailedPrecondition(
            f"unmanage of volume {volume_id} failed: {_reason(cloud, conn, volume_id)}"
        )


def retype(cloud: Cloud, project_id: str, volume_id: str, new_type: str, policy: str) -> pb.Volume:
    """Changes the volume's type (e.g. to a replicated one for reprotect). A volume of that
    type already is returned as it is, so a repeat does nothing.

    :raises FailedPrecondition: when Cinder refuses or the retype fails.
    """
    marks.require(volume_id, "volume_id")
    marks.require(new_type, "new_type")
    if policy not in ("", "never", "on-demand"):
        raise InvalidArgument("migration_policy", "must be never or on-demand")
    conn = cloud.connection(project_id)
    volume = cloud.call(f"get volume {volume_id}", lambda: conn.block_storage.get_volume(volume_id))
    if volume.volume_type == new_type and volume.status in ("available", "in-use"):
        return records.volume(volume)
    if volume.status != "retyping":  # else a repeat: wait for the retype under way
        cloud.call(
            "retype volume",
            lambda: conn.block_storage.retype_volume(
                volume, new_type, migration_policy=policy or "never"
            ),
            retry=False,
        )

    def retyped() -> Any:
        current = conn.block_storage.get_volume(volume_id)
        if current.status == "error" or (
            current.volume_type == new_type and current.status in _SETTLED
        ):
            return current
        return None

    volume = cloud.wait(
        f"retype of {volume_id} to {new_type}", cloud.settings.volume_timeout_seconds, retyped
    )
    if volume.status == "error":
        raise FailedPrecondition(
            f"retype of volume {volume_id} failed: {_reason(cloud, conn, volume_id)}"
        )
    return records.volume(volume)


def volume_types(cloud: Cloud, project_id: str) -> list[pb.VolumeType]:
    """The types the project may use, each with the Cinder pools that serve it."""
    conn = cloud.connection(project_id)
    types = cloud.call("list volume types", lambda: list(conn.block_storage.types()))
    pools = cloud.call("list pools", lambda: list(conn.block_storage.backend_pools()))
    hosts: dict[str, list[str]] = {}
    for pool in pools:
        backend = (pool.capabilities or {}).get("volume_backend_name")
        if backend:
            hosts.setdefault(str(backend), []).append(str(pool.name))
    found = []
    for vtype in types:
        # The service user is an admin, who sees every private type: only those the project
        # has access to are the project's to use.
        if not attr(vtype, "is_public", True) and project_id not in _access(cloud, conn, vtype.id):
            continue
        record = records.volume_type(vtype, encrypted(cloud, conn, vtype.id))
        record.hosts.extend(sorted(hosts.get(record.backend_name, [])))
        found.append(record)
    return found


def _access(cloud: Cloud, conn: Conn, type_id: str) -> set[str]:
    path = f"/types/{type_id}/os-volume-type-access"
    listed = cloud.get_json("get type access", conn.block_storage, path)["volume_type_access"]
    return {str(a.get("project_id")) for a in listed}


def encrypted(cloud: Cloud, conn: Conn, type_id: str) -> bool:
    """Whether the volume type has an encryption spec."""
    path = f"/types/{type_id}/encryption"
    return bool(cloud.get_json("get type encryption", conn.block_storage, path))
