"""Protecting a group: async, its own protection group replicating to the target; sync, the pod
holding its volumes stretched to the target."""

from __future__ import annotations

from pypureclient import flasharray as fa

from common.errors import FailedPrecondition, InvalidArgument
from services.storage.drivers.flasharray.client import ArrayClient
from services.storage.drivers.flasharray.context import Context, attr, require_type
from services.storage.errors import ArrayObjectMissing, ArrayUnreachable
from services.storage.model import (
    GroupRef,
    ProtectedVolume,
    Protection,
    ReplicationType,
    Retention,
)
from services.storage.naming import (
    OWNED_PREFIX,
    owned_pod_name,
    protection_group_name,
    replica_name,
)


def protect(
    ctx: Context,
    group: GroupRef,
    rpo_target_seconds: float | None,
    retention: Retention | None,
    volumes: list[str],
) -> Protection:
    if require_type(group) is ReplicationType.SYNC:
        return _protect_sync(ctx, group, volumes)
    if not rpo_target_seconds or rpo_target_seconds <= 0:
        raise InvalidArgument(
            "rpo_target", "is required for async replication and must be positive"
        )
    source, target = ctx.pair(group)
    name = protection_group_name(group.group_id)
    interval = max(ctx.settings.min_replication_interval_seconds, rpo_target_seconds / 2)
    retention = retention or ctx.default_retention()
    _ensure_protection_group(source, name)
    source.call(
        "patch_protection_groups",
        names=[name],
        protection_group=fa.ProtectionGroup(
            target_retention=fa.RetentionPolicy(
                all_for_sec=retention.all_for_seconds,
                per_day=retention.per_day,
                days=retention.days,
            ),
            # The source only needs its snapshots until they have been sent.
            source_retention=fa.RetentionPolicy(
                all_for_sec=int(max(2 * interval, 600)), per_day=0, days=0
            ),
            replication_schedule=fa.ReplicationSchedule(frequency=int(interval * 1000)),
        ),
    )
    _ensure_members(source, name, volumes)
    _ensure_target(ctx, source, target, name)
    source.call(
        "patch_protection_groups",
        names=[name],
        protection_group=fa.ProtectionGroup(
            replication_schedule=fa.ReplicationSchedule(enabled=True)
        ),
    )
    return get_protection(ctx, group)


def _ensure_protection_group(source: ArrayClient, name: str) -> None:
    existing = source.call("get_protection_groups", names=[name], tolerate=("does not exist",))
    if not existing:
        source.call("post_protection_groups", names=[name], tolerate=("already exists",))
    elif attr(existing[0], "destroyed", False):
        source.call(
            "patch_protection_groups",
            names=[name],
            protection_group=fa.ProtectionGroup(destroyed=False),
        )


def _members(source: ArrayClient, name: str) -> set[str]:
    return {m.member.name for m in source.call("get_protection_groups_volumes", group_names=[name])}


def _ensure_members(source: ArrayClient, name: str, volumes: list[str]) -> None:
    missing = sorted(set(volumes) - _members(source, name))
    if missing:
        source.call("post_protection_groups_volumes", group_names=[name], member_names=missing)


def _ensure_target(ctx: Context, source: ArrayClient, target: ArrayClient, name: str) -> None:
    target_name, source_name = target.array_name(), source.array_name()
    listed = source.call("get_protection_groups_targets", group_names=[name])
    if not any(t.member.name == target_name for t in listed):
        source.call(
            "post_protection_groups_targets",
            group_names=[name],
            member_names=[target_name],
            tolerate=("already includes",),
        )
    replica = replica_name(source_name, name)
    ctx.wait_for(
        f"array {target.name}: the replica {replica} appearing",
        ctx.settings.target_ready_timeout_seconds,
        lambda: (
            target.call("get_protection_groups", names=[replica], tolerate=("does not exist",))
            or None
        ),
    )
    target.call(
        "patch_protection_groups_targets",
        group_names=[replica],
        target=fa.TargetProtectionGroupPostPatch(allowed=True),
        tolerate=("already allowed",),
    )


