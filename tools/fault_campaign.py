"""The fault campaign: groups go through their whole DR lifecycle while, in every operation, one
draas process of the site running it (orchestrator, compute, storage, metadata or gateway) is
killed with SIGKILL at a random step and started again as it was started. Each operation must
end as it would have without the kill, no server, volume or port may exist twice, and a test's
one cleanup must leave its site as it was.

    python -m tools.fault_campaign [--lifecycles 2] [--seed 7] [--postgres URL]

One lifecycle of an async and of a sync group is eleven operations each: test failover,
cleanup, planned failover, reprotect by retype, failback, planned failover, reprotect by volume
type, failback, unplanned failover with site A lost (its cloud, its array and its draas
processes), reprotect once it is back, failback. Operations are asked for through the sites'
REST gateways, as a tenant would. Prints a line per run and the table at the end; exits 1 if
any run broke a rule.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx

from draas.orchestrator.v1 import orchestrator_pb2 as opb
from simulators.lab import ARRAYS, TwoSiteLab
from tools import tenant_vms
from tools.process_sites import ProcessSite, running_process_sites
from tools.stack import SITES
from tools.tenant_vms import TenantNetwork

TENANT = "chaos"
VICTIMS = ("orchestrator", "compute", "storage", "metadata", "gateway")
ENDED = {"succeeded", "partially_succeeded", "failed", "compensated"}
RESTART_SECONDS = 60.0
OPERATION_SECONDS = 400.0

# (operation, the site it runs at) in lifecycle order.
LIFECYCLE = (
    ("test failover", "site-b"),
    ("cleanup", "site-b"),
    ("planned failover", "site-b"),
    ("reprotect (retype)", "site-b"),
    ("failback", "site-a"),
    ("planned failover", "site-b"),
    ("reprotect (volume type)", "site-b"),
    ("failback", "site-a"),
    ("unplanned failover, site A lost", "site-b"),
    ("reprotect (retype)", "site-b"),
    ("failback", "site-a"),
)
# How many steps each operation of a two-VM group starts (as a run without faults shows): the
# kill comes as one of them starts, chosen at random.
STEPS_STARTED = {
    "test failover": 12,
    "cleanup": 2,
    "planned failover": 14,
    "reprotect (retype)": 4,
    "failback": 18,
    "reprotect (volume type)": 13,
    "unplanned failover, site A lost": 13,
}


@dataclass
class Run:
    """One operation under one kill."""

    number: int
    operation: str
    replication: str
    site: str
    victim: str
    killed_at: str = ""
    state: str = ""
    seconds: float = 0.0
    broken: list[str] = field(default_factory=list)

    def line(self) -> str:
        where = f"{self.victim}@{self.site}"
        killed = self.killed_at or "(ended before the kill)"
        verdict = "ok" if not self.broken else "BROKEN: " + "; ".join(self.broken)
        return (
            f"{self.number:>3}  {self.operation:<32} {self.replication:<5} {where:<22} "
            f"{killed:<36} {self.state:<12} {self.seconds:6.1f} s  {verdict}"
        )


class Campaign:
    """Drives the lifecycles on running sites and judges every run."""

    def __init__(self, lab: TwoSiteLab, sites: dict[str, ProcessSite], seed: int) -> None:
        self.lab = lab
        self.sites = sites
        self.rng = random.Random(seed)  # noqa: S311 (a campaign to repeat, not a secret)
        self.runs: list[Run] = []
        self.api = {s: httpx.Client(base_url=sites[s].gateway_url, timeout=30) for s in SITES}
        self.network: TenantNetwork | None = None
        self._victims: list[str] = []
        self._before_test: dict[str, list[str]] = {}

    def close(self) -> None:
        for client in self.api.values():
            client.close()

    # The lifecycle ------------------------------------------------------------------------------

    def lifecycle(self, replication: str, limit: int | None = None) -> None:
        """One group of two VMs through LIFECYCLE (its first `limit` operations)."""
        group = self.protect(replication)
        test_id = ""
        for label, site in LIFECYCLE[:limit]:
            before = {s: self._inventory(s) for s in SITES}
            if label == "test failover":
                run, test_id = self._run(label, replication, site, group, self._test_failover)
            elif label == "cleanup":
                run, _ = self._run(label, replication, site, group, self._cleanup(test_id))
                self._expect_as_before(run, site, self._before_test)
            elif label.startswith("unplanned"):
                with self._site_a_lost():
                    run, _ = self._run(label, replication, site, group, self._unplanned)
            else:
                run, _ = self._run(label, replication, site, group, self._asked(label))
            if label == "test failover":
                self._before_test = before[site]
            self._judge_duplicates(run)

    def protect(self, replication: str) -> dict[str, Any]:
        """A group of two VMs (three volumes) at site A, ready at site B."""
        conn = tenant_vms.connect(self.lab, "site-a", TENANT)
        if self.network is None:
            self.network = tenant_vms.make_network(conn, "10.70.0.0/24", "chaos")
        volume_type = f"{TENANT}-{replication}"
        vms = [
            tenant_vms.make_vm(conn, self.network, volume_type, volumes, f"chaos-{uuid4()}")
            for volumes in (2, 1)
        ]
        proof = {"X-Target-Auth-Token": tenant_vms.token(self.lab, "site-b", TENANT)}
        body: dict[str, Any] = {
            "name": f"chaos-{replication}-{uuid4()}",
            "replication_type": replication,
            "target_site": "site-b",
        }
        if replication == "async":
            body["rpo_target_seconds"] = 30
        group = self._ok(
            self.api["site-a"].post(
                "/v1/failover-groups", json=body, headers={**self._auth("site-a"), **proof}
            )
        )
        for vm in vms:
            self._ok(
                self.api["site-a"].post(
                    f"/v1/failover-groups/{group['id']}/vms",
                    json={"server_id": vm.id},
                    headers=self._auth("site-a"),
                )
            )
        readiness = f"/v1/failover-groups/{group['id']}/readiness"
        _wait(
            lambda: (
                self.api["site-b"]
                .get(readiness, headers=self._auth("site-b"))
                .json()
                .get("failover_ready")
            ),
            120,
            "the group to be ready at site B",
        )
        return dict(group)

    # What each operation asks ---------------------------------------------------------------------

    def _test_failover(self, group: dict[str, Any]) -> tuple[str, str]:
        return f"/v1/failover-groups/{group['id']}/test-failover", '{"cleanup_after_seconds": 0}'

    def _cleanup(self, test_id: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        return lambda group: (f"/v1/operations/{test_id}/cleanup", "{}")

    def _unplanned(self, group: dict[str, Any]) -> tuple[str, str]:
        return f"/v1/failover-groups/{group['id']}/failover", '{"mode": "unplanned"}'

    def _asked(self, label: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        def ask(group: dict[str, Any]) -> tuple[str, str]:
            path = f"/v1/failover-groups/{group['id']}"
            kind = group["replication_type"]
            if label == "planned failover":
                return f"{path}/failover", '{"mode": "planned", "quiesce": true}'
            if label == "failback":
                return f"{path}/failback", "{}"
            method = "retype" if "retype" in label else "volume-type"
            body = f'{{"method": "{method}", "target_replication_type": "{kind}"}}'
            return f"{path}/reprotect", body

        return ask

    # One run ---------------------------------------------------------------------------------

    def _run(
        self,
        label: str,
        replication: str,
        site: str,
        group: dict[str, Any],
        ask: Callable[[dict[str, Any]], tuple[str, str]],
    ) -> tuple[Run, str]:
        victim = self._next_victim()
        run = Run(len(self.runs) + 1, label, replication, site, victim)
        self.runs.append(run)
        path, body = ask(group)
        started = time.monotonic()
        answer = self._retrying(
            lambda: self.api[site].post(
                path,
                content=body,
                headers={
                    **self._auth(site),
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"chaos-{uuid4()}",
                },
            )
        )
        if answer.status_code != 202:
            run.state, run.broken = "refused", [f"{answer.status_code}: {answer.text[:200]}"]
            print(run.line(), flush=True)
            return run, ""
        operation_id = answer.json()["id"]
        chosen = self.rng.randint(1, STEPS_STARTED[label])
        run.killed_at = self._kill_at_step(site, victim, operation_id, chosen)
        ended = self._ended(site, operation_id)
        run.state, run.seconds = ended["state"], time.monotonic() - started
        if run.state != "succeeded":
            report = self._retrying(
                lambda: self.api[site].get(
                    f"/v1/operations/{operation_id}/report", headers=self._auth(site)
                )
            ).json()
            errors = report.get("errors") or [ended.get("error") or "no error given"]
            run.broken.append(f"ended {run.state}: {' | '.join(errors)}")
        print(run.line(), flush=True)
        return run, operation_id

    def _next_victim(self) -> str:
        if not self._victims:
            self._victims = list(VICTIMS)
            self.rng.shuffle(self._victims)
        return self._victims.pop()

    def _kill_at_step(self, site: str, victim: str, operation_id: str, chosen: int) -> str:
        """Watches the operation's steps start; as the `chosen`th does, kills the victim and
        starts it again. Returns the step it was killed at ("" when the operation ended
        first)."""
        stub = self.sites[site].orchestrator
        project = self.lab.regions[site].project_id(TENANT)
        seen = 0
        try:
            for event in stub.WatchOperation(
                opb.WatchOperationRequest(project_id=project, operation_id=operation_id),
                timeout=OPERATION_SECONDS,
            ):
                if event.step and event.step_state == opb.STEP_STATE_RUNNING:
                    seen += 1
                    if seen == chosen:
                        self._kill_and_restart(site, victim)
                        return f"{event.step} (step {seen})"
        except grpc.RpcError:
            # The orchestrator went away under the watch: kill what was chosen now.
            self._kill_and_restart(site, victim)
            return f"after step {seen} (watch broken)"
        return ""

    def _kill_and_restart(self, site: str, victim: str) -> None:
        process = self.sites[site].processes[victim]
        process.process.kill()
        process.process.wait()
        self.sites[site].start_again(victim).wait_until_serving(RESTART_SECONDS)

    def _ended(self, site: str, operation_id: str) -> dict[str, Any]:
        def ended() -> dict[str, Any] | None:
            shown = self._retrying(
                lambda: self.api[site].get(
                    f"/v1/operations/{operation_id}", headers=self._auth(site)
                )
            ).json()
            return shown if shown.get("state") in ENDED else None

        found: dict[str, Any] = _wait(ended, OPERATION_SECONDS, f"operation {operation_id}")
        return found

    # Site A lost -------------------------------------------------------------------------------

    @contextmanager
    def _site_a_lost(self) -> Iterator[None]:
        """Site A's cloud and array stop answering and its draas processes die; they come back
        (the processes started as they were) once the block ends."""
        assert self.lab.flasharrays is not None
        site = self.sites["site-a"]
        self.lab.regions["site-a"].set_up(False)
        self.lab.flasharrays.set_online(ARRAYS["site-a"], False)
        for process in site.processes.values():
            process.process.kill()
            process.process.wait()
        try:
            yield
        finally:
            self.lab.regions["site-a"].set_up(True)
            self.lab.flasharrays.set_online(ARRAYS["site-a"], True)
            for stage in (("compute", "storage"), ("metadata",), ("orchestrator",), ("gateway",)):
                started = [site.start_again(name) for name in stage if name in site.processes]
                for process in started:
                    process.wait_until_serving(RESTART_SECONDS)

    # Judging -----------------------------------------------------------------------------------

    def _inventory(self, site: str) -> dict[str, list[str]]:
        conn = tenant_vms.connect(self.lab, site, TENANT)
        return {
            "servers": sorted(s.id for s in conn.compute.servers()),
            "volumes": sorted(v.id for v in conn.block_storage.volumes()),
            "networks": sorted(n.id for n in conn.network.networks()),
            "subnets": sorted(s.id for s in conn.network.subnets()),
            "ports": sorted(p.id for p in conn.network.ports()),
            "routers": sorted(r.id for r in conn.network.routers()),
            "security groups": sorted(g.id for g in conn.network.security_groups()),
        }

    def _expect_as_before(self, run: Run, site: str, before: dict[str, list[str]]) -> None:
        run.broken += self.changes(site, before)

    def changes(self, site: str, before: dict[str, list[str]]) -> list[str]:
        """What is left at, or gone from, `site` since its `_inventory` was `before`."""
        after, found = self._inventory(site), []
        for kind, ids in before.items():
            left = sorted(set(after[kind]) - set(ids))
            gone = sorted(set(ids) - set(after[kind]))
            if left:
                found.append(f"{len(left)} {kind} left at {site}")
            if gone:
                found.append(f"{len(gone)} {kind} gone from {site}")
        return found

    def _judge_duplicates(self, run: Run) -> None:
        """No server or volume name, and no port's draas mark, twice at a site."""
        for site in SITES:
            if site == "site-a" and not self.lab.regions["site-a"].api.serving:
                continue
            conn = tenant_vms.connect(self.lab, site, TENANT)
            named = {
                "servers": Counter(s.name for s in conn.compute.servers()),
                "volumes": Counter(v.name for v in conn.block_storage.volumes() if v.name),
                "ports": Counter(
                    p.description
                    for p in conn.network.ports()
                    if (p.description or "").startswith("draas op=")
                ),
            }
            for kind, counts in named.items():
                twice = sorted(name for name, n in counts.items() if n > 1)
                if twice:
                    run.broken.append(f"{kind} twice at {site}: {', '.join(twice[:3])}")

    # HTTP --------------------------------------------------------------------------------------

    def _auth(self, site: str) -> dict[str, str]:
        return {"X-Auth-Token": tenant_vms.token(self.lab, site, TENANT)}

    def _retrying(self, call: Callable[[], httpx.Response]) -> httpx.Response:
        """The answer, through a gateway that may be restarting (or down with its site)."""
        deadline = time.monotonic() + RESTART_SECONDS
        while True:
            try:
                answer = call()
                if answer.status_code not in (502, 503) or time.monotonic() > deadline:
                    return answer
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
        return response.json()

    # The table ---------------------------------------------------------------------------------

    def table(self) -> str:
        """Per operation and per victim: runs, kills, runs broken."""
        lines = ["", "runs by operation:", f"  {'operation':<32} runs  killed  broken"]
        for label in dict.fromkeys(r.operation for r in self.runs):
            these = [r for r in self.runs if r.operation == label]
            lines.append(_row(label, these))
        lines += ["", "runs by process killed:", f"  {'process':<32} runs  killed  broken"]
        for victim in VICTIMS:
            lines.append(_row(victim, [r for r in self.runs if r.victim == victim]))
        total = _row("all", self.runs)
        return "\n".join([*lines, "", total])


