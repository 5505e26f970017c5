import datetime

from draas.common.v1 import types_pb2 as _types_pb2
from draas.orchestrator.v1 import monitoring_pb2 as _monitoring_pb2
from draas.orchestrator.v1 import policies_pb2 as _policies_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GroupState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GROUP_STATE_UNSPECIFIED: _ClassVar[GroupState]
    GROUP_STATE_PROTECTED: _ClassVar[GroupState]
    GROUP_STATE_TESTING: _ClassVar[GroupState]
    GROUP_STATE_FAILING_OVER: _ClassVar[GroupState]
    GROUP_STATE_FAILED_OVER: _ClassVar[GroupState]
    GROUP_STATE_REPROTECTING: _ClassVar[GroupState]
    GROUP_STATE_FAILING_BACK: _ClassVar[GroupState]
    GROUP_STATE_DELETING: _ClassVar[GroupState]
    GROUP_STATE_ERROR: _ClassVar[GroupState]

class VmProtectionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VM_PROTECTION_STATE_UNSPECIFIED: _ClassVar[VmProtectionState]
    VM_PROTECTION_STATE_PROTECTED: _ClassVar[VmProtectionState]
    VM_PROTECTION_STATE_ELIGIBLE: _ClassVar[VmProtectionState]
    VM_PROTECTION_STATE_NOT_ELIGIBLE: _ClassVar[VmProtectionState]

class OperationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPERATION_KIND_UNSPECIFIED: _ClassVar[OperationKind]
    OPERATION_KIND_TEST_FAILOVER: _ClassVar[OperationKind]
    OPERATION_KIND_TEST_CLEANUP: _ClassVar[OperationKind]
    OPERATION_KIND_PLANNED_FAILOVER: _ClassVar[OperationKind]
    OPERATION_KIND_UNPLANNED_FAILOVER: _ClassVar[OperationKind]
    OPERATION_KIND_REPROTECT: _ClassVar[OperationKind]
    OPERATION_KIND_FAILBACK: _ClassVar[OperationKind]
    OPERATION_KIND_MOVE: _ClassVar[OperationKind]

class OperationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPERATION_STATE_UNSPECIFIED: _ClassVar[OperationState]
    OPERATION_STATE_PENDING: _ClassVar[OperationState]
    OPERATION_STATE_RUNNING: _ClassVar[OperationState]
    OPERATION_STATE_SUCCEEDED: _ClassVar[OperationState]
    OPERATION_STATE_PARTIALLY_SUCCEEDED: _ClassVar[OperationState]
    OPERATION_STATE_FAILED: _ClassVar[OperationState]
    OPERATION_STATE_COMPENSATING: _ClassVar[OperationState]
    OPERATION_STATE_COMPENSATED: _ClassVar[OperationState]

class StepState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_STATE_UNSPECIFIED: _ClassVar[StepState]
    STEP_STATE_PENDING: _ClassVar[StepState]
    STEP_STATE_RUNNING: _ClassVar[StepState]
    STEP_STATE_SUCCEEDED: _ClassVar[StepState]
    STEP_STATE_FAILED: _ClassVar[StepState]
    STEP_STATE_REVERTED: _ClassVar[StepState]
    STEP_STATE_SKIPPED: _ClassVar[StepState]

class FailoverMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAILOVER_MODE_UNSPECIFIED: _ClassVar[FailoverMode]
    FAILOVER_MODE_PLANNED: _ClassVar[FailoverMode]
    FAILOVER_MODE_UNPLANNED: _ClassVar[FailoverMode]

class ReprotectMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPROTECT_METHOD_UNSPECIFIED: _ClassVar[ReprotectMethod]
    REPROTECT_METHOD_VOLUME_TYPE: _ClassVar[ReprotectMethod]
    REPROTECT_METHOD_RETYPE: _ClassVar[ReprotectMethod]

class DependencyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPENDENCY_STATE_UNSPECIFIED: _ClassVar[DependencyState]
    DEPENDENCY_STATE_SERVING: _ClassVar[DependencyState]
    DEPENDENCY_STATE_NOT_SERVING: _ClassVar[DependencyState]
    DEPENDENCY_STATE_UNREACHABLE: _ClassVar[DependencyState]
