"""Async groups: protect, replicate on schedule and on demand, recover, clean up — through the
storage service, py-pure-client and two simulated arrays."""

import threading

import grpc
import pytest

from draas.storage.v1 import storage_pb2
from tests.functional.storage.conftest import (
    duration,
    group_ref,
    inventory,
    make_volumes,
)
from tests.waiting import wait_until

VOLUMES = ["volume-1-cinder", "volume-2-cinder", "volume-3-cinder"]


def protect(storage, group_id, volumes, rpo=2.0, **kwargs):
    """Protects, then waits for the schedule's first point to arrive, so that points the test
    takes later are strictly newer."""
    protection = storage.ProtectGroup(
        storage_pb2.ProtectGroupRequest(
            group=group_ref(group_id),
            rpo_target=duration(rpo),
            array_volume_names=volumes,
            **kwargs,
        )
    )
    wait_until(lambda: points(storage, group_id))
    return protection


def points(storage, group_id, include_incomplete=False):
    response = storage.ListRecoveryPoints(
        storage_pb2.ListRecoveryPointsRequest(
            group=group_ref(group_id), include_incomplete=include_incomplete
        )
    )
    return list(response.recovery_points)


def recover(storage, group_id, volumes, request_id, point_id="", test=True):
    purpose = storage_pb2.RECOVERY_PURPOSE_TEST if test else storage_pb2.RECOVERY_PURPOSE_FAILOVER
    return storage.RecoverVolumes(
        storage_pb2.RecoverVolumesRequest(
            group=group_ref(group_id),
            recovery_point_id=point_id,
            purpose=purpose,
            source_volume_names=volumes,
            request_id=request_id,
        )
    )


def test_protect_sets_up_the_protection_group_and_is_repeatable(storage, pure):
    make_volumes(pure("array-a"), VOLUMES)
    protection = protect(storage, "g1", VOLUMES[:2])
    assert protection.protection_group_name == "draas-g1"
    assert protection.target_ready
    assert [v.array_volume_name for v in protection.volumes] == VOLUMES[:2]
    assert protection.replication_interval.ToSeconds() == 1
    assert protection.retention.days == 7
    before = {a: inventory(pure(a)) for a in ("array-a", "array-b")}
    assert "array-a:draas-g1" in before["array-b"]["protection_groups"]

    again = protect(storage, "g1", VOLUMES[:2])

    assert again == protection
    after = {a: inventory(pure(a)) for a in ("array-a", "array-b")}
    for array in after:
        for kind in ("volumes", "protection_groups", "pods", "hosts"):
            assert after[array][kind] == before[array][kind]


def test_add_and_remove_volumes(storage, pure):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES[:1])
    added = storage.AddVolumes(
        storage_pb2.AddVolumesRequest(group=group_ref("g1"), array_volume_names=VOLUMES[1:])
    )
    assert [v.array_volume_name for v in added.volumes] == VOLUMES
    removed = storage.RemoveVolumes(
        storage_pb2.RemoveVolumesRequest(group=group_ref("g1"), array_volume_names=[VOLUMES[0]])
    )
    assert [v.array_volume_name for v in removed.volumes] == VOLUMES[1:]
    shown = storage.GetGroupProtection(storage_pb2.GetGroupProtectionRequest(group=group_ref("g1")))
    assert shown == removed


def test_adding_to_an_unprotected_group_is_refused(storage, pure):
    make_volumes(pure("array-a"), VOLUMES[:1])
    with pytest.raises(grpc.RpcError) as raised:
        storage.AddVolumes(
            storage_pb2.AddVolumesRequest(group=group_ref("nope"), array_volume_names=VOLUMES[:1])
        )
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "not protected yet" in raised.value.details()


