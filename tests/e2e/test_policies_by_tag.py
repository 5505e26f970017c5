"""Policies and protection by tag with every process of both sites running as in production
(the monitors' rounds on their own clock, every second here): a server tagged with a policy is
protected by it without any other call, a tagged server that cannot be protected raises an
alert with its reason, an untagged one is left alone, and a policy change reaches its groups
at both sites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.lab import TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.functional.dr.gateway_client import ok, token
from tests.functional.dr.twosite import wait_for
from tools import tenant_vms
from tools.process_sites import ProcessSite, running_process_sites
from tools.stack import SITES

TENANT = "tenant3"


@pytest.fixture(scope="module")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def sites(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, ProcessSite]]:
    state = tmp_path_factory.mktemp("policies")
    with (
        mixed_site_databases(state) as databases,
        running_process_sites(
            lab,
            state,
            databases,
            gateways=True,
            monitor_interval_seconds=1.0,
            tag_reconcile_seconds=1.0,
        ) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def api(sites: dict[str, ProcessSite]) -> Iterator[dict[str, httpx.Client]]:
    clients = {s: httpx.Client(base_url=sites[s].gateway_url, timeout=60) for s in SITES}
    yield clients
    for client in clients.values():
        client.close()


def member(lab: TwoSiteLab, site: str) -> dict[str, str]:
    return {"X-Auth-Token": token(lab, site, f"{TENANT}-user", TENANT)}


def test_a_tagged_server_is_protected_by_its_policy_without_any_other_call(lab, sites, api):
    a, b = api["site-a"], api["site-b"]
    at_a, at_b = member(lab, "site-a"), member(lab, "site-b")
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.70.0.0/24", "tags")
    ok(
        a.post(
            "/v1/policies",
            headers=at_a,
            json={
                "name": "gold",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target_seconds": 60,
                "default_tier": 2,
            },
        ),
        201,
    )
    # The tenant links its projects once, with proof of its project at site B.
    ok(
        a.post(
            "/v1/failover-groups",
            headers={**at_a, "X-Target-Auth-Token": at_b["X-Auth-Token"]},
            json={"name": "by-hand", "policy": "gold"},
        ),
        201,
    )

    tagged = _vm(conn, network, f"{TENANT}-async", "tagged-app", {"draas:policy": "gold"})
    legacy = _vm(conn, network, "standard", "tagged-legacy", {"draas:policy": "gold"})
    untagged = _vm(conn, network, f"{TENANT}-async", "untagged-app", {})

    def protected() -> dict[str, Any] | None:
        groups = ok(a.get("/v1/failover-groups", headers=at_a))["failover_groups"]
        for group in groups:
            if tagged.id in {v["server_id"] for v in group["vms"]}:
                return dict(group)
        return None

    group = wait_for(protected, timeout=60)
    assert group["policy_name"] == "gold" and group["name"] == "by-hand"
    (vm,) = group["vms"]
    assert (vm["tier"], vm["added_by"]) == (2, "tag")

    def alert() -> dict[str, Any] | None:
        found = ok(a.get("/v1/alerts", headers=at_a, params={"state": "firing"}))["alerts"]
        return next((x for x in found if x["subject"] == legacy.id), None)

    raised = wait_for(alert, timeout=60)
    assert raised["rule"] == "tagged_vm_unprotected" and raised["site"] == "site-a"
    assert "tagged-legacy" in raised["summary"] and "does not replicate" in raised["summary"]
    every_vm = {
        v["server_id"]
        for g in ok(a.get("/v1/failover-groups", headers=at_a))["failover_groups"]
        for v in g["vms"]
    }
    assert untagged.id not in every_vm and legacy.id not in every_vm

    # A change of the policy reaches the group, here and at its target site.
    changed = ok(
        a.put(
            "/v1/policies/gold",
            headers=at_a,
            json={
                "name": "gold",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target_seconds": 30,
                "default_tier": 2,
            },
        )
    )
    assert [g["changes"] for g in changed["groups"]] == [["rpo_target 60 s -> 30 s"]]
    path = f"/v1/failover-groups/{group['id']}"
    assert ok(a.get(path, headers=at_a))["rpo_target"] == 30
    wait_for(lambda: ok(b.get(path, headers=at_b))["rpo_target"] == 30, timeout=60)


def _vm(conn: Any, network: Any, volume_type: str, name: str, metadata: dict[str, str]) -> Any:
    server = tenant_vms.make_vm(conn, network, volume_type, 1, name)
    if metadata:
        conn.compute.set_server_metadata(server, **metadata)
    return server