GROUP_STATE_UNSPECIFIED: GroupState
GROUP_STATE_PROTECTED: GroupState
GROUP_STATE_TESTING: GroupState
GROUP_STATE_FAILING_OVER: GroupState
GROUP_STATE_FAILED_OVER: GroupState
GROUP_STATE_REPROTECTING: GroupState
GROUP_STATE_FAILING_BACK: GroupState
GROUP_STATE_DELETING: GroupState
GROUP_STATE_ERROR: GroupState
VM_PROTECTION_STATE_UNSPECIFIED: VmProtectionState
VM_PROTECTION_STATE_PROTECTED: VmProtectionState
VM_PROTECTION_STATE_ELIGIBLE: VmProtectionState
VM_PROTECTION_STATE_NOT_ELIGIBLE: VmProtectionState
OPERATION_KIND_UNSPECIFIED: OperationKind
OPERATION_KIND_TEST_FAILOVER: OperationKind
OPERATION_KIND_TEST_CLEANUP: OperationKind
OPERATION_KIND_PLANNED_FAILOVER: OperationKind
OPERATION_KIND_UNPLANNED_FAILOVER: OperationKind
OPERATION_KIND_REPROTECT: OperationKind
OPERATION_KIND_FAILBACK: OperationKind
OPERATION_KIND_MOVE: OperationKind
OPERATION_STATE_UNSPECIFIED: OperationState
OPERATION_STATE_PENDING: OperationState
OPERATION_STATE_RUNNING: OperationState
OPERATION_STATE_SUCCEEDED: OperationState
OPERATION_STATE_PARTIALLY_SUCCEEDED: OperationState
OPERATION_STATE_FAILED: OperationState
OPERATION_STATE_COMPENSATING: OperationState
OPERATION_STATE_COMPENSATED: OperationState
STEP_STATE_UNSPECIFIED: StepState
STEP_STATE_PENDING: StepState
STEP_STATE_RUNNING: StepState
STEP_STATE_SUCCEEDED: StepState
STEP_STATE_FAILED: StepState
STEP_STATE_REVERTED: StepState
STEP_STATE_SKIPPED: StepState
FAILOVER_MODE_UNSPECIFIED: FailoverMode
FAILOVER_MODE_PLANNED: FailoverMode
FAILOVER_MODE_UNPLANNED: FailoverMode
REPROTECT_METHOD_UNSPECIFIED: ReprotectMethod
REPROTECT_METHOD_VOLUME_TYPE: ReprotectMethod
REPROTECT_METHOD_RETYPE: ReprotectMethod
DEPENDENCY_STATE_UNSPECIFIED: DependencyState
DEPENDENCY_STATE_SERVING: DependencyState
DEPENDENCY_STATE_NOT_SERVING: DependencyState
DEPENDENCY_STATE_UNREACHABLE: DependencyState

class RetireSourceRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "server_ids", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., server_ids: _Optional[_Iterable[str]] = ..., operation_id: _Optional[str] = ...) -> None: ...

class RetireSourceResponse(_message.Message):
    __slots__ = ("removed", "absent")
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedScalarFieldContainer[str]
    absent: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, removed: _Optional[_Iterable[str]] = ..., absent: _Optional[_Iterable[str]] = ...) -> None: ...

class RetireNetworksRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., operation_id: _Optional[str] = ...) -> None: ...

