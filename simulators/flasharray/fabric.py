"""The simulated arrays and what connects them: links with bandwidth and latency, a fabric-wide
write sequence, and one lock that every request and the replication engine take."""

from __future__ import annotations

import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from simulators.flasharray.errors import ArrayApiError, does_not_exist
from simulators.flasharray.journal import Journal, JournalPoint, Write
from simulators.flasharray.objects import (
    Host,
    HostConnection,
    HostGroup,
    HostGroupConnection,
    Pod,
    ProtectionGroup,
    ProtectionGroupSnapshot,
    Volume,
    VolumeSnapshot,
    new_id,
)

ASYNC: Final = "async-replication"
SYNC: Final = "sync-replication"
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")


def check_name(kind: str, name: str) -> None:
    """Names are 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit.

    :raises ArrayApiError: for any other name.
    """
    if not _NAME.match(name):
        raise ArrayApiError(
            f"Invalid {kind} name. Names must be 1-63 characters: letters, numbers, '-' or '_', "
            "beginning and ending with a letter or number.",
            name,
        )


@dataclass(eq=False)
class ErrorInjection:
    """Answer some calls with an error: the next `remaining` calls, or each with `rate`."""

    status: int
    message: str
    remaining: int | None = None
    rate: float | None = None
    path_contains: str = ""

    def fires(self, path: str, draw: Callable[[], float]) -> bool:
        if self.path_contains and self.path_contains not in path:
            return False
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
        return self.rate is not None and draw() < self.rate


@dataclass(eq=False)
class SimArray:
    """One simulated FlashArray: its objects, sessions and fault settings."""

    name: str
    api_token: str
    id: str = field(default_factory=new_id)
    version: str = "6.6.10"
    capacity: int = 500 * 2**40
    connection_key: str = field(default_factory=lambda: secrets.token_hex(16))
    management_address: str = ""
    volumes: dict[str, Volume] = field(default_factory=dict)
    volume_snapshots: dict[str, VolumeSnapshot] = field(default_factory=dict)
    protection_groups: dict[str, ProtectionGroup] = field(default_factory=dict)
    pg_snapshots: dict[str, ProtectionGroupSnapshot] = field(default_factory=dict)
    pods: dict[str, Pod] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)
    host_connections: list[HostConnection] = field(default_factory=list)
    host_groups: dict[str, HostGroup] = field(default_factory=dict)
    host_group_connections: list[HostGroupConnection] = field(default_factory=list)
    # (collection, object id) -> (namespace, key) -> tag (simulators/flasharray/tags.py)
    tags: dict[tuple[str, str], dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    sessions: set[str] = field(default_factory=set)
    online: bool = True
    latency_s: float = 0.0
    injection: ErrorInjection | None = None

    def volume(self, name: str) -> Volume:
        """:raises ArrayApiError: when there is no such volume."""
        try:
            return self.volumes[name]
        except KeyError:
            raise does_not_exist("Volume", name) from None


@dataclass(eq=False)
class Link:
    """The replication link between two arrays (one per connected pair)."""

    arrays: frozenset[str]
    type: str = SYNC
    up: bool = True
    bandwidth_bytes_per_s: float = 1e9
    latency_s: float = 0.001


class Fabric:
    """Every simulated array of a process, the links between them, and the write sequence."""

    def __init__(self, clock: Callable[[], float] = time.time, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.arrays: dict[str, SimArray] = {}
        self.links: dict[frozenset[str], Link] = {}
        self._sequence = 0
        self._random = random.Random(seed)  # noqa: S311 - fault injection, not cryptography

    def now(self) -> float:
        return self.clock()

    def draw(self) -> float:
        """A random number for error injection rates."""
        return self._random.random()

    def add_array(self, name: str, api_token: str) -> SimArray:
        check_name("array", name)
        if name in self.arrays:
            raise ValueError(f"array {name} is configured twice")
        array = SimArray(name, api_token)
        self.arrays[name] = array
        return array

    def array(self, name: str) -> SimArray:
        """:raises ArrayApiError: when there is no such array."""
        try:
            return self.arrays[name]
        except KeyError:
            raise does_not_exist("Array", name) from None

    def connect(self, a: str, b: str, link_type: str = SYNC, **settings: float) -> Link:
        """Connects two arrays (both sides see an array connection)."""
        self.array(a), self.array(b)
        if a == b:
            raise ArrayApiError("An array cannot connect to itself.", a)
        key = frozenset((a, b))
        link = self.links.get(key) or Link(key, link_type)
        link.type = link_type
        for name, value in settings.items():
            setattr(link, name, value)
        self.links[key] = link
        return link

    def link(self, a: str, b: str) -> Link | None:
        return self.links.get(frozenset((a, b)))

    def reachable(self, a: str, b: str) -> bool:
        """Both arrays up and the link between them up."""
        link = self.link(a, b)
        return link is not None and link.up and self.arrays[a].online and self.arrays[b].online

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def unique_pods(self) -> Iterator[Pod]:
        seen: set[str] = set()
        for array in self.arrays.values():
            for pod in array.pods.values():
                if pod.id not in seen:
                    seen.add(pod.id)
                    yield pod

    def pod_serves(self, pod: Pod, array_name: str) -> bool:
        return pod.status.get(array_name) == "online"

    def volume_point(self, array: SimArray, volume: Volume) -> JournalPoint:
        """What the volume holds as seen on this array: for a pod whose side here is not
        serving, the data frozen when it stopped."""
        if volume.pod is not None:
            pod = array.pods.get(volume.pod)
            if pod is not None and not self.pod_serves(pod, array.name):
                frozen = pod.frozen_points.get(array.name, {})
                return frozen.get(volume.id, Journal().point())
        return volume.journal.point()

    def write(self, array_name: str, volume_name: str, count: int, size: int) -> list[Write]:
        """Writes to a volume as a host on that array would.

        :raises ArrayApiError: when the array is down, the volume missing or destroyed, or its
            pod not serving on this array.
        """
        array = self.array(array_name)
        if not array.online:
            raise ArrayApiError("Array is offline.", array_name)
        volume = array.volume(volume_name)
        if volume.destroyed:
            raise ArrayApiError("Volume has been destroyed.", volume_name)
        if volume.pod is not None and not self.pod_serves(array.pods[volume.pod], array_name):
            raise ArrayApiError(f"Pod {volume.pod} is not online on this array.", volume_name)
        now = self.now()
        return [volume.journal.append(self.next_sequence(), now, size) for _ in range(count)]
