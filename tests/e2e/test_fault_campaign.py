"""A few runs of the fault campaign (tools/fault_campaign.py) and of the transient-error
campaign (tools/transient_campaign.py), over processes and the sites' gateways: the rules they
judge by are the same as in their full runs (python -m tools.fault_campaign, python -m
tools.transient_campaign), the runs fewer."""

from __future__ import annotations

from pathlib import Path

from tools.fault_campaign import running_campaign
from tools.transient_campaign import TransientCampaign


def test_an_async_group_to_site_b_and_back_with_a_process_killed_in_every_operation(
    tmp_path: Path,
) -> None:
    with running_campaign(tmp_path, seed=3) as campaign:
        # Test failover, cleanup, planned failover, reprotect by retype, failback: each with
        # one of the five draas processes killed at a random step and started again.
        campaign.lifecycle("async", limit=5)
        print(campaign.table())
    assert len(campaign.runs) == 5
    assert {r.victim for r in campaign.runs} == {
        "orchestrator",
        "compute",
        "storage",
        "metadata",
        "gateway",
    }
    assert [r.line() for r in campaign.runs if r.broken] == []


def test_test_failovers_recover_every_vm_while_every_backend_fails_a_tenth_of_its_requests(
    tmp_path: Path,
) -> None:
    with running_campaign(tmp_path, seed=5) as processes:
        campaign = TransientCampaign(processes, rate=0.1)
        try:
            groups = [campaign.protect(kind) for kind in ("async", "sync")]
            for group in groups:
                campaign.trial(group)
        finally:
            campaign.close()
    assert [t.line() for t in campaign.trials if t.broken] == []
    assert all(t.recovered == t.vms == 2 for t in campaign.trials)