def _row(label: str, runs: list[Run]) -> str:
    killed = sum(1 for r in runs if r.killed_at)
    broken = sum(1 for r in runs if r.broken)
    return f"  {label:<32} {len(runs):>4}  {killed:>6}  {broken:>6}"


def uuid4() -> str:
    return uuid.uuid4().hex[:6]


def _wait(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


@contextmanager
def running_campaign(state: Path, seed: int, postgres_url: str | None = None) -> Iterator[Campaign]:
    """Both sites as processes (gateways too) on the lab, and a campaign on them."""
    databases = {
        f"{site}-{service}": f"sqlite:///{state / site / service}.sqlite3"
        for site in SITES
        for service in ("metadata", "orchestrator")
    }
    if postgres_url:
        databases["site-b-orchestrator"] = postgres_url
    for site in SITES:
        (state / site).mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        lab = stack.enter_context(TwoSiteLab(tenants=[TENANT], boot_seconds=0.05))
        sites = stack.enter_context(running_process_sites(lab, state, databases, gateways=True))
        campaign = Campaign(lab, sites, seed)
        stack.callback(campaign.close)
        yield campaign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifecycles", type=int, default=2, help="Per replication type.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default=None, help="Site B's orchestrator database URL.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with (
        tempfile.TemporaryDirectory(prefix="draas-faults-") as state,
        running_campaign(Path(state), args.seed, args.postgres) as campaign,
    ):
        print(
            f"  #  {'operation':<32} {'type':<5} {'killed process':<22} {'killed at':<36} "
            f"{'ended':<12} {'took':>8}  verdict"
        )
        for _ in range(args.lifecycles):
            for replication in ("async", "sync"):
                campaign.lifecycle(replication)
        print(campaign.table())
        return 1 if any(r.broken for r in campaign.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