def _protect_sync(ctx: Context, group: GroupRef, volumes: list[str]) -> Protection:
    pod = _pod_of(group, volumes)
    source, target = ctx.pair(group)
    existing = source.call("get_pods", names=[pod], tolerate=("does not exist",))
    if not existing:
        source.call("post_pods", names=[pod], pod=fa.PodPost(), tolerate=("already exists",))
    elif attr(existing[0], "destroyed", False):
        raise FailedPrecondition(f"array {source.name}: pod {pod} has been destroyed")
    target_name = target.array_name()
    members = {a.name for a in attr(existing[0], "arrays", [])} if existing else set()
    if target_name not in members:
        source.call(
            "post_pods_arrays",
            group_names=[pod],
            member_names=[target_name],
            tolerate=("already exists", "already on"),
        )
    if volumes:
        source.call("get_volumes", names=volumes)
    return get_protection(ctx, group)


def _pod_of(group: GroupRef, volumes: list[str]) -> str:
    pod = group.pod_name
    if not pod:
        raise InvalidArgument(
            "group.pod_name", "is required for sync replication: the pod holding the volumes"
        )
    for volume in volumes:
        if not volume.startswith(f"{pod}::"):
            raise InvalidArgument(
                "array_volume_names",
                f"{volume} is not in pod {pod}: sync protection needs volumes of a sync "
                "replicated volume type",
            )
    return pod


def add_volumes(ctx: Context, group: GroupRef, volumes: list[str]) -> Protection:
    if require_type(group) is ReplicationType.SYNC:
        _pod_of(group, volumes)
        source, _ = ctx.pair(group)
        source.call("get_pods", names=[group.pod_name])
        if volumes:
            source.call("get_volumes", names=volumes)
        return get_protection(ctx, group)
    source, _ = ctx.pair(group)
    name = protection_group_name(group.group_id)
    if not source.call("get_protection_groups", names=[name], tolerate=("does not exist",)):
        raise FailedPrecondition(f"group {group.group_id} is not protected yet: protect it first")
    _ensure_members(source, name, volumes)
    return get_protection(ctx, group)


def remove_volumes(ctx: Context, group: GroupRef, volumes: list[str]) -> Protection:
    """Async: the volumes leave the protection group. Sync: a volume leaves a pod only by
    being moved (renamed), which is Cinder's business, so nothing changes."""
    if require_type(group) is ReplicationType.ASYNC:
        source, _ = ctx.pair(group)
        name = protection_group_name(group.group_id)
        leaving = sorted(set(volumes) & _members(source, name))
        if leaving:
            source.call(
                "delete_protection_groups_volumes", group_names=[name], member_names=leaving
            )
    return get_protection(ctx, group)


def get_protection(ctx: Context, group: GroupRef) -> Protection:
    source, target = ctx.pair(group)
    if require_type(group) is ReplicationType.SYNC:
        return _sync_protection(source, target, group)
    name = protection_group_name(group.group_id)
    found = source.call("get_protection_groups", names=[name], tolerate=("does not exist",))
    if not found:
        raise ArrayObjectMissing(source.name, "protection group", name)
    pg = found[0]
    schedule = attr(pg, "replication_schedule")
    retention = attr(pg, "target_retention")
    members = sorted(_members(source, name))
    sizes = (
        {v.name: attr(v, "provisioned", 0) for v in source.call("get_volumes", names=members)}
        if members
        else {}
    )
    target_name = target.array_name()
    targets = source.call("get_protection_groups_targets", group_names=[name])
    return Protection(
        group=group,
        protection_group_name=name,
        replication_interval_seconds=attr(schedule, "frequency", 0) / 1000 if schedule else 0.0,
        retention=Retention(
            attr(retention, "all_for_sec", 0),
            attr(retention, "per_day", 0),
            attr(retention, "days", 0),
        )
        if retention
        else None,
        volumes=[ProtectedVolume(v, int(sizes.get(v, 0))) for v in members],
        target_ready=any(
            t.member.name == target_name and attr(t, "allowed", False) for t in targets
        ),
    )


def _sync_protection(source: ArrayClient, target: ArrayClient, group: GroupRef) -> Protection:
    pod_name = group.pod_name
    pods = source.call("get_pods", names=[pod_name])
    target_name = target.array_name()
    states = {a.name: attr(a, "status", "unknown") for a in attr(pods[0], "arrays", [])}
    volumes = source.call("get_volumes", filter=f"pod.name='{pod_name}'", destroyed=False)
    return Protection(
        group=group,
        volumes=[ProtectedVolume(v.name, int(attr(v, "provisioned", 0))) for v in volumes],
        target_ready=states.get(target_name) == "online",
    )


