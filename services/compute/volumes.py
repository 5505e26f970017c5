"""Cinder: managing recovered array volumes into the target cloud, unmanaging, retyping, and
the volume types a project may use."""

from __future__ import annotations

from typing import Any

from common.errors import FailedPrecondition, InvalidArgument, NotFound, ServiceUnavailable
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks, records
from services.compute.cloud import Cloud, Conn, attr

_SETTLED = ("available", "in-use", "error")
_LEAVING = ("deleting", "unmanaging")
# What the Pure driver's unmanage renames an array volume to: <name>-unmanaged.
UNMANAGED_SUFFIX = "-unmanaged"
# Cinder's words for a manage that no retry can make work: its ManageExistingInvalidReference
# (no such array volume, connected to hosts, in another pod) and
# ManageExistingVolumeTypeMismatch. Any other failure (the array errored, was busy or did not
# answer, or Cinder gave no reason) may pass.
_REFUSALS = ("invalid backend reference", "volume type mismatch")


def manage(cloud: Cloud, request: pb.ManageVolumeRequest) -> pb.Volume:
    """Brings the array volume under Cinder with the given type and host, bootable and with image
    metadata as asked; a repeated request returns the volume it made.

    A manage that Cinder's driver failed for a reason that may pass is tried again, up to
    `manage_attempts` times with backoff. The failed volume is unmanaged, never deleted: if the
    driver had renamed the array volume before it failed, a delete would destroy the array
    volume, while an unmanage renames it `<name>-unmanaged`, under which the next try manages
    it.

    :raises FailedPrecondition: when Cinder refuses (its message says why: no such array volume,
        already managed, a type that does not fit the host...), at once; nothing is left in
        Cinder.
    :raises ServiceUnavailable: when every try failed for a reason that may pass; nothing is
        left in Cinder and the array volume keeps its data (under the name the message gives).
    """
    marks.require(request.request_id, "request_id")
    for field in ("host", "source_name", "volume_type"):
        if not getattr(request, field):
            raise InvalidArgument(field, "is required")
    conn = cloud.connection(request.project_id)
    name = request.name or f"draas-{request.request_id}"
    source = request.source_name
    volume = _made_before(cloud, conn, name, request.request_id)
    attempts = cloud.settings.manage_attempts
    for attempt in range(1, attempts + 1):
        if volume is None:
            volume = _start_manage(cloud, conn, request, name, source)
        volume = _settle(cloud, conn, volume.id, f"managing {source}")
        if volume.status != "error":
            break
        reason = failure_reason(cloud, conn, volume.id)
        source = _release(cloud, conn, volume, source)
        where = "" if source == request.source_name else f" (now named {source})"
        if any(refusal in reason.lower() for refusal in _REFUSALS):
            raise FailedPrecondition(
                f"Cinder could not manage array volume {request.source_name}{where}: {reason}"
            )
        if attempt == attempts:
            raise ServiceUnavailable(
                f"Cinder could not manage array volume {request.source_name}{where} in "
                f"{attempts} tries; the last failed: {reason}"
            )
        cloud.back_off(attempt, f"managing {request.source_name} failed: {reason}")
        volume = None
    if request.image_metadata:
        cloud.call(
            "set image metadata",
            lambda: conn.block_storage.set_volume_image_metadata(
                volume, **dict(request.image_metadata)
            ),
        )
        volume = cloud.call("get volume", lambda: conn.block_storage.get_volume(volume.id))
    return records.volume(volume)


def _start_manage(
    cloud: Cloud, conn: Conn, request: pb.ManageVolumeRequest, name: str, source: str
) -> Any:
    metadata = {
        **dict(request.metadata),
        **marks.metadata(request.operation_id, request.request_id),
    }
    return cloud.call(
        "manage volume",
        lambda: conn.block_storage.manage_volume(
            host=request.host,
            ref={"source-name": source},
            name=name,
            volume_type=request.volume_type,
            bootable=request.bootable,
            metadata=metadata,
        ),
        retry=False,
    )


