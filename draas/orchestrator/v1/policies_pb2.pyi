import datetime

from draas.common.v1 import types_pb2 as _types_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TestSchedule(_message.Message):
    __slots__ = ("enabled", "windows", "timezone", "cleanup_after")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    CLEANUP_AFTER_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    windows: _containers.RepeatedScalarFieldContainer[str]
    timezone: str
    cleanup_after: _duration_pb2.Duration
    def __init__(self, enabled: _Optional[bool] = ..., windows: _Optional[_Iterable[str]] = ..., timezone: _Optional[str] = ..., cleanup_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Hook(_message.Message):
    __slots__ = ("name", "url", "when", "kinds", "timeout", "retries", "on_failure", "vms", "tiers")
    NAME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    url: str
    when: str
    kinds: _containers.RepeatedScalarFieldContainer[str]
    timeout: _duration_pb2.Duration
    retries: int
    on_failure: str
    vms: _containers.RepeatedScalarFieldContainer[str]
    tiers: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., url: _Optional[str] = ..., when: _Optional[str] = ..., kinds: _Optional[_Iterable[str]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retries: _Optional[int] = ..., on_failure: _Optional[str] = ..., vms: _Optional[_Iterable[str]] = ..., tiers: _Optional[_Iterable[int]] = ...) -> None: ...

class AppCheck(_message.Message):
    __slots__ = ("name", "type", "port", "path", "expect_status", "expect_text", "url", "timeout", "in_failovers", "on_failure", "vms", "tiers")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    EXPECT_STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPECT_TEXT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    IN_FAILOVERS_FIELD_NUMBER: _ClassVar[int]
    ON_FAILURE_FIELD_NUMBER: _ClassVar[int]
    VMS_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    port: int
    path: str
    expect_status: int
    expect_text: str
    url: str
    timeout: _duration_pb2.Duration
    in_failovers: bool
    on_failure: str
    vms: _containers.RepeatedScalarFieldContainer[str]
    tiers: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., port: _Optional[int] = ..., path: _Optional[str] = ..., expect_status: _Optional[int] = ..., expect_text: _Optional[str] = ..., url: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., in_failovers: _Optional[bool] = ..., on_failure: _Optional[str] = ..., vms: _Optional[_Iterable[str]] = ..., tiers: _Optional[_Iterable[int]] = ...) -> None: ...

class Automation(_message.Message):
    __slots__ = ("hooks", "checks")
    HOOKS_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    hooks: _containers.RepeatedCompositeFieldContainer[Hook]
    checks: _containers.RepeatedCompositeFieldContainer[AppCheck]
    def __init__(self, hooks: _Optional[_Iterable[_Union[Hook, _Mapping]]] = ..., checks: _Optional[_Iterable[_Union[AppCheck, _Mapping]]] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ("id", "project_id", "name", "description", "replication_type", "target_site", "rpo_target", "rto_target", "test_interval", "test_schedule", "default_tier", "created_at", "updated_at", "group_ids", "automation")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_SITE_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    RTO_TARGET_FIELD_NUMBER: _ClassVar[int]
    TEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TEST_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TIER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    AUTOMATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    project_id: str
    name: str
    description: str
    replication_type: _types_pb2.ReplicationType
    target_site: str
    rpo_target: _duration_pb2.Duration
    rto_target: _duration_pb2.Duration
    test_interval: _duration_pb2.Duration
    test_schedule: TestSchedule
    default_tier: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    automation: Automation
    def __init__(self, id: _Optional[str] = ..., project_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., replication_type: _Optional[_Union[_types_pb2.ReplicationType, str]] = ..., target_site: _Optional[str] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., rto_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_schedule: _Optional[_Union[TestSchedule, _Mapping]] = ..., default_tier: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., group_ids: _Optional[_Iterable[str]] = ..., automation: _Optional[_Union[Automation, _Mapping]] = ...) -> None: ...

class CreatePolicyRequest(_message.Message):
    __slots__ = ("project_id", "policy", "publish")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    policy: Policy
    publish: bool
    def __init__(self, project_id: _Optional[str] = ..., policy: _Optional[_Union[Policy, _Mapping]] = ..., publish: _Optional[bool] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("project_id", "policy")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    policy: str
    def __init__(self, project_id: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[Policy]
    def __init__(self, policies: _Optional[_Iterable[_Union[Policy, _Mapping]]] = ...) -> None: ...

class UpdatePolicyRequest(_message.Message):
    __slots__ = ("project_id", "policy", "changed", "as_admin")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    AS_ADMIN_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    policy: str
    changed: Policy
    as_admin: bool
    def __init__(self, project_id: _Optional[str] = ..., policy: _Optional[str] = ..., changed: _Optional[_Union[Policy, _Mapping]] = ..., as_admin: _Optional[bool] = ...) -> None: ...

class GroupChangeResult(_message.Message):
    __slots__ = ("group_id", "group_name", "changes", "refused")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    group_name: str
    changes: _containers.RepeatedScalarFieldContainer[str]
    refused: str
    def __init__(self, group_id: _Optional[str] = ..., group_name: _Optional[str] = ..., changes: _Optional[_Iterable[str]] = ..., refused: _Optional[str] = ...) -> None: ...

class UpdatePolicyResponse(_message.Message):
    __slots__ = ("policy", "groups")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    policy: Policy
    groups: _containers.RepeatedCompositeFieldContainer[GroupChangeResult]
    def __init__(self, policy: _Optional[_Union[Policy, _Mapping]] = ..., groups: _Optional[_Iterable[_Union[GroupChangeResult, _Mapping]]] = ...) -> None: ...

class DeletePolicyRequest(_message.Message):
    __slots__ = ("project_id", "policy", "as_admin")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    AS_ADMIN_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    policy: str
    as_admin: bool
    def __init__(self, project_id: _Optional[str] = ..., policy: _Optional[str] = ..., as_admin: _Optional[bool] = ...) -> None: ...

class DeletePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTestScheduleRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class ScheduledTestState(_message.Message):
    __slots__ = ("group_id", "test_interval", "test_schedule", "last_success_at", "last_scheduled_operation_id", "last_scheduled_at", "next_due_at", "next_run_at", "last_problem", "site")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TEST_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SCHEDULED_OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_SCHEDULED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_RUN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_PROBLEM_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    test_interval: _duration_pb2.Duration
    test_schedule: TestSchedule
    last_success_at: _timestamp_pb2.Timestamp
    last_scheduled_operation_id: str
    last_scheduled_at: _timestamp_pb2.Timestamp
    next_due_at: _timestamp_pb2.Timestamp
    next_run_at: _timestamp_pb2.Timestamp
    last_problem: str
    site: str
    def __init__(self, group_id: _Optional[str] = ..., test_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_schedule: _Optional[_Union[TestSchedule, _Mapping]] = ..., last_success_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_scheduled_operation_id: _Optional[str] = ..., last_scheduled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_run_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_problem: _Optional[str] = ..., site: _Optional[str] = ...) -> None: ...

class RunScheduledTestRequest(_message.Message):
    __slots__ = ("project_id", "group_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...
