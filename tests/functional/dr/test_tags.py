"""Protection by tag on the two real sites: servers whose Nova metadata names a policy
(`draas:policy`, `draas:tier`) are protected by it in a group made when first needed, leave it
when the tag goes, raise an alert (with the reason) while they cannot be protected, and are
protected once they can; untagged servers and VMs added by hand are left alone.

Site A's monitor rounds (which look at the tagged servers) are driven by the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from draas.orchestrator.v1 import monitoring_pb2 as mon
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import policies_pb2 as pol
from services.orchestrator.monitoring.monitor import Monitor
from tests.functional.dr.restarted import orchestrator_with
from tests.functional.dr.twosite import TENANT, make_vm, project, protect, rpo
from tests.functional.lab import tenant_connection
from tools.stack import Site

POLICY = "tag-gold"


@pytest.fixture(scope="module")
def monitor(sites: dict[str, Site]) -> Iterator[Monitor]:
    with orchestrator_with(
        sites["site-a"], monitor_interval_seconds=0.0, tag_reconcile_seconds=0.001
    ) as deps:
        yield deps.monitor


def tag(lab: Any, server: Any, **metadata: str) -> None:
    conn = tenant_connection(lab, "site-a", TENANT)
    conn.compute.set_server_metadata(server, **metadata)


def untag(lab: Any, server: Any, *keys: str) -> None:
    conn = tenant_connection(lab, "site-a", TENANT)
    conn.compute.delete_server_metadata(server, list(keys))


def groups_of_policy(sites: dict[str, Site], lab: Any) -> list[opb.FailoverGroup]:
    listed = (
        sites["site-a"]
        .orchestrator.ListFailoverGroups(opb.ListFailoverGroupsRequest(project_id=project(lab)))
        .groups
    )
    return [g for g in listed if g.policy_name == POLICY]


def tag_alerts(sites: dict[str, Site], lab: Any) -> dict[str, tuple[str, str]]:
    """server id -> (state, summary) of the tagged-VM alerts at site A."""
    listed = (
        sites["site-a"]
        .orchestrator.ListAlerts(mon.ListAlertsRequest(project_id=project(lab), local_only=True))
        .alerts
    )
    return {
        a.subject: (mon.AlertState.Name(a.state).removeprefix("ALERT_STATE_").lower(), a.summary)
        for a in listed
        if a.rule == mon.ALERT_RULE_TAGGED_VM_UNPROTECTED
    }


def test_tagged_servers_are_protected_by_their_policy_and_left_when_the_tag_goes(
    sites, lab, tenant_network, monitor
):
    a = sites["site-a"].orchestrator
    # The tenant's projects are linked (a group made with proof), so a group can be made for it.
    protect(sites, lab, "async", [make_vm(lab, tenant_network, "async", volumes=1)])
    a.CreatePolicy(
        pol.CreatePolicyRequest(
            project_id=project(lab),
            policy=pol.Policy(
                name=POLICY,
                replication_type=1,
                target_site="site-b",
                rpo_target=rpo(60),
                default_tier=3,
            ),
        )
    )
    web = make_vm(lab, tenant_network, "async", volumes=1, name="tagged-web")
    db = make_vm(lab, tenant_network, "async", volumes=1, name="tagged-db")
    legacy = make_vm(lab, tenant_network, "standard", volumes=1, name="tagged-legacy")
    lost = make_vm(lab, tenant_network, "async", volumes=1, name="tagged-lost")
    untagged = make_vm(lab, tenant_network, "async", volumes=1, name="untagged")
    tag(lab, web, **{"draas:policy": POLICY, "draas:tier": "1"})
    tag(lab, db, **{"draas:policy": POLICY})
    tag(lab, legacy, **{"draas:policy": POLICY})
    tag(lab, lost, **{"draas:policy": "no-such-policy"})

    round_ = monitor.run_once()
    assert sorted(round_.tagged.added) == sorted([web.id, db.id])
    (group,) = groups_of_policy(sites, lab)
    assert group.name == POLICY and group.target_site == "site-b"
    assert sorted((v.name, v.tier, v.added_by) for v in group.vms) == [
        ("tagged-db", 3, "tag"),
        ("tagged-web", 1, "tag"),
    ]
    problems = tag_alerts(sites, lab)
    assert set(problems) == {legacy.id, lost.id}
    assert problems[legacy.id][0] == "firing" and "does not replicate" in problems[legacy.id][1]
    assert "no policy named 'no-such-policy'" in problems[lost.id][1]
    assert untagged.id not in {v.server_id for v in group.vms}

    # A VM added by hand stays, tags or not; a repeated look changes nothing.
    a.AddVm(opb.AddVmRequest(project_id=project(lab), group_id=group.id, server_id=untagged.id))
    again = monitor.run_once()
    assert (again.tagged.added, again.tagged.removed) == ([], [])

    # The tag goes: the VM leaves the group. A fixed tag: the VM is protected, its alert ends.
    untag(lab, db, "draas:policy")
    tag(lab, lost, **{"draas:policy": POLICY})
    third = monitor.run_once()
    assert (third.tagged.added, third.tagged.removed) == ([lost.id], [db.id])
    (group,) = groups_of_policy(sites, lab)
    assert sorted(v.name for v in group.vms) == ["tagged-lost", "tagged-web", "untagged"]
    problems = tag_alerts(sites, lab)
    assert problems[lost.id][0] == "resolved" and problems[legacy.id][0] == "firing"

    # An untagged VM added by hand is never removed by a look at the tags.
    monitor.run_once()
    (group,) = groups_of_policy(sites, lab)
    assert untagged.id in {v.server_id for v in group.vms}
