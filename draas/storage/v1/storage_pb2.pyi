import datetime

from draas.common.v1 import types_pb2 as _types_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LinkState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_STATE_UNSPECIFIED: _ClassVar[LinkState]
    LINK_STATE_CONNECTED: _ClassVar[LinkState]
    LINK_STATE_DEGRADED: _ClassVar[LinkState]
    LINK_STATE_DISCONNECTED: _ClassVar[LinkState]

class RecoveryPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOVERY_PURPOSE_UNSPECIFIED: _ClassVar[RecoveryPurpose]
    RECOVERY_PURPOSE_TEST: _ClassVar[RecoveryPurpose]
    RECOVERY_PURPOSE_FAILOVER: _ClassVar[RecoveryPurpose]
LINK_STATE_UNSPECIFIED: LinkState
LINK_STATE_CONNECTED: LinkState
LINK_STATE_DEGRADED: LinkState
LINK_STATE_DISCONNECTED: LinkState
RECOVERY_PURPOSE_UNSPECIFIED: RecoveryPurpose
RECOVERY_PURPOSE_TEST: RecoveryPurpose
RECOVERY_PURPOSE_FAILOVER: RecoveryPurpose

class Array(_message.Message):
    __slots__ = ("name", "address", "array_id", "purity_version", "reachable", "error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ARRAY_ID_FIELD_NUMBER: _ClassVar[int]
    PURITY_VERSION_FIELD_NUMBER: _ClassVar[int]
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: str
    array_id: str
    purity_version: str
    reachable: bool
    error: str
    def __init__(self, name: _Optional[str] = ..., address: _Optional[str] = ..., array_id: _Optional[str] = ..., purity_version: _Optional[str] = ..., reachable: _Optional[bool] = ..., error: _Optional[str] = ...) -> None: ...

class ListArraysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListArraysResponse(_message.Message):
    __slots__ = ("arrays",)
    ARRAYS_FIELD_NUMBER: _ClassVar[int]
    arrays: _containers.RepeatedCompositeFieldContainer[Array]
    def __init__(self, arrays: _Optional[_Iterable[_Union[Array, _Mapping]]] = ...) -> None: ...

class GroupRef(_message.Message):
    __slots__ = ("group_id", "replication_type", "source_array", "target_array", "pod_name")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ARRAY_FIELD_NUMBER: _ClassVar[int]
    TARGET_ARRAY_FIELD_NUMBER: _ClassVar[int]
    POD_NAME_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    replication_type: _types_pb2.ReplicationType
    source_array: str
    target_array: str
    pod_name: str
    def __init__(self, group_id: _Optional[str] = ..., replication_type: _Optional[_Union[_types_pb2.ReplicationType, str]] = ..., source_array: _Optional[str] = ..., target_array: _Optional[str] = ..., pod_name: _Optional[str] = ...) -> None: ...

class RetentionPolicy(_message.Message):
    __slots__ = ("all_for", "per_day", "days")
    ALL_FOR_FIELD_NUMBER: _ClassVar[int]
    PER_DAY_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    all_for: _duration_pb2.Duration
    per_day: int
    days: int
    def __init__(self, all_for: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., per_day: _Optional[int] = ..., days: _Optional[int] = ...) -> None: ...

class ProtectGroupRequest(_message.Message):
    __slots__ = ("group", "rpo_target", "retention", "array_volume_names")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    rpo_target: _duration_pb2.Duration
    retention: RetentionPolicy
    array_volume_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., array_volume_names: _Optional[_Iterable[str]] = ...) -> None: ...

class ProtectedVolume(_message.Message):
    __slots__ = ("array_volume_name", "provisioned_bytes")
    ARRAY_VOLUME_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_BYTES_FIELD_NUMBER: _ClassVar[int]
    array_volume_name: str
    provisioned_bytes: int
    def __init__(self, array_volume_name: _Optional[str] = ..., provisioned_bytes: _Optional[int] = ...) -> None: ...

