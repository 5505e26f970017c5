"""Volumes and volume snapshots: create, copy (with overwrite), rename, resize, move into a pod,
destroy, recover, eradicate. A stretched pod's volume is one object placed on every array of the
pod."""

from __future__ import annotations

from typing import Any

from simulators.flasharray.errors import (
    ArrayApiError,
    already_exists,
    does_not_exist,
    has_been_destroyed,
)
from simulators.flasharray.fabric import Fabric, SimArray, check_name
from simulators.flasharray.journal import Journal, JournalPoint
from simulators.flasharray.objects import Volume, VolumeSnapshot, ms, ref


def split_pod(name: str) -> tuple[str | None, str]:
    """'pod::vol' -> ('pod', 'vol'); 'vol' -> (None, 'vol')."""
    if "::" in name:
        pod, base = name.split("::", 1)
        return pod, base
    return None, name


def placements(fabric: Fabric, array: SimArray, pod_name: str | None) -> list[SimArray]:
    """The arrays an object in this pod (or none) lives on."""
    if pod_name is None:
        return [array]
    return [fabric.arrays[name] for name in array.pods[pod_name].arrays]


def _place(fabric: Fabric, array: SimArray, volume: Volume) -> None:
    for where in placements(fabric, array, volume.pod):
        where.volumes[volume.name] = volume


def _check_pod(array: SimArray, pod_name: str | None, name: str) -> None:
    if pod_name is None:
        return
    pod = array.pods.get(pod_name)
    if pod is None:
        raise does_not_exist("Pod", pod_name)
    if pod.destroyed:
        raise has_been_destroyed("Pod", pod_name)


def resolve_source(fabric: Fabric, array: SimArray, name: str) -> tuple[JournalPoint, int, str]:
    """A copy source: a volume or a volume snapshot. Returns its data, size and the name of the
    volume the data came from.

    :raises ArrayApiError: when there is no such volume or snapshot, or it is destroyed.
    """
    if name in array.volumes:
        volume = array.volumes[name]
        if volume.destroyed:
            raise has_been_destroyed("Volume", name)
        return fabric.volume_point(array, volume), volume.provisioned, volume.name
    if name in array.volume_snapshots:
        snapshot = array.volume_snapshots[name]
        if snapshot.destroyed:
            raise has_been_destroyed("Snapshot", name)
        return snapshot.point, snapshot.provisioned, snapshot.source
    raise ArrayApiError("No such volume or snapshot.", name)


def create_volumes(
    fabric: Fabric,
    array: SimArray,
    names: list[str],
    body: dict[str, Any],
    overwrite: bool,
    add_to_groups: list[str],
) -> list[Volume]:
    """POST /volumes: new volumes of a size, or copies of a volume or snapshot.

    :raises ArrayApiError: for a bad name, a missing pod or source, or a name in use (unless
        overwriting a copy).
    """
    source_name = (body.get("source") or {}).get("name")
    if overwrite and not source_name:
        raise ArrayApiError("Overwrite requires a source.")
    groups = [_local_group(array, g) for g in add_to_groups]
    made = []
    for name in names:
        pod_name, base = split_pod(name)
        check_name("volume", base)
        _check_pod(array, pod_name, name)
        point: JournalPoint | None = None
        origin: str | None = None
        if source_name:
            point, size, origin = resolve_source(fabric, array, source_name)
        else:
            if "provisioned" not in body:
                raise ArrayApiError("Either provisioned or source must be given.", name)
            size = int(body["provisioned"])
            if size <= 0:
                raise ArrayApiError("Volume size must be positive.", name)
        existing = array.volumes.get(name)
        if existing is not None:
            if existing.destroyed:
                raise ArrayApiError("Volume already exists and has been destroyed.", name)
            if not overwrite:
                raise already_exists("Volume", name)
            existing.journal = Journal.copy_of(point)
            existing.provisioned = size
            existing.source = origin
            made.append(existing)
            continue
        volume = Volume(
            name=name,
            provisioned=size,
            created=fabric.now(),
            journal=Journal.copy_of(point),
            source=origin,
            pod=pod_name,
        )
        _place(fabric, array, volume)
        for group in groups:
            group.volumes.append(volume)
        made.append(volume)
    return made


def _local_group(array: SimArray, name: str) -> Any:
    group = array.protection_groups.get(name)
    if group is None:
        raise does_not_exist("Protection group", name)
    if not group.is_local:
        raise ArrayApiError("Cannot add volumes to a replicated protection group.", name)
    return group


def _connections(array: SimArray, volume: Volume) -> int:
    return sum(1 for c in array.host_connections if c.volume is volume)


