"""Two tenants of both sites, each with a protected group, through the sites' REST gateways as
processes. A hostile tenant tries every way to bind its project to the victim's at site B (the
takeover of issue 14): each is refused, and both tenants' links, groups and operations are as
they were. Both tenants' VMs run on the same public flavor and image, and the second tenant's
test failover recovers them (metadata files shared resources under the site, not under the
first tenant to capture them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.lab import TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.functional.dr.gateway_client import ENDED, ok, problem, token
from tests.functional.dr.twosite import wait_for
from tools import tenant_vms
from tools.process_sites import ProcessSite, running_process_sites
from tools.stack import SITES

VICTIM, ATTACKER = "tenant1", "tenant2"
TENANTS = (VICTIM, ATTACKER)


@pytest.fixture(scope="module")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=list(TENANTS), boot_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def sites(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, ProcessSite]]:
    state = tmp_path_factory.mktemp("isolation")
    with (
        mixed_site_databases(state) as databases,
        running_process_sites(lab, state, databases, gateways=True) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def api(sites) -> Iterator[dict[str, httpx.Client]]:
    clients = {s: httpx.Client(base_url=sites[s].gateway_url, timeout=60) for s in SITES}
    yield clients
    for client in clients.values():
        client.close()


def auth(lab: TwoSiteLab, site: str, tenant: str, user: str = "user") -> dict[str, str]:
    return {"X-Auth-Token": token(lab, site, f"{tenant}-{user}", tenant)}


def protect(lab, api, tenant: str, cidr: str) -> dict[str, Any]:
    """The tenant's group of one VM on the public flavor and image, its projects linked on the
    proof of its own token at site B, ready there."""
    conn = tenant_vms.connect(lab, "site-a", tenant)
    network = tenant_vms.make_network(conn, cidr, tenant)
    vm = tenant_vms.make_vm(conn, network, f"{tenant}-async", volumes=2, name=f"{tenant}-app")
    proof = {"X-Target-Auth-Token": tenant_vms.token(lab, "site-b", tenant)}
    group = ok(
        api["site-a"].post(
            "/v1/failover-groups",
            json={
                "name": f"{tenant}-group",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target_seconds": 60,
            },
            headers={**auth(lab, "site-a", tenant), **proof},
        ),
        201,
    )
    ok(
        api["site-a"].post(
            f"/v1/failover-groups/{group['id']}/vms",
            json={"server_id": vm.id},
            headers=auth(lab, "site-a", tenant),
        ),
    )
    wait_for(
        lambda: (
            api["site-b"]
            .get(
                f"/v1/failover-groups/{group['id']}/readiness",
                headers=auth(lab, "site-b", tenant),
            )
            .json()
            .get("failover_ready")
        ),
        timeout=120,
    )
    return dict(group)


def run_test_failover(lab, api, tenant: str, group: dict[str, Any]) -> dict[str, Any]:
    """A test failover of the tenant's group at site B, to its end; its report."""
    headers = auth(lab, "site-b", tenant)
    started = ok(
        api["site-b"].post(
            f"/v1/failover-groups/{group['id']}/test-failover",
            json={"cleanup_after_seconds": 3600},
            headers=headers,
        ),
        202,
    )
    wait_for(
        lambda: (
            api["site-b"].get(f"/v1/operations/{started['id']}", headers=headers).json()["state"]
            in ENDED
        ),
        timeout=120,
    )
    return dict(ok(api["site-b"].get(f"/v1/operations/{started['id']}/report", headers=headers)))


def what_each_sees(lab, api) -> dict[str, Any]:
    """Per tenant and site: its groups (as shown) and its operations."""
    seen: dict[str, Any] = {}
    for tenant in TENANTS:
        for site in SITES:
            headers = auth(lab, site, tenant)
            groups = ok(api[site].get("/v1/failover-groups", headers=headers))["failover_groups"]
            operations = ok(api[site].get("/v1/operations", headers=headers))["operations"]
            seen[f"{tenant}@{site}"] = {
                "groups": sorted(
                    (g["id"], g["name"], g["source_site"], g["state"]) for g in groups
                ),
                "operations": sorted((o["id"], o["state"]) for o in operations),
            }
    return seen


