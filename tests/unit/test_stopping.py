"""A process stops on SIGTERM whichever of its threads the kernel delivers the signal to."""

from __future__ import annotations

import subprocess
import sys

from tools.launcher import REPO_ROOT

# SIGTERM sent to a worker thread while the main thread waits, as the kernel may deliver it to
# any thread of a process.
SCRIPT = """
import signal, threading, time
from common.stopping import wait_for_stop
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
def worker():
    time.sleep(0.3)  # the main thread is waiting by then
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
threading.Thread(target=worker).start()
wait_for_stop(stop)
print("stopped")
"""


def test_a_sigterm_delivered_to_another_thread_still_stops_the_main_thread():
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "stopped"), ran.stderr