def patch_volumes(
    fabric: Fabric,
    array: SimArray,
    names: list[str],
    body: dict[str, Any],
    truncate: bool,
    add_to_groups: list[str],
    remove_from_groups: list[str],
) -> list[Volume]:
    """PATCH /volumes: rename, resize, move into a pod, destroy or recover, change groups.

    :raises ArrayApiError: naming the volume when a change is not allowed.
    """
    volumes = [array.volume(name) for name in names]
    if "name" in body and len(volumes) != 1:
        raise ArrayApiError("Only one volume can be renamed at a time.")
    for volume in volumes:
        if "destroyed" in body:
            _set_destroyed(fabric, array, volume, bool(body["destroyed"]))
        elif volume.destroyed:
            raise has_been_destroyed("Volume", volume.name)
        if "provisioned" in body:
            size = int(body["provisioned"])
            if size < volume.provisioned and not truncate:
                raise ArrayApiError("Shrinking a volume requires truncate.", volume.name)
            volume.provisioned = size
        if body.get("pod") is not None:
            _move_to_pod(fabric, array, volume, body["pod"].get("name") or None)
        if "name" in body:
            rename_volume(fabric, array, volume, str(body["name"]))
        if "qos" in body:
            volume.qos = dict(body["qos"] or {})
    for name in add_to_groups:
        group = _local_group(array, name)
        group.volumes.extend(v for v in volumes if v not in group.volumes)
    for name in remove_from_groups:
        group = _local_group(array, name)
        group.volumes[:] = [v for v in group.volumes if v not in volumes]
    return volumes


def _set_destroyed(fabric: Fabric, array: SimArray, volume: Volume, destroyed: bool) -> None:
    if destroyed and not volume.destroyed:
        if _connections(array, volume):
            raise ArrayApiError(
                "Volume cannot be destroyed due to existing connections.", volume.name
            )
        volume.destroyed_at = fabric.now()
    elif not destroyed and volume.destroyed:
        volume.destroyed_at = None


def rename_volume(fabric: Fabric, array: SimArray, volume: Volume, new_name: str) -> None:
    """Renames a volume (and its snapshots) on every array it is placed on.

    :raises ArrayApiError: for a bad or taken name, or a change of pod through renaming.
    """
    pod_name, base = split_pod(new_name)
    check_name("volume", base)
    if pod_name != volume.pod:
        raise ArrayApiError("Use the pod field to move a volume between pods.", new_name)
    if new_name == volume.name:
        return
    if new_name in array.volumes:
        raise already_exists("Volume", new_name)
    old = volume.name
    for where in placements(fabric, array, volume.pod):
        del where.volumes[old]
        where.volumes[new_name] = volume
        for snapshot in [s for s in where.volume_snapshots.values() if s.source == old]:
            del where.volume_snapshots[snapshot.name]
            snapshot.source = new_name
            snapshot.name = f"{new_name}.{snapshot.suffix}"
            where.volume_snapshots[snapshot.name] = snapshot
    volume.name = new_name


def _move_to_pod(fabric: Fabric, array: SimArray, volume: Volume, pod_name: str | None) -> None:
    if pod_name == volume.pod:
        return
    if volume.pod is not None and pod_name is not None:
        raise ArrayApiError("Move the volume out of its pod first.", volume.name)
    _check_pod(array, pod_name, volume.name)
    _, base = split_pod(volume.name)
    new_name = f"{pod_name}::{base}" if pod_name else base
    if new_name in array.volumes:
        raise already_exists("Volume", new_name)
    for where in placements(fabric, array, volume.pod):
        del where.volumes[volume.name]
    volume.name, volume.pod = new_name, pod_name
    _place(fabric, array, volume)


def eradicate_volumes(fabric: Fabric, array: SimArray, names: list[str]) -> None:
    """DELETE /volumes: eradicates volumes that are already destroyed.

    :raises ArrayApiError: when one is missing or not destroyed (nothing is eradicated).
    """
    volumes = [array.volume(name) for name in names]
    for volume in volumes:
        if not volume.destroyed:
            raise ArrayApiError(
                "Volume must be destroyed before it can be eradicated.", volume.name
            )
    for volume in volumes:
        drop_volume(fabric, array, volume)


def drop_volume(fabric: Fabric, array: SimArray, volume: Volume) -> None:
    """Removes a volume from every array it is on, and from protection groups."""
    for where in placements(fabric, array, volume.pod):
        where.volumes.pop(volume.name, None)
        for group in where.protection_groups.values():
            if volume in group.volumes:
                group.volumes.remove(volume)


