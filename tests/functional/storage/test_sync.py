"""Sync groups: the pod stretched to the target; recovery clones the pod's volumes out of the
pod on the target, with nothing lost; link and array failures behave as ActiveCluster does."""

import time
from datetime import UTC

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from pypureclient import flasharray as fa

from draas.storage.v1 import storage_pb2
from tests.functional.storage.conftest import group_ref, inventory, make_volumes
from tests.waiting import wait_until

POD = "tenant-pod"
VOLUMES = [f"{POD}::volume-1-cinder", f"{POD}::volume-2-cinder"]


@pytest.fixture
def pod(pure):
    """A tenant's sync Cinder backend: its pod with two volumes, not yet stretched."""
    assert pure("array-a").post_pods(names=[POD], pod=fa.PodPost()).status_code == 200
    make_volumes(pure("array-a"), VOLUMES)
    return POD


def ref():
    return group_ref("g2", kind="sync", pod=POD)


def protect(storage):
    return storage.ProtectGroup(
        storage_pb2.ProtectGroupRequest(group=ref(), array_volume_names=VOLUMES)
    )


def status(storage):
    return storage.GetReplicationStatus(storage_pb2.GetReplicationStatusRequest(group=ref()))


def recover(storage, request_id, test=True):
    purpose = storage_pb2.RECOVERY_PURPOSE_TEST if test else storage_pb2.RECOVERY_PURPOSE_FAILOVER
    return storage.RecoverVolumes(
        storage_pb2.RecoverVolumesRequest(
            group=ref(), purpose=purpose, source_volume_names=VOLUMES, request_id=request_id
        )
    )


def pod_states(storage):
    return {a.array_name: a.status for a in status(storage).pod.arrays}


def in_sync(storage):
    return pod_states(storage) == {"array-a": "online", "array-b": "online"}


def test_protect_stretches_the_pod_and_is_repeatable(storage, pure, pod):
    protection = protect(storage)
    assert {v.array_volume_name for v in protection.volumes} == set(VOLUMES)
    wait_until(lambda: in_sync(storage))
    assert protect(storage).target_ready
    assert status(storage).link_state == storage_pb2.LINK_STATE_CONNECTED
    assert sorted(inventory(pure("array-b"))["volumes"]) == sorted(VOLUMES)


def test_recovery_clones_out_of_the_pod_and_loses_no_write(storage, pure, control, pod):
    protect(storage)
    wait_until(lambda: in_sync(storage))
    last = {v: control.write("array-a", v, count=20)["writes"][-1]["sequence"] for v in VOLUMES}

    recovered = recover(storage, "test-9")

    assert recovered.recovery_point.id == f"{POD}@array-b"
    for volume in recovered.volumes:
        assert "::" not in volume.array_volume_name
        held = control.volume_data("array-b", volume.array_volume_name)
        assert held["newest"]["sequence"] == last[volume.source_volume_name]
        assert held["digest"] == control.volume_data("array-a", volume.source_volume_name)["digest"]
    assert recover(storage, "test-9") == recovered


def test_a_broken_link_freezes_the_target_side_until_it_resyncs(storage, control, pod):
    protect(storage)
    wait_until(lambda: in_sync(storage))
    before_break = control.write("array-a", VOLUMES[0], count=3)["writes"][-1]["sequence"]

    control.set_link("array-a", "array-b", up=False)
    during = control.write("array-a", VOLUMES[0], count=3)["writes"][-1]["sequence"]

    broken = status(storage)
    assert broken.link_state == storage_pb2.LINK_STATE_DEGRADED
    sides = {a.array_name: a for a in broken.pod.arrays}
    assert sides["array-a"].status == "online"
    assert sides["array-b"].status == "offline" and sides["array-b"].HasField("frozen_at")
    # How far the target lags: as old as its frozen side, beyond a 0.1 s target by the rest.
    time.sleep(0.3)
    lagging = storage.GetReplicationStatus(
        storage_pb2.GetReplicationStatusRequest(group=ref(), rpo_target=Duration(nanos=100_000_000))
    )
    frozen_for = time.time() - sides["array-b"].frozen_at.ToDatetime(UTC).timestamp()
    age = lagging.recovery_point_age.ToTimedelta().total_seconds()
    assert 0.3 <= age <= frozen_for + 0.5
    assert lagging.lag_beyond_rpo_target.ToTimedelta().total_seconds() >= 0.2
    assert not lagging.within_rpo_target
    assert control.volume_data("array-b", VOLUMES[0])["newest"]["sequence"] == before_break
    with pytest.raises(grpc.RpcError) as refused:
        recover(storage, "during-outage")
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "not serving" in refused.value.details()

    control.set_link("array-a", "array-b", up=True)
    wait_until(lambda: in_sync(storage))
    recovered = recover(storage, "after-heal")
    volume = next(v for v in recovered.volumes if v.source_volume_name == VOLUMES[0])
    assert control.volume_data("array-b", volume.array_volume_name)["newest"]["sequence"] == during


