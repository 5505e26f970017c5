"""Recovering volumes on the target array, and removing what a recovery made."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from pypureclient import flasharray as fa

from common.errors import FailedPrecondition, InvalidArgument, NotFound
from common.telemetry import in_current_context
from services.storage.drivers.flasharray.client import ArrayClient
from services.storage.drivers.flasharray.context import Context, attr, from_ms, require_type
from services.storage.drivers.flasharray.replication import recovery_points
from services.storage.errors import ArrayObjectMissing
from services.storage.model import (
    DestroyResult,
    GroupRef,
    RecoveredVolume,
    Recovery,
    RecoveryPoint,
    ReplicationType,
)
from services.storage.naming import base_name, recovered_name, recovery_prefix, recovery_prefixes


def recover(
    ctx: Context, group: GroupRef, point_id: str, volumes: list[str], request_id: str, test: bool
) -> Recovery:
    if not volumes:
        raise InvalidArgument("source_volume_names", "name at least one volume to recover")
    prefix = recovery_prefix(request_id, test)
    _, target = ctx.pair(group)
    point = _choose_point(ctx, group, point_id)
    if group.replication_type is ReplicationType.SYNC:
        for volume in volumes:
            if not volume.startswith(f"{group.pod_name}::"):
                raise InvalidArgument(
                    "source_volume_names", f"{volume} is not in pod {group.pod_name}"
                )
        sources = {v: v for v in volumes}
    else:
        sources = {v: f"{point.id}.{base_name(v)}" for v in volumes}
    made = {v.name: v for v in target.call("get_volumes", filter=f"name='{prefix}*'")}
    revive = [n for n, v in made.items() if attr(v, "destroyed", False)]
    if revive:
        target.call("patch_volumes", names=revive, volume=fa.VolumePatch(destroyed=False))

    def copy(volume: str) -> tuple[RecoveredVolume, Any]:
        name = recovered_name(prefix, volume)
        found = made.get(name)
        if found is None:
            try:
                created = target.call(
                    "post_volumes",
                    names=[name],
                    volume=fa.VolumePost(source=fa.Reference(name=sources[volume])),
                    tolerate=("already exists",),
                )
            except ArrayObjectMissing:
                raise NotFound(
                    f"array {target.name}: volume {volume} is not in recovery point {point.id}"
                ) from None
            found = created[0] if created else target.call("get_volumes", names=[name])[0]
        recovered = RecoveredVolume(volume, name, target.name, int(attr(found, "provisioned", 0)))
        return recovered, from_ms(attr(found, "created"))

    workers = min(ctx.settings.copy_concurrency, len(volumes))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recover") as pool:
        results = list(pool.map(in_current_context(copy), volumes))
    if group.replication_type is ReplicationType.SYNC:
        # A clone holds the pod's data as of when it was made: a repeat reports that moment.
        cloned_at = min((when for _, when in results if when is not None), default=point.created_at)
        point = replace(point, created_at=cloned_at, completed_at=cloned_at)
    return Recovery(point, [volume for volume, _ in results])


def _choose_point(ctx: Context, group: GroupRef, point_id: str) -> RecoveryPoint:
    require_type(group)
    points = recovery_points(ctx, group, include_incomplete=True)
    if group.replication_type is ReplicationType.SYNC:
        if not points:
            raise FailedPrecondition(
                f"array {group.target_array}: pod {group.pod_name} is not serving there, so "
                "nothing can be recovered from it"
            )
        return points[0]
    if not point_id:
        complete = [p for p in points if p.completed_at is not None]
        if not complete:
            raise FailedPrecondition(
                f"array {group.target_array} holds no complete recovery point of group "
                f"{group.group_id} yet"
            )
        return complete[0]
    chosen = next((p for p in points if p.id == point_id), None)
    if chosen is None:
        raise NotFound(f"array {group.target_array}: no recovery point {point_id}")
    if chosen.completed_at is None:
        raise FailedPrecondition(
            f"recovery point {point_id} is still in flight ({chosen.progress:.0%} arrived)"
        )
    return chosen


def destroy_volumes(
    ctx: Context, array_name: str, request_id: str, names: list[str], eradicate: bool
) -> DestroyResult:
    if not request_id and not names:
        raise InvalidArgument("request_id", "give a request id or volume names")
    array = ctx.arrays.get(array_name, "array_name")
    found: dict[str, Any] = {}
    for prefix in recovery_prefixes(request_id) if request_id else ():
        found.update((v.name, v) for v in array.call("get_volumes", filter=f"name='{prefix}*'"))
    absent = []
    for name in names:
        if name not in found:
            listed = array.call("get_volumes", names=[name], tolerate=("does not exist",))
            if listed:
                found[name] = listed[0]
            else:
                absent.append(name)
    _destroy(array, found, eradicate)
    return DestroyResult(sorted(found), absent)


def _destroy(array: ArrayClient, volumes: dict[str, Any], eradicate: bool) -> None:
    live = sorted(n for n, v in volumes.items() if not attr(v, "destroyed", False))
    if live:
        array.call("patch_volumes", names=live, volume=fa.VolumePatch(destroyed=True))
    if eradicate and volumes:
        array.call("delete_volumes", names=sorted(volumes), tolerate=("does not exist",))