def create_volume_snapshots(
    fabric: Fabric, array: SimArray, source_names: list[str], suffix: str | None
) -> list[VolumeSnapshot]:
    """POST /volume-snapshots: snapshots named `volume.suffix` (a number when no suffix).

    :raises ArrayApiError: for a missing or destroyed volume, a bad or taken suffix.
    """
    made = []
    for source_name in source_names:
        volume = array.volume(source_name)
        if volume.destroyed:
            raise has_been_destroyed("Volume", source_name)
        chosen = suffix or _next_suffix(array, source_name)
        check_name("snapshot suffix", chosen)
        name = f"{source_name}.{chosen}"
        if name in array.volume_snapshots:
            raise already_exists("Snapshot", name)
        snapshot = VolumeSnapshot(
            name=name,
            suffix=chosen,
            source=volume.name,
            source_id=volume.id,
            provisioned=volume.provisioned,
            created=fabric.now(),
            point=fabric.volume_point(array, volume),
            pod=volume.pod,
        )
        for where in placements(fabric, array, volume.pod):
            where.volume_snapshots[name] = snapshot
        made.append(snapshot)
    return made


def _next_suffix(array: SimArray, source_name: str) -> str:
    numbers = [
        int(s.suffix)
        for s in array.volume_snapshots.values()
        if s.source == source_name and s.suffix.isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def snapshot_named(array: SimArray, name: str) -> VolumeSnapshot:
    try:
        return array.volume_snapshots[name]
    except KeyError:
        raise ArrayApiError("No such volume or snapshot.", name) from None


def patch_volume_snapshots(
    fabric: Fabric, array: SimArray, names: list[str], body: dict[str, Any]
) -> list[VolumeSnapshot]:
    """PATCH /volume-snapshots: destroy, recover, rename."""
    snapshots = [snapshot_named(array, name) for name in names]
    for snapshot in snapshots:
        if "destroyed" in body:
            destroyed = bool(body["destroyed"])
            if destroyed and not snapshot.destroyed:
                snapshot.destroyed_at = fabric.now()
            elif not destroyed:
                snapshot.destroyed_at = None
        if "name" in body:
            new_name = str(body["name"])
            source, _, suffix = new_name.rpartition(".")
            if source != snapshot.source:
                raise ArrayApiError("A snapshot keeps its volume's name.", new_name)
            check_name("snapshot suffix", suffix)
            if new_name in array.volume_snapshots:
                raise already_exists("Snapshot", new_name)
            del array.volume_snapshots[snapshot.name]
            snapshot.name, snapshot.suffix = new_name, suffix
            array.volume_snapshots[new_name] = snapshot
    return snapshots


def eradicate_volume_snapshots(fabric: Fabric, array: SimArray, names: list[str]) -> None:
    """DELETE /volume-snapshots: eradicates destroyed snapshots."""
    snapshots = [snapshot_named(array, name) for name in names]
    for snapshot in snapshots:
        if not snapshot.destroyed:
            raise ArrayApiError(
                "Snapshot must be destroyed before it can be eradicated.", snapshot.name
            )
    for snapshot in snapshots:
        for where in placements(fabric, array, snapshot.pod):
            where.volume_snapshots.pop(snapshot.name, None)


def render_volume(fabric: Fabric, array: SimArray, volume: Volume) -> dict[str, Any]:
    point = fabric.volume_point(array, volume)
    pod = array.pods.get(volume.pod) if volume.pod else None
    return {
        "id": volume.id,
        "name": volume.name,
        "serial": volume.serial,
        "provisioned": volume.provisioned,
        "created": ms(volume.created),
        "destroyed": volume.destroyed,
        "time_remaining": volume.time_remaining(fabric.now()),
        "connection_count": _connections(array, volume),
        "source": ref(volume.source),
        "pod": ref(volume.pod, pod.id if pod else None),
        "volume_group": None,
        "qos": {"bandwidth_limit": None, "iops_limit": None, **volume.qos},
        "subtype": "regular",
        "protocol_endpoint": {"container_version": None},
        "priority": 0,
        "priority_adjustment": {
            "priority_adjustment_operator": "+",
            "priority_adjustment_value": 0,
        },
        "context": {"id": array.id, "name": array.name},
        "promotion_status": "promoted",
        "requested_promotion_state": "promoted",
        "host_encryption_key_status": "none",
        "space": _space(point.written_bytes, volume.provisioned),
    }


def render_volume_snapshot(fabric: Fabric, snapshot: VolumeSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "serial": snapshot.serial,
        "suffix": snapshot.suffix,
        "source": ref(snapshot.source, snapshot.source_id),
        "provisioned": snapshot.provisioned,
        "created": ms(snapshot.created),
        "destroyed": snapshot.destroyed,
        "time_remaining": snapshot.time_remaining(fabric.now()),
        "pod": ref(snapshot.pod),
        "volume_group": None,
        "space": _space(snapshot.point.written_bytes, snapshot.provisioned),
    }


def _space(written: int, provisioned: int) -> dict[str, Any]:
    return {
        "data_reduction": 1.0,
        "snapshots": 0,
        "system": 0,
        "thin_provisioning": 1 - min(written, provisioned) / provisioned if provisioned else 0.0,
        "total_physical": written,
        "total_provisioned": provisioned,
        "total_reduction": 1.0,
        "total_used": written,
        "unique": written,
        "used_provisioned": min(written, provisioned),
        "virtual": written,
    }
