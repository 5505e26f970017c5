"""Protection groups: members, targets (with the allowed flag), schedules and retention, and
their snapshots, which replicate to the targets as `source:group.suffix`."""

from __future__ import annotations

import fnmatch
from typing import Any

from simulators.flasharray.errors import (
    ArrayApiError,
    already_exists,
    does_not_exist,
    has_been_destroyed,
    unsupported,
)
from simulators.flasharray.fabric import Fabric, SimArray, check_name
from simulators.flasharray.objects import (
    ProtectionGroup,
    ProtectionGroupSnapshot,
    SnapshotSource,
    Target,
    Transfer,
    VolumeSnapshot,
    ms,
    ref,
)
from simulators.flasharray.volumes import split_pod

DAY_S = 86400.0
_SETTABLE = ("replication_schedule", "snapshot_schedule", "source_retention", "target_retention")


def group_named(array: SimArray, name: str) -> ProtectionGroup:
    """:raises ArrayApiError: when there is no such protection group."""
    try:
        return array.protection_groups[name]
    except KeyError:
        raise does_not_exist("Protection group", name) from None


def replica_name(source_array: str, group_name: str) -> str:
    return f"{source_array}:{group_name}"


def create_groups(fabric: Fabric, array: SimArray, names: list[str]) -> list[ProtectionGroup]:
    """POST /protection-groups (without a source: copies are not simulated)."""
    made = []
    for name in names:
        if "::" in name:
            raise unsupported("A protection group in a pod")
        check_name("protection group", name)
        if name in array.protection_groups:
            raise already_exists("Protection group", name)
        group = ProtectionGroup(name=name, created=fabric.now(), source_array=array.name)
        array.protection_groups[name] = group
        made.append(group)
    return made


def patch_groups(
    fabric: Fabric, array: SimArray, names: list[str], body: dict[str, Any]
) -> list[ProtectionGroup]:
    """PATCH /protection-groups: schedules, retention, destroy or recover, rename."""
    groups = [group_named(array, name) for name in names]
    for group in groups:
        if "destroyed" in body:
            group.destroyed_at = fabric.now() if body["destroyed"] else None
        elif group.destroyed:
            raise has_been_destroyed("Protection group", group.name)
        for key in _SETTABLE:
            if body.get(key) is not None:
                if not group.is_local:
                    raise ArrayApiError(
                        "A replicated protection group cannot be changed.", group.name
                    )
                _merge_policy(group, key, body[key])
        if "name" in body and body["name"] != group.name:
            check_name("protection group", body["name"])
            if body["name"] in array.protection_groups:
                raise already_exists("Protection group", body["name"])
            del array.protection_groups[group.name]
            group.name = body["name"]
            array.protection_groups[group.name] = group
    return groups


def _merge_policy(group: ProtectionGroup, key: str, values: dict[str, Any]) -> None:
    current = getattr(group, key)
    for field_name, value in values.items():
        if value is None:
            continue
        if field_name == "frequency" and int(value) <= 0:
            raise ArrayApiError("Frequency must be positive.", group.name)
        current[field_name] = value
    if key == "replication_schedule" and "frequency" in values:
        group.last_scheduled = None


def eradicate_groups(fabric: Fabric, array: SimArray, names: list[str]) -> None:
    """DELETE /protection-groups: eradicates destroyed groups with their snapshots. Eradicating
    a replica on a target also stops the source replicating to it."""
    groups = [group_named(array, name) for name in names]
    for group in groups:
        if not group.destroyed:
            raise ArrayApiError(
                "Protection group must be destroyed before it can be eradicated.", group.name
            )
    for group in groups:
        for snapshot in [s for s in array.pg_snapshots.values() if s.group is group]:
            drop_pg_snapshot(array, snapshot)
        del array.protection_groups[group.name]
        if group.replica_of is not None:
            group.replica_of.targets.pop(array.name, None)


