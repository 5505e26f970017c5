"""The draas command against both sites running as processes (every draas service and each
site's gateway; site A on SQLite, site B on PostgreSQL), as a tenant uses it: clouds.yaml and
--os-cloud, the gateway found in each site's Keystone catalog. Every command is run, a group
goes through its whole lifecycle, and refusals come back as clear errors with their exit
codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulators.lab import USER_PASSWORD, TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.waiting import wait_until
from tools import tenant_vms
from tools.environment import cli_environment
from tools.process_sites import ProcessSite, running_process_sites

TENANT, OTHER = "tenant4", "tenant1"
DRAAS = str(Path(sys.executable).with_name("draas"))


@pytest.fixture(scope="module")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=[TENANT, OTHER], boot_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def sites(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, ProcessSite]]:
    state = tmp_path_factory.mktemp("cli")
    with (
        mixed_site_databases(state) as databases,
        running_process_sites(lab, state, databases, gateways=True) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def clouds_yaml(lab: TwoSiteLab, tmp_path_factory: Any) -> Path:
    """Clouds for tenant4's member at each site, its reader and another tenant at site B, a
    wrong password, and site A's admin."""
    a, b = lab.regions["site-a"], lab.regions["site-b"]
    clouds = {
        "site-a": a.cloud(f"{TENANT}-user", USER_PASSWORD, TENANT),
        "site-b": b.cloud(f"{TENANT}-user", USER_PASSWORD, TENANT),
        "site-b-reader": b.cloud(f"{TENANT}-reader", USER_PASSWORD, TENANT),
        "site-b-other": b.cloud(f"{OTHER}-user", USER_PASSWORD, OTHER),
        "site-a-wrong": a.cloud(f"{TENANT}-user", "not-the-password", TENANT),
        "site-a-admin": a.cloud("admin", a.config.admin_password, "admin"),
    }
    return a.write_clouds_yaml(tmp_path_factory.mktemp("clouds") / "clouds.yaml", clouds)


@pytest.fixture(scope="module")
def vms(lab: TwoSiteLab, sites: dict[str, ProcessSite]) -> dict[str, Any]:
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.60.0.0/24", "cli")
    return {
        name: tenant_vms.make_vm(conn, network, f"{TENANT}-async", volumes, name)
        for name, volumes in (("cli-web", 2), ("cli-app", 1), ("cli-spare", 1))
    }


