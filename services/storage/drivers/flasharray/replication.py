"""How a group replicates: link, recovery points on the target, lag against the RPO target;
and replicating on demand."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pypureclient import flasharray as fa

from common.errors import DeadlineExceeded, InvalidArgument
from services.storage.drivers.flasharray.client import ArrayClient
from services.storage.drivers.flasharray.context import Context, attr, from_ms, require_type
from services.storage.errors import ArrayBusy, ArrayObjectMissing, ArrayUnreachable
from services.storage.model import (
    GroupRef,
    LinkState,
    PodArrayState,
    RecoveryPoint,
    ReplicationState,
    ReplicationType,
)
from services.storage.naming import protection_group_name, replica_name

_SUFFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,40}$")


def recovery_points(ctx: Context, group: GroupRef, include_incomplete: bool) -> list[RecoveryPoint]:
    """Newest first; reads only the target array."""
    source, target = ctx.pair(group)
    if require_type(group) is ReplicationType.SYNC:
        return _live_points(group, target)
    replica = replica_name(source.known_name(), protection_group_name(group.group_id))
    transfers = target.call(
        "get_protection_group_snapshots_transfer",
        names=[replica],
        destroyed=False,
        sort=["started-"],
    )
    created = {
        s.name: attr(s, "created")
        for s in target.call("get_protection_group_snapshots", names=[replica], destroyed=False)
    }
    points = [_point(group, t, created.get(t.name)) for t in transfers]
    points.sort(key=lambda p: p.created_at, reverse=True)
    return [p for p in points if include_incomplete or p.completed_at is not None]


def _point(group: GroupRef, transfer: Any, created_ms: Any) -> RecoveryPoint:
    completed = from_ms(attr(transfer, "completed"))
    progress = float(attr(transfer, "progress", 0.0))
    return RecoveryPoint(
        id=transfer.name,
        group_id=group.group_id,
        replication_type=ReplicationType.ASYNC,
        created_at=from_ms(created_ms) or from_ms(attr(transfer, "started")) or datetime.now(UTC),
        completed_at=completed if progress >= 1.0 else None,
        progress=progress,
        source_array=group.source_array,
        target_array=group.target_array,
    )


def _live_points(group: GroupRef, target: ArrayClient) -> list[RecoveryPoint]:
    """Sync: the pod's current state, while the pod serves on the target."""
    pods = target.call("get_pods", names=[group.pod_name])
    target_name = target.array_name()
    side = next((a for a in attr(pods[0], "arrays", []) if a.name == target_name), None)
    if side is None or attr(side, "status") != "online":
        return []
    now = datetime.now(UTC)
    return [
        RecoveryPoint(
            id=f"{group.pod_name}@{target_name}",
            group_id=group.group_id,
            replication_type=ReplicationType.SYNC,
            created_at=now,
            completed_at=now,
            progress=1.0,
            source_array=group.source_array,
            target_array=group.target_array,
        )
    ]


def replication_state(
    ctx: Context, group: GroupRef, rpo_target_seconds: float | None
) -> ReplicationState:
    source, target = ctx.pair(group)
    require_type(group)
    problems: list[str] = []
    source_ok, target_ok = _answers(source, problems), _answers(target, problems)
    pod_arrays: list[PodArrayState] = []
    points: list[RecoveryPoint] = []
    if group.replication_type is ReplicationType.SYNC:
        pod_arrays = (
            _pod_states(group, target if target_ok else source, problems)
            if (source_ok or target_ok)
            else []
        )
        link = _sync_link(pod_arrays, source_ok and target_ok)
    else:
        link = _async_link(source, target, source_ok, target_ok)
    if target_ok:
        try:
            points = recovery_points(ctx, group, include_incomplete=True)
        except ArrayObjectMissing as error:
            problems.append(str(error))
    complete = [p for p in points if p.completed_at is not None]
    newest = complete[0] if complete else None
    now = datetime.now(UTC)
    age = (now - newest.created_at).total_seconds() if newest else None
    within = age is not None and (rpo_target_seconds is None or age <= rpo_target_seconds)
    if newest is None and group.replication_type is ReplicationType.SYNC:
        # The target side holds the pod as it was when it froze: how far it lags is how old
        # that is, though nothing can be recovered from it until it serves again.
        frozen = _frozen_at(pod_arrays, target.known_name())
        age = (now - frozen).total_seconds() if frozen else None
    lag = max(0.0, age - rpo_target_seconds) if age is not None and rpo_target_seconds else 0.0
    return ReplicationState(
        group=group,
        link=link,
        source_reachable=source_ok,
        target_reachable=target_ok,
        newest=newest,
        age_seconds=age,
        within_rpo_target=within,
        lag_beyond_rpo_seconds=lag,
        in_flight=[p for p in points if p.completed_at is None],
        pod_name=group.pod_name,
        pod_arrays=pod_arrays,
        problems=problems,
    )


