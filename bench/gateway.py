"""The tenant REST gateway's own cost: round trips on a kept-alive connection, and how many
authenticated requests it answers with several clients at once.

    python -m bench.gateway [--requests 1000] [--clients 4] [--seconds 5] [--groups 20]

The gateway runs as its own process (`python -m gateway`, as deployed) in front of site A of the
two-site stack (its services in this process) and site A's simulated Keystone. Prints:

- GET /v1/health (no token, no backend) on one kept-alive connection: p50, p95 and p99. The
  bound is p50 <= 5 ms: a loopback round trip through the HTTP stack does nothing slower, and
  a connection that leaves Nagle's algorithm on waits for the client's delayed ACK (~40 ms)
  on every response.
- GET /v1/failover-groups (the tenant's token, cached by the gateway after the first request;
  a page of --groups groups from the orchestrator over gRPC) from --clients clients, each on
  its own kept-alive connection, for --seconds: requests per second and their p50 and p95;
  beside them, the same page asked of the orchestrator directly (gRPC, one caller), which is
  the part of each request that is not the gateway's.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from simulators.lab import TwoSiteLab
from tools import tenant_vms
from tools.launcher import ServiceProcess, spawn_service
from tools.stack import Site, running_compute, running_sites

TENANT = "bench"
HEALTH_P50_BOUND_MS = 5.0


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of the samples."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def start_gateway(state: Path, keystone_url: str, orchestrator_address: str) -> ServiceProcess:
    """`python -m gateway` for site A, once it answers."""
    gateway = spawn_service(
        "gateway",
        "site-a",
        state,
        extra_env={
            "DRAAS_GATEWAY_KEYSTONE_URL": keystone_url,
            "DRAAS_GATEWAY_ORCHESTRATOR_ADDRESS": orchestrator_address,
        },
    )
    try:
        gateway.wait_until_serving(60)
        # The port file is written when the socket is bound, before it listens.
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://{gateway.address}/v1/health").raise_for_status()
                return gateway
            except httpx.TransportError:
                if time.monotonic() > deadline or gateway.process.poll() is not None:
                    raise SystemExit(f"the gateway did not answer:\n{gateway.log_tail()}") from None
                time.sleep(0.05)
    except BaseException:
        gateway.stop()
        raise


def health_round_trips(base_url: str, count: int) -> list[float]:
    """Milliseconds per GET /v1/health, one after the other on one connection."""
    samples = []
    with httpx.Client(base_url=base_url) as client:
        for _ in range(20):
            client.get("/v1/health").raise_for_status()
        for _ in range(count):
            started = time.perf_counter()
            client.get("/v1/health").raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def list_load(
    base_url: str, headers: dict[str, str], clients: int, seconds: float, groups: int
) -> list[float]:
    """Milliseconds per group list, from `clients` threads each on its own connection, for
    `seconds` (after a warm-up request each)."""
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    params = {"limit": groups}

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            client.get("/v1/failover-groups", params=params).raise_for_status()
            start.wait()
            deadline = time.perf_counter() + seconds
            while (now := time.perf_counter()) < deadline:
                response = client.get("/v1/failover-groups", params=params)
                samples[index].append((time.perf_counter() - now) * 1000)
                if response.status_code != 200 or len(response.json()["failover_groups"]) < groups:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    return

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a group list failed: {errors[0]}")
    return [s for per_client in samples for s in per_client]


def direct_lists(site: Site, project_id: str, groups: int, count: int) -> list[float]:
    """Milliseconds per ListFailoverGroups asked of the orchestrator itself."""
    request = opb.ListFailoverGroupsRequest(
        project_id=project_id, page=types_pb2.PageRequest(page_size=groups)
    )
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        site.orchestrator.ListFailoverGroups(request, timeout=30)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Runs the benchmark and prints its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="health round trips")
    parser.add_argument("--clients", type=int, default=4, help="concurrent group listers")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long they list")
    parser.add_argument("--groups", type=int, default=20, help="groups in the listed page")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("urllib3").setLevel(logging.CRITICAL)
    with (
        TwoSiteLab(tenants=[TENANT]) as lab,
        tempfile.TemporaryDirectory() as tmp,
    ):
        state = Path(tmp)
        databases = {
            f"{site}-{service}": f"sqlite:///{state}/{site}-{service}.sqlite3"
            for site in ("site-a", "site-b")
            for service in ("metadata", "orchestrator")
        }
        with (
            running_compute(lab, state) as compute,
            running_sites(lab, compute, state, databases) as sites,
        ):
            gateway = start_gateway(
                state,
                lab.regions["site-a"].auth_url,
                f"127.0.0.1:{sites['site-a'].ports['orchestrator']}",
            )
            try:
                base_url = f"http://{gateway.address}"
                member = {"X-Auth-Token": tenant_vms.token(lab, "site-a", TENANT)}
                proof = {"X-Target-Auth-Token": tenant_vms.token(lab, "site-b", TENANT)}
                with httpx.Client(base_url=base_url, timeout=60) as setup:
                    for index in range(args.groups):
                        setup.post(
                            "/v1/failover-groups",
                            headers={**member, **proof},
                            json={
                                "name": f"bench-{index}",
                                "replication_type": "async",
                                "rpo_target_seconds": 60,
                                "target_site": "site-b",
                            },
                        ).raise_for_status()
                health = health_round_trips(base_url, args.requests)
                listed = list_load(base_url, member, args.clients, args.seconds, args.groups)
                direct = direct_lists(
                    sites["site-a"], lab.regions["site-a"].project_id(TENANT), args.groups, 100
                )
            finally:
                gateway.stop()
    p50, p95, p99 = percentiles(health)
    print(
        f"GET /v1/health, {len(health)} round trips on one kept-alive connection: "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms"
    )
    print(
        f"  p50 against its bound ({HEALTH_P50_BOUND_MS:.0f} ms): "
        f"ratio {p50 / HEALTH_P50_BOUND_MS:.3f} (target <= 1.0)"
    )
    l50, l95, _ = percentiles(listed)
    print(
        f"GET /v1/failover-groups ({args.groups} groups, tenant token), {args.clients} clients "
        f"for {args.seconds:.0f} s: {len(listed) / args.seconds:.0f} requests/s, "
        f"p50 {l50:.2f} ms, p95 {l95:.2f} ms"
    )
    d50, d95, _ = percentiles(direct)
    print(
        f"  the orchestrator asked directly (gRPC, one caller, {len(direct)} calls): "
        f"p50 {d50:.2f} ms, p95 {d95:.2f} ms"
    )


if __name__ == "__main__":
    main()
