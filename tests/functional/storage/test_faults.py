"""Faults: an array down, a bad token, missing objects, injected errors, a broken replication
link, and bad requests: each gives a typed error naming the array and the object, and changes
nothing it should not."""

import logging

import grpc
import pytest

from draas.storage.v1 import storage_pb2
from tests.functional.storage.conftest import (
    TOKENS,
    duration,
    group_ref,
    inventory,
    make_volumes,
)
from tests.functional.storage.test_async import points, protect, recover
from tests.waiting import wait_until

VOLUMES = ["volume-1-cinder", "volume-2-cinder"]


def rpc_error(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value


def test_an_offline_source_array_is_named_and_the_target_still_recovers(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES, rpo=3600)
    for volume in VOLUMES:
        control.write("array-a", volume, count=2)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )

    control.set_online("array-a", False)

    error = rpc_error(
        storage.ProtectGroup,
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1"), rpo_target=duration(3600), array_volume_names=VOLUMES
        ),
    )
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details().startswith("array array-a is unreachable")
    status = storage.GetReplicationStatus(
        storage_pb2.GetReplicationStatusRequest(group=group_ref("g1"))
    )
    assert not status.source_reachable and status.target_reachable
    assert status.link_state == storage_pb2.LINK_STATE_DISCONNECTED
    assert status.newest_recovery_point.id == "array-a:draas-g1.s1"
    recovered = recover(storage, "g1", VOLUMES, "unplanned-1", test=False)
    assert len(recovered.volumes) == 2
    arrays = {a.name: a for a in storage.ListArrays(storage_pb2.ListArraysRequest()).arrays}
    assert not arrays["array-a"].reachable and "unreachable" in arrays["array-a"].error
    assert arrays["array-b"].reachable and arrays["array-b"].purity_version


def test_a_refused_token_is_named_and_never_shown(start_storage, pure, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-token-7c1d-secret"
    storage = start_storage(**{"array-b_token": wrong}).stub
    make_volumes(pure("array-a"), VOLUMES)

    error = rpc_error(
        storage.ProtectGroup,
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1"), rpo_target=duration(60), array_volume_names=VOLUMES
        ),
    )

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == "array array-b refused the configured API token"
    assert wrong not in caplog.text and TOKENS["array-a"] not in caplog.text
    arrays = {a.name: a for a in storage.ListArrays(storage_pb2.ListArraysRequest()).arrays}
    assert arrays["array-b"].error == "array array-b refused the configured API token"


def test_a_missing_volume_is_named(storage, pure):
    make_volumes(pure("array-a"), VOLUMES[:1])
    error = rpc_error(
        storage.ProtectGroup,
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1"), rpo_target=duration(60), array_volume_names=["no-such-volume"]
        ),
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert error.details() == "array array-a: volume no-such-volume does not exist"


def test_a_volume_not_in_the_recovery_point_is_named(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES[:1], rpo=3600)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )
    error = rpc_error(recover, storage, "g1", VOLUMES, "op-1", "array-a:draas-g1.s1")
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "volume volume-2-cinder is not in recovery point array-a:draas-g1.s1" in error.details()


def test_transient_errors_are_retried_and_persistent_ones_reported(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    control.inject_errors("array-a", status=500, count=2, message="Injected controller failover.")
    protection = protect(storage, "g1", VOLUMES, rpo=60)
    assert protection.target_ready

    control.inject_errors("array-a", status=503, count=100, message="Server is busy.")
    control.inject_errors("array-a", status=500, rate=1.0, message="Controller is down.")
    error = rpc_error(
        storage.GetGroupProtection, storage_pb2.GetGroupProtectionRequest(group=group_ref("g1"))
    )
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details() == "array array-a failed (500): Controller is down."
    control.clear_errors("array-a")
    assert (
        storage.GetGroupProtection(storage_pb2.GetGroupProtectionRequest(group=group_ref("g1")))
        == protection
    )


def test_an_expired_session_is_renewed(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES)
    first = protect(storage, "g1", VOLUMES, rpo=60)
    control.expire_sessions("array-a")
    control.expire_sessions("array-b")
    assert (
        storage.GetGroupProtection(storage_pb2.GetGroupProtectionRequest(group=group_ref("g1")))
        == first
    )


def test_a_broken_link_stalls_transfers_and_they_finish_when_it_heals(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:1])
    protect(storage, "g1", VOLUMES[:1], rpo=3600)
    control.write("array-a", VOLUMES[0], count=50, size=65536)
    control.set_link("array-a", "array-b", up=False)

    error = rpc_error(
        storage.ReplicateNow,
        storage_pb2.ReplicateNowRequest(
            group=group_ref("g1"), wait=True, suffix="stuck", timeout=duration(0.5)
        ),
    )

    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "array-a:draas-g1.stuck is still in flight" in error.details()
    status = storage.GetReplicationStatus(
        storage_pb2.GetReplicationStatusRequest(group=group_ref("g1"))
    )
    assert status.link_state == storage_pb2.LINK_STATE_DISCONNECTED
    assert [p.id for p in status.in_flight] == ["array-a:draas-g1.stuck"]
    assert status.in_flight[0].progress < 1.0
    with pytest.raises(grpc.RpcError) as in_flight:
        recover(storage, "g1", VOLUMES[:1], "op-1", point_id="array-a:draas-g1.stuck")
    assert in_flight.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    control.set_link("array-a", "array-b", up=True)
    wait_until(lambda: any(p.id == "array-a:draas-g1.stuck" for p in points(storage, "g1")))


