"""The two-site environment of `make demo` and `make up`: two simulated sites (FlashArrays
array-a and array-b, OpenStack regions RegionA and RegionB), every draas service of each site
as its own process on SQLite, each site's gateway in its region's Keystone catalog, a
clouds.yaml for the tenant `finance`, and that tenant's VMs at site A, writing to their
volumes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from simulators.lab import ARRAYS, USER_PASSWORD, TwoSiteLab
from tools import tenant_vms
from tools.process_sites import ProcessSite, running_process_sites
from tools.stack import SITES

TENANT = "finance"
# name -> (replication, volumes, tier)
VMS = {"web-1": ("async", 2, 2), "app-1": ("async", 1, 1), "db-1": ("sync", 2, 1)}
WRITES_PER_SECOND = 20


@dataclass
class Environment:
    """Both sites running, and the tenant's VMs at site A."""

    lab: TwoSiteLab
    sites: dict[str, ProcessSite]
    state: Path
    clouds_yaml: Path
    vms: dict[str, Any] = field(default_factory=dict)

    def take_down(self, site: str) -> None:
        """The site is lost: its region stops answering, its array goes offline and its draas
        processes are killed (SIGKILL, no goodbye)."""
        assert self.lab.flasharrays is not None
        self.lab.regions[site].set_up(False)
        self.lab.flasharrays.set_online(ARRAYS[site], False)
        for process in self.sites[site].processes.values():
            process.process.kill()
            process.process.wait()

    def describe(self) -> str:
        """Where everything is, for people."""
        assert self.lab.flasharrays is not None
        lines = []
        for site in SITES:
            running = self.sites[site]
            lines.append(
                f"  {site}: gateway {running.gateway_url}   keystone "
                f"{self.lab.regions[site].auth_url}   array {ARRAYS[site]} "
                f"https://{self.lab.flasharrays.address(ARRAYS[site])}"
            )
            lines.append(
                "           "
                + "  ".join(
                    f"{name} {process.address}"
                    for name, process in running.processes.items()
                    if name != "gateway"
                )
            )
        return "\n".join(lines)


def cli_environment(clouds_yaml: Path) -> dict[str, str]:
    """The environment the draas command runs in: this clouds.yaml, no stray OS_* or DRAAS_*
    settings from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "DRAAS_"))}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
    return env


@contextmanager
def running_environment(state: Path, boot_seconds: float = 0.3) -> Iterator[Environment]:
    """Starts everything, seeds the tenant, and stops everything when the block ends.

    :raises LaunchError: a service did not come up (everything started is stopped).
    """
    state.mkdir(parents=True, exist_ok=True)
    databases = {
        f"{site}-{service}": f"sqlite:///{state / site / service}.sqlite3"
        for site in SITES
        for service in ("metadata", "orchestrator")
    }
    for site in SITES:
        (state / site).mkdir(parents=True, exist_ok=True)
    with (
        TwoSiteLab(tenants=[TENANT], boot_seconds=boot_seconds) as lab,
        running_process_sites(lab, state, databases, gateways=True) as sites,
    ):
        clouds = {
            site: lab.regions[site].cloud(f"{TENANT}-user", USER_PASSWORD, TENANT) for site in SITES
        }
        clouds_yaml = lab.regions["site-a"].write_clouds_yaml(state / "clouds.yaml", clouds)
        environment = Environment(lab, sites, state, clouds_yaml)
        environment.vms = seed(lab)
        yield environment


def seed(lab: TwoSiteLab) -> dict[str, Any]:
    """The tenant's network and VMs at site A, writing to their volumes; name -> server."""
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.10.0.0/24", TENANT)
    made = {
        name: tenant_vms.make_vm(conn, network, f"{TENANT}-{kind}", volumes, name)
        for name, (kind, volumes, _) in VMS.items()
    }
    httpx.put(
        f"{lab.regions['site-a'].control_url}/_sim/write_rate",
        json={"writes_per_second": WRITES_PER_SECOND},
    ).raise_for_status()
    return made
