"""The background work of the arrays: scheduled replication, transfers moving at the link's
bandwidth, retention, pod resync, and eradication of objects whose time ran out."""

from __future__ import annotations

import logging
import threading
from collections import Counter

from simulators.flasharray import pods, protection
from simulators.flasharray.fabric import Fabric, SimArray
from simulators.flasharray.objects import ProtectionGroup, Transfer
from simulators.flasharray.volumes import drop_volume

log = logging.getLogger(__name__)


class ReplicationEngine:
    """Ticks every `interval` seconds, under the fabric lock."""

    def __init__(self, fabric: Fabric, interval: float = 0.02) -> None:
        self.fabric = fabric
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_tick = fabric.now()
        self._last_sweep = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fa-sim-replication", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:
                log.exception("replication tick failed")

    def tick(self) -> None:
        """One step of everything that happens by itself on the arrays."""
        with self.fabric.lock:
            now = self.fabric.now()
            elapsed, self._last_tick = max(0.0, now - self._last_tick), now
            for array in self.fabric.arrays.values():
                if array.online:
                    self._run_schedules(array)
            self._move_transfers(elapsed)
            pods.refresh_pods(self.fabric)
            if now - self._last_sweep >= 1.0:
                self._last_sweep = now
                self._eradicate_expired()

    def _run_schedules(self, array: SimArray) -> None:
        now = self.fabric.now()
        for group in list(array.protection_groups.values()):
            schedule = group.replication_schedule
            if not self._scheduled(group) or not schedule.get("frequency"):
                continue
            due = group.last_scheduled is None or (
                now - group.last_scheduled >= schedule["frequency"] / 1000
            )
            if due:
                group.last_scheduled = now
                protection.take_snapshot(self.fabric, array, group, None, replicate=True)
                protection.apply_retention(self.fabric, array, group, group.source_retention)

    @staticmethod
    def _scheduled(group: ProtectionGroup) -> bool:
        return (
            group.is_local
            and not group.destroyed
            and bool(group.replication_schedule.get("enabled"))
            and any(t.allowed for t in group.targets.values())
        )

    def _move_transfers(self, elapsed: float) -> None:
        fabric = self.fabric
        in_flight: list[tuple[Transfer, str]] = []
        for array in fabric.arrays.values():
            for snapshot in array.pg_snapshots.values():
                if snapshot.group.is_local:
                    in_flight += [
                        (t, snapshot.name)
                        for t in snapshot.transfers.values()
                        if t.completed is None
                    ]
        moving = [
            (t, name) for t, name in in_flight if fabric.reachable(t.source_array, t.target_array)
        ]
        sharing = Counter(frozenset((t.source_array, t.target_array)) for t, _ in moving)
        for transfer, name in moving:
            link = fabric.link(transfer.source_array, transfer.target_array)
            assert link is not None
            key = frozenset((transfer.source_array, transfer.target_array))
            transfer.done_bytes += link.bandwidth_bytes_per_s * elapsed / sharing[key]
            arrived = transfer.done_bytes >= transfer.total_bytes
            if arrived and fabric.now() >= transfer.started + link.latency_s:
                target = fabric.arrays[transfer.target_array]
                replica = target.pg_snapshots.get(
                    protection.replica_name(transfer.source_array, name)
                )
                if replica is None:
                    transfer.completed = fabric.now()
                else:
                    protection.complete_transfer(fabric, transfer, replica)

    def _eradicate_expired(self) -> None:
        now = self.fabric.now()
        for array in self.fabric.arrays.values():
            for volume in [v for v in array.volumes.values() if v.expired(now)]:
                drop_volume(self.fabric, array, volume)
            for name in [n for n, s in array.volume_snapshots.items() if s.expired(now)]:
                del array.volume_snapshots[name]
            for snapshot in [s for s in array.pg_snapshots.values() if s.expired(now)]:
                protection.drop_pg_snapshot(array, snapshot)
            for name in [n for n, g in array.protection_groups.items() if g.expired(now)]:
                del array.protection_groups[name]