class GroupProtection(_message.Message):
    __slots__ = ("group", "protection_group_name", "replication_interval", "retention", "volumes", "target_ready")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    PROTECTION_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    TARGET_READY_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    protection_group_name: str
    replication_interval: _duration_pb2.Duration
    retention: RetentionPolicy
    volumes: _containers.RepeatedCompositeFieldContainer[ProtectedVolume]
    target_ready: bool
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., protection_group_name: _Optional[str] = ..., replication_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., volumes: _Optional[_Iterable[_Union[ProtectedVolume, _Mapping]]] = ..., target_ready: _Optional[bool] = ...) -> None: ...

class UnprotectGroupRequest(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ...) -> None: ...

class UnprotectGroupResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, removed: _Optional[_Iterable[str]] = ...) -> None: ...

class AddVolumesRequest(_message.Message):
    __slots__ = ("group", "array_volume_names")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    array_volume_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., array_volume_names: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveVolumesRequest(_message.Message):
    __slots__ = ("group", "array_volume_names")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    array_volume_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., array_volume_names: _Optional[_Iterable[str]] = ...) -> None: ...

class GetGroupProtectionRequest(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ...) -> None: ...

class PodArrayStatus(_message.Message):
    __slots__ = ("array_name", "status", "frozen_at")
    ARRAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FROZEN_AT_FIELD_NUMBER: _ClassVar[int]
    array_name: str
    status: str
    frozen_at: _timestamp_pb2.Timestamp
    def __init__(self, array_name: _Optional[str] = ..., status: _Optional[str] = ..., frozen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PodStatus(_message.Message):
    __slots__ = ("pod_name", "arrays")
    POD_NAME_FIELD_NUMBER: _ClassVar[int]
    ARRAYS_FIELD_NUMBER: _ClassVar[int]
    pod_name: str
    arrays: _containers.RepeatedCompositeFieldContainer[PodArrayStatus]
    def __init__(self, pod_name: _Optional[str] = ..., arrays: _Optional[_Iterable[_Union[PodArrayStatus, _Mapping]]] = ...) -> None: ...

class GetReplicationStatusRequest(_message.Message):
    __slots__ = ("group", "rpo_target")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    rpo_target: _duration_pb2.Duration
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ReplicationStatus(_message.Message):
    __slots__ = ("group", "link_state", "source_reachable", "target_reachable", "newest_recovery_point", "recovery_point_age", "lag_beyond_rpo_target", "within_rpo_target", "in_flight", "pod", "problems")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    LINK_STATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REACHABLE_FIELD_NUMBER: _ClassVar[int]
    TARGET_REACHABLE_FIELD_NUMBER: _ClassVar[int]
    NEWEST_RECOVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_AGE_FIELD_NUMBER: _ClassVar[int]
    LAG_BEYOND_RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    WITHIN_RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    POD_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    link_state: LinkState
    source_reachable: bool
    target_reachable: bool
    newest_recovery_point: _types_pb2.RecoveryPoint
    recovery_point_age: _duration_pb2.Duration
    lag_beyond_rpo_target: _duration_pb2.Duration
    within_rpo_target: bool
    in_flight: _containers.RepeatedCompositeFieldContainer[_types_pb2.RecoveryPoint]
    pod: PodStatus
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., link_state: _Optional[_Union[LinkState, str]] = ..., source_reachable: _Optional[bool] = ..., target_reachable: _Optional[bool] = ..., newest_recovery_point: _Optional[_Union[_types_pb2.RecoveryPoint, _Mapping]] = ..., recovery_point_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., lag_beyond_rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., within_rpo_target: _Optional[bool] = ..., in_flight: _Optional[_Iterable[_Union[_types_pb2.RecoveryPoint, _Mapping]]] = ..., pod: _Optional[_Union[PodStatus, _Mapping]] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class ReplicateNowRequest(_message.Message):
    __slots__ = ("group", "wait", "timeout", "suffix")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    SUFFIX_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    wait: bool
    timeout: _duration_pb2.Duration
    suffix: str
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., wait: _Optional[bool] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., suffix: _Optional[str] = ...) -> None: ...

