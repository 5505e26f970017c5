"""How long the dashboard's pages take against the real lab: Horizon, the gateway, the
orchestrator and the clouds, each its own process, for a project of many groups and VMs.

    python -m bench.dashboard_lab [--groups 50] [--vms 500] [--protected N] [--repeat 10]

The two simulated sites run with every draas service and gateway as a process (SQLite) and
Horizon with the plugin (`runserver`, DEBUG off, as `make up` runs it). The tenant's --vms VMs
(one volume of a replicated type each) are made through openstacksdk, --groups async groups
through the gateway, and every VM (or the first --protected) added to one of them (three
tiers, one after another: adding a VM to a project of 500 takes seconds, see issue 18).
Then a signed-in tenant's session asks Horizon, over HTTP as a browser does, for:

- each page --repeat times: the time from request to the last byte of the page (server-side
  rendering, with every gateway call it makes);
- the overview's group rows, which the page fills in after it renders with a request per row
  (health, readiness and last test from the gateway): each row's time, and the time until all
  rows are in when asked as a browser does (a few at a time).

Prints p50 and p95 and the ratio of p50 to the bound, 1 s (bench/dashboard.py measures the
dashboard's own share, over a fake gateway that answers at once).
"""

from __future__ import annotations

import argparse
import functools
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from simulators.lab import USER_PASSWORD, TwoSiteLab
from tools import tenant_vms
from tools.horizon import running_horizon
from tools.process_sites import running_process_sites
from tools.stack import SITES

TENANT = "bench"
BOUND_SECONDS = 1.0
# Concurrent requests a browser makes to one host (Chromium: 6 per host over HTTP/1.1).
BROWSER_CONNECTIONS = 6
SETUP_WORKERS = 4
PAGES = {
    "overview": "/project/dr_overview/",
    "failover groups": "/project/dr_groups/",
    "operations": "/project/dr_operations/",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--vms", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--protected",
        type=int,
        default=None,
        help="How many of the VMs the groups protect (default: all); the others are listed "
        "by the overview as not protected.",
    )
    args = parser.parse_args(argv)
    if args.groups < 1 or args.vms < args.groups:
        parser.error("--groups must be at least 1 and --vms at least --groups")
    logging.basicConfig(level=logging.ERROR)
    # The lab's arrays stop before the clients that logged in to them log out.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        databases = {
            f"{site}-{service}": f"sqlite:///{state / site / service}.sqlite3"
            for site in SITES
            for service in ("metadata", "orchestrator")
        }
        for site in SITES:
            (state / site).mkdir(parents=True, exist_ok=True)
        with (
            TwoSiteLab(tenants=[TENANT], boot_seconds=0.0) as lab,
            running_process_sites(lab, state, databases, gateways=True),
            running_horizon(lab, state) as horizon,
        ):
            started = time.perf_counter()
            servers = make_vms(lab, args.vms)
            made_vms = time.perf_counter() - started
            protected = servers[: args.protected] if args.protected is not None else servers
            groups = protect(lab, protected, args.groups)
            print(
                f"set up: {args.vms} VMs in {made_vms:.0f} s, {args.groups} groups protecting "
                f"{len(protected)} of them in {time.perf_counter() - started - made_vms:.0f} s"
            )
            with httpx.Client(base_url=horizon, timeout=120) as browser:
                log_in(browser, lab)
                figures = measure(browser, groups, args.repeat)
            figures |= measure_gateway(lab, groups, args.repeat)
    print(f"{args.groups} groups, {args.vms} VMs, the real gateway and lab:")
    for name, seconds in figures.items():
        p50 = statistics.median(seconds)
        p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else p50
        print(
            f"  {name:<34} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"p50 / bound ({BOUND_SECONDS:.0f} s): {p50 / BOUND_SECONDS:.3f}"
        )
    return 0


def make_vms(lab: TwoSiteLab, count: int) -> list[Any]:
    """`count` running VMs of the tenant at site A, made by a few workers at once (the
    project's quotas raised for them first)."""
    room = {"instances": count + 10, "cores": 4 * count + 10, "ram": 8192 * count + 10}
    room |= {"volumes": count + 10, "gigabytes": 2 * count + 10, "ports": count + 10}
    region = lab.regions["site-a"]
    url = f"{region.control_url}/_sim/quotas/{region.project_id(TENANT)}"
    httpx.put(url, json=room).raise_for_status()
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.60.0.0/16", TENANT)

    def make(index: int) -> Any:
        own = tenant_vms.connect(lab, "site-a", TENANT)
        return tenant_vms.make_vm(own, network, f"{TENANT}-async", 1, f"vm-{index:04d}")

    with ThreadPoolExecutor(SETUP_WORKERS) as pool:
        return list(pool.map(make, range(count)))


