import datetime

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

class AlertRule(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_RULE_UNSPECIFIED: _ClassVar[AlertRule]
    ALERT_RULE_RPO_OVER_TARGET: _ClassVar[AlertRule]
    ALERT_RULE_RPO_OVER_TWICE_TARGET: _ClassVar[AlertRule]
    ALERT_RULE_LINK_DOWN: _ClassVar[AlertRule]
    ALERT_RULE_VM_INELIGIBLE: _ClassVar[AlertRule]
    ALERT_RULE_METADATA_LAG: _ClassVar[AlertRule]
    ALERT_RULE_TEST_OVERDUE: _ClassVar[AlertRule]
    ALERT_RULE_OPERATION_FAILED: _ClassVar[AlertRule]
    ALERT_RULE_TEST_NOT_CLEANED_UP: _ClassVar[AlertRule]
    ALERT_RULE_TAGGED_VM_UNPROTECTED: _ClassVar[AlertRule]

class AlertSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_SEVERITY_UNSPECIFIED: _ClassVar[AlertSeverity]
    ALERT_SEVERITY_WARNING: _ClassVar[AlertSeverity]
    ALERT_SEVERITY_CRITICAL: _ClassVar[AlertSeverity]

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATE_UNSPECIFIED: _ClassVar[AlertState]
    ALERT_STATE_FIRING: _ClassVar[AlertState]
    ALERT_STATE_RESOLVED: _ClassVar[AlertState]

class ChannelKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_KIND_UNSPECIFIED: _ClassVar[ChannelKind]
    CHANNEL_KIND_WEBHOOK: _ClassVar[ChannelKind]
    CHANNEL_KIND_EMAIL: _ClassVar[ChannelKind]
ALERT_RULE_UNSPECIFIED: AlertRule
ALERT_RULE_RPO_OVER_TARGET: AlertRule
ALERT_RULE_RPO_OVER_TWICE_TARGET: AlertRule
ALERT_RULE_LINK_DOWN: AlertRule
ALERT_RULE_VM_INELIGIBLE: AlertRule
ALERT_RULE_METADATA_LAG: AlertRule
ALERT_RULE_TEST_OVERDUE: AlertRule
ALERT_RULE_OPERATION_FAILED: AlertRule
ALERT_RULE_TEST_NOT_CLEANED_UP: AlertRule
ALERT_RULE_TAGGED_VM_UNPROTECTED: AlertRule
ALERT_SEVERITY_UNSPECIFIED: AlertSeverity
ALERT_SEVERITY_WARNING: AlertSeverity
ALERT_SEVERITY_CRITICAL: AlertSeverity
ALERT_STATE_UNSPECIFIED: AlertState
ALERT_STATE_FIRING: AlertState
ALERT_STATE_RESOLVED: AlertState
CHANNEL_KIND_UNSPECIFIED: ChannelKind
CHANNEL_KIND_WEBHOOK: ChannelKind
CHANNEL_KIND_EMAIL: ChannelKind

class UpdateFailoverGroupRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "description", "rpo_target", "rto_target", "test_interval", "test_schedule", "automation")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_FIELD_NUMBER: _ClassVar[int]
    RTO_TARGET_FIELD_NUMBER: _ClassVar[int]
    TEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TEST_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    AUTOMATION_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    description: str
    rpo_target: _duration_pb2.Duration
    rto_target: _duration_pb2.Duration
    test_interval: _duration_pb2.Duration
    test_schedule: _policies_pb2.TestSchedule
    automation: _policies_pb2.Automation
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., description: _Optional[str] = ..., rpo_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., rto_target: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., test_schedule: _Optional[_Union[_policies_pb2.TestSchedule, _Mapping]] = ..., automation: _Optional[_Union[_policies_pb2.Automation, _Mapping]] = ...) -> None: ...

class GetHealthHistoryRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "start", "end", "step")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    step: _duration_pb2.Duration
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., step: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class HealthPoint(_message.Message):
    __slots__ = ("start", "observed_seconds", "worst_rpo_seconds", "last_rpo_seconds", "within_target_seconds", "link_down_seconds", "worst_metadata_lag_seconds", "protected_vms")
    START_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WORST_RPO_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LAST_RPO_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WITHIN_TARGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LINK_DOWN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WORST_METADATA_LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_VMS_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    observed_seconds: float
    worst_rpo_seconds: float
    last_rpo_seconds: float
    within_target_seconds: float
    link_down_seconds: float
    worst_metadata_lag_seconds: float
    protected_vms: int
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., observed_seconds: _Optional[float] = ..., worst_rpo_seconds: _Optional[float] = ..., last_rpo_seconds: _Optional[float] = ..., within_target_seconds: _Optional[float] = ..., link_down_seconds: _Optional[float] = ..., worst_metadata_lag_seconds: _Optional[float] = ..., protected_vms: _Optional[int] = ...) -> None: ...

