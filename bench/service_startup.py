"""How fast a site's services come back: process start to serving, and health-check round trips.

    python -m bench.service_startup [--rounds N] [--checks N]

A crashed or upgraded service is back when it serves again, so this is the floor under every
recovery the orchestrator resumes. Prints per-service start times (median and worst over the
rounds) and the orchestrator's GetSystemStatus latency as the caller sees it, beside the sum
and the maximum of the four dependency checks it makes: checks run in parallel when the call
takes less than their sum.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tools.launcher import SERVICES, LocalSite


def main() -> None:
    """Runs the benchmark and prints its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=50)
    args = parser.parse_args()
    starts: dict[str, list[float]] = {name: [] for name in SERVICES}
    status_ms: list[float] = []
    sum_ms: list[float] = []
    max_ms: list[float] = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as state_dir:
            site = LocalSite("bench", Path(state_dir))
            started = time.time()
            site.start()
            try:
                for name in SERVICES:
                    starts[name].append(site.processes[name].port_file.stat().st_mtime - started)
                for _ in range(args.checks):
                    t0 = time.monotonic()
                    status = site.system_status()
                    status_ms.append((time.monotonic() - t0) * 1000)
                    checks = [d.latency.ToNanoseconds() / 1e6 for d in status.dependencies]
                    sum_ms.append(sum(checks))
                    max_ms.append(max(checks))
            finally:
                site.stop()
    print(f"site start to serving, {args.rounds} rounds (s):  median   worst")
    for name, values in starts.items():
        print(f"  {name:<36} {statistics.median(values):6.2f}  {max(values):6.2f}")
    p95 = statistics.quantiles(status_ms, n=20)[-1]
    print(
        f"GetSystemStatus, {len(status_ms)} calls: median {statistics.median(status_ms):.1f} ms,"
        f" p95 {p95:.1f} ms; its dependency checks: sum {statistics.median(sum_ms):.1f} ms,"
        f" slowest {statistics.median(max_ms):.1f} ms (medians)"
    )


if __name__ == "__main__":
    main()
