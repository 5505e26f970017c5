"""The storage service's domain types, independent of protobuf and of any array vendor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ReplicationType(StrEnum):
    ASYNC = "async"
    SYNC = "sync"


class LinkState(StrEnum):
    CONNECTED = "connected"
    DEGRADED = "degraded"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class GroupRef:
    """A failover group and where it replicates."""

    group_id: str
    replication_type: ReplicationType
    source_array: str
    target_array: str
    pod_name: str = ""

    def reversed(self) -> GroupRef:
        return GroupRef(
            self.group_id,
            self.replication_type,
            self.target_array,
            self.source_array,
            self.pod_name,
        )


@dataclass(frozen=True)
class Retention:
    all_for_seconds: int
    per_day: int
    days: int


@dataclass(frozen=True)
class ProtectedVolume:
    name: str
    provisioned_bytes: int


@dataclass(frozen=True)
class Protection:
    """What protects a group on its arrays now."""

    group: GroupRef
    protection_group_name: str = ""
    replication_interval_seconds: float = 0.0
    retention: Retention | None = None
    volumes: list[ProtectedVolume] = field(default_factory=list)
    target_ready: bool = False


@dataclass(frozen=True)
class RecoveryPoint:
    id: str
    group_id: str
    replication_type: ReplicationType
    created_at: datetime
    completed_at: datetime | None
    progress: float
    source_array: str
    target_array: str


@dataclass(frozen=True)
class PodArrayState:
    array: str
    status: str
    frozen_at: datetime | None


@dataclass(frozen=True)
class ReplicationState:
    group: GroupRef
    link: LinkState
    source_reachable: bool
    target_reachable: bool
    newest: RecoveryPoint | None
    age_seconds: float | None
    within_rpo_target: bool
    lag_beyond_rpo_seconds: float
    in_flight: list[RecoveryPoint] = field(default_factory=list)
    pod_name: str = ""
    pod_arrays: list[PodArrayState] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecoveredVolume:
    source_volume_name: str
    name: str
    array: str
    provisioned_bytes: int


@dataclass(frozen=True)
class Recovery:
    point: RecoveryPoint
    volumes: list[RecoveredVolume]


@dataclass(frozen=True)
class ArrayHealth:
    name: str
    address: str
    reachable: bool
    array_id: str = ""
    version: str = ""
    error: str = ""


@dataclass(frozen=True)
class DestroyResult:
    destroyed: list[str]
    absent: list[str]