def members(
    array: SimArray, group_names: list[str], member_names: list[str]
) -> list[tuple[ProtectionGroup, Any]]:
    """(group, volume) pairs, filtered by group and member names."""
    groups = (
        [group_named(array, g) for g in group_names]
        if group_names
        else [g for g in array.protection_groups.values() if g.is_local]
    )
    for name in member_names:
        array.volume(name)
    return [
        (group, volume)
        for group in groups
        for volume in group.volumes
        if not member_names or volume.name in member_names
    ]


def add_members(
    array: SimArray, group_names: list[str], member_names: list[str]
) -> list[tuple[ProtectionGroup, Any]]:
    """POST /protection-groups/volumes."""
    groups = [_local(array, g) for g in group_names]
    volumes = [array.volume(name) for name in member_names]
    for group in groups:
        for volume in volumes:
            if volume in group.volumes:
                raise ArrayApiError(
                    f"Volume already belongs to protection group {group.name}.", volume.name
                )
    for group in groups:
        group.volumes.extend(volumes)
    return [(group, volume) for group in groups for volume in volumes]


def remove_members(array: SimArray, group_names: list[str], member_names: list[str]) -> None:
    """DELETE /protection-groups/volumes."""
    groups = [_local(array, g) for g in group_names]
    volumes = [array.volume(name) for name in member_names]
    for group in groups:
        for volume in volumes:
            if volume not in group.volumes:
                raise ArrayApiError(
                    f"Volume is not a member of protection group {group.name}.", volume.name
                )
    for group in groups:
        group.volumes[:] = [v for v in group.volumes if v not in volumes]


def _local(array: SimArray, name: str) -> ProtectionGroup:
    group = group_named(array, name)
    if not group.is_local:
        raise ArrayApiError("A replicated protection group cannot be changed.", name)
    if group.destroyed:
        raise has_been_destroyed("Protection group", name)
    return group


def targets(array: SimArray, group_names: list[str]) -> list[tuple[ProtectionGroup, Target]]:
    """(group, target) pairs: a source group's targets, or a replica's own target entry."""
    groups = (
        [group_named(array, g) for g in group_names]
        if group_names
        else list(array.protection_groups.values())
    )
    pairs = []
    for group in groups:
        if group.is_local:
            pairs += [(group, target) for target in group.targets.values()]
        elif group.replica_of is not None and array.name in group.replica_of.targets:
            pairs.append((group, group.replica_of.targets[array.name]))
    return pairs


def add_targets(
    fabric: Fabric, array: SimArray, group_names: list[str], member_names: list[str]
) -> list[tuple[ProtectionGroup, Target]]:
    """POST /protection-groups/targets: the replica `source:group` appears on each target,
    which must allow it before anything replicates."""
    groups = [_local(array, g) for g in group_names]
    for name in member_names:
        fabric.array(name)
        if fabric.link(array.name, name) is None:
            raise ArrayApiError("Array connection does not exist.", name)
        if not fabric.reachable(array.name, name):
            raise ArrayApiError("Target array is not reachable.", name)
        for group in groups:
            if name in group.targets:
                raise ArrayApiError(f"Protection group already includes {name}.", group.name)
    made = []
    for group in groups:
        for name in member_names:
            target = Target(name)
            group.targets[name] = target
            target_array = fabric.arrays[name]
            replica = target_array.protection_groups.get(replica_name(array.name, group.name))
            if replica is None:
                replica = ProtectionGroup(
                    name=replica_name(array.name, group.name),
                    created=fabric.now(),
                    source_array=array.name,
                    is_local=False,
                )
                target_array.protection_groups[replica.name] = replica
            replica.replica_of = group
            made.append((group, target))
    return made


def patch_targets(
    array: SimArray, group_names: list[str], member_names: list[str], allowed: bool
) -> list[tuple[ProtectionGroup, Target]]:
    """PATCH /protection-groups/targets: allow or disallow (on the target, `source:group`)."""
    pairs = targets(array, group_names)
    if member_names:
        pairs = [(g, t) for g, t in pairs if t.array in member_names]
    if not pairs:
        raise does_not_exist("Target", ",".join(member_names or group_names))
    for _, target in pairs:
        target.allowed = allowed
    return pairs


