"""Waiting for a stop signal in a process with many threads."""

from __future__ import annotations

import threading

# How soon the main thread notices a stop that a signal handler asked for.
POLL_SECONDS = 0.5


def wait_for_stop(stop: threading.Event) -> None:
    """Returns once `stop` is set, by a signal handler or anyone.

    Not `stop.wait()`: the kernel may deliver SIGTERM to any thread (a gRPC or HTTP worker),
    and then the main thread, blocked in a lock wait that only a signal to itself interrupts,
    would not run the handler, which Python runs only in the main thread, until it woke for
    another reason: the process would ignore SIGTERM. Waking every POLL_SECONDS lets it run.
    """
    while not stop.wait(POLL_SECONDS):
        pass