class Draas:
    """Runs the draas command as the tenant would, from a shell with OS_CLIENT_CONFIG_FILE."""

    def __init__(self, clouds_yaml: Path) -> None:
        self.env = cli_environment(clouds_yaml)

    def __call__(self, cloud: str, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        ran = subprocess.run(
            [DRAAS, "--os-cloud", cloud, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert ran.returncode == code, (
            f"{args} exited {ran.returncode}:\n{ran.stdout}\n{ran.stderr}"
        )
        assert "Traceback" not in ran.stderr, ran.stderr
        return ran

    def json(self, cloud: str, *args: str) -> Any:
        return json.loads(self(cloud, *args, "-f", "json").stdout)

    def error(self, cloud: str, *args: str, code: int = 1) -> str:
        """The one-line error of a refused command."""
        ran = self(cloud, *args, code=code)
        lines = ran.stderr.strip().splitlines()
        assert lines[-1].startswith("draas: "), ran.stderr
        return lines[-1]


@pytest.fixture(scope="module")
def draas(clouds_yaml: Path) -> Draas:
    return Draas(clouds_yaml)


def test_a_group_goes_through_its_lifecycle_with_every_command(draas, vms, sites):
    # The first group links the tenant's projects at both sites: only with proof of the one at
    # site B (a token of site B's cloud).
    unproven = draas.error(
        "site-a", "failover-group", "create", "--name", "CLI-Apps", "--replication-type",
        "async", "--target-site", "site-b", "--rpo-target", "30",
    )  # fmt: skip
    assert "is not linked to a project at site-b" in unproven, unproven
    assert "--target-cloud" in unproven, unproven
    made = draas.json(
        "site-a", "failover-group", "create", "--name", "CLI-Apps", "--description",
        "web and app", "--replication-type", "async", "--target-site", "site-b",
        "--rpo-target", "30", "--target-cloud", "site-b",
    )  # fmt: skip
    assert (made["name"], made["state"], made["rpo_target"]) == ("CLI-Apps", "protected", 30.0)
    draas(
        "site-a",
        "failover-group",
        "add-vm",
        "--group",
        "CLI-Apps",
        "--vm",
        "cli-web",
        "--tier",
        "2",
    )
    draas("site-a", "failover-group", "add-vm", "--group", made["id"], "--vm", vms["cli-app"].id)
    draas("site-a", "failover-group", "add-vm", "--group", "CLI-Apps", "--vm", "cli-spare")
    # Split off into a group of its own, then that group deleted: the VM is protected no more.
    alone = draas.json(
        "site-a", "failover-group", "split", "--group", "CLI-Apps", "--vm", "cli-spare",
        "--name", "CLI-Spare",
    )  # fmt: skip
    assert [vm["name"] for vm in alone["vms"]] == ["cli-spare"] and alone["split_from"] == made[
        "id"
    ]
    assert "split_from" in draas("site-a", "failover-group", "show", "CLI-Spare").stdout
    assert "every VM" in draas.error(
        "site-a", "failover-group", "split", "--group", "CLI-Spare", "--vm", "cli-spare"
    )
    draas("site-a", "failover-group", "delete", "CLI-Spare")
    shown = draas.json("site-a", "failover-group", "show", "CLI-Apps")
    assert sorted((vm["name"], vm["tier"]) for vm in shown["vms"]) == [
        ("cli-app", 1),
        ("cli-web", 2),
    ]
    listed = draas("site-a", "failover-group", "list").stdout
    assert "CLI-Apps" in listed and "protected" in listed
    # The site's own health: for its admin only.
    status = draas.json("site-a-admin", "site", "status")
    assert status["healthy"] and status["site"] == "site-a", status
    assert "compute" in draas("site-a-admin", "site", "status").stdout
    assert "only an admin may" in draas.error("site-a", "site", "status")
    # Every VM of the project and its protection.
    table = draas("site-a", "vm", "list").stdout
    assert "protected in CLI-Apps (tier 2)" in table and "cli-web" in table, table
    spare = next(v for v in draas.json("site-a", "vm", "list")["vms"] if v["name"] == "cli-spare")
    assert (spare["state"], spare["eligible_for"]) == ("eligible", ["async"]), spare

    # At the target site: ready, points to recover from, replication healthy.
    wait_until(
        lambda: draas.json("site-b", "readiness", "--group", "CLI-Apps")["failover_ready"],
        timeout=90,
    )
    assert "replicated_within_rpo" in draas("site-b", "readiness", "--group", "CLI-Apps").stdout
    points = draas.json("site-b", "recovery-points", "--group", "CLI-Apps")["recovery_points"]
    complete = [p for p in points if p["progress"] == 1.0]
    assert (
        complete
        and complete[0]["id"] in draas("site-b", "recovery-points", "--group", "CLI-Apps").stdout
    )
    health = draas.json("site-b", "replication-health", "--group", "CLI-Apps")
    assert health["storage_link_up"] and health["within_rpo_target"]
    assert "storage_link_up" in draas("site-b", "replication-health", "--group", "CLI-Apps").stdout

    # A test failover from a chosen point, followed live, then cleaned up.
    tested = draas(
        "site-b", "test-failover", "--group", "CLI-Apps", "--recovery-point",
        complete[0]["id"], "--wait",
    ).stdout  # fmt: skip
    assert "ended succeeded" in tested and "RTO" in tested
    assert "cli-web" in tested and "boot_server" in tested
    operations = draas.json("site-b", "operation", "list", "--group", "CLI-Apps")["operations"]
    test_id = operations[0]["id"]
    assert operations[0]["kind"] == "test_failover"
    assert draas.json("site-b", "operation", "show", test_id)["state"] == "succeeded"
    listed_operations = draas("site-b", "operation", "list").stdout
    assert test_id in listed_operations and "CLI-Apps" in listed_operations
    watched = draas("site-b", "operation", "watch", test_id).stdout
    assert "verify_server" in watched and "ended succeeded" in watched
    report = draas.json("site-b", "operation", "report", test_id)
    assert report["recovery_point"]["id"] == complete[0]["id"]
    assert report["rto"] > 0
    assert re.search(
        r"^rto\s+\d+\.\ds$", draas("site-b", "operation", "report", test_id).stdout, re.M
    )
    cleaned = draas("site-b", "cleanup", "--operation", test_id, "--wait").stdout
    assert "test_cleanup" in cleaned and "ended succeeded" in cleaned
    # A test of one VM of the group, named by name: it alone is recovered.
    assert "no VM with the id or name 'nope'" in draas.error(
        "site-b", "test-failover", "--group", "CLI-Apps", "--vm", "nope"
    )
    one = draas.json("site-b", "test-failover", "--group", "CLI-Apps", "--vm", "cli-app", "--wait")
    assert one["partial"] and [v["name"] for v in one["vms"]] == ["cli-app"], one
    assert "yes: only the VMs below" in draas("site-b", "operation", "show", one["id"]).stdout
    draas("site-b", "cleanup", "--operation", one["id"], "--wait")

    # Planned failover to site B, reprotect there, failback home: each refused where it does
    # not belong first.
    refused = draas.error("site-b", "failback", "--group", "CLI-Apps")
    assert "409" in refused and "site-a" in refused
    failed_over = draas.json(
        "site-b", "failover", "--group", "CLI-Apps", "--mode", "planned", "--quiesce", "--wait"
    )
    assert (failed_over["kind"], failed_over["state"]) == ("planned_failover", "succeeded")
    assert "failed_over" in draas("site-b", "failover-group", "show", "CLI-Apps").stdout
    reprotected = draas(
        "site-b", "reprotect", "--group", "CLI-Apps", "--method", "retype", "--target", "async",
        "--wait",
    ).stdout  # fmt: skip
    assert "reprotect" in reprotected and "ended succeeded" in reprotected
    failed_back = draas("site-a", "failback", "--group", "CLI-Apps", "--wait").stdout
    assert "ended succeeded" in failed_back
    home = draas.json("site-a", "failover-group", "show", "CLI-Apps")
    assert (home["source_site"], home["state"]) == ("site-a", "protected")

    draas("site-a", "failover-group", "delete", "CLI-Apps")
    assert "404" in draas.error("site-a", "failover-group", "show", made["id"])


def test_refusals_are_one_clear_line_with_their_exit_code(draas, sites):
    group = draas.json(
        "site-a", "failover-group", "create", "--name", "CLI-Guarded", "--replication-type",
        "sync", "--target-site", "site-b", "--target-cloud", "site-b",
    )  # fmt: skip
    # Usage: exit 2, naming what is missing or wrong.
    assert "--mode" in draas("site-b", "failover", "--group", "x", code=2).stderr
    assert (
        "sideways"
        in draas("site-b", "failover", "--group", "x", "--mode", "sideways", code=2).stderr
    )
    # Credentials: exit 4, the password never shown.
    wrong = draas("site-a-wrong", "failover-group", "list", code=4)
    assert "refused the credentials" in wrong.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    # A reader may look but not change; another tenant does not see the group.
    assert group["id"] in draas("site-b-reader", "failover-group", "show", group["id"]).stdout
    assert "only allow reading" in draas.error(
        "site-b-reader", "test-failover", "--group", group["id"]
    )
    assert "has no failover group" in draas.error(
        "site-b-other", "failover-group", "show", group["id"]
    )
    assert "CLI-Guarded" not in draas("site-b-other", "failover-group", "list").stdout
    # A server name the CLI cannot find, and a server id the gateway does not know: exit 1.
    assert "no server named 'nope'" in draas.error(
        "site-a", "failover-group", "add-vm", "--group", group["id"], "--vm", "nope"
    )
    unknown = str(uuid.uuid4())
    refused = draas.error(
        "site-a", "failover-group", "add-vm", "--group", group["id"], "--vm", unknown
    )
    assert refused.startswith("draas: 404") and unknown in refused
    assert "no failover group" in draas.error("site-b", "failover-group", "show", "No-Such-Group")


OPENSTACK = str(Path(sys.executable).with_name("openstack"))


def draas_leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Every runnable draas command, as words."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path)
        return
    for name, sub in subcommands.items():
        yield from draas_leaves(sub, (*path, name))


def test_the_openstack_command_runs_every_draas_command_as_openstack_dr(
    lab, clouds_yaml, draas, sites
):
    from cli.main import cli  # noqa: PLC0415

    env = cli_environment(clouds_yaml)

    def openstack(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        ran = subprocess.run(
            [OPENSTACK, *args], env=env, capture_output=True, text=True, timeout=240, check=False
        )
        assert ran.returncode == code, f"{args} exited {ran.returncode}:\n{ran.stderr}"
        assert "Traceback" not in ran.stderr, ran.stderr
        return ran

    registered = json.loads(
        openstack("command", "list", "--group", "openstack.dr.v1", "-f", "json").stdout
    )
    assert sorted(registered[0]["Commands"]) == sorted(f"dr {c}" for c in draas_leaves(cli))
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.61.0.0/24", "osc")
    tenant_vms.make_vm(conn, network, f"{TENANT}-async", 1, "osc-db")

    # The group made, a VM added by its name (looked up in Nova through the openstack
    # command's own cloud), shown as draas shows it.
    made = json.loads(
        openstack(
            "--os-cloud", "site-a", "dr", "failover-group", "create", "--name", "OSC-Apps",
            "--replication-type", "async", "--target-site", "site-b", "--rpo-target", "60",
            "--target-cloud", "site-b", "-f", "json",
        ).stdout
    )  # fmt: skip
    assert (made["name"], made["state"]) == ("OSC-Apps", "protected"), made
    openstack("--os-cloud", "site-a", "dr", "failover-group", "add-vm", "--group", "OSC-Apps",
              "--vm", "osc-db")  # fmt: skip
    shown = json.loads(
        openstack(
            "--os-cloud", "site-a", "dr", "failover-group", "show", "OSC-Apps", "-f", "json"
        ).stdout
    )
    assert [vm["name"] for vm in shown["vms"]] == ["osc-db"], shown
    assert shown == draas.json("site-a", "failover-group", "show", "OSC-Apps")
    # At the target site, through its region's catalog; a table by default.
    health = openstack("--os-cloud", "site-b", "dr", "replication-health", "--group", "OSC-Apps")
    assert "storage_link_up" in health.stdout, health.stdout

    # draas's help, refusals and exit codes, under the openstack command's name.
    helped = openstack("dr", "failover-group", "add-vm", "--help").stdout
    assert "Usage: openstack dr failover-group add-vm" in helped and "--tier" in helped
    usage = openstack("--os-cloud", "site-b", "dr", "failover", "--group", "x", code=2).stderr
    assert "--mode" in usage, usage
    other = openstack("--os-cloud", "site-b-other", "dr", "failover-group", "show", made["id"],
                      code=1)  # fmt: skip
    last = other.stderr.strip().splitlines()[-1]
    assert last.startswith("openstack dr: ") and "has no failover group" in last, other.stderr
    wrong = openstack("--os-cloud", "site-a-wrong", "dr", "failover-group", "list", code=1)
    assert "not-the-password" not in wrong.stdout + wrong.stderr

    openstack("--os-cloud", "site-a", "dr", "failover-group", "delete", "OSC-Apps")
    assert "404" in draas.error("site-a", "failover-group", "show", made["id"])