def test_losing_the_source_array_leaves_the_target_serving_everything(storage, control, pod):
    protect(storage)
    wait_until(lambda: in_sync(storage))
    last = {v: control.write("array-a", v, count=5)["writes"][-1]["sequence"] for v in VOLUMES}

    control.set_online("array-a", False)

    lost = status(storage)
    assert not lost.source_reachable and lost.target_reachable
    assert lost.link_state == storage_pb2.LINK_STATE_DISCONNECTED
    assert any("array-a is unreachable" in p for p in lost.problems)
    recovered = recover(storage, "unplanned-1", test=False)
    for volume in recovered.volumes:
        assert volume.array_volume_name.startswith("drf")
        held = control.volume_data("array-b", volume.array_volume_name)
        assert held["newest"]["sequence"] == last[volume.source_volume_name]


def test_sync_needs_the_pod_and_volumes_in_it(storage, pure, pod):
    with pytest.raises(grpc.RpcError) as no_pod:
        storage.ProtectGroup(
            storage_pb2.ProtectGroupRequest(
                group=group_ref("g2", kind="sync"), array_volume_names=VOLUMES
            )
        )
    assert no_pod.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert no_pod.value.details().startswith("group.pod_name:")
    make_volumes(pure("array-a"), ["plain-volume"])
    with pytest.raises(grpc.RpcError) as outside:
        storage.ProtectGroup(
            storage_pb2.ProtectGroupRequest(group=ref(), array_volume_names=["plain-volume"])
        )
    assert outside.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "plain-volume is not in pod tenant-pod" in outside.value.details()
    assert inventory(pure("array-b"))["pods"] == []


def test_reverse_protection_puts_the_recovered_volumes_in_a_pod_stretched_back(
    storage, pure, control, pod
):
    protect(storage)
    wait_until(lambda: in_sync(storage))
    for volume in VOLUMES:
        control.write("array-a", volume, count=3)
    recovered = recover(storage, "failover-2", test=False)
    running = [v.array_volume_name for v in recovered.volumes]

    reverse = group_ref("g2", kind="sync", pod=POD, source="array-b", target="array-a")
    protection = storage.ReverseProtection(
        storage_pb2.ReverseProtectionRequest(group=reverse, array_volume_names=running)
    )

    assert protection.group.pod_name == "draas-g2"
    in_pod = sorted(f"draas-g2::{name}" for name in running)
    assert sorted(v.array_volume_name for v in protection.volumes) == in_pod
    moved = in_pod[0]
    last = control.write("array-b", moved, count=4)["writes"][-1]["sequence"]
    owned = group_ref("g2", kind="sync", pod="draas-g2", source="array-b", target="array-a")
    wait_until(
        lambda: (
            {
                a.status
                for a in storage.GetReplicationStatus(
                    storage_pb2.GetReplicationStatusRequest(group=owned)
                ).pod.arrays
            }
            == {"online"}
        )
    )
    assert control.volume_data("array-a", moved)["newest"]["sequence"] == last
    again = storage.ReverseProtection(
        storage_pb2.ReverseProtectionRequest(group=reverse, array_volume_names=running)
    )
    assert sorted(v.array_volume_name for v in again.volumes) == in_pod


def test_sync_recovery_is_repeatable_and_cleanup_restores_both_arrays(storage, pure, control, pod):
    protect(storage)
    wait_until(lambda: in_sync(storage))
    for volume in VOLUMES:
        control.write("array-a", volume, count=2)
    before = {a: inventory(pure(a)) for a in ("array-a", "array-b")}

    recovered = recover(storage, "test-sync-1")
    middle = {a: inventory(pure(a)) for a in before}
    assert recover(storage, "test-sync-1") == recovered
    assert {a: inventory(pure(a)) for a in before} == middle

    storage.DestroyVolumes(
        storage_pb2.DestroyVolumesRequest(
            array_name="array-b", request_id="test-sync-1", eradicate=True
        )
    )
    assert {a: inventory(pure(a)) for a in before} == before