def test_the_status_of_a_lagging_group_says_by_how_much(storage, pure, control):
    make_volumes(pure("array-a"), VOLUMES[:1])
    protect(storage, "g1", VOLUMES[:1], rpo=3600)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )
    wait_until(
        lambda: (
            storage.GetReplicationStatus(
                storage_pb2.GetReplicationStatusRequest(
                    group=group_ref("g1"), rpo_target=duration(0.3)
                )
            ).lag_beyond_rpo_target.ToNanoseconds()
            > 0
        )
    )
    status = storage.GetReplicationStatus(
        storage_pb2.GetReplicationStatusRequest(group=group_ref("g1"), rpo_target=duration(0.3))
    )
    assert not status.within_rpo_target
    age = status.recovery_point_age.ToNanoseconds() / 1e9
    lag = status.lag_beyond_rpo_target.ToNanoseconds() / 1e9
    assert lag == pytest.approx(age - 0.3, abs=0.01)


BAD_REQUESTS = [
    (storage_pb2.ProtectGroupRequest(), "group: is required"),
    (
        storage_pb2.ProtectGroupRequest(
            group=storage_pb2.GroupRef(
                group_id="g1", source_array="array-a", target_array="array-b"
            )
        ),
        "group.replication_type: must be ASYNC or SYNC",
    ),
    (
        storage_pb2.ProtectGroupRequest(group=group_ref("g1"), array_volume_names=VOLUMES),
        "rpo_target: is required for async replication and must be positive",
    ),
    (
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1", source="array-z"), rpo_target=duration(60)
        ),
        "group.source_array: no array named 'array-z' is configured for this site "
        "(known: array-a, array-b)",
    ),
    (
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1", target="array-a"), rpo_target=duration(60)
        ),
        "group.target_array: must differ from group.source_array",
    ),
    (
        storage_pb2.ProtectGroupRequest(group=group_ref("not a group!"), rpo_target=duration(60)),
        "group.group_id: must be 1-56 letters, digits or dashes, "
        "starting with one of the first two",
    ),
    (
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1"), rpo_target=duration(60), array_volume_names=["a", "a"]
        ),
        "array_volume_names: names a volume twice",
    ),
    (
        storage_pb2.ProtectGroupRequest(
            group=group_ref("g1"), rpo_target=duration(60), array_volume_names=[""]
        ),
        "array_volume_names[0]: must not be empty",
    ),
]


@pytest.mark.parametrize(("request_message", "message"), BAD_REQUESTS)
def test_bad_requests_are_refused_naming_the_field_and_change_nothing(
    storage, pure, request_message, message
):
    make_volumes(pure("array-a"), VOLUMES)
    before = {a: inventory(pure(a)) for a in ("array-a", "array-b")}
    error = rpc_error(storage.ProtectGroup, request_message)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == message
    assert {a: inventory(pure(a)) for a in before} == before


def test_recovery_requests_need_a_purpose_and_an_id(storage):
    no_purpose = rpc_error(
        storage.RecoverVolumes,
        storage_pb2.RecoverVolumesRequest(
            group=group_ref("g1"), source_volume_names=VOLUMES, request_id="r"
        ),
    )
    assert (no_purpose.code(), no_purpose.details()) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "purpose: must be TEST or FAILOVER",
    )
    no_id = rpc_error(
        storage.RecoverVolumes,
        storage_pb2.RecoverVolumesRequest(
            group=group_ref("g1"),
            source_volume_names=VOLUMES,
            purpose=storage_pb2.RECOVERY_PURPOSE_TEST,
        ),
    )
    assert no_id.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert no_id.details().startswith("request_id:")


def test_site_b_recovers_without_ever_having_talked_to_the_lost_source(
    start_storage, storage, pure, control
):
    make_volumes(pure("array-a"), VOLUMES)
    protect(storage, "g1", VOLUMES, rpo=3600)
    storage.ReplicateNow(
        storage_pb2.ReplicateNowRequest(group=group_ref("g1"), wait=True, suffix="s1")
    )
    control.set_online("array-a", False)
    site_b = start_storage(site="site-b").stub

    listed = site_b.ListRecoveryPoints(storage_pb2.ListRecoveryPointsRequest(group=group_ref("g1")))
    recovered = recover(site_b, "g1", VOLUMES, "unplanned-b", test=False)

    assert listed.recovery_points[0].id == "array-a:draas-g1.s1"
    assert recovered.recovery_point.id == "array-a:draas-g1.s1"
    assert [v.array_name for v in recovered.volumes] == ["array-b", "array-b"]
