"""An unplanned failover of N VMs between the simulated sites: RTO against the critical-path
bound.

    python -m bench.failover [--vms 200] [--api-latency 0.05] [--boot-seconds 5]
                             [--limit nova=40 --limit cinder=40 ...] [--postgres URL]
                             [--in-process]

Site A runs N VMs (one async volume each) in one failover group; site B's OpenStack APIs answer
after --api-latency seconds and its servers take --boot-seconds to boot. The simulated sites run
in the bench's process and every draas service of each site in its own, as deployed (with
--in-process, in the bench's process too); databases on SQLite (site B's orchestrator on
--postgres, given one).

RTO is the report's: request to last VM verified. The bound is what no scheduler could beat
with these concurrency limits: the group's own steps that end before any VM's begins (one after
the other), then the longest of the slowest VM's chain and, for each limited backend API, the
pipeline through it (worker threads included: each carries one VM at a time). Each of the API's
L slots (L at most the number of VMs) works only after a VM has done its steps before the API
(a slot's first VM is one no other slot starts with) and until its last VM has its steps after
the API still to do; so the slots' work, the VMs' time on the API, fits in L times the VM phase
less the L shortest times before the API and the L shortest after it: the pipeline's bound is
their sum divided by L. It uses the step times this very run measured (a step's time runs while
it holds its slot, from its first attempt's start to its last one's end). A ratio near 1.0
means the engine loses no time between steps; the target is < 1.10. For each API it also
prints when its first step began and its last ended, from the first VM step: the span its work
was spread over.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from google.protobuf.duration_pb2 import Duration

from draas.common.v1 import types_pb2
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator.settings import DEFAULT_LIMITS
from simulators.lab import TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID
from tools import tenant_vms
from tools.process_sites import running_process_sites
from tools.stack import SiteStubs, running_compute, running_sites

TENANT = "bench"
# AddVm calls under way at once while the bench sets up.
ADDING = 4
IMAGE = CIRROS_IMAGE_ID
# The backend API each VM step loads (services/orchestrator/steps/vm.py).
STEP_RESOURCES = {
    "manage_volumes": "cinder",
    "ensure_ports": "neutron",
    "boot_server": "nova",
    "verify_server": "verify",
}
TERMINAL = {
    opb.OPERATION_STATE_SUCCEEDED,
    opb.OPERATION_STATE_PARTIALLY_SUCCEEDED,
    opb.OPERATION_STATE_FAILED,
    opb.OPERATION_STATE_COMPENSATED,
}


def make_vms(lab: TwoSiteLab, count: int) -> list[Any]:
    """`count` running VMs at site A, made eight at a time (quotas raised at both sites)."""
    room = {"instances": count + 10, "cores": 4 * count + 10, "ram": 8192 * count + 10}
    room |= {"volumes": 2 * count + 10, "gigabytes": 10 * count + 10, "ports": 2 * count + 10}
    for site in ("site-a", "site-b"):
        project = lab.regions[site].project_id(TENANT)
        url = f"{lab.regions[site].control_url}/_sim/quotas/{project}"
        httpx.put(url, json=room).raise_for_status()
    setup = tenant_vms.connect(lab, "site-a", TENANT)
    network = setup.network.create_network(name="bench-net")
    setup.network.create_subnet(
        network_id=network.id, cidr="10.50.0.0/16", ip_version=4, name="bench-subnet"
    )

    def make(index: int) -> Any:
        conn = tenant_vms.connect(lab, "site-a", TENANT)
        volume = conn.block_storage.create_volume(
            size=1, volume_type=f"{TENANT}-async", image_id=IMAGE, name=f"bench-{index}-disk0"
        )
        volume = conn.block_storage.wait_for_status(volume, "available", interval=0.05, wait=120)
        port = conn.network.create_port(network_id=network.id)
        return conn.compute.create_server(
            name=f"bench-{index}",
            flavor_id="1",
            networks=[{"port": port.id}],
            block_device_mapping=[
                {
                    "boot_index": 0,
                    "uuid": volume.id,
                    "source_type": "volume",
                    "destination_type": "volume",
                }
            ],
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(make, range(count)))
    return [setup.compute.wait_for_server(s, interval=0.1, wait=300) for s in made]


def protect(sites: dict[str, SiteStubs], lab: TwoSiteLab, vms: list[Any]) -> opb.FailoverGroup:
    a, b = sites["site-a"].orchestrator, sites["site-b"].orchestrator
    at_a, at_b = lab.regions["site-a"].project_id(TENANT), lab.regions["site-b"].project_id(TENANT)
    group = a.CreateFailoverGroup(
        opb.CreateFailoverGroupRequest(
            project_id=at_a,
            name="bench",
            replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
            target_site="site-b",
            rpo_target=Duration(seconds=60),
            target_token=tenant_vms.token(lab, "site-b", TENANT),
        )
    )

    def add(vm: Any) -> opb.FailoverGroup:
        return a.AddVm(
            opb.AddVmRequest(project_id=at_a, group_id=group.id, server_id=vm.id, tier=1)
        )

    # The first VM makes the protection group, so it goes alone; the others join in parallel
    # but the last, which goes alone too: adding a VM replicates at once, so the point of the
    # last one, taken after every other VM had joined, holds them all.
    if len(vms) > 1:
        add(vms[0])
        with ThreadPoolExecutor(max_workers=ADDING) as pool:
            list(pool.map(add, vms[1:-1]))
    added = time.time()
    group = add(vms[-1])
    request = mpb.GetRecoveryBundleRequest(project_id=at_a, group_id=group.id)
    _wait(
        lambda: (
            len(
                [
                    e
                    for e in sites["site-b"].metadata.GetRecoveryBundle(request).entities
                    if e.key.kind == mpb.ENTITY_KIND_SERVER
                ]
            )
            == len(vms)
        )
    )
    health = opb.GetReplicationHealthRequest(project_id=at_b, group_id=group.id)

    def replicated() -> bool:
        newest = b.GetReplicationHealth(health).newest_recovery_point
        return (
            bool(newest.completed_at.seconds) and newest.created_at.ToMicroseconds() / 1e6 >= added
        )

    _wait(replicated)
    return group


def _wait(probe: Any, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise SystemExit("the bench set-up did not converge")
        time.sleep(0.2)


@contextmanager
def slow_site_b(lab: TwoSiteLab, api_latency: float, boot_seconds: float) -> Iterator[None]:
    control = lab.regions["site-b"].control_url + "/_sim/"
    for service in ("compute", "volume", "network"):
        httpx.put(
            control + "latency", json={"service": service, "seconds": api_latency}
        ).raise_for_status()
    httpx.put(control + "boot_time", json={"seconds": boot_seconds}).raise_for_status()
    try:
        yield
    finally:
        for service in ("compute", "volume", "network"):
            httpx.put(
                control + "latency", json={"service": service, "seconds": 0}
            ).raise_for_status()


def seconds(result: opb.StepResult) -> float:
    return result.timing.elapsed.ToTimedelta().total_seconds()


def figures(report: opb.Report, limits: dict[str, int], workers: int) -> dict[str, Any]:
    chains = [sum(seconds(s) for s in vm.steps) for vm in report.vms]
    # A worker thread carries one VM's chain at a time: the workers are a limit too.
    limits = {**limits, "workers": workers}
    work: dict[str, float] = {}
    for vm in report.vms:
        for step in vm.steps:
            resource = STEP_RESOURCES[step.name]
            work[resource] = work.get(resource, 0.0) + seconds(step)
            work["workers"] = work.get("workers", 0.0) + seconds(step)
    # The group's steps that ended before any VM's began are the critical path's start; one
    # that runs beside the VMs (taking ownership) is on no VM's path, so it bounds nothing.
    first_vm_step = min(s.timing.started_at.ToMicroseconds() for vm in report.vms for s in vm.steps)
    before = [
        s for s in report.group_steps if s.timing.finished_at.ToMicroseconds() <= first_vm_step
    ]
    prepare = sum(seconds(s) for s in before)
    beside = sum(seconds(s) for s in report.group_steps) - prepare
    per_limit = {r: w / limits[r] for r, w in work.items()}
    fill, drain = _fill_and_drain(report, limits)
    # Slots beyond one per VM never work: L is at most the number of VMs.
    used = {r: min(limits[r], len(report.vms)) for r in work}
    pipelines = {r: fill.get(r, 0.0) + w / used[r] + drain.get(r, 0.0) for r, w in work.items()}
    vm_phase = max([max(chains), *pipelines.values()])
    # A step's time runs from its first attempt's start to its last one's end, so the waits
    # between attempts (without a slot) count as work: the bound is then no longer one.
    retried = Counter(
        STEP_RESOURCES[step.name] for vm in report.vms for step in vm.steps if step.attempts > 1
    )
    return {
        "retried": retried,
        "prepare": prepare,
        "beside": beside,
        "slowest_chain": max(chains),
        "per_limit": per_limit,
        "fill": fill,
        "drain": drain,
        "spans": _spans(report, first_vm_step),
        "bound": prepare + vm_phase,
        "rto": report.rto.ToTimedelta().total_seconds(),
    }


def _fill_and_drain(
    report: opb.Report, limits: dict[str, int]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per API of limit L: the mean of the L shortest times VMs spend on their steps before
    their first step on it (no slot can begin sooner than a VM gets there), and of the L
    shortest after their last one (what a slot's last VM still has to do)."""
    before: dict[str, list[float]] = {}
    after: dict[str, list[float]] = {}
    for vm in report.vms:
        times = [(STEP_RESOURCES[s.name], seconds(s)) for s in vm.steps]
        for resource in {r for r, _ in times}:
            first = next(i for i, (r, _) in enumerate(times) if r == resource)
            last = max(i for i, (r, _) in enumerate(times) if r == resource)
            before.setdefault(resource, []).append(sum(t for _, t in times[:first]))
            after.setdefault(resource, []).append(sum(t for _, t in times[last + 1 :]))

    def shortest(found: list[float], resource: str) -> float:
        chosen = sorted(found)[: max(1, min(limits[resource], len(report.vms)))]
        return sum(chosen) / len(chosen)

    fill = {r: shortest(found, r) for r, found in before.items()}
    drain = {r: shortest(found, r) for r, found in after.items()}
    return fill, drain


