"""`make up`: starts one site's services and leaves them running until Ctrl-C.

Environment: DRAAS_UP_SITE (default site-a), DRAAS_UP_BASE_PORT (default 50051: metadata,
storage, compute and orchestrator on that port and the next three), DRAAS_UP_STATE_DIR
(default var/).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from tools.launcher import REPO_ROOT, LaunchError, LocalSite, format_status


def main() -> int:
    """Starts the site, prints where everything is, and waits for Ctrl-C or SIGTERM."""
    site_name = os.environ.get("DRAAS_UP_SITE", "site-a")
    base_port = int(os.environ.get("DRAAS_UP_BASE_PORT", "50051"))
    state_dir = Path(os.environ.get("DRAAS_UP_STATE_DIR", REPO_ROOT / "var")).resolve()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    site = LocalSite(site_name, state_dir, base_port)
    try:
        site.start()
    except LaunchError as error:
        print(f"make up: {error}", file=sys.stderr)
        return 1
    try:
        print(f"draas {site_name} is up (state and logs in {state_dir / site_name}):")
        for name, process in site.processes.items():
            print(f"  {name:<13} {process.address}   pid {process.process.pid}")
        print(format_status(site.system_status()))
        print("Ctrl-C stops everything.")
        stop.wait()
    finally:
        codes = site.stop()
        print("stopped: " + ", ".join(f"{name} exit {code}" for name, code in codes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