class ReplicateNowResponse(_message.Message):
    __slots__ = ("recovery_point",)
    RECOVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    recovery_point: _types_pb2.RecoveryPoint
    def __init__(self, recovery_point: _Optional[_Union[_types_pb2.RecoveryPoint, _Mapping]] = ...) -> None: ...

class ListRecoveryPointsRequest(_message.Message):
    __slots__ = ("group", "include_incomplete")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    include_incomplete: bool
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., include_incomplete: _Optional[bool] = ...) -> None: ...

class ListRecoveryPointsResponse(_message.Message):
    __slots__ = ("recovery_points",)
    RECOVERY_POINTS_FIELD_NUMBER: _ClassVar[int]
    recovery_points: _containers.RepeatedCompositeFieldContainer[_types_pb2.RecoveryPoint]
    def __init__(self, recovery_points: _Optional[_Iterable[_Union[_types_pb2.RecoveryPoint, _Mapping]]] = ...) -> None: ...

class RecoverVolumesRequest(_message.Message):
    __slots__ = ("group", "recovery_point_id", "purpose", "source_volume_names", "request_id")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    recovery_point_id: str
    purpose: RecoveryPurpose
    source_volume_names: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., recovery_point_id: _Optional[str] = ..., purpose: _Optional[_Union[RecoveryPurpose, str]] = ..., source_volume_names: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecoveredVolume(_message.Message):
    __slots__ = ("source_volume_name", "array_volume_name", "array_name", "provisioned_bytes")
    SOURCE_VOLUME_NAME_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAME_FIELD_NUMBER: _ClassVar[int]
    ARRAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVISIONED_BYTES_FIELD_NUMBER: _ClassVar[int]
    source_volume_name: str
    array_volume_name: str
    array_name: str
    provisioned_bytes: int
    def __init__(self, source_volume_name: _Optional[str] = ..., array_volume_name: _Optional[str] = ..., array_name: _Optional[str] = ..., provisioned_bytes: _Optional[int] = ...) -> None: ...

class RecoverVolumesResponse(_message.Message):
    __slots__ = ("recovery_point", "volumes")
    RECOVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    recovery_point: _types_pb2.RecoveryPoint
    volumes: _containers.RepeatedCompositeFieldContainer[RecoveredVolume]
    def __init__(self, recovery_point: _Optional[_Union[_types_pb2.RecoveryPoint, _Mapping]] = ..., volumes: _Optional[_Iterable[_Union[RecoveredVolume, _Mapping]]] = ...) -> None: ...

class DestroyVolumesRequest(_message.Message):
    __slots__ = ("array_name", "request_id", "volume_names", "eradicate")
    ARRAY_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    ERADICATE_FIELD_NUMBER: _ClassVar[int]
    array_name: str
    request_id: str
    volume_names: _containers.RepeatedScalarFieldContainer[str]
    eradicate: bool
    def __init__(self, array_name: _Optional[str] = ..., request_id: _Optional[str] = ..., volume_names: _Optional[_Iterable[str]] = ..., eradicate: _Optional[bool] = ...) -> None: ...

class DestroyVolumesResponse(_message.Message):
    __slots__ = ("destroyed", "absent")
    DESTROYED_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    destroyed: _containers.RepeatedScalarFieldContainer[str]
    absent: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, destroyed: _Optional[_Iterable[str]] = ..., absent: _Optional[_Iterable[str]] = ...) -> None: ...

class ReverseProtectionRequest(_message.Message):
    __slots__ = ("group", "rpo_target", "retention", "array_volume_names")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAMES_FIELD_NUMBER: _ClassVar[int]
    group: GroupRef
    rpo_target: _duration_pb2.Duration
    retention: RetentionPolicy
    array_volume_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[GroupRef, _Mapping]] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., array_volume_names: _Optional[_Iterable[str]] = ...) -> None: ...
