"""ActiveCluster pods: create, stretch to another array, unstretch, destroy. While the link is
up every array of a stretched pod serves the same volumes; when an array cannot reach the one
serving, its side goes offline holding what it had at that moment, and it resyncs once the link
heals. With no side serving, only a side that missed no write may take over."""

from __future__ import annotations

from typing import Any

from simulators.flasharray.errors import (
    ArrayApiError,
    already_exists,
    does_not_exist,
    has_been_destroyed,
    unsupported,
)
from simulators.flasharray.fabric import SYNC, Fabric, SimArray, check_name
from simulators.flasharray.objects import Pod, Volume, ms, ref
from simulators.flasharray.volumes import drop_volume


def pod_named(array: SimArray, name: str) -> Pod:
    """:raises ArrayApiError: when there is no such pod on this array."""
    try:
        return array.pods[name]
    except KeyError:
        raise does_not_exist("Pod", name) from None


def pod_volumes(fabric: Fabric, pod: Pod) -> list[Volume]:
    array = fabric.arrays[pod.arrays[0]]
    return [v for v in array.volumes.values() if v.pod == pod.name]


def create_pods(
    fabric: Fabric, array: SimArray, names: list[str], body: dict[str, Any]
) -> list[Pod]:
    """POST /pods: a pod on this array only."""
    made = []
    for name in names:
        check_name("pod", name)
        if name in array.pods:
            raise already_exists("Pod", name)
        if (body or {}).get("source"):
            raise unsupported("Cloning a pod")
        preferences = [p["name"] for p in (body or {}).get("failover_preferences") or []]
        pod = Pod(
            name=name,
            created=fabric.now(),
            arrays=[array.name],
            failover_preferences=preferences,
            status={array.name: "online"},
        )
        array.pods[name] = pod
        made.append(pod)
    return made


def patch_pods(
    fabric: Fabric,
    array: SimArray,
    names: list[str],
    body: dict[str, Any],
    destroy_contents: bool,
) -> list[Pod]:
    """PATCH /pods: destroy or recover, failover preferences. Promotion is for ActiveDR, which
    is not simulated."""
    pods = [pod_named(array, name) for name in names]
    for pod in pods:
        if body.get("requested_promotion_state") not in (None, "promoted"):
            raise unsupported("Demoting a pod (ActiveDR)")
        if body.get("name") not in (None, pod.name):
            raise unsupported("Renaming a pod")
        if "failover_preferences" in body:
            pod.failover_preferences = [p["name"] for p in body["failover_preferences"] or []]
        if "destroyed" in body:
            _set_destroyed(fabric, array, pod, bool(body["destroyed"]), destroy_contents)
    refresh_pods(fabric)
    return pods


def _set_destroyed(
    fabric: Fabric, array: SimArray, pod: Pod, destroyed: bool, destroy_contents: bool
) -> None:
    if not destroyed:
        pod.destroyed_at = None
        return
    if pod.destroyed:
        return
    if len(pod.arrays) > 1:
        raise ArrayApiError("Pod must be unstretched before it can be destroyed.", pod.name)
    contents = [v for v in pod_volumes(fabric, pod) if not v.destroyed]
    if contents and not destroy_contents:
        raise ArrayApiError("Pod is not empty; destroy its contents first.", pod.name)
    now = fabric.now()
    for volume in contents:
        volume.destroyed_at = now
    pod.destroyed_at = now


def eradicate_pods(
    fabric: Fabric, array: SimArray, names: list[str], eradicate_contents: bool
) -> None:
    """DELETE /pods: eradicates destroyed pods (and their destroyed volumes, if asked)."""
    pods = [pod_named(array, name) for name in names]
    for pod in pods:
        if not pod.destroyed:
            raise ArrayApiError("Pod must be destroyed before it can be eradicated.", pod.name)
        if pod_volumes(fabric, pod) and not eradicate_contents:
            raise ArrayApiError("Pod still holds volumes; eradicate its contents first.", pod.name)
    for pod in pods:
        for volume in pod_volumes(fabric, pod):
            drop_volume(fabric, array, volume)
        for snapshot in [s for s in array.volume_snapshots.values() if s.pod == pod.name]:
            del array.volume_snapshots[snapshot.name]
        del array.pods[pod.name]


def stretch(
    fabric: Fabric, array: SimArray, pod_names: list[str], member_names: list[str]
) -> list[tuple[Pod, str]]:
    """POST /pods/arrays: the pod and its volumes appear on the other array, which resyncs
    before it serves.

    :raises ArrayApiError: without a sync-replication connection to a reachable array.
    """
    pods = [pod_named(array, name) for name in pod_names]
    for name in member_names:
        other = fabric.array(name)
        link = fabric.link(array.name, name)
        if link is None or link.type != SYNC:
            raise ArrayApiError("No sync-replication array connection to this array.", name)
        if not fabric.reachable(array.name, name):
            raise ArrayApiError("Array is not reachable.", name)
        for pod in pods:
            if pod.destroyed:
                raise has_been_destroyed("Pod", pod.name)
            if name in pod.arrays:
                raise ArrayApiError("Pod already exists on this array.", name)
            if pod.name in other.pods:
                raise already_exists("Pod", pod.name)
            if len(pod.arrays) >= 2:
                raise ArrayApiError("Pod array limit reached.", pod.name)
    made = []
    for pod in pods:
        for name in member_names:
            other = fabric.arrays[name]
            pod.arrays.append(name)
            other.pods[pod.name] = pod
            for volume in pod_volumes(fabric, pod):
                other.volumes[volume.name] = volume
            for snapshot in [s for s in array.volume_snapshots.values() if s.pod == pod.name]:
                other.volume_snapshots[snapshot.name] = snapshot
            pod.status[name] = "offline"
            pod.frozen_points[name] = {}
            made.append((pod, name))
    refresh_pods(fabric)
    return made