def _answers(array: ArrayClient, problems: list[str]) -> bool:
    try:
        array.describe()
    except (ArrayUnreachable, ArrayBusy) as error:
        problems.append(str(error))
        return False
    return True


def _async_link(
    source: ArrayClient, target: ArrayClient, source_ok: bool, target_ok: bool
) -> LinkState:
    for here, there, ok in ((source, target, source_ok), (target, source, target_ok)):
        if ok:
            connections = here.call(
                "get_array_connections", names=[there.known_name()], tolerate=("does not exist",)
            )
            connected = any(attr(c, "status") == "connected" for c in connections)
            return LinkState.CONNECTED if connected else LinkState.DISCONNECTED
    return LinkState.DISCONNECTED


def _pod_states(group: GroupRef, array: ArrayClient, problems: list[str]) -> list[PodArrayState]:
    try:
        pods = array.call("get_pods", names=[group.pod_name])
    except ArrayObjectMissing as error:
        problems.append(str(error))
        return []
    return [
        PodArrayState(a.name, attr(a, "status", "unknown"), from_ms(attr(a, "frozen_at")))
        for a in attr(pods[0], "arrays", [])
    ]


def _frozen_at(pod_arrays: list[PodArrayState], array_name: str) -> datetime | None:
    """When the array's side of the pod stopped following the other (offline or resyncing)."""
    side = next((a for a in pod_arrays if a.array == array_name), None)
    return side.frozen_at if side is not None and side.status != "online" else None


def _sync_link(pod_arrays: list[PodArrayState], both_answer: bool) -> LinkState:
    if not both_answer or len(pod_arrays) < 2:
        return LinkState.DISCONNECTED
    if all(a.status == "online" for a in pod_arrays):
        return LinkState.CONNECTED
    return LinkState.DEGRADED


def replicate_now(
    ctx: Context, group: GroupRef, wait: bool, timeout_seconds: float | None, suffix: str
) -> RecoveryPoint:
    source, target = ctx.pair(group)
    if require_type(group) is ReplicationType.SYNC:
        points = _live_points(group, target)
        if not points:
            raise ArrayObjectMissing(target.name, "serving pod", group.pod_name)
        return points[0]
    if suffix and not _SUFFIX.match(suffix):
        raise InvalidArgument("suffix", "must be 1-41 letters, digits or dashes")
    name = protection_group_name(group.group_id)
    existing = (
        source.call(
            "get_protection_group_snapshots",
            names=[f"{name}.{suffix}"],
            tolerate=("does not exist",),
        )
        if suffix
        else []
    )
    if not existing:
        existing = source.call(
            "post_protection_group_snapshots",
            source_names=[name],
            replicate_now=True,
            apply_retention=True,
            protection_group_snapshot=fa.ProtectionGroupSnapshotPost(suffix=suffix or None),
        )
    snapshot = existing[0]
    replica = replica_name(source.array_name(), snapshot.name)
    if not wait:
        return _arrived(group, target, replica) or RecoveryPoint(
            id=replica,
            group_id=group.group_id,
            replication_type=ReplicationType.ASYNC,
            created_at=from_ms(attr(snapshot, "created")) or datetime.now(UTC),
            completed_at=None,
            progress=0.0,
            source_array=group.source_array,
            target_array=group.target_array,
        )
    timeout = timeout_seconds or ctx.settings.replicate_wait_timeout_seconds
    try:
        return ctx.wait_for(
            f"the transfer of {replica} to array {target.name}",
            timeout,
            lambda: _complete(_arrived(group, target, replica)),
        )
    except DeadlineExceeded:
        point = _arrived(group, target, replica)
        progress = f"{point.progress:.0%}" if point else "nothing"
        raise DeadlineExceeded(
            f"array {target.name}: {replica} is still in flight ({progress} arrived) after "
            f"{timeout:.0f} s; it keeps transferring"
        ) from None


def _arrived(group: GroupRef, target: ArrayClient, replica: str) -> RecoveryPoint | None:
    rows = target.call(
        "get_protection_group_snapshots_transfer", names=[replica], tolerate=("does not exist",)
    )
    if not rows:
        return None
    created = target.call(
        "get_protection_group_snapshots", names=[replica], tolerate=("does not exist",)
    )
    return _point(group, rows[0], attr(created[0], "created") if created else None)


def _complete(point: RecoveryPoint | None) -> RecoveryPoint | None:
    return point if point is not None and point.completed_at is not None else None
