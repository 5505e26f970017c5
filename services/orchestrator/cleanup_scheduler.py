"""Cleans up test failovers whose time has come (every replica looks; the idempotency key
makes them agree on one cleanup)."""

from __future__ import annotations

import logging
import threading

from common.errors import DraasError
from services.orchestrator.operations import Operations

log = logging.getLogger(__name__)


class CleanupScheduler:
    """Starts due cleanups every `interval` seconds until stopped."""

    def __init__(self, operations: Operations, interval: float) -> None:
        self.operations = operations
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-cleanup", daemon=True)

    def start(self) -> CleanupScheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def run_once(self) -> list[str]:
        """Starts every due cleanup; returns the operations started."""
        started = []
        for project_id, test_id in self.operations.due_cleanups():
            try:
                started.append(
                    self.operations.start_cleanup(project_id, test_id, f"auto-cleanup-{test_id}")
                )
                log.info("cleaning up test failover %s automatically", test_id)
            except DraasError as error:
                log.warning("could not clean up test failover %s: %s", test_id, error)
        return started

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                log.exception("the cleanup scheduler failed; trying again")
