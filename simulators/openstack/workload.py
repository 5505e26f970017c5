"""Running servers write to their volumes: every ACTIVE server writes to each attached volume at
the configured rate, through the FlashArray simulator's control API. Paused, suspended, stopped
and building servers do not write; nor does any server of a region that is down (its site is
lost)."""

from __future__ import annotations

import logging
import ssl
import threading
from collections import defaultdict

from simulators.flasharray.control_client import SimulatorControl
from simulators.openstack.backends import BackendError
from simulators.openstack.compute import refresh
from simulators.openstack.store import Store

log = logging.getLogger(__name__)


class Workload:
    def __init__(self, store: Store, interval: float = 0.1) -> None:
        self.store = store
        self.interval = interval
        self.writes_per_second = 0.0
        self.write_size = 4096
        # While the region is down, its servers are gone with it.
        self.paused = False
        self._owed: dict[tuple[str, str], float] = defaultdict(float)
        self._controls: dict[str, SimulatorControl] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="os-sim-workload", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for control in self._controls.values():
            control.close()

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.interval):
            if self.paused:
                continue
            try:
                self.tick(self.interval)
            except Exception as error:
                # Said once per outage (an array offline fails every tick until it is back).
                if not failing:
                    log.warning("servers cannot write to their volumes: %s", error)
                failing = True
            else:
                if failing:
                    log.warning("servers write to their volumes again")
                failing = False

    def tick(self, elapsed: float) -> None:
        """Writes what the running servers owe for `elapsed` seconds."""
        if self.writes_per_second <= 0:
            return
        with self.store.lock:
            targets = []
            for server in self.store.servers.values():
                refresh(server)
                if server.vm_state != "active":
                    continue
                for attached in server.volumes:
                    volume = self.store.volumes.get(attached.volume_id)
                    backend = self.store.backends.get(volume.backend) if volume else None
                    if volume is not None and backend is not None and volume.provider_id:
                        targets.append((server.id, volume.id, backend, volume.provider_id))
        for server_id, volume_id, backend, provider_id in targets:
            key = (server_id, volume_id)
            self._owed[key] += self.writes_per_second * elapsed
            count = int(self._owed[key])
            if count <= 0:
                continue
            self._owed[key] -= count
            try:
                where = backend.write_target(provider_id)
                if where is not None:
                    address, array, name = where
                    self._control(address, backend.ca_file).write(
                        array, name, count, self.write_size
                    )
            except (BackendError, RuntimeError, OSError) as error:
                log.debug("workload write to %s failed: %s", provider_id, error)

    def _control(self, address: str, ca_file: str | None) -> SimulatorControl:
        if address not in self._controls:
            verify: bool | ssl.SSLContext = (
                ssl.create_default_context(cafile=ca_file) if ca_file else False
            )
            self._controls[address] = SimulatorControl(f"https://{address}", verify=verify)
        return self._controls[address]