def _spans(report: opb.Report, origin_us: int) -> dict[str, tuple[float, float]]:
    """Per API: when its first step began and its last one ended, in seconds from `origin_us`."""
    spans: dict[str, tuple[float, float]] = {}
    for vm in report.vms:
        for step in vm.steps:
            resource = STEP_RESOURCES[step.name]
            began = (step.timing.started_at.ToMicroseconds() - origin_us) / 1e6
            ended = (step.timing.finished_at.ToMicroseconds() - origin_us) / 1e6
            low, high = spans.get(resource, (began, ended))
            spans[resource] = (min(low, began), max(high, ended))
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vms", type=int, default=200)
    parser.add_argument("--api-latency", type=float, default=0.05)
    parser.add_argument("--boot-seconds", type=float, default=5.0)
    parser.add_argument("--limit", action="append", default=[], help="e.g. nova=40")
    parser.add_argument(
        "--workers", type=int, default=0, help="orchestrator worker threads (0: one per VM)"
    )
    parser.add_argument("--postgres", help="site B orchestrator's database server URL")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="every draas service in the bench's process (default: each its own process)",
    )
    args = parser.parse_args()
    workers = args.workers or args.vms
    logging.basicConfig(level=logging.ERROR)
    # py-pure-client logs out of the simulated arrays at exit, after they stopped.
    logging.getLogger("urllib3").setLevel(logging.CRITICAL)
    limits = {**DEFAULT_LIMITS, "cinder": 40, "neutron": 40, "nova": 40, "verify": 400}
    limits.update({k: int(v) for k, v in (item.split("=", 1) for item in args.limit)})
    with (
        TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as lab,
        tempfile.TemporaryDirectory() as tmp,
        ExitStack() as cleanup,
    ):
        state = Path(tmp)
        databases = {
            f"{site}-{service}": f"sqlite:///{state}/{site}-{service}.sqlite3"
            for site in ("site-a", "site-b")
            for service in ("metadata", "orchestrator")
        }
        if args.postgres:
            databases["site-b-orchestrator"] = cleanup.enter_context(postgres_schema(args.postgres))
        started = time.monotonic()
        orchestrators = {
            "worker_threads": workers,
            "limits": limits,
            "boot_timeout_seconds": 600.0,
        }
        with running_draas(lab, state, databases, args.in_process, orchestrators) as sites:
            made = time.monotonic()
            vms = make_vms(lab, args.vms)
            protecting = time.monotonic()
            group = protect(sites, lab, vms)
            print(
                f"set-up        {args.vms} VMs at site A, protected and replicated in "
                f"{time.monotonic() - started:.0f} s (sites up {made - started:.0f} s, VMs "
                f"made {protecting - made:.0f} s, protected and replicated "
                f"{time.monotonic() - protecting:.0f} s)"
            )
            with slow_site_b(lab, args.api_latency, args.boot_seconds):
                report = fail_over(sites, lab, group)
            result = figures(report, limits, workers)
        print(
            f"failover      {len([v for v in report.vms if v.recovered])}/{args.vms} VMs "
            f"recovered, API latency {args.api_latency} s, boot {args.boot_seconds} s, "
            f"limits {', '.join(f'{r}={limits[r]}' for r in sorted(STEP_RESOURCES.values()))}, "
            f"{workers} worker threads, draas {'in the bench' if args.in_process else 'processes'}"
        )
        print(
            f"group steps   {result['prepare']:.2f} s before the VMs (recovery of every volume, "
            f"networks), {result['beside']:.2f} s beside them"
        )
        print(f"slowest VM    {result['slowest_chain']:.2f} s from manage to verified")
        for resource, spent in sorted(result["per_limit"].items()):
            line = f"{resource:<13} {spent:.2f} s of work per slot"
            if resource in result["spans"]:
                began, ended = result["spans"][resource]
                line += (
                    f", reached after {result['fill'][resource]:.2f} s and left with "
                    f"{result['drain'][resource]:.2f} s to go (means of the shortest, one per "
                    f"slot); its steps from {began:.2f} s to {ended:.2f} s"
                )
            print(line)
        if result["retried"]:
            tried = ", ".join(f"{r} {n}" for r, n in sorted(result["retried"].items()))
            print(f"retried steps {tried} (their waits between attempts count as work)")
        print(f"RTO           {result['rto']:.2f} s")
        print(f"bound         {result['bound']:.2f} s")
        print(f"ratio         {result['rto'] / result['bound']:.3f} (target < 1.10)")


