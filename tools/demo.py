"""`make demo`: the two-site DR demo, driven through the draas command line as a tenant would.

Starts two simulated sites with every draas service as its own process, seeds the tenant
`finance` with VMs on async and sync replicated volume types at site A, protects them in two
failover groups, runs a test failover at site B and cleans it up, then takes site A down,
fails both groups over to site B (unplanned) and prints their reports: RTO, RPO and each VM.
Stops everything it started; exits 0 only if every step did what it should."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.environment import TENANT, VMS, Environment, cli_environment, running_environment
from tools.launcher import LaunchError

DRAAS = str(Path(sys.executable).with_name("draas"))
READY_SECONDS = 120.0


class DemoFailed(Exception):
    """A step did not do what it should; the message says which."""


class Tenant:
    """Runs the draas command as the tenant, printing each command and what it printed."""

    def __init__(self, environment: Environment) -> None:
        self.env = cli_environment(environment.clouds_yaml)

    def run(self, *args: str, show: bool = True, output: bool = True) -> str:
        """Runs the draas command; `show`: print the command line and (with `output`) what
        it printed."""
        command = ["draas", *args]
        if show:
            print(f"\n$ {shlex.join(command)}", flush=True)
        ran = subprocess.run(
            [DRAAS, *args], env=self.env, capture_output=True, text=True, check=False
        )
        if show and output:
            print(ran.stdout.rstrip(), flush=True)
        if ran.returncode != 0:
            raise DemoFailed(f"{shlex.join(command)} exited {ran.returncode}: {ran.stderr.strip()}")
        return ran.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-f", "json", show=False))


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 86 - len(title)), flush=True)


def protect(tenant: Tenant) -> None:
    section("Protect: two failover groups at site A, replicating to site B")
    tenant.run(
        "--os-cloud", "site-a", "failover-group", "create", "--name", "Finance-Apps",
        "--description", "web and app tier", "--replication-type", "async",
        "--target-site", "site-b", "--rpo-target", "30", "--target-cloud", "site-b",
    )  # fmt: skip
    tenant.run(
        "--os-cloud", "site-a", "failover-group", "create", "--name", "Finance-Database",
        "--description", "the ledger", "--replication-type", "sync", "--target-site", "site-b",
    )  # fmt: skip
    for name, (kind, _, tier) in VMS.items():
        group = "Finance-Apps" if kind == "async" else "Finance-Database"
        tenant.run(
            "--os-cloud", "site-a", "failover-group", "add-vm", "--group", group,
            "--vm", name, "--tier", str(tier), output=name == "web-1",
        )  # fmt: skip
    tenant.run("--os-cloud", "site-a", "failover-group", "list")


def newest(tenant: Tenant, group: str, kind: str) -> str:
    """The id of the group's newest operation of that kind at site B."""
    listed = tenant.json("--os-cloud", "site-b", "operation", "list", "--group", group)
    return str(next(o["id"] for o in listed["operations"] if o["kind"] == kind))


def wait_until_ready(tenant: Tenant, group: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not tenant.json("--os-cloud", "site-b", "readiness", "--group", group)["failover_ready"]:
        if time.monotonic() > deadline:
            tenant.run("--os-cloud", "site-b", "readiness", "--group", group)
            raise DemoFailed(f"{group} was not ready for a failover in {READY_SECONDS:.0f} s")
        time.sleep(1.0)


def test_failover(tenant: Tenant) -> None:
    section("Readiness at site B, then a test failover there and its cleanup")
    for group in ("Finance-Apps", "Finance-Database"):
        wait_until_ready(tenant, group)
    tenant.run("--os-cloud", "site-b", "readiness", "--group", "Finance-Apps")
    tenant.run("--os-cloud", "site-b", "test-failover", "--group", "Finance-Apps", "--wait")
    operation_id = newest(tenant, "Finance-Apps", "test_failover")
    tenant.run("--os-cloud", "site-b", "cleanup", "--operation", operation_id, "--wait")


def disaster(environment: Environment, tenant: Tenant) -> list[str]:
    section("Site A is lost: its cloud and array stop answering, its draas processes die")
    environment.take_down("site-a")
    print("site-a: region down, array-a offline, every draas process of site-a killed")
    section("Unplanned failover of both groups at site B")
    reports = []
    for group in ("Finance-Database", "Finance-Apps"):
        tenant.run(
            "--os-cloud", "site-b", "failover", "--group", group, "--mode", "unplanned", "--wait"
        )  # fmt: skip
        reports.append(newest(tenant, group, "unplanned_failover"))
    return reports


def report(tenant: Tenant, operation_ids: list[str]) -> None:
    section("Reports")
    for operation_id in operation_ids:
        tenant.run("--os-cloud", "site-b", "operation", "report", operation_id)
        found = tenant.json("--os-cloud", "site-b", "operation", "report", operation_id)
        if found["state"] != "succeeded" or not all(vm["recovered"] for vm in found["vms"]):
            raise DemoFailed(f"operation {operation_id} ended {found['state']}")
    tenant.run("--os-cloud", "site-b", "failover-group", "list")


def main() -> int:
    """Runs the demo; 0 if every step did what it should."""
    print(__doc__.split("\n\n")[1], flush=True)
    with tempfile.TemporaryDirectory(prefix="draas-demo-") as scratch:
        try:
            section("Starting two simulated sites, every draas service its own process")
            with running_environment(Path(scratch)) as environment:
                print(environment.describe())
                print(f"tenant {TENANT} at site-a: VMs " + ", ".join(environment.vms))
                tenant = Tenant(environment)
                protect(tenant)
                test_failover(tenant)
                report(tenant, disaster(environment, tenant))
                section("Stopping everything")
        except (LaunchError, DemoFailed) as error:
            print(f"\ndemo failed: {error}", file=sys.stderr)
            return 1
    print("demo complete: every process stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