def remove_targets(array: SimArray, group_names: list[str], member_names: list[str]) -> None:
    """DELETE /protection-groups/targets: stop replicating to these arrays (replicas stay)."""
    groups = [_local(array, g) for g in group_names]
    for group in groups:
        for name in member_names:
            if name not in group.targets:
                raise does_not_exist("Target", name)
    for group in groups:
        for name in member_names:
            del group.targets[name]


def take_snapshot(
    fabric: Fabric,
    array: SimArray,
    group: ProtectionGroup,
    suffix: str | None,
    replicate: bool,
    for_replication: bool = False,
) -> ProtectionGroupSnapshot:
    """Snapshots every member at one instant (consistent across the group) and, if asked,
    starts sending it to every allowed target.

    :raises ArrayApiError: for a replica or destroyed group, or a bad or taken suffix.
    """
    if not group.is_local:
        raise ArrayApiError(
            "Snapshots of a replicated protection group arrive from its source.", group.name
        )
    if group.destroyed:
        raise has_been_destroyed("Protection group", group.name)
    if suffix is None:
        while f"{group.name}.{group.next_suffix}" in array.pg_snapshots:
            group.next_suffix += 1
        suffix = str(group.next_suffix)
        group.next_suffix += 1
    check_name("snapshot suffix", suffix)
    name = f"{group.name}.{suffix}"
    if name in array.pg_snapshots:
        raise already_exists("Protection group snapshot", name)
    # Timestamps are shown in ms: keep a group's snapshots apart, as real arrays do.
    now = max(fabric.now(), group.last_snapshot_at + 0.001)
    group.last_snapshot_at = now
    snapshot = ProtectionGroupSnapshot(
        name=name, suffix=suffix, group=group, created=now, for_replication=for_replication
    )
    sources = []
    for volume in group.volumes:
        if volume.destroyed:
            continue
        base = split_pod(volume.name)[1]
        source = SnapshotSource(
            volume.name, volume.id, volume.provisioned, fabric.volume_point(array, volume)
        )
        sources.append((base, source))
        volume_snapshot = VolumeSnapshot(
            name=f"{name}.{base}",
            suffix=suffix,
            source=volume.name,
            source_id=volume.id,
            provisioned=volume.provisioned,
            created=now,
            point=source.point,
        )
        array.volume_snapshots[volume_snapshot.name] = volume_snapshot
        snapshot.volume_snapshot_names.append(volume_snapshot.name)
    array.pg_snapshots[name] = snapshot
    if replicate:
        for target in group.targets.values():
            if target.allowed:
                start_transfer(fabric, array, snapshot, target.array, dict(sources))
    return snapshot


def start_transfer(
    fabric: Fabric,
    array: SimArray,
    snapshot: ProtectionGroupSnapshot,
    target_name: str,
    sources: dict[str, SnapshotSource],
) -> Transfer:
    """Queues a snapshot for a target: the replica snapshot shows there at once, in flight;
    its volume snapshots appear when the last byte has arrived."""
    group = snapshot.group
    sent = group.sent_bytes.setdefault(target_name, {})
    total = 0
    for source in sources.values():
        written = source.point.written_bytes
        total += max(0, written - sent.get(source.volume_id, 0))
        sent[source.volume_id] = written
    transfer = Transfer(array.name, target_name, fabric.now(), total, sources)
    snapshot.transfers[target_name] = transfer
    target_array = fabric.arrays[target_name]
    replica_group = target_array.protection_groups[replica_name(array.name, group.name)]
    replica = ProtectionGroupSnapshot(
        name=replica_name(array.name, snapshot.name),
        suffix=snapshot.suffix,
        group=replica_group,
        created=snapshot.created,
        transfers={target_name: transfer},
    )
    target_array.pg_snapshots[replica.name] = replica
    return transfer


