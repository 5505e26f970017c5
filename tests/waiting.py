"""Waiting for something another thread or process does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(probe: Callable[[], Any], timeout: float = 60.0, interval: float = 0.02) -> Any:
    """Calls `probe` until it returns something true, and returns that.

    :raises AssertionError: when `timeout` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