def unstretch(
    fabric: Fabric,
    array: SimArray,
    pod_names: list[str],
    member_names: list[str],
    with_unknown: bool,
) -> None:
    """DELETE /pods/arrays: the pod leaves an array (with_unknown: even one not reachable)."""
    pods = [pod_named(array, name) for name in pod_names]
    for pod in pods:
        for name in member_names:
            if name not in pod.arrays:
                raise does_not_exist("Pod member", name)
            if len(pod.arrays) == 1:
                raise ArrayApiError("A pod must stay on at least one array.", pod.name)
            reachable = name == array.name or fabric.reachable(array.name, name)
            if not reachable and not with_unknown:
                raise ArrayApiError("Array is not reachable; use with_unknown.", name)
    for pod in pods:
        for name in member_names:
            other = fabric.arrays[name]
            for volume in pod_volumes(fabric, pod):
                other.volumes.pop(volume.name, None)
            for snapshot in [s for s in other.volume_snapshots.values() if s.pod == pod.name]:
                del other.volume_snapshots[snapshot.name]
            other.pods.pop(pod.name, None)
            pod.arrays.remove(name)
            for state in (pod.status, pod.frozen_at, pod.frozen_points, pod.resync_until):
                state.pop(name, None)
    refresh_pods(fabric)


def refresh_pods(fabric: Fabric) -> None:
    """Recomputes every pod's per-array status after a change of arrays, links or time."""
    for pod in fabric.unique_pods():
        _refresh(fabric, pod)


def _refresh(fabric: Fabric, pod: Pod) -> None:
    now = fabric.now()
    up = [a for a in pod.arrays if fabric.arrays[a].online]
    serving = [a for a in up if pod.status.get(a) == "online"]
    if not serving:
        current = [a for a in up if _missed_nothing(fabric, pod, a)]
        if current:
            serving = [pod.preferred(current)]
            _serve(pod, serving[0])
    leader = pod.preferred(serving) if serving else None
    for name in pod.arrays:
        if name == leader:
            continue
        state = pod.status.get(name)
        if leader is not None and fabric.reachable(leader, name):
            if state == "resyncing" and now >= pod.resync_until.get(name, now):
                _serve(pod, name)
            elif state == "offline":
                pod.status[name] = "resyncing"
                pod.resync_until[name] = now + _resync_seconds(fabric, pod, leader, name)
        elif state != "offline":
            _freeze(fabric, pod, name, now)


def _missed_nothing(fabric: Fabric, pod: Pod, name: str) -> bool:
    frozen = pod.frozen_points.get(name)
    if frozen is None:
        return True
    return all(frozen.get(v.id) == v.journal.point() for v in pod_volumes(fabric, pod))


def _serve(pod: Pod, name: str) -> None:
    pod.status[name] = "online"
    for state in (pod.frozen_at, pod.frozen_points, pod.resync_until):
        state.pop(name, None)


def _freeze(fabric: Fabric, pod: Pod, name: str, now: float) -> None:
    pod.status[name] = "offline"
    if name not in pod.frozen_points:
        pod.frozen_points[name] = {v.id: v.journal.point() for v in pod_volumes(fabric, pod)}
        pod.frozen_at[name] = now


def _resync_seconds(fabric: Fabric, pod: Pod, leader: str, name: str) -> float:
    link = fabric.link(leader, name)
    frozen = pod.frozen_points.get(name, {})
    missing = 0
    for volume in pod_volumes(fabric, pod):
        had = frozen.get(volume.id)
        missing += volume.journal.point().written_bytes - (had.written_bytes if had else 0)
    bandwidth = link.bandwidth_bytes_per_s if link else 1e9
    return max(0, missing) / bandwidth + (link.latency_s if link else 0.0)


def render_pod(fabric: Fabric, pod: Pod) -> dict[str, Any]:
    now = fabric.now()
    arrays = []
    for name in pod.arrays:
        state = pod.status.get(name, "unknown")
        if not fabric.arrays[name].online:
            state = "offline"
        progress = None
        if state == "resyncing":
            remaining = max(0.0, pod.resync_until.get(name, now) - now)
            progress = max(0.0, min(0.99, 1 - remaining))
        arrays.append(
            {
                "id": fabric.arrays[name].id,
                "name": name,
                "member": {**ref(name, fabric.arrays[name].id), "resource_type": "arrays"},
                "status": state,
                "frozen_at": ms(pod.frozen_at.get(name)),
                "mediator_status": "online",
                "pre_elected": False,
                "progress": progress,
            }
        )
    return {
        "id": pod.id,
        "name": pod.name,
        "arrays": arrays,
        "array_count": len(pod.arrays),
        "destroyed": pod.destroyed,
        "time_remaining": pod.time_remaining(now),
        "failover_preferences": [ref(n, fabric.arrays[n].id) for n in pod.failover_preferences],
        "mediator": "purestorage",
        "mediator_version": "1.0",
        "promotion_status": "promoted",
        "requested_promotion_state": "promoted",
        "link_source_count": 0,
        "link_target_count": 0,
        "source": ref(None),
        "quota_limit": None,
        "footprint": 0,
        "members": [ref(n, fabric.arrays[n].id) for n in pod.arrays],
        "space": {
            "snapshots": 0,
            "total_physical": 0,
            "unique": 0,
            "replication": 0,
            "shared": 0,
            "total_used": 0,
        },
    }


def render_pod_member(fabric: Fabric, pod: Pod, name: str) -> dict[str, Any]:
    return {"group": ref(pod.name, pod.id), "member": ref(name, fabric.arrays[name].id)}