class Writer:
    """Writes round-robin to volumes until stopped, remembering every write's sequence."""

    def __init__(self, control, volumes):
        self.control, self.volumes = control, volumes
        self.written = {v: [] for v in volumes}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        while not self._stop.is_set():
            for volume in self.volumes:
                writes = self.control.write("array-a", volume, count=3)["writes"]
                self.written[volume] += [w["sequence"] for w in writes]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_scheduled_replication_recovers_one_consistent_point_exactly(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES, rpo=2.0)
    with Writer(control, VOLUMES) as writer:
        first = wait_until(lambda: points(storage, "g1"))[0]
        wait_until(lambda: points(storage, "g1")[0].id != first.id, timeout=10)
    newest = points(storage, "g1")[0]
    assert newest.id.startswith("array-a:draas-g1.")
    assert newest.progress == 1.0

    recovered = recover(storage, "g1", VOLUMES, "test-failover-1")

    assert recovered.recovery_point.id == newest.id
    holds = {
        v.source_volume_name: control.volume_data("array-b", v.array_volume_name, sequences=True)
        for v in recovered.volumes
    }
    cut = max(h["newest"]["sequence"] for h in holds.values() if h["newest"])
    for volume, held in holds.items():
        expected = [s for s in writer.written[volume] if s <= cut]
        assert held["sequences"] == expected, f"{volume} is not at the group's point"
        snapshot = f"draas-g1.{newest.id.rsplit('.', 1)[1]}.{volume}"
        assert held["digest"] == control.snapshot_data("array-a", snapshot)["digest"]
    assert all(v.array_volume_name.startswith("drt") for v in recovered.volumes)
    assert all(v.array_name == "array-b" for v in recovered.volumes)


def test_replicate_now_and_recover_that_point(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:2])
    protect(storage, "g1", VOLUMES[:2], rpo=3600)
    last = {v: control.write("array-a", v, count=5)["writes"][-1]["sequence"] for v in VOLUMES[:2]}

    point = storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="dr-test-1")
    ).recovery_point
    for volume in VOLUMES[:2]:
        control.write("array-a", volume, count=2)

    assert point.id == "array-a:draas-g1.dr-test-1"
    assert point.progress == 1.0 and point.HasField("completed_at")
    again = storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="dr-test-1")
    ).recovery_point
    assert again.id == point.id
    recovered = recover(storage, "g1", VOLUMES[:2], "op-7", point_id=point.id)
    for volume in recovered.volumes:
        held = control.volume_data("array-b", volume.array_volume_name)
        assert held["newest"]["sequence"] == last[volume.source_volume_name]


def test_repeated_recovery_makes_nothing_new_and_cleanup_restores_every_array(
    storage, pure, control
):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES, rpo=3600)
    for volume in VOLUMES:
        control.write("array-a", volume, count=4)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="p1")
    )
    before = {a: inventory(pure(a)) for a in ("array-a", "array-b")}

    first = recover(storage, "g1", VOLUMES, "op-42")
    middle = {a: inventory(pure(a)) for a in ("array-a", "array-b")}
    second = recover(storage, "g1", VOLUMES, "op-42")

    assert second == first
    assert {a: inventory(pure(a)) for a in middle} == middle
    assert len(middle["array-b"]["volumes"]) == len(before["array-b"]["volumes"]) + 3

    cleaned = storage.DestroyVolumes(
        storage_pb2.DestroyVolumesRequest(array_name="array-b", request_id="op-42", eradicate=True)
    )

    assert sorted(cleaned.destroyed) == sorted(v.array_volume_name for v in first.volumes)
    assert {a: inventory(pure(a)) for a in before} == before


