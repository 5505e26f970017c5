"""The objects a simulated array holds. Stretched pods share their volume objects between the
arrays of the pod; replicas share journal points with what they were replicated from."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from simulators.flasharray.journal import Journal, JournalPoint

ERADICATION_DELAY_S = 24 * 3600.0


def new_id() -> str:
    return str(uuid.uuid4())


def new_serial() -> str:
    return secrets.token_hex(12).upper()


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


def ref(name: str | None, object_id: str | None = None) -> dict[str, Any]:
    """A reference to another object; to none, a reference whose id and name are null (as
    arrays answer, and as clients read them unguarded: `volume.source.name`)."""
    if name is None:
        return {"id": None, "name": None}
    return {"id": object_id or "", "name": name}


@dataclass(eq=False)
class Destroyable:
    """Destroy / recover / eradicate lifecycle: a destroyed object can be recovered until its
    time runs out, then it is eradicated."""

    destroyed_at: float | None = field(default=None, kw_only=True)

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None

    def time_remaining(self, now: float) -> int | None:
        if self.destroyed_at is None:
            return None
        return max(0, int((self.destroyed_at + ERADICATION_DELAY_S - now) * 1000))

    def expired(self, now: float) -> bool:
        return self.destroyed_at is not None and now >= self.destroyed_at + ERADICATION_DELAY_S


@dataclass(eq=False)
class Volume(Destroyable):
    name: str
    provisioned: int
    created: float
    journal: Journal
    source: str | None = None
    pod: str | None = None
    qos: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    serial: str = field(default_factory=new_serial)


@dataclass(eq=False)
class VolumeSnapshot(Destroyable):
    name: str
    suffix: str
    source: str
    source_id: str
    provisioned: int
    created: float
    point: JournalPoint
    pod: str | None = None
    id: str = field(default_factory=new_id)
    serial: str = field(default_factory=new_serial)


@dataclass(eq=False)
class Target:
    """A protection group's target array; both arrays see the same object."""

    array: str
    allowed: bool = False


@dataclass(eq=False)
class ProtectionGroup(Destroyable):
    name: str
    created: float
    source_array: str
    is_local: bool = True
    volumes: list[Volume] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    replication_schedule: dict[str, Any] = field(
        default_factory=lambda: {
            "enabled": False,
            "frequency": 14400000,
            "at": None,
            "blackout": {"start": None, "end": None},
        }
    )
    snapshot_schedule: dict[str, Any] = field(
        default_factory=lambda: {"enabled": False, "frequency": 3600000, "at": None}
    )
    source_retention: dict[str, Any] = field(
        default_factory=lambda: {"all_for_sec": 86400, "per_day": 4, "days": 7}
    )
    target_retention: dict[str, Any] = field(
        default_factory=lambda: {"all_for_sec": 86400, "per_day": 4, "days": 7}
    )
    # For a replica (is_local False): the protection group it replicates.
    replica_of: ProtectionGroup | None = None
    # Per target, each volume's bytes already sent (by volume id): the next transfer sends the rest.
    sent_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    next_suffix: int = 1
    last_scheduled: float | None = None
    last_snapshot_at: float = 0.0
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class SnapshotSource:
    """What a protection-group snapshot holds of one volume."""

    volume_name: str
    volume_id: str
    provisioned: int
    point: JournalPoint


@dataclass(eq=False)
class Transfer:
    """One snapshot travelling to one target array."""

    source_array: str
    target_array: str
    started: float
    total_bytes: int
    # Each volume's data as of the snapshot, by the volume's name without its pod.
    points: dict[str, SnapshotSource]
    done_bytes: float = 0.0
    completed: float | None = None

    @property
    def progress(self) -> float:
        if self.completed is not None:
            return 1.0
        if self.total_bytes <= 0:
            return 0.99
        return min(0.99, self.done_bytes / self.total_bytes)


@dataclass(eq=False)
class ProtectionGroupSnapshot(Destroyable):
    name: str
    suffix: str
    group: ProtectionGroup
    # When the source array took it (a replica keeps the source's time).
    created: float
    volume_snapshot_names: list[str] = field(default_factory=list)
    # Source side: one per target; target side: the one that brings it.
    transfers: dict[str, Transfer] = field(default_factory=dict)
    for_replication: bool = False
    id: str = field(default_factory=new_id)


@dataclass(eq=False)
class Pod(Destroyable):
    name: str
    created: float
    arrays: list[str]
    failover_preferences: list[str] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    frozen_at: dict[str, float] = field(default_factory=dict)
    # What an offline side still holds: volume id -> point, frozen when it went offline.
    frozen_points: dict[str, dict[str, JournalPoint]] = field(default_factory=dict)
    resync_until: dict[str, float] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    def preferred(self, candidates: list[str]) -> str:
        """The array that keeps serving when the others cannot reach it."""
        for name in self.failover_preferences + self.arrays:
            if name in candidates:
                return name
        return candidates[0]


@dataclass(eq=False)
class Host(Destroyable):
    name: str
    iqns: list[str] = field(default_factory=list)
    wwns: list[str] = field(default_factory=list)
    nqns: list[str] = field(default_factory=list)
    personality: str | None = None
    chap: dict[str, Any] = field(default_factory=dict)
    # The host group it belongs to, if any.
    group: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(eq=False)
class HostGroup:
    """Hosts that share their volume connections (a cluster)."""

    name: str
    id: str = field(default_factory=new_id)


@dataclass(eq=False)
class HostConnection:
    host: Host
    volume: Volume
    lun: int


@dataclass(eq=False)
class HostGroupConnection:
    """A volume connected to every host of a group, at one LUN."""

    group: HostGroup
    volume: Volume
    lun: int
