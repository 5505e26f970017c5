"""Background work of the simulated services (what real Cinder and Nova do after answering
202): tasks with the same key run one after another in submission order, different keys in
parallel, all outside the region's lock."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class KeyedWorker:
    def __init__(self, workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="os-sim-work")
        self._queues: dict[str, deque[Callable[[], None]]] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, key: str, task: Callable[[], None]) -> None:
        """Runs task after every earlier task with the same key."""
        with self._lock:
            queue = self._queues.get(key)
            if queue is not None:
                queue.append(task)
                return
            self._queues[key] = deque()
        self._pool.submit(self._run, key, task)

    def _run(self, key: str, task: Callable[[], None]) -> None:
        while True:
            try:
                task()
            except Exception:
                log.exception("background task for %s failed", key)
            with self._lock:
                queue = self._queues[key]
                if not queue:
                    del self._queues[key]
                    self._idle.notify_all()
                    return
                task = queue.popleft()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Waits until nothing is queued or running (for orderly shutdown and tests)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._queues, timeout)

    def close(self) -> None:
        self.wait_idle()
        self._pool.shutdown(wait=True)
