"""The storage service's gRPC surface: protobuf in, the driver's domain calls, protobuf out."""

from __future__ import annotations

from datetime import datetime

import grpc
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidArgument
from common.grpc_server import answers_unimplemented
from common.protobuf import duration
from draas.common.v1 import types_pb2
from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from services.storage.drivers.base import StorageDriver
from services.storage.model import (
    GroupRef,
    LinkState,
    Protection,
    RecoveryPoint,
    ReplicationState,
    ReplicationType,
    Retention,
)

SERVICE = storage_pb2.DESCRIPTOR.services_by_name["StorageService"]

_TYPES = {
    types_pb2.REPLICATION_TYPE_ASYNC: ReplicationType.ASYNC,
    types_pb2.REPLICATION_TYPE_SYNC: ReplicationType.SYNC,
}
_TYPE_CODES = {v: k for k, v in _TYPES.items()}
_LINKS = {
    LinkState.CONNECTED: storage_pb2.LINK_STATE_CONNECTED,
    LinkState.DEGRADED: storage_pb2.LINK_STATE_DEGRADED,
    LinkState.DISCONNECTED: storage_pb2.LINK_STATE_DISCONNECTED,
}


@answers_unimplemented(SERVICE)
class StorageServicer(storage_pb2_grpc.StorageServiceServicer):
    """draas.storage.v1.StorageService over a storage driver."""

    def __init__(self, driver: StorageDriver) -> None:
        self._driver = driver

    def ListArrays(
        self, request: storage_pb2.ListArraysRequest, context: grpc.ServicerContext
    ) -> storage_pb2.ListArraysResponse:
        return storage_pb2.ListArraysResponse(
            arrays=[
                storage_pb2.Array(
                    name=a.name,
                    address=a.address,
                    array_id=a.array_id,
                    purity_version=a.version,
                    reachable=a.reachable,
                    error=a.error,
                )
                for a in self._driver.list_arrays()
            ]
        )

    def ProtectGroup(
        self, request: storage_pb2.ProtectGroupRequest, context: grpc.ServicerContext
    ) -> storage_pb2.GroupProtection:
        protection = self._driver.protect(
            _group(request),
            _seconds(request, "rpo_target"),
            _retention(request),
            _names(request.array_volume_names, "array_volume_names"),
        )
        return _protection(protection)

    def UnprotectGroup(
        self, request: storage_pb2.UnprotectGroupRequest, context: grpc.ServicerContext
    ) -> storage_pb2.UnprotectGroupResponse:
        return storage_pb2.UnprotectGroupResponse(removed=self._driver.unprotect(_group(request)))

    def AddVolumes(
        self, request: storage_pb2.AddVolumesRequest, context: grpc.ServicerContext
    ) -> storage_pb2.GroupProtection:
        group = _group(request)
        names = _names(request.array_volume_names, "array_volume_names", required=True)
        return _protection(self._driver.add_volumes(group, names))

    def RemoveVolumes(
        self, request: storage_pb2.RemoveVolumesRequest, context: grpc.ServicerContext
    ) -> storage_pb2.GroupProtection:
        group = _group(request)
        names = _names(request.array_volume_names, "array_volume_names", required=True)
        return _protection(self._driver.remove_volumes(group, names))

    def GetGroupProtection(
        self, request: storage_pb2.GetGroupProtectionRequest, context: grpc.ServicerContext
    ) -> storage_pb2.GroupProtection:
        return _protection(self._driver.get_protection(_group(request)))

    def GetReplicationStatus(
        self, request: storage_pb2.GetReplicationStatusRequest, context: grpc.ServicerContext
    ) -> storage_pb2.ReplicationStatus:
        state = self._driver.replication_state(_group(request), _seconds(request, "rpo_target"))
        return _status(state)

    def ReplicateNow(
        self, request: storage_pb2.ReplicateNowRequest, context: grpc.ServicerContext
    ) -> storage_pb2.ReplicateNowResponse:
        point = self._driver.replicate_now(
            _group(request), request.wait, _seconds(request, "timeout"), request.suffix
        )
        return storage_pb2.ReplicateNowResponse(recovery_point=_point(point))

    def ListRecoveryPoints(
        self, request: storage_pb2.ListRecoveryPointsRequest, context: grpc.ServicerContext
    ) -> storage_pb2.ListRecoveryPointsResponse:
        points = self._driver.recovery_points(_group(request), request.include_incomplete)
        return storage_pb2.ListRecoveryPointsResponse(recovery_points=[_point(p) for p in points])

    def RecoverVolumes(
        self, request: storage_pb2.RecoverVolumesRequest, context: grpc.ServicerContext
    ) -> storage_pb2.RecoverVolumesResponse:
        if request.purpose == storage_pb2.RECOVERY_PURPOSE_UNSPECIFIED:
            raise InvalidArgument("purpose", "must be TEST or FAILOVER")
        recovery = self._driver.recover(
            _group(request),
            request.recovery_point_id,
            _names(request.source_volume_names, "source_volume_names", required=True),
            request.request_id,
            test=request.purpose == storage_pb2.RECOVERY_PURPOSE_TEST,
        )
        return storage_pb2.RecoverVolumesResponse(
            recovery_point=_point(recovery.point),
            volumes=[
                storage_pb2.RecoveredVolume(
                    source_volume_name=v.source_volume_name,
                    array_volume_name=v.name,
                    array_name=v.array,
                    provisioned_bytes=v.provisioned_bytes,
                )
                for v in recovery.volumes
            ],
        )

    def DestroyVolumes(
        self, request: storage_pb2.DestroyVolumesRequest, context: grpc.ServicerContext
    ) -> storage_pb2.DestroyVolumesResponse:
        if not request.array_name:
            raise InvalidArgument("array_name", "is required")
        result = self._driver.destroy_volumes(
            request.array_name,
            request.request_id,
            _names(request.volume_names, "volume_names"),
            request.eradicate,
        )
        return storage_pb2.DestroyVolumesResponse(destroyed=result.destroyed, absent=result.absent)

    def ReverseProtection(
        self, request: storage_pb2.ReverseProtectionRequest, context: grpc.ServicerContext
    ) -> storage_pb2.GroupProtection:
        protection = self._driver.reverse_protection(
            _group(request),
            _seconds(request, "rpo_target"),
            _retention(request),
            _names(request.array_volume_names, "array_volume_names", required=True),
        )
        return _protection(protection)