def unprotect(ctx: Context, group: GroupRef) -> list[str]:
    """Removes what protect made, on both arrays, doing all it can before reporting an array
    that did not answer."""
    source, target = ctx.pair(group)
    removed: list[str] = []
    failures: list[ArrayUnreachable] = []
    if require_type(group) is ReplicationType.SYNC:
        if group.pod_name.startswith(OWNED_PREFIX):
            removed += _unstretch(source, target, group.pod_name)
        return removed
    name = protection_group_name(group.group_id)
    for step in (
        lambda: _remove_source_group(source, target, name),
        lambda: _remove_replica(target, replica_name(source.known_name(), name)),
    ):
        try:
            removed += step()
        except ArrayUnreachable as error:
            failures.append(error)
    if failures:
        raise failures[0]
    return removed


def _remove_source_group(source: ArrayClient, target: ArrayClient, name: str) -> list[str]:
    found = source.call("get_protection_groups", names=[name], tolerate=("does not exist",))
    if not found:
        return []
    if not attr(found[0], "destroyed", False):
        source.call(
            "patch_protection_groups",
            names=[name],
            protection_group=fa.ProtectionGroup(
                replication_schedule=fa.ReplicationSchedule(enabled=False)
            ),
        )
        for listed in source.call("get_protection_groups_targets", group_names=[name]):
            source.call(
                "delete_protection_groups_targets",
                group_names=[name],
                member_names=[listed.member.name],
                tolerate=("does not exist",),
            )
        source.call(
            "patch_protection_groups",
            names=[name],
            protection_group=fa.ProtectionGroup(destroyed=True),
        )
    source.call("delete_protection_groups", names=[name], tolerate=("does not exist",))
    return [f"protection group {name} on {source.name}"]


def _remove_replica(target: ArrayClient, replica: str) -> list[str]:
    found = target.call("get_protection_groups", names=[replica], tolerate=("does not exist",))
    if not found:
        return []
    if not attr(found[0], "destroyed", False):
        target.call(
            "patch_protection_groups",
            names=[replica],
            protection_group=fa.ProtectionGroup(destroyed=True),
        )
    target.call("delete_protection_groups", names=[replica], tolerate=("does not exist",))
    return [f"replica {replica} on {target.name}"]


def _unstretch(source: ArrayClient, target: ArrayClient, pod: str) -> list[str]:
    target_name = target.array_name()
    pods = source.call("get_pods", names=[pod], tolerate=("does not exist",))
    if not pods or target_name not in {a.name for a in attr(pods[0], "arrays", [])}:
        return []
    source.call("delete_pods_arrays", group_names=[pod], member_names=[target_name])
    return [f"pod {pod} on {target.name}"]


def reverse_protection(
    ctx: Context,
    group: GroupRef,
    rpo_target_seconds: float | None,
    retention: Retention | None,
    volumes: list[str],
) -> Protection:
    """The old direction stops first (its source must answer), then the new one starts."""
    new_source, new_target = ctx.pair(group)
    new_target.describe()  # the old source must answer before anything changes
    if require_type(group) is ReplicationType.ASYNC:
        unprotect(ctx, group.reversed())
        return protect(ctx, group, rpo_target_seconds, retention, volumes)
    pod = owned_pod_name(group.group_id)
    moved = []
    existing = new_source.call("get_pods", names=[pod], tolerate=("does not exist",))
    if not existing:
        new_source.call("post_pods", names=[pod], pod=fa.PodPost(), tolerate=("already exists",))
    for volume in volumes:
        if "::" in volume and not volume.startswith(f"{pod}::"):
            raise InvalidArgument(
                "array_volume_names", f"{volume} is in another pod; recover it out of the pod first"
            )
        inside = volume if volume.startswith(f"{pod}::") else f"{pod}::{volume}"
        if not new_source.call("get_volumes", names=[inside], tolerate=("does not exist",)):
            new_source.call(
                "patch_volumes", names=[volume], volume=fa.VolumePatch(pod=fa.Reference(name=pod))
            )
        moved.append(inside)
    owned = GroupRef(
        group.group_id, group.replication_type, group.source_array, group.target_array, pod
    )
    return protect(ctx, owned, rpo_target_seconds, retention, moved)