class RetiredResource(_message.Message):
    __slots__ = ("kind", "id", "name", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: str
    id: str
    name: str
    reason: str
    def __init__(self, kind: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RetireNetworksResponse(_message.Message):
    __slots__ = ("removed", "kept", "absent")
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedCompositeFieldContainer[RetiredResource]
    kept: _containers.RepeatedCompositeFieldContainer[RetiredResource]
    absent: _containers.RepeatedCompositeFieldContainer[RetiredResource]
    def __init__(self, removed: _Optional[_Iterable[_Union[RetiredResource, _Mapping]]] = ..., kept: _Optional[_Iterable[_Union[RetiredResource, _Mapping]]] = ..., absent: _Optional[_Iterable[_Union[RetiredResource, _Mapping]]] = ...) -> None: ...

class LinkProjectRequest(_message.Message):
    __slots__ = ("source_site", "source_project_id", "project_name", "target_project_id", "target_token", "by_admin")
    SOURCE_SITE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_TOKEN_FIELD_NUMBER: _ClassVar[int]
    BY_ADMIN_FIELD_NUMBER: _ClassVar[int]
    source_site: str
    source_project_id: str
    project_name: str
    target_project_id: str
    target_token: str
    by_admin: bool
    def __init__(self, source_site: _Optional[str] = ..., source_project_id: _Optional[str] = ..., project_name: _Optional[str] = ..., target_project_id: _Optional[str] = ..., target_token: _Optional[str] = ..., by_admin: _Optional[bool] = ...) -> None: ...

class LinkProjectResponse(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class StopSourceRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., operation_id: _Optional[str] = ...) -> None: ...

class StopSourceResponse(_message.Message):
    __slots__ = ("stopped_server_ids", "metadata_sequence", "stopped_at")
    STOPPED_SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    METADATA_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    stopped_server_ids: _containers.RepeatedScalarFieldContainer[str]
    metadata_sequence: int
    stopped_at: _timestamp_pb2.Timestamp
    def __init__(self, stopped_server_ids: _Optional[_Iterable[str]] = ..., metadata_sequence: _Optional[int] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RestartSourceRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "server_ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., server_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RestartSourceResponse(_message.Message):
    __slots__ = ("restarted_server_ids",)
    RESTARTED_SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    restarted_server_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, restarted_server_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ProtectedVm(_message.Message):
    __slots__ = ("server_id", "name", "tier", "added_at", "added_by")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    ADDED_AT_FIELD_NUMBER: _ClassVar[int]
    ADDED_BY_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    name: str
    tier: int
    added_at: _timestamp_pb2.Timestamp
    added_by: str
    def __init__(self, server_id: _Optional[str] = ..., name: _Optional[str] = ..., tier: _Optional[int] = ..., added_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., added_by: _Optional[str] = ...) -> None: ...

class FailoverGroup(_message.Message):
    __slots__ = ("id", "project_id", "name", "description", "replication_type", "source_site", "target_site", "rpo_target", "state", "vms", "created_at", "updated_at", "last_test", "home_site", "rto_target", "test_interval", "policy_id", "policy_name", "test_schedule", "automation", "split_from")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SITE_FIELD_NUMBER: _ClassVar[int]
    TARGET_SITE_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_TEST_FIELD_NUMBER: _ClassVar[int]
    HOME_SITE_FIELD_NUMBER: _ClassVar[int]
    RTO_TARGET_FIELD_NUMBER: _ClassVar[int]
    TEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    TEST_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    AUTOMATION_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FROM_FIELD_NUMBER: _ClassVar[int]
    id: str
    project_id: str
    name: str
    description: str
    replication_type: _types_pb2.ReplicationType
    source_site: str
    target_site: str
    rpo_target: _duration_pb2.Duration
    state: GroupState
    vms: _containers.RepeatedCompositeFieldContainer[ProtectedVm]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    last_test: TestSummary
    home_site: str
    rto_target: _duration_pb2.Duration
    test_interval: _duration_pb2.Duration
    policy_id: str
    policy_name: str
    test_schedule: _policies_pb2.TestSchedule
    automation: _policies_pb2.Automation
    split_from: str
    def __init__(self, id: _Optional[str] = ..., project_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., replication_type: _Optional[_Union[_types_pb2.ReplicationType, str]] = ..., source_site: _Optional[str] = ..., target_site: _Optional[str] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., state: _Optional[_Union[GroupState, str]] = ..., vms: _Optional[_Iterable[_Union[ProtectedVm, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_test: _Optional[_Union[TestSummary, _Mapping]] = ..., home_site: _Optional[str] = ..., rto_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., policy_id: _Optional[str] = ..., policy_name: _Optional[str] = ..., test_schedule: _Optional[_Union[_policies_pb2.TestSchedule, _Mapping]] = ..., automation: _Optional[_Union[_policies_pb2.Automation, _Mapping]] = ..., split_from: _Optional[str] = ...) -> None: ...

class TestSummary(_message.Message):
    __slots__ = ("operation_id", "state", "finished_at", "rto")
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    RTO_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    state: OperationState
    finished_at: _timestamp_pb2.Timestamp
    rto: _duration_pb2.Duration
    def __init__(self, operation_id: _Optional[str] = ..., state: _Optional[_Union[OperationState, str]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rto: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateFailoverGroupRequest(_message.Message):
    __slots__ = ("project_id", "name", "description", "replication_type", "target_site", "rpo_target", "target_project_id", "target_token", "link_as_admin", "rto_target", "test_interval", "policy", "test_schedule", "automation")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_SITE_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGET_PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LINK_AS_ADMIN_FIELD_NUMBER: _ClassVar[int]
    RTO_TARGET_FIELD_NUMBER: _ClassVar[int]
    TEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    TEST_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    AUTOMATION_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    name: str
    description: str
    replication_type: _types_pb2.ReplicationType
    target_site: str
    rpo_target: _duration_pb2.Duration
    target_project_id: str
    target_token: str
    link_as_admin: bool
    rto_target: _duration_pb2.Duration
    test_interval: _duration_pb2.Duration
    policy: str
    test_schedule: _policies_pb2.TestSchedule
    automation: _policies_pb2.Automation
    def __init__(self, project_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., replication_type: _Optional[_Union[_types_pb2.ReplicationType, str]] = ..., target_site: _Optional[str] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., target_project_id: _Optional[str] = ..., target_token: _Optional[str] = ..., link_as_admin: _Optional[bool] = ..., rto_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., policy: _Optional[str] = ..., test_schedule: _Optional[_Union[_policies_pb2.TestSchedule, _Mapping]] = ..., automation: _Optional[_Union[_policies_pb2.Automation, _Mapping]] = ...) -> None: ...

class GetFailoverGroupRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class ListFailoverGroupsRequest(_message.Message):
    __slots__ = ("project_id", "page", "all_projects")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    ALL_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    page: _types_pb2.PageRequest
    all_projects: bool
    def __init__(self, project_id: _Optional[str] = ..., page: _Optional[_Union[_types_pb2.PageRequest, _Mapping]] = ..., all_projects: _Optional[bool] = ...) -> None: ...

class ListFailoverGroupsResponse(_message.Message):
    __slots__ = ("groups", "next_page_token")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[FailoverGroup]
    next_page_token: str
    def __init__(self, groups: _Optional[_Iterable[_Union[FailoverGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListVmsRequest(_message.Message):
    __slots__ = ("project_id", "page")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    page: _types_pb2.PageRequest
    def __init__(self, project_id: _Optional[str] = ..., page: _Optional[_Union[_types_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class VmProtection(_message.Message):
    __slots__ = ("server_id", "name", "status", "state", "group_id", "group_name", "tier", "eligible_for", "reasons")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FOR_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    name: str
    status: str
    state: VmProtectionState
    group_id: str
    group_name: str
    tier: int
    eligible_for: _containers.RepeatedScalarFieldContainer[_types_pb2.ReplicationType]
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[str] = ..., state: _Optional[_Union[VmProtectionState, str]] = ..., group_id: _Optional[str] = ..., group_name: _Optional[str] = ..., tier: _Optional[int] = ..., eligible_for: _Optional[_Iterable[_Union[_types_pb2.ReplicationType, str]]] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class ListVmsResponse(_message.Message):
    __slots__ = ("vms", "next_page_token")
    VMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    vms: _containers.RepeatedCompositeFieldContainer[VmProtection]
    next_page_token: str
    def __init__(self, vms: _Optional[_Iterable[_Union[VmProtection, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteFailoverGroupRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class DeleteFailoverGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddVmRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "server_id", "tier")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    server_id: str
    tier: int
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., server_id: _Optional[str] = ..., tier: _Optional[int] = ...) -> None: ...

class SplitFailoverGroupRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "server_ids", "name", "description")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    name: str
    description: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., server_ids: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class RemoveVmRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "server_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    server_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., server_id: _Optional[str] = ...) -> None: ...

class GetReadinessRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class ReadinessCheck(_message.Message):
    __slots__ = ("name", "ok", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    ok: bool
    reason: str
    def __init__(self, name: _Optional[str] = ..., ok: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class VmReadiness(_message.Message):
    __slots__ = ("server_id", "ready", "checks")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    ready: bool
    checks: _containers.RepeatedCompositeFieldContainer[ReadinessCheck]
    def __init__(self, server_id: _Optional[str] = ..., ready: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[ReadinessCheck, _Mapping]]] = ...) -> None: ...

class Readiness(_message.Message):
    __slots__ = ("group_id", "failover_ready", "checks", "vms", "checked_at")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    FAILOVER_READY_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    failover_ready: bool
    checks: _containers.RepeatedCompositeFieldContainer[ReadinessCheck]
    vms: _containers.RepeatedCompositeFieldContainer[VmReadiness]
    checked_at: _timestamp_pb2.Timestamp
    def __init__(self, group_id: _Optional[str] = ..., failover_ready: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[ReadinessCheck, _Mapping]]] = ..., vms: _Optional[_Iterable[_Union[VmReadiness, _Mapping]]] = ..., checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListRecoveryPointsRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "page")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    page: _types_pb2.PageRequest
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., page: _Optional[_Union[_types_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListRecoveryPointsResponse(_message.Message):
    __slots__ = ("recovery_points", "next_page_token")
    RECOVERY_POINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    recovery_points: _containers.RepeatedCompositeFieldContainer[_types_pb2.RecoveryPoint]
    next_page_token: str
    def __init__(self, recovery_points: _Optional[_Iterable[_Union[_types_pb2.RecoveryPoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetReplicationHealthRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class ReplicationHealth(_message.Message):
    __slots__ = ("group_id", "storage_link_up", "newest_recovery_point", "recovery_point_age", "within_rpo_target", "metadata_changes_behind", "metadata_seconds_behind")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    STORAGE_LINK_UP_FIELD_NUMBER: _ClassVar[int]
    NEWEST_RECOVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_AGE_FIELD_NUMBER: _ClassVar[int]
    WITHIN_RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    METADATA_CHANGES_BEHIND_FIELD_NUMBER: _ClassVar[int]
    METADATA_SECONDS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    storage_link_up: bool
    newest_recovery_point: _types_pb2.RecoveryPoint
    recovery_point_age: _duration_pb2.Duration
    within_rpo_target: bool
    metadata_changes_behind: int
    metadata_seconds_behind: float
    def __init__(self, group_id: _Optional[str] = ..., storage_link_up: _Optional[bool] = ..., newest_recovery_point: _Optional[_Union[_types_pb2.RecoveryPoint, _Mapping]] = ..., recovery_point_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., within_rpo_target: _Optional[bool] = ..., metadata_changes_behind: _Optional[int] = ..., metadata_seconds_behind: _Optional[float] = ...) -> None: ...

class StepResult(_message.Message):
    __slots__ = ("name", "state", "attempts", "timing", "error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: StepState
    attempts: int
    timing: _types_pb2.Timing
    error: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[StepState, str]] = ..., attempts: _Optional[int] = ..., timing: _Optional[_Union[_types_pb2.Timing, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class VmProgress(_message.Message):
    __slots__ = ("server_id", "name", "tier", "state", "current_step", "steps", "recovered_server_id")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STEP_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    name: str
    tier: int
    state: StepState
    current_step: str
    steps: _containers.RepeatedCompositeFieldContainer[StepResult]
    recovered_server_id: str
    def __init__(self, server_id: _Optional[str] = ..., name: _Optional[str] = ..., tier: _Optional[int] = ..., state: _Optional[_Union[StepState, str]] = ..., current_step: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[StepResult, _Mapping]]] = ..., recovered_server_id: _Optional[str] = ...) -> None: ...

class Operation(_message.Message):
    __slots__ = ("id", "project_id", "group_id", "kind", "state", "idempotency_key", "created_at", "started_at", "finished_at", "vms", "trace_id", "error", "parent_operation_id", "cleanup_at", "partial")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PARENT_OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    CLEANUP_AT_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    project_id: str
    group_id: str
    kind: OperationKind
    state: OperationState
    idempotency_key: str
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    vms: _containers.RepeatedCompositeFieldContainer[VmProgress]
    trace_id: str
    error: str
    parent_operation_id: str
    cleanup_at: _timestamp_pb2.Timestamp
    partial: bool
    def __init__(self, id: _Optional[str] = ..., project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., kind: _Optional[_Union[OperationKind, str]] = ..., state: _Optional[_Union[OperationState, str]] = ..., idempotency_key: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., vms: _Optional[_Iterable[_Union[VmProgress, _Mapping]]] = ..., trace_id: _Optional[str] = ..., error: _Optional[str] = ..., parent_operation_id: _Optional[str] = ..., cleanup_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., partial: _Optional[bool] = ...) -> None: ...

class StartTestFailoverRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "idempotency_key", "recovery_point_id", "cleanup_after", "stop_on_vm_failure", "server_ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    CLEANUP_AFTER_FIELD_NUMBER: _ClassVar[int]
    STOP_ON_VM_FAILURE_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    idempotency_key: str
    recovery_point_id: str
    cleanup_after: _duration_pb2.Duration
    stop_on_vm_failure: bool
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., recovery_point_id: _Optional[str] = ..., cleanup_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., stop_on_vm_failure: _Optional[bool] = ..., server_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class StartTestCleanupRequest(_message.Message):
    __slots__ = ("project_id", "operation_id", "idempotency_key")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    operation_id: str
    idempotency_key: str
    def __init__(self, project_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class StartFailoverRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "idempotency_key", "mode", "recovery_point_id", "quiesce", "stop_on_vm_failure")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    QUIESCE_FIELD_NUMBER: _ClassVar[int]
    STOP_ON_VM_FAILURE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    idempotency_key: str
    mode: FailoverMode
    recovery_point_id: str
    quiesce: bool
    stop_on_vm_failure: bool
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., mode: _Optional[_Union[FailoverMode, str]] = ..., recovery_point_id: _Optional[str] = ..., quiesce: _Optional[bool] = ..., stop_on_vm_failure: _Optional[bool] = ...) -> None: ...

class StartReprotectRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "idempotency_key", "method", "target_replication_type", "volume_type", "rpo_target")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    TARGET_REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    idempotency_key: str
    method: ReprotectMethod
    target_replication_type: _types_pb2.ReplicationType
    volume_type: str
    rpo_target: _duration_pb2.Duration
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., method: _Optional[_Union[ReprotectMethod, str]] = ..., target_replication_type: _Optional[_Union[_types_pb2.ReplicationType, str]] = ..., volume_type: _Optional[str] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StartFailbackRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "idempotency_key")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    idempotency_key: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class StartMoveRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "idempotency_key")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    idempotency_key: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class GetOperationRequest(_message.Message):
    __slots__ = ("project_id", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., operation_id: _Optional[str] = ...) -> None: ...

class ListOperationsRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "page", "all_projects")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    ALL_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    page: _types_pb2.PageRequest
    all_projects: bool
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., page: _Optional[_Union[_types_pb2.PageRequest, _Mapping]] = ..., all_projects: _Optional[bool] = ...) -> None: ...

class ListOperationsResponse(_message.Message):
    __slots__ = ("operations", "next_page_token")
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    operations: _containers.RepeatedCompositeFieldContainer[Operation]
    next_page_token: str
    def __init__(self, operations: _Optional[_Iterable[_Union[Operation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchOperationRequest(_message.Message):
    __slots__ = ("project_id", "operation_id", "after_sequence")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    operation_id: str
    after_sequence: int
    def __init__(self, project_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class OperationEvent(_message.Message):
    __slots__ = ("operation_id", "sequence", "time", "server_id", "step", "operation_state", "step_state", "message")
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    OPERATION_STATE_FIELD_NUMBER: _ClassVar[int]
    STEP_STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    sequence: int
    time: _timestamp_pb2.Timestamp
    server_id: str
    step: str
    operation_state: OperationState
    step_state: StepState
    message: str
    def __init__(self, operation_id: _Optional[str] = ..., sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., server_id: _Optional[str] = ..., step: _Optional[str] = ..., operation_state: _Optional[_Union[OperationState, str]] = ..., step_state: _Optional[_Union[StepState, str]] = ..., message: _Optional[str] = ...) -> None: ...

class GetReportRequest(_message.Message):
    __slots__ = ("project_id", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., operation_id: _Optional[str] = ...) -> None: ...

class VmReport(_message.Message):
    __slots__ = ("server_id", "name", "tier", "recovered", "recovered_server_id", "steps", "recovery_time", "error", "checks", "hooks")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    HOOKS_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    name: str
    tier: int
    recovered: bool
    recovered_server_id: str
    steps: _containers.RepeatedCompositeFieldContainer[StepResult]
    recovery_time: _duration_pb2.Duration
    error: str
    checks: _containers.RepeatedCompositeFieldContainer[CheckResult]
    hooks: _containers.RepeatedCompositeFieldContainer[CheckResult]
    def __init__(self, server_id: _Optional[str] = ..., name: _Optional[str] = ..., tier: _Optional[int] = ..., recovered: _Optional[bool] = ..., recovered_server_id: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[StepResult, _Mapping]]] = ..., recovery_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., error: _Optional[str] = ..., checks: _Optional[_Iterable[_Union[CheckResult, _Mapping]]] = ..., hooks: _Optional[_Iterable[_Union[CheckResult, _Mapping]]] = ...) -> None: ...

class CheckResult(_message.Message):
    __slots__ = ("name", "passed", "output", "elapsed", "on_failure")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    name: str
    passed: bool
    output: str
    elapsed: _duration_pb2.Duration
    on_failure: str
    def __init__(self, name: _Optional[str] = ..., passed: _Optional[bool] = ..., output: _Optional[str] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., on_failure: _Optional[str] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("operation_id", "kind", "state", "group_id", "timing", "rto", "recovery_point", "rpo", "vms", "errors", "trace_id", "removed", "group_steps", "kept", "hooks")
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    RTO_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    RPO_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    GROUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    HOOKS_FIELD_NUMBER: _ClassVar[int]
    operation_id: str
    kind: OperationKind
    state: OperationState
    group_id: str
    timing: _types_pb2.Timing
    rto: _duration_pb2.Duration
    recovery_point: _types_pb2.RecoveryPoint
    rpo: _duration_pb2.Duration
    vms: _containers.RepeatedCompositeFieldContainer[VmReport]
    errors: _containers.RepeatedScalarFieldContainer[str]
    trace_id: str
    removed: _containers.RepeatedScalarFieldContainer[str]
    group_steps: _containers.RepeatedCompositeFieldContainer[StepResult]
    kept: _containers.RepeatedScalarFieldContainer[str]
    hooks: _containers.RepeatedCompositeFieldContainer[CheckResult]
    def __init__(self, operation_id: _Optional[str] = ..., kind: _Optional[_Union[OperationKind, str]] = ..., state: _Optional[_Union[OperationState, str]] = ..., group_id: _Optional[str] = ..., timing: _Optional[_Union[_types_pb2.Timing, _Mapping]] = ..., rto: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., recovery_point: _Optional[_Union[_types_pb2.RecoveryPoint, _Mapping]] = ..., rpo: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., vms: _Optional[_Iterable[_Union[VmReport, _Mapping]]] = ..., errors: _Optional[_Iterable[str]] = ..., trace_id: _Optional[str] = ..., removed: _Optional[_Iterable[str]] = ..., group_steps: _Optional[_Iterable[_Union[StepResult, _Mapping]]] = ..., kept: _Optional[_Iterable[str]] = ..., hooks: _Optional[_Iterable[_Union[CheckResult, _Mapping]]] = ...) -> None: ...

class GetSystemStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DependencyStatus(_message.Message):
    __slots__ = ("name", "address", "state", "detail", "latency")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: str
    state: DependencyState
    detail: str
    latency: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., address: _Optional[str] = ..., state: _Optional[_Union[DependencyState, str]] = ..., detail: _Optional[str] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SystemStatus(_message.Message):
    __slots__ = ("site", "healthy", "dependencies")
    SITE_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    site: str
    healthy: bool
    dependencies: _containers.RepeatedCompositeFieldContainer[DependencyStatus]
    def __init__(self, site: _Optional[str] = ..., healthy: _Optional[bool] = ..., dependencies: _Optional[_Iterable[_Union[DependencyStatus, _Mapping]]] = ...) -> None: ...