@pytest.fixture(scope="module")
def victims_group(lab, api) -> dict[str, Any]:
    """The victim's group, tested once at site B (its test standing there)."""
    group = protect(lab, api, VICTIM, "10.81.0.0/24")
    report = run_test_failover(lab, api, VICTIM, group)
    assert report["vms"] and all(vm["recovered"] for vm in report["vms"]), report["errors"]
    return group


def steal(lab, api, proof: dict[str, str]) -> httpx.Response:
    """The attacker asks for a group whose target is the victim's project at site B."""
    return api["site-a"].post(
        "/v1/failover-groups",
        json={
            "name": "steal",
            "replication_type": "async",
            "target_site": "site-b",
            "rpo_target_seconds": 60,
            "target_project_id": lab.regions["site-b"].project_id(VICTIM),
        },
        headers={**auth(lab, "site-a", ATTACKER), **proof},
    )


def test_the_takeover_is_refused_every_way_and_changes_nothing(lab, api, victims_group):
    victim_at_b = lab.regions["site-b"].project_id(VICTIM)
    before = what_each_sees(lab, api)

    # The attacker's project is linked to nothing yet: asserting the victim's project at B is
    # refused with no proof, with a proof of its own project there, with a token of the wrong
    # site's Keystone, and with a token of the victim's reader (a role that may not link).
    for proof, said in (
        ({}, f"nothing proves you hold project {victim_at_b} at site-b"),
        ({"X-Target-Auth-Token": tenant_vms.token(lab, "site-b", ATTACKER)}, f"not {victim_at_b}"),
        (
            {"X-Target-Auth-Token": tenant_vms.token(lab, "site-a", ATTACKER)},
            "Keystone does not know the token",
        ),
        (
            {"X-Target-Auth-Token": token(lab, "site-b", f"{VICTIM}-reader", VICTIM)},
            "may not change it",
        ),
    ):
        assert said in problem(steal(lab, api, proof), 403)
    assert what_each_sees(lab, api) == before

    # Once the attacker's own projects are linked, that link stands: the victim's project is a
    # conflict, named, and the attacker still reaches nothing of the victim's at either site.
    attackers_group = protect(lab, api, ATTACKER, "10.82.0.0/24")
    said = problem(steal(lab, api, {}), 409)
    assert f"is linked to project {lab.regions['site-b'].project_id(ATTACKER)} at site-b" in said
    for site in SITES:
        headers = auth(lab, site, ATTACKER)
        path = f"/v1/failover-groups/{victims_group['id']}"
        assert api[site].get(path, headers=headers).status_code == 404
        tried = api[site].post(f"{path}/test-failover", json={}, headers=headers)
        assert tried.status_code == 404, tried.text
    after = what_each_sees(lab, api)
    assert {k: v for k, v in after.items() if k.startswith(VICTIM)} == {
        k: v for k, v in before.items() if k.startswith(VICTIM)
    }
    assert [g[0] for g in after[f"{ATTACKER}@site-a"]["groups"]] == [attackers_group["id"]]


def test_a_second_tenants_vm_on_the_shared_flavor_and_image_recovers(lab, api, victims_group):
    # The victim's capture met the public flavor and image first; the attacker's VM uses them
    # too, and recovers.
    group = next(
        g
        for g in ok(
            api["site-a"].get("/v1/failover-groups", headers=auth(lab, "site-a", ATTACKER))
        )["failover_groups"]
    )
    report = run_test_failover(lab, api, ATTACKER, group)
    assert report["vms"] and all(vm["recovered"] for vm in report["vms"]), report["errors"]
    conn = tenant_vms.connect(lab, "site-b", ATTACKER)
    for vm in report["vms"]:
        assert conn.compute.get_server(vm["recovered_server_id"]).status == "ACTIVE"