def protect(lab: TwoSiteLab, servers: list[Any], groups: int) -> list[str]:
    """`groups` async groups made through site A's gateway, the servers shared among them at
    three tiers; returns the groups' ids."""
    gateway = _gateway_url(lab)
    member = {"X-Auth-Token": tenant_vms.token(lab, "site-a", TENANT)}
    proof = {"X-Target-Auth-Token": tenant_vms.token(lab, "site-b", TENANT)}
    with httpx.Client(base_url=gateway, headers=member, timeout=120) as client:
        ids = []
        for index in range(groups):
            answer = client.post(
                "/v1/failover-groups",
                headers=proof if index == 0 else None,
                json={
                    "name": f"bench-{index:02d}",
                    "replication_type": "async",
                    "rpo_target_seconds": 300,
                    "target_site": "site-b",
                },
            )
            answer.raise_for_status()
            ids.append(answer.json()["id"])

        # One at a time, as a tenant adds them (each captures the VM and changes its group).
        for index, server in enumerate(servers):
            client.post(
                f"/v1/failover-groups/{ids[index % groups]}/vms",
                json={"server_id": server.id, "tier": 1 + index % 3},
            ).raise_for_status()
    return ids


def _gateway_url(lab: TwoSiteLab) -> str:
    """Site A's gateway, as its Keystone's catalog names it."""
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    return str(conn.endpoint_for("disaster-recovery", interface="public")).rstrip("/")


def log_in(browser: httpx.Client, lab: TwoSiteLab) -> None:
    """Signs the tenant's member in at site A through Horizon's login form."""
    form = browser.get("/auth/login/")
    form.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    region = re.search(r'<option value="([^"]+)"[^>]*>\s*site-a\s*</option>', form.text)
    if token is None or region is None:
        raise SystemExit("Horizon's login page has no CSRF token or no site-a region")
    answer = browser.post(
        "/auth/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "region": region.group(1),
            "username": f"{TENANT}-user",
            "password": USER_PASSWORD,
        },
        headers={"Referer": f"{browser.base_url}auth/login/"},
        follow_redirects=True,
    )
    if answer.status_code != 200 or "/auth/login/" in str(answer.url):
        raise SystemExit(f"Horizon's login failed: HTTP {answer.status_code} at {answer.url}")


def measure(browser: httpx.Client, groups: list[str], repeat: int) -> dict[str, list[float]]:
    """Seconds per page render, per overview row, and per set of all rows."""
    figures: dict[str, list[float]] = {}
    pages = {**PAGES, "one group": f"/project/dr_groups/{groups[0]}/"}
    for name, path in pages.items():
        figures[name] = [timed(functools.partial(get, browser, path)) for _ in range(repeat)]
    rows = [
        f"{PAGES['overview']}?action=row_update&table=groups&obj_id={group}" for group in groups
    ]
    figures["overview: one group's row"] = [timed(functools.partial(get, browser, r)) for r in rows]

    def all_rows() -> None:
        with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
            list(pool.map(lambda r: get(browser, r), rows))

    figures[f"overview: all {len(groups)} rows, {BROWSER_CONNECTIONS} at once"] = [
        timed(all_rows) for _ in range(max(1, repeat // 2))
    ]
    return figures


# What the overview and a group's page ask the gateway for, timed on their own.
GATEWAY_CALLS = {
    "gateway: the project's VMs": "/v1/vms?limit=500",
    "gateway: the project's groups": "/v1/failover-groups",
    "gateway: firing alerts": "/v1/alerts?state=firing&limit=100",
}


def measure_gateway(lab: TwoSiteLab, groups: list[str], repeat: int) -> dict[str, list[float]]:
    """Seconds per gateway call the pages make, asked directly: the gateway's and the
    services' share of a page."""
    member = {"X-Auth-Token": tenant_vms.token(lab, "site-a", TENANT)}
    calls = {**GATEWAY_CALLS, "gateway: one group": f"/v1/failover-groups/{groups[0]}"}
    figures: dict[str, list[float]] = {}
    with httpx.Client(base_url=_gateway_url(lab), headers=member, timeout=120) as client:
        for name, path in calls.items():

            def call(path: str = path) -> None:
                client.get(path).raise_for_status()

            figures[name] = [timed(call) for _ in range(repeat)]
    return figures


def get(browser: httpx.Client, path: str) -> None:
    answer = browser.get(
        path, headers={"X-Requested-With": "XMLHttpRequest"} if "?" in path else None
    )
    if answer.status_code != 200:
        raise SystemExit(f"GET {path}: HTTP {answer.status_code}")
    if "alert-danger" in answer.text and "Unable to" in answer.text:
        raise SystemExit(f"GET {path}: the page shows an error")


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