def _made_before(cloud: Cloud, conn: Conn, name: str, request_id: str) -> Any:
    """The volume an earlier try of this request made, unless it is leaving Cinder (then once
    it has left)."""
    found = cloud.call(
        "find volume", lambda: list(conn.block_storage.volumes(details=True, name=name))
    )
    made = next(
        (
            v
            for v in found
            if (attr(v, "metadata", {}) or {}).get(marks.SERVER_REQUEST) == request_id
        ),
        None,
    )
    if made is not None and made.status in _LEAVING:
        _leave(cloud, conn, made.id)
        return None
    return made


def _release(cloud: Cloud, conn: Conn, failed: Any, source: str) -> str:
    """Takes a failed manage's volume out of Cinder, leaving its array volume and data alone;
    returns the array volume's name now."""
    renamed = attr(failed, "provider_id")
    _leave(cloud, conn, failed.id)
    return f"{renamed}{UNMANAGED_SUFFIX}" if renamed else source


def _settle(cloud: Cloud, conn: Conn, volume_id: str, what: str) -> Any:
    def settled() -> Any:
        volume = conn.block_storage.get_volume(volume_id)
        return volume if volume.status in _SETTLED else None

    return cloud.wait(what, cloud.settings.volume_timeout_seconds, settled)


def failure_reason(cloud: Cloud, conn: Conn, volume_id: str) -> str:
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

    :raises FailedPrecondition: Cinder refuses (attached).
    :raises ServiceUnavailable: its driver failed every try (see `_leave`).
    """
    marks.require(volume_id, "volume_id")
    _leave(cloud, cloud.connection(project_id), volume_id, project_id)


def _leave(cloud: Cloud, conn: Conn, volume_id: str, project_id: str | None = None) -> None:
    """Unmanages the volume and waits until Cinder's record is gone. An unmanage its driver
    failed (error_unmanaging) is reset and asked again, as an admin would, up to
    `manage_attempts` tries; one already under way (or a delete) is waited for. Given a
    `project_id`, only that project's volume.

    :raises FailedPrecondition: Cinder refuses (attached).
    :raises NotFound: the volume is not `project_id`'s.
    :raises ServiceUnavailable: the driver failed every try.
    """
    attempts = cloud.settings.manage_attempts
    for attempt in range(1, attempts + 1):
        volume = cloud.call(
            f"find volume {volume_id}",
            lambda: conn.block_storage.find_volume(volume_id, ignore_missing=True),
        )
        if volume is None:
            return
        if project_id is not None:
            require_projects_volume(volume, project_id)
        if volume.status == "error_unmanaging":
            cloud.call(
                f"reset status of volume {volume_id}",
                lambda: conn.block_storage.reset_volume_status(volume_id, status="error"),
            )
        if volume.status not in _LEAVING:
            cloud.call(
                "unmanage volume",
                lambda: conn.block_storage.unmanage_volume(volume_id),
                retry=False,
            )

        def gone() -> Any:
            found = conn.block_storage.find_volume(volume_id, ignore_missing=True)
            if found is None:
                return True
            # Cinder's volume manager says error_unmanaging when the driver fails.
            return found if str(found.status).startswith("error") else None

        left = cloud.wait(
            f"volume {volume_id} leaving Cinder", cloud.settings.volume_timeout_seconds, gone
        )
        if left is True:
            return
        reason = failure_reason(cloud, conn, volume_id)
        if attempt == attempts:
            raise ServiceUnavailable(
                f"unmanage of volume {volume_id} failed {attempts} times; the last: {reason}"
            )
        cloud.back_off(attempt, f"unmanage of volume {volume_id} failed: {reason}")


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
    require_projects_volume(volume, project_id)
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
            f"retype of volume {volume_id} failed: {failure_reason(cloud, conn, volume_id)}"
        )
    return records.volume(volume)


def require_projects_volume(volume: Any, project_id: str) -> None:
    """Checks that a volume, as openstacksdk read it, is the project's.

    :raises NotFound: the volume is another project's (the service user may read and change
        any project's volumes by id).
    """
    owner = attr(volume, "project_id", "")
    if owner and owner != project_id:
        raise NotFound(f"project {project_id} has no volume {volume.id}")


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
        # Cinder lists the public types and the private ones the scoped project may use; an
        # admin's list may hold others (is_public=None, a cloud's own policy): only those the
        # project has access to are the project's to use.
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