def _group(request: object) -> GroupRef:
    if not request.HasField("group"):  # type: ignore[attr-defined]
        raise InvalidArgument("group", "is required")
    ref = request.group  # type: ignore[attr-defined]
    if ref.replication_type not in _TYPES:
        raise InvalidArgument("group.replication_type", "must be ASYNC or SYNC")
    for field in ("group_id", "source_array", "target_array"):
        if not getattr(ref, field):
            raise InvalidArgument(f"group.{field}", "is required")
    return GroupRef(
        ref.group_id, _TYPES[ref.replication_type], ref.source_array, ref.target_array, ref.pod_name
    )


def _names(names: object, field: str, required: bool = False) -> list[str]:
    values = list(names)  # type: ignore[call-overload]
    if required and not values:
        raise InvalidArgument(field, "name at least one volume")
    for index, value in enumerate(values):
        if not value.strip():
            raise InvalidArgument(f"{field}[{index}]", "must not be empty")
    if len(set(values)) != len(values):
        raise InvalidArgument(field, "names a volume twice")
    return values


def _seconds(request: object, field: str) -> float | None:
    if not request.HasField(field):  # type: ignore[attr-defined]
        return None
    duration: Duration = getattr(request, field)
    seconds = duration.ToNanoseconds() / 1e9
    if seconds <= 0:
        raise InvalidArgument(field, "must be positive")
    return seconds


def _retention(request: object) -> Retention | None:
    if not request.HasField("retention"):  # type: ignore[attr-defined]
        return None
    policy = request.retention  # type: ignore[attr-defined]
    if policy.per_day < 0 or policy.days < 0:
        raise InvalidArgument("retention", "per_day and days must not be negative")
    return Retention(int(policy.all_for.ToSeconds()), policy.per_day, policy.days)


def _timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _ref(group: GroupRef) -> storage_pb2.GroupRef:
    return storage_pb2.GroupRef(
        group_id=group.group_id,
        replication_type=_TYPE_CODES[group.replication_type],
        source_array=group.source_array,
        target_array=group.target_array,
        pod_name=group.pod_name,
    )


def _protection(protection: Protection) -> storage_pb2.GroupProtection:
    message = storage_pb2.GroupProtection(
        group=_ref(protection.group),
        protection_group_name=protection.protection_group_name,
        volumes=[
            storage_pb2.ProtectedVolume(
                array_volume_name=v.name, provisioned_bytes=v.provisioned_bytes
            )
            for v in protection.volumes
        ],
        target_ready=protection.target_ready,
    )
    if protection.replication_interval_seconds:
        message.replication_interval.CopyFrom(duration(protection.replication_interval_seconds))
    if protection.retention is not None:
        message.retention.CopyFrom(
            storage_pb2.RetentionPolicy(
                all_for=duration(protection.retention.all_for_seconds),
                per_day=protection.retention.per_day,
                days=protection.retention.days,
            )
        )
    return message


def _point(point: RecoveryPoint) -> types_pb2.RecoveryPoint:
    return types_pb2.RecoveryPoint(
        id=point.id,
        group_id=point.group_id,
        replication_type=_TYPE_CODES[point.replication_type],
        created_at=_timestamp(point.created_at),
        completed_at=_timestamp(point.completed_at),
        progress=point.progress,
        source_array=point.source_array,
        target_array=point.target_array,
    )


def _status(state: ReplicationState) -> storage_pb2.ReplicationStatus:
    message = storage_pb2.ReplicationStatus(
        group=_ref(state.group),
        link_state=_LINKS[state.link],
        source_reachable=state.source_reachable,
        target_reachable=state.target_reachable,
        within_rpo_target=state.within_rpo_target,
        lag_beyond_rpo_target=duration(state.lag_beyond_rpo_seconds),
        in_flight=[_point(p) for p in state.in_flight],
        problems=state.problems,
    )
    if state.newest is not None:
        message.newest_recovery_point.CopyFrom(_point(state.newest))
    if state.age_seconds is not None:
        message.recovery_point_age.CopyFrom(duration(state.age_seconds))
    if state.pod_name:
        message.pod.CopyFrom(
            storage_pb2.PodStatus(
                pod_name=state.pod_name,
                arrays=[
                    storage_pb2.PodArrayStatus(
                        array_name=a.array, status=a.status, frozen_at=_timestamp(a.frozen_at)
                    )
                    for a in state.pod_arrays
                ],
            )
        )
    return message
