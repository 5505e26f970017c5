"""How long the draas command takes, as a user runs it: a new process each time.

    python -m bench.cli [--runs 20] [--groups 10]

- `draas --help` (no network): the cost of starting Python and importing the command. Bound:
  0.3 s.
- `draas --os-cloud site-a failover-group list` against `make up`'s environment (both sites,
  every service and gateway a process): authenticating with Keystone, finding the gateway in
  its catalog and listing --groups groups. Bound: 0.6 s.

Each is run --runs times one after the other (after one run to warm the disk cache); prints
p50, p95 and the ratio of p50 to the bound.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.environment import cli_environment, running_environment

HELP_BOUND_SECONDS = 0.3
LIST_BOUND_SECONDS = 0.6


def draas_command() -> list[str]:
    """The installed entry point next to this Python, as `make` installs it."""
    installed = Path(sys.executable).with_name("draas")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "cli"]


def timed_runs(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Seconds per run of the command (each must succeed), after one run not counted."""
    samples = []
    for index in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
        if index:
            samples.append(elapsed)
    return samples


def show(what: str, samples: list[float], bound: float) -> None:
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    p50, p95 = statistics.median(samples), cuts[18]
    print(
        f"  {what:<40} p50 {p50 * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms  "
        f"p50 / bound ({bound:.1f} s): {p50 / bound:.2f}"
    )


def main() -> None:
    """Runs the benchmark and prints its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--groups", type=int, default=10)
    args = parser.parse_args()
    draas = draas_command()
    with tempfile.TemporaryDirectory() as tmp, running_environment(Path(tmp)) as environment:
        env = cli_environment(environment.clouds_yaml)
        for index in range(args.groups):
            subprocess.run(
                [
                    *draas, "--os-cloud", "site-a", "failover-group", "create",
                    "--name", f"bench-{index}", "--replication-type", "async",
                    "--target-site", "site-b", "--rpo-target", "60", "--target-cloud", "site-b",
                ],
                env=env, capture_output=True, check=True,
            )  # fmt: skip
        helped = timed_runs([*draas, "--help"], env, args.runs)
        listed = timed_runs(
            [*draas, "--os-cloud", "site-a", "failover-group", "list"], env, args.runs
        )
    print(f"draas, a new process per run, {args.runs} runs each ({args.groups} groups listed):")
    show("draas --help", helped, HELP_BOUND_SECONDS)
    show("draas failover-group list", listed, LIST_BOUND_SECONDS)


if __name__ == "__main__":
    main()
