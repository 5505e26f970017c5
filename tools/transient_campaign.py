"""The transient-error campaign: test failovers while every backend API of both sites fails a
share of its requests, as clouds and arrays do on a bad day. Nova, Cinder, Neutron, Keystone and
Glance of both regions answer 503 to a random 10% of requests, and both FlashArrays answer 503
to 10% of theirs. Every test failover must recover every VM of its group, and its cleanup must
leave the target site as it was.

    python -m tools.transient_campaign [--tests 20] [--rate 0.1] [--seed 7]

Groups (async and sync in turn, two VMs each, three volumes) are made before the errors start;
each test and its cleanup are asked for through site B's REST gateway, as a tenant would, with
its own retries on a 503 from the gateway (whose token checks meet the failing Keystone too).
Prints a line per test and the totals; exits 1 if any test missed a VM or left something.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import ARRAYS
from simulators.openstack.app import SERVICES
from tools.fault_campaign import Campaign, running_campaign, uuid4
from tools.stack import SITES

TARGET = "site-b"
# A cleanup that failed is tried again after cleanup_retry_seconds (30 s), doubled each time:
# this covers three more tries.
RETRIED_CLEANUP_SECONDS = 240.0


@dataclass
class Trial:
    """One test failover and its cleanup under transient errors."""

    number: int
    replication: str
    vms: int = 0
    recovered: int = 0
    state: str = ""
    cleanup: str = ""
    # Steps the engine tried again (the backends' retries inside a step are not counted).
    retried: int = 0
    seconds: float = 0.0
    broken: list[str] = field(default_factory=list)

    def line(self) -> str:
        verdict = "ok" if not self.broken else "BROKEN: " + "; ".join(self.broken)
        return (
            f"{self.number:>3}  {self.replication:<5} {self.recovered}/{self.vms} VMs  "
            f"{self.state:<20} steps retried {self.retried:>2}  cleanup {self.cleanup:<21} "
            f"{self.seconds:6.1f} s  {verdict}"
        )


class TransientCampaign(Campaign):
    """Test failovers through site B's gateway while the backends fail at `rate`."""

    def __init__(self, campaign: Campaign, rate: float) -> None:
        super().__init__(campaign.lab, campaign.sites, seed=0)
        self.rate = rate
        self.trials: list[Trial] = []
        # Tokens made before the errors start: the campaign's own sign-ins are not under test.
        self._tokens = {site: super(TransientCampaign, self)._auth(site) for site in SITES}

    def _auth(self, site: str) -> dict[str, str]:
        return self._tokens[site]

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Every OpenStack API of both regions and both arrays fail `rate` of their requests
        with a 503 while the block runs."""
        assert self.lab.flasharrays is not None
        arrays = SimulatorControl(self.lab.flasharrays.control_url)
        for site in SITES:
            control = self.lab.regions[site].control_url
            for service in SERVICES:
                _control(
                    "PUT",
                    f"{control}/_sim/errors",
                    {"service": service, "status": 503, "rate": self.rate},
                )
            arrays.inject_errors(ARRAYS[site], status=503, rate=self.rate)
        try:
            yield
        finally:
            for site in SITES:
                control = self.lab.regions[site].control_url
                for service in SERVICES:
                    _control("DELETE", f"{control}/_sim/errors?service={service}", None)
                arrays.clear_errors(ARRAYS[site])

    def trial(self, group: dict[str, Any]) -> Trial:
        """A test failover of `group` at site B, then its cleanup, judged."""
        trial = Trial(len(self.trials) + 1, group["replication_type"])
        self.trials.append(trial)
        before = self._inventory(TARGET)
        started = time.monotonic()
        with self.errors():
            test_id = self._asked_for(
                f"/v1/failover-groups/{group['id']}/test-failover", '{"cleanup_after_seconds": 0}'
            )
            ended = self._ended(TARGET, test_id)
            trial.state = ended["state"]
            report = self._retrying(
                lambda: self.api[TARGET].get(
                    f"/v1/operations/{test_id}/report", headers=self._auth(TARGET)
                )
            ).json()
            vms = report.get("vms") or []
            trial.vms = len(vms)
            trial.recovered = sum(1 for vm in vms if vm.get("recovered"))
            steps = [*report.get("group_steps", []), *(s for vm in vms for s in vm["steps"])]
            trial.retried = sum(max(step.get("attempts", 0) - 1, 0) for step in steps)
            cleanup_id = self._asked_for(f"/v1/operations/{test_id}/cleanup", "{}")
            trial.cleanup = self._ended(TARGET, cleanup_id)["state"]
            if trial.cleanup != "succeeded":
                # A cleanup that failed is tried again by itself (cleanup_retry_seconds).
                trial.cleanup = self._cleaned_up_later(group, test_id)
        trial.seconds = time.monotonic() - started
        if trial.state != "succeeded" or trial.recovered < trial.vms or not trial.vms:
            errors = report.get("errors") or [ended.get("error") or "no error given"]
            trial.broken.append(f"test {trial.state}: {' | '.join(errors)}")
        if not trial.cleanup.startswith("succeeded"):
            trial.broken.append(f"cleanup {trial.cleanup}")
        trial.broken += self.changes(TARGET, before)
        print(trial.line(), flush=True)
        return trial

    def _cleaned_up_later(self, group: dict[str, Any], test_id: str) -> str:
        """ "succeeded (try N)" once a later cleanup of the test succeeds, or how the last
        one ended when none did within RETRIED_CLEANUP_SECONDS."""
        deadline = time.monotonic() + RETRIED_CLEANUP_SECONDS
        while True:
            listed = self._retrying(
                lambda: self.api[TARGET].get(
                    "/v1/operations",
                    params={"group_id": group["id"], "limit": 200},
                    headers=self._auth(TARGET),
                )
            ).json()["operations"]
            tries = [o for o in listed if o.get("parent_operation_id") == test_id]
            if any(o["state"] == "succeeded" for o in tries):
                return f"succeeded (try {len(tries)})"
            if time.monotonic() > deadline:
                return tries[0]["state"] if tries else "never ran"
            time.sleep(1.0)

    def _asked_for(self, path: str, body: str) -> str:
        answer = self._retrying(
            lambda: self.api[TARGET].post(
                path,
                content=body,
                headers={
                    **self._auth(TARGET),
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"transient-{uuid4()}",
                },
            )
        )
        if answer.status_code != 202:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
        return str(answer.json()["id"])

    def totals(self) -> str:
        whole = sum(1 for t in self.trials if t.vms and t.recovered == t.vms)
        clean = sum(1 for t in self.trials if t.cleanup.startswith("succeeded"))
        broken = sum(1 for t in self.trials if t.broken)
        return (
            f"\n{len(self.trials)} test failovers at {self.rate:.0%} backend errors: "
            f"{whole} recovered every VM, {clean} cleaned up, {broken} broken"
        )


def _control(method: str, url: str, body: dict[str, Any] | None) -> None:
    httpx.request(method, url, json=body, timeout=10).raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0.1, help="Share of requests that fail.")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with (
        tempfile.TemporaryDirectory(prefix="draas-transient-") as state,
        running_campaign(Path(state), args.seed) as processes,
    ):
        campaign = TransientCampaign(processes, args.rate)
        try:
            groups = [campaign.protect(kind) for kind in ("async", "sync")]
            for number in range(args.tests):
                campaign.trial(groups[number % len(groups)])
            print(campaign.totals())
        finally:
            campaign.close()
        return 1 if any(t.broken for t in campaign.trials) else 0


if __name__ == "__main__":
    sys.exit(main())