class HealthHistory(_message.Message):
    __slots__ = ("group_id", "rpo_target_seconds", "step", "resolution", "points", "site")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    rpo_target_seconds: float
    step: _duration_pb2.Duration
    resolution: str
    points: _containers.RepeatedCompositeFieldContainer[HealthPoint]
    site: str
    def __init__(self, group_id: _Optional[str] = ..., rpo_target_seconds: _Optional[float] = ..., step: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., resolution: _Optional[str] = ..., points: _Optional[_Iterable[_Union[HealthPoint, _Mapping]]] = ..., site: _Optional[str] = ...) -> None: ...

class AlertEvent(_message.Message):
    __slots__ = ("at", "kind", "by", "detail")
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    kind: str
    by: str
    detail: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[str] = ..., by: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("id", "site", "project_id", "group_id", "group_name", "rule", "severity", "subject", "summary", "state", "fired_at", "resolved_at", "acknowledged_at", "acknowledged_by", "history")
    ID_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FIRED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    site: str
    project_id: str
    group_id: str
    group_name: str
    rule: AlertRule
    severity: AlertSeverity
    subject: str
    summary: str
    state: AlertState
    fired_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    acknowledged_at: _timestamp_pb2.Timestamp
    acknowledged_by: str
    history: _containers.RepeatedCompositeFieldContainer[AlertEvent]
    def __init__(self, id: _Optional[str] = ..., site: _Optional[str] = ..., project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., group_name: _Optional[str] = ..., rule: _Optional[_Union[AlertRule, str]] = ..., severity: _Optional[_Union[AlertSeverity, str]] = ..., subject: _Optional[str] = ..., summary: _Optional[str] = ..., state: _Optional[_Union[AlertState, str]] = ..., fired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., history: _Optional[_Iterable[_Union[AlertEvent, _Mapping]]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("project_id", "all_projects", "state", "group_id", "limit", "local_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ALL_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    all_projects: bool
    state: AlertState
    group_id: str
    limit: int
    local_only: bool
    def __init__(self, project_id: _Optional[str] = ..., all_projects: _Optional[bool] = ..., state: _Optional[_Union[AlertState, str]] = ..., group_id: _Optional[str] = ..., limit: _Optional[int] = ..., local_only: _Optional[bool] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "unreachable_sites")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    UNREACHABLE_SITES_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    unreachable_sites: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., unreachable_sites: _Optional[_Iterable[str]] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("project_id", "alert_id", "local_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    alert_id: str
    local_only: bool
    def __init__(self, project_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., local_only: _Optional[bool] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("project_id", "alert_id", "user_id", "comment", "local_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    alert_id: str
    user_id: str
    comment: str
    local_only: bool
    def __init__(self, project_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., user_id: _Optional[str] = ..., comment: _Optional[str] = ..., local_only: _Optional[bool] = ...) -> None: ...

class AlertChannel(_message.Message):
    __slots__ = ("id", "project_id", "name", "kind", "address", "min_severity", "created_at", "secret")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    id: str
    project_id: str
    name: str
    kind: ChannelKind
    address: str
    min_severity: AlertSeverity
    created_at: _timestamp_pb2.Timestamp
    secret: str
    def __init__(self, id: _Optional[str] = ..., project_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[ChannelKind, str]] = ..., address: _Optional[str] = ..., min_severity: _Optional[_Union[AlertSeverity, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class CreateAlertChannelRequest(_message.Message):
    __slots__ = ("project_id", "name", "kind", "address", "min_severity", "secret")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    name: str
    kind: ChannelKind
    address: str
    min_severity: AlertSeverity
    secret: str
    def __init__(self, project_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[ChannelKind, str]] = ..., address: _Optional[str] = ..., min_severity: _Optional[_Union[AlertSeverity, str]] = ..., secret: _Optional[str] = ...) -> None: ...

class ListAlertChannelsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class ListAlertChannelsResponse(_message.Message):
    __slots__ = ("channels",)
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedCompositeFieldContainer[AlertChannel]
    def __init__(self, channels: _Optional[_Iterable[_Union[AlertChannel, _Mapping]]] = ...) -> None: ...

class DeleteAlertChannelRequest(_message.Message):
    __slots__ = ("project_id", "channel_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    channel_id: str
    def __init__(self, project_id: _Optional[str] = ..., channel_id: _Optional[str] = ...) -> None: ...

class DeleteAlertChannelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("id", "alert_id", "channel_id", "event", "state", "attempts", "created_at", "delivered_at", "next_attempt_at", "last_result")
    ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_RESULT_FIELD_NUMBER: _ClassVar[int]
    id: str
    alert_id: str
    channel_id: str
    event: str
    state: str
    attempts: int
    created_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    last_result: str
    def __init__(self, id: _Optional[str] = ..., alert_id: _Optional[str] = ..., channel_id: _Optional[str] = ..., event: _Optional[str] = ..., state: _Optional[str] = ..., attempts: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_result: _Optional[str] = ...) -> None: ...

class ListDeliveriesRequest(_message.Message):
    __slots__ = ("project_id", "channel_id", "alert_id", "limit")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    channel_id: str
    alert_id: str
    limit: int
    def __init__(self, project_id: _Optional[str] = ..., channel_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries",)
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    def __init__(self, deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ...) -> None: ...

class GetComplianceReportRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "start", "end", "local_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    local_only: bool
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_only: _Optional[bool] = ...) -> None: ...

class GroupCompliance(_message.Message):
    __slots__ = ("group_id", "group_name", "rpo_target_seconds", "rpo_compliance_percent", "observed_seconds", "worst_rpo_seconds", "breaches", "breach_seconds", "tests_run", "tests_passed", "last_successful_test_at", "last_successful_test_id", "last_test_rto_seconds", "rto_target_seconds", "rto_met", "readiness", "last_successful_test_age_seconds", "site")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    RPO_TARGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RPO_COMPLIANCE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WORST_RPO_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BREACHES_FIELD_NUMBER: _ClassVar[int]
    BREACH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TESTS_RUN_FIELD_NUMBER: _ClassVar[int]
    TESTS_PASSED_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESSFUL_TEST_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESSFUL_TEST_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_TEST_RTO_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RTO_TARGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RTO_MET_FIELD_NUMBER: _ClassVar[int]
    READINESS_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESSFUL_TEST_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    group_name: str
    rpo_target_seconds: float
    rpo_compliance_percent: float
    observed_seconds: float
    worst_rpo_seconds: float
    breaches: int
    breach_seconds: float
    tests_run: int
    tests_passed: int
    last_successful_test_at: _timestamp_pb2.Timestamp
    last_successful_test_id: str
    last_test_rto_seconds: float
    rto_target_seconds: float
    rto_met: bool
    readiness: str
    last_successful_test_age_seconds: float
    site: str
    def __init__(self, group_id: _Optional[str] = ..., group_name: _Optional[str] = ..., rpo_target_seconds: _Optional[float] = ..., rpo_compliance_percent: _Optional[float] = ..., observed_seconds: _Optional[float] = ..., worst_rpo_seconds: _Optional[float] = ..., breaches: _Optional[int] = ..., breach_seconds: _Optional[float] = ..., tests_run: _Optional[int] = ..., tests_passed: _Optional[int] = ..., last_successful_test_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_successful_test_id: _Optional[str] = ..., last_test_rto_seconds: _Optional[float] = ..., rto_target_seconds: _Optional[float] = ..., rto_met: _Optional[bool] = ..., readiness: _Optional[str] = ..., last_successful_test_age_seconds: _Optional[float] = ..., site: _Optional[str] = ...) -> None: ...

class ComplianceReport(_message.Message):
    __slots__ = ("project_id", "start", "end", "generated_at", "site", "groups", "rpo_compliance_percent", "breaches", "tests_run", "tests_passed", "unreachable_sites")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    RPO_COMPLIANCE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    BREACHES_FIELD_NUMBER: _ClassVar[int]
    TESTS_RUN_FIELD_NUMBER: _ClassVar[int]
    TESTS_PASSED_FIELD_NUMBER: _ClassVar[int]
    UNREACHABLE_SITES_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    generated_at: _timestamp_pb2.Timestamp
    site: str
    groups: _containers.RepeatedCompositeFieldContainer[GroupCompliance]
    rpo_compliance_percent: float
    breaches: int
    tests_run: int
    tests_passed: int
    unreachable_sites: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., generated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site: _Optional[str] = ..., groups: _Optional[_Iterable[_Union[GroupCompliance, _Mapping]]] = ..., rpo_compliance_percent: _Optional[float] = ..., breaches: _Optional[int] = ..., tests_run: _Optional[int] = ..., tests_passed: _Optional[int] = ..., unreachable_sites: _Optional[_Iterable[str]] = ...) -> None: ...