@contextmanager
def running_draas(
    lab: TwoSiteLab,
    state: Path,
    databases: dict[str, str],
    in_process: bool,
    orchestrators: dict[str, Any],
) -> Iterator[dict[str, SiteStubs]]:
    """Both sites' draas services: each its own process, as deployed (the simulated sites stay
    in the bench's process), or all in the bench's process."""
    if not in_process:
        with running_process_sites(lab, state, databases, **orchestrators) as sites:
            yield dict(sites)
        return
    with (
        running_compute(lab, state) as compute,
        running_sites(lab, compute, state, databases, **orchestrators) as in_bench,
    ):
        yield dict(in_bench)


def fail_over(sites: dict[str, SiteStubs], lab: TwoSiteLab, group: opb.FailoverGroup) -> opb.Report:
    b, at_b = sites["site-b"].orchestrator, lab.regions["site-b"].project_id(TENANT)
    started = b.StartFailover(
        opb.StartFailoverRequest(
            project_id=at_b,
            group_id=group.id,
            idempotency_key=f"bench-{uuid.uuid4().hex[:8]}",
            mode=opb.FAILOVER_MODE_UNPLANNED,
        )
    )
    request = opb.GetOperationRequest(project_id=at_b, operation_id=started.id)
    _wait(lambda: b.GetOperation(request).state in TERMINAL, timeout=3600)
    return b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=started.id))


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on that server for the run, dropped after it."""
    schema = f"draas_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


if __name__ == "__main__":
    main()
