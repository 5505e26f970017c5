"""`make demo`. The two-site DR demo needs the simulators, the gateway and the CLI, which are
not built yet; until they are, this says so and shows what does run: one site's four services
as separate processes, their health as the orchestrator sees it, and a clean stop."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tools.launcher import LaunchError, LocalSite, format_status

NOT_YET = """\
The two-site demo is not built yet. It will: start two simulated sites (FlashArrays and
OpenStack clouds), seed a tenant with VMs on async and sync replicated volume types, create
failover groups through the draas CLI, run a test failover and its cleanup, take site A down,
run an unplanned failover and print its report (RTO, RPO, per VM).

What runs today: one site's metadata, storage, compute and orchestrator services.
"""


def main() -> int:
    """Starts one site, prints its status, stops it; exit 0 only if all went well."""
    print(NOT_YET)
    with tempfile.TemporaryDirectory(prefix="draas-demo-") as state_dir:
        site = LocalSite("site-a", Path(state_dir))
        try:
            site.start()
        except LaunchError as error:
            print(f"demo: {error}", file=sys.stderr)
            return 1
        try:
            for name, process in site.processes.items():
                print(f"started {name:<13} on {process.address}")
            status = site.system_status()
            print(format_status(status))
        finally:
            codes = site.stop()
        print("stopped: " + ", ".join(f"{name} exit {code}" for name, code in codes.items()))
    return 0 if status.healthy and not any(codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