def complete_transfer(fabric: Fabric, transfer: Transfer, replica: ProtectionGroupSnapshot) -> None:
    """The last byte arrived: the replica's volume snapshots appear; retention runs."""
    target_array = fabric.arrays[transfer.target_array]
    transfer.completed = fabric.now()
    transfer.done_bytes = transfer.total_bytes
    for base, source in transfer.points.items():
        volume_snapshot = VolumeSnapshot(
            name=f"{replica.name}.{base}",
            suffix=replica.suffix,
            source=replica_name(transfer.source_array, source.volume_name),
            source_id=source.volume_id,
            provisioned=source.provisioned,
            created=replica.created,
            point=source.point,
        )
        target_array.volume_snapshots[volume_snapshot.name] = volume_snapshot
        replica.volume_snapshot_names.append(volume_snapshot.name)
    source_group = replica.group.replica_of
    policy = source_group.target_retention if source_group is not None else {}
    apply_retention(fabric, target_array, replica.group, policy)


def apply_retention(
    fabric: Fabric, array: SimArray, group: ProtectionGroup, policy: dict[str, Any]
) -> list[str]:
    """Eradicates the group's snapshots on this array that the policy no longer keeps: all
    younger than all_for_sec stay, then per_day a day for `days` days. The newest complete
    snapshot and any in flight always stay. Returns what went."""
    now = fabric.now()
    snapshots = sorted(
        (s for s in array.pg_snapshots.values() if s.group is group and not s.destroyed),
        key=lambda s: s.created,
        reverse=True,
    )
    complete = [s for s in snapshots if _complete_here(s, array.name)]
    keep = {s.name for s in snapshots if not _complete_here(s, array.name) or _sending(s)}
    if complete:
        keep.add(complete[0].name)
    all_for = float(policy.get("all_for_sec") or 0)
    per_day, days = int(policy.get("per_day") or 0), int(policy.get("days") or 0)
    kept_per_day: dict[int, int] = {}
    for snapshot in complete:
        age = now - snapshot.created
        if age <= all_for:
            keep.add(snapshot.name)
            continue
        day = int((age - all_for) // DAY_S)
        if day < days and kept_per_day.get(day, 0) < per_day:
            kept_per_day[day] = kept_per_day.get(day, 0) + 1
            keep.add(snapshot.name)
    pruned = [s for s in snapshots if s.name not in keep]
    for snapshot in pruned:
        drop_pg_snapshot(array, snapshot)
    return [s.name for s in pruned]


def _complete_here(snapshot: ProtectionGroupSnapshot, array_name: str) -> bool:
    """A local snapshot is complete at once; a replica when its transfer has arrived."""
    transfer = snapshot.transfers.get(array_name)
    return transfer is None or transfer.completed is not None


def _sending(snapshot: ProtectionGroupSnapshot) -> bool:
    return any(t.completed is None for t in snapshot.transfers.values())


def drop_pg_snapshot(array: SimArray, snapshot: ProtectionGroupSnapshot) -> None:
    """Removes a snapshot and its volume snapshots from this array."""
    for name in snapshot.volume_snapshot_names:
        array.volume_snapshots.pop(name, None)
    array.pg_snapshots.pop(snapshot.name, None)


def pg_snapshots_named(
    array: SimArray, names: list[str], source_names: list[str]
) -> list[ProtectionGroupSnapshot]:
    """Snapshots by exact name, by protection-group name (all of its snapshots), or by a
    wildcard pattern; or all snapshots of the named groups.

    :raises ArrayApiError: for a name that matches nothing.
    """
    snapshots = list(array.pg_snapshots.values())
    if source_names:
        for name in source_names:
            group_named(array, name)
        snapshots = [s for s in snapshots if s.group.name in source_names]
    if not names:
        return snapshots
    chosen: list[ProtectionGroupSnapshot] = []
    for name in names:
        if "*" in name:
            matched = [s for s in snapshots if fnmatch.fnmatchcase(s.name, name)]
        elif name in array.protection_groups:
            matched = [s for s in snapshots if s.group.name == name]
        else:
            matched = [s for s in snapshots if s.name == name]
            if not matched:
                raise does_not_exist("Protection group snapshot", name)
        chosen += [s for s in matched if s not in chosen]
    return chosen


def patch_pg_snapshots(
    fabric: Fabric, array: SimArray, names: list[str], body: dict[str, Any]
) -> list[ProtectionGroupSnapshot]:
    """PATCH /protection-group-snapshots: destroy or recover."""
    snapshots = pg_snapshots_named(array, names, [])
    if "destroyed" in body:
        for snapshot in snapshots:
            snapshot.destroyed_at = fabric.now() if body["destroyed"] else None
            for name in snapshot.volume_snapshot_names:
                if name in array.volume_snapshots:
                    array.volume_snapshots[name].destroyed_at = snapshot.destroyed_at
    return snapshots


def eradicate_pg_snapshots(array: SimArray, names: list[str]) -> None:
    """DELETE /protection-group-snapshots: eradicates destroyed snapshots."""
    snapshots = pg_snapshots_named(array, names, [])
    for snapshot in snapshots:
        if not snapshot.destroyed:
            raise ArrayApiError(
                "Protection group snapshot must be destroyed before it can be eradicated.",
                snapshot.name,
            )
    for snapshot in snapshots:
        drop_pg_snapshot(array, snapshot)


def render_group(fabric: Fabric, array: SimArray, group: ProtectionGroup) -> dict[str, Any]:
    source = group.replica_of if group.replica_of is not None else group
    return {
        "id": group.id,
        "name": group.name,
        "destroyed": group.destroyed,
        "time_remaining": group.time_remaining(fabric.now()),
        "is_local": group.is_local,
        "source": ref(group.source_array, fabric.arrays[group.source_array].id),
        "pod": None,
        "host_count": 0,
        "host_group_count": 0,
        "volume_count": len(source.volumes) if group.is_local else 0,
        "target_count": len(source.targets),
        "replication_schedule": dict(source.replication_schedule),
        "snapshot_schedule": dict(source.snapshot_schedule),
        "source_retention": dict(source.source_retention),
        "target_retention": dict(source.target_retention),
        "retention_lock": "unlocked",
        "eradication_config": {"manual_eradication": "enabled"},
        "space": {"snapshots": 0, "total_physical": 0, "unique": 0},
    }


def render_member(group: ProtectionGroup, volume: Any) -> dict[str, Any]:
    return {
        "group": ref(group.name, group.id),
        "member": {"id": volume.id, "name": volume.name, "destroyed": volume.destroyed},
    }


def render_target(fabric: Fabric, group: ProtectionGroup, target: Target) -> dict[str, Any]:
    if not target.allowed:
        status = "disallowed"
    elif fabric.reachable(group.source_array, target.array):
        status = "replicating"
    else:
        status = "suspended"
    return {
        "group": ref(group.name, group.id),
        "member": {
            "id": fabric.arrays[target.array].id,
            "name": target.array,
            "resource_type": "remote-arrays",
        },
        "allowed": target.allowed,
        "status": status,
    }


def render_pg_snapshot(fabric: Fabric, snapshot: ProtectionGroupSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "suffix": snapshot.suffix,
        "source": ref(snapshot.group.name, snapshot.group.id),
        "created": ms(snapshot.created),
        "destroyed": snapshot.destroyed,
        "time_remaining": snapshot.time_remaining(fabric.now()),
        "pod": None,
        "eradication_config": {"manual_eradication": "enabled"},
        "space": {"snapshots": 0, "total_physical": 0, "unique": 0},
    }


def render_transfer(snapshot: ProtectionGroupSnapshot) -> dict[str, Any]:
    slowest = min(snapshot.transfers.values(), key=lambda t: t.progress)
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "destroyed": snapshot.destroyed,
        "started": ms(slowest.started),
        "completed": ms(slowest.completed),
        "progress": slowest.progress,
        "data_transferred": int(slowest.done_bytes),
        "physical_bytes_written": int(slowest.done_bytes),
    }