def test_unprotect_leaves_both_arrays_as_before_protection(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    before = {a: inventory(pure(a)) for a in ("array-a", "array-b")}
    protect(storage, "g1", VOLUMES, rpo=2.0)
    control.write("array-a", VOLUMES[0], count=3)
    wait_until(lambda: points(storage, "g1"))

    removed = storage.UnprotectGroup(
        storage_pb2.UnprotectGroupRequest(group=group_ref("g1"))
    ).removed

    assert removed == [
        "protection group draas-g1 on array-a",
        "replica array-a:draas-g1 on array-b",
    ]
    assert {a: inventory(pure(a)) for a in before} == before
    again = storage.UnprotectGroup(storage_pb2.UnprotectGroupRequest(group=group_ref("g1"))).removed
    assert list(again) == []


def test_target_retention_prunes_old_points(storage, pure):
    make_volumes(pure("array-a"), VOLUMES[:1])
    retention = storage_pb2.RetentionPolicy(all_for=duration(2), per_day=0, days=0)
    protect(storage, "g1", VOLUMES[:1], rpo=2.0, retention=retention)

    def number(point):
        return int(point.id.rsplit(".", 1)[1])

    wait_until(lambda: [p for p in points(storage, "g1") if number(p) >= 6], timeout=15)

    held = points(storage, "g1")
    newest = held[0].created_at.ToDatetime()
    ages = [(newest - p.created_at.ToDatetime()).total_seconds() for p in held]
    assert len(held) < number(held[0]), "nothing was pruned"
    assert max(ages) <= 2.0 + 0.5, f"points older than the retention window survive: {ages}"


def test_status_reports_the_newest_point_and_lag(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:1])
    protect(storage, "g1", VOLUMES[:1], rpo=2.0)
    wait_until(lambda: points(storage, "g1"))
    status = storage.GetReplicationStatus(
        storage_pb2.GetReplicationStatusRequest(group=group_ref("g1"), rpo_target=duration(2.0))
    )
    assert status.link_state == storage_pb2.LINK_STATE_CONNECTED
    assert status.source_reachable and status.target_reachable
    assert status.newest_recovery_point.id.startswith("array-a:draas-g1.")
    assert status.within_rpo_target
    assert status.recovery_point_age.ToNanoseconds() < 2e9
    assert status.lag_beyond_rpo_target.ToNanoseconds() == 0
    assert not status.problems


def test_reverse_protection_replicates_the_recovered_volumes_back(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:2])
    protect(storage, "g1", VOLUMES[:2], rpo=3600)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )
    failed_over = recover(storage, "g1", VOLUMES[:2], "failover-1", test=False)
    now_running = [v.array_volume_name for v in failed_over.volumes]
    written_at_b = {
        v: control.write("array-b", v, count=7)["writes"][-1]["sequence"] for v in now_running
    }

    reverse = group_ref("g1", source="array-b", target="array-a")
    protection = storage.ReverseProtection(
        storage_pb2.ReverseProtectionRequest(
            group=reverse, rpo_target=duration(3600), array_volume_names=now_running
        )
    )

    assert protection.target_ready and protection.group.source_array == "array-b"
    assert [v.array_volume_name for v in protection.volumes] == sorted(now_running)
    groups = {a: inventory(pure(a))["protection_groups"] for a in ("array-a", "array-b")}
    assert groups == {"array-a": ["array-b:draas-g1"], "array-b": ["draas-g1"]}
    storage.ReplicateNow(storage_pb2.ReplicateNowRequest(group=reverse, wait=True, suffix="back-1"))
    back = storage.RecoverVolumes(
        storage_pb2.RecoverVolumesRequest(
            group=reverse,
            purpose=storage_pb2.RECOVERY_PURPOSE_FAILOVER,
            source_volume_names=now_running,
            request_id="failback-1",
        )
    )
    for volume in back.volumes:
        assert volume.array_name == "array-a"
        held = control.volume_data("array-a", volume.array_volume_name)
        assert held["newest"]["sequence"] == written_at_b[volume.source_volume_name]


def test_reverse_protection_waits_for_the_old_source(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:1])
    protect(storage, "g1", VOLUMES[:1], rpo=3600)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )
    control.set_online("array-a", False)
    failed_over = recover(storage, "g1", VOLUMES[:1], "failover-1", test=False)

    with pytest.raises(grpc.RpcError) as refused:
        storage.ReverseProtection(
            storage_pb2.ReverseProtectionRequest(
                group=group_ref("g1", source="array-b", target="array-a"),
                rpo_target=duration(3600),
                array_volume_names=[v.array_volume_name for v in failed_over.volumes],
            )
        )

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "array array-a is unreachable" in refused.value.details()
    assert inventory(pure("array-b"))["protection_groups"] == ["array-a:draas-g1"]
