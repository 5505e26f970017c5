"""The tenant REST gateways of both sites, each served over a real socket in front of its
site's orchestrator, with tokens from its site's simulated Keystone: each tenant acts only in
its own project, a reader only reads, an admin sees every project, every error is a problem
document that says what is wrong, and operations can be started, followed live and reported."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.orchestrator.monitoring.alerts import Condition, Judged
from tests.functional.dr.gateway_client import (
    ENDED,
    events,
    ok,
    problem,
    protected_group,
    site_tokens,
)
from tests.functional.dr.twosite import make_vm, project, wait_for
from tools.launcher import REPO_ROOT, service_environment


@pytest.fixture(scope="module")
def clients(gateways) -> Iterator[dict[str, httpx.Client]]:
    made = {site: httpx.Client(base_url=url, timeout=60) for site, url in gateways.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def api(clients) -> httpx.Client:
    """Site A's gateway."""
    return clients["site-a"]


@pytest.fixture(scope="module")
def all_tokens(lab) -> dict[str, dict[str, dict[str, str]]]:
    return {site: site_tokens(lab, site) for site in ("site-a", "site-b")}


@pytest.fixture(scope="module")
def proof(all_tokens) -> dict[str, str]:
    """tenant4's proof that it holds its project at site B (links its projects)."""
    return {"X-Target-Auth-Token": all_tokens["site-b"]["member"]["X-Auth-Token"]}


@pytest.fixture(scope="module")
def tokens(all_tokens) -> dict[str, dict[str, str]]:
    """Site A's."""
    return all_tokens["site-a"]


@pytest.fixture(scope="module")
def tested(lab, sites, tenant_network, clients, all_tokens) -> Iterator[dict]:
    """tenant4's group (one VM, site A to site B) and a test failover of it at site B that
    has succeeded and is not cleaned up yet."""
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protected_group(clients, all_tokens, [vm.id])
    started = clients["site-b"].post(
        f"/v1/failover-groups/{group['id']}/test-failover",
        headers=all_tokens["site-b"]["member"],
        json={"cleanup_after_seconds": 0},
    )
    operation = ok(started, 202)
    done = wait_for(
        lambda: (
            found
            if (
                found := clients["site-b"]
                .get(f"/v1/operations/{operation['id']}", headers=all_tokens["site-b"]["member"])
                .json()
            )["state"]
            in ENDED
            else None
        )
    )
    assert done["state"] == "succeeded", done
    audited = ok(
        clients["site-b"].get(
            "/v1/audit-events",
            headers=all_tokens["site-b"]["member"],
            params={"target_id": group["id"], "action": "update/test-failover"},
        )
    )["audit_events"]
    # An alert of the group at site B (raised there by its monitor's store, as a rule would)
    # and an alert channel of the tenant there.
    alert = _alert_at_site_b(sites, lab, group)
    channel = ok(
        clients["site-b"].post(
            "/v1/alert-channels",
            headers=all_tokens["site-b"]["member"],
            json={"name": "isolation", "kind": "email", "address": "ops@example.com"},
        ),
        201,
    )
    policy = ok(
        clients["site-b"].post(
            "/v1/policies",
            headers=all_tokens["site-b"]["member"],
            json={"name": "isolation", "replication_type": "sync", "target_site": "site-a"},
        ),
        201,
    )
    yield {
        "group": group,
        "operation": done,
        "vm": vm.id,
        "audit_event": audited[0]["id"],
        "alert": alert,
        "channel": channel["id"],
        "policy": policy["id"],
    }
    member_b = all_tokens["site-b"]["member"]
    clients["site-b"].delete(f"/v1/alert-channels/{channel['id']}", headers=member_b)
    clients["site-b"].delete(f"/v1/policies/{policy['id']}", headers=member_b)


def _alert_at_site_b(sites: dict, lab: Any, group: dict) -> str:
    monitor = sites["site-b"].running["orchestrator"][1].monitor
    condition = Condition(
        project(lab, "site-b"), group["id"], group["name"], "test_overdue", "warning", "overdue"
    )
    (fired,) = monitor.alerts.reconcile(Judged([condition], set()), datetime.now(UTC))
    return fired.alert_id


def new_group(api, tokens, name: str, proof: dict[str, str]) -> dict:
    return ok(
        api.post(
            "/v1/failover-groups",
            headers={**tokens["member"], **proof},
            json={
                "name": name,
                "replication_type": "async",
                "rpo_target_seconds": 60,
                "target_site": "site-b",
            },
        ),
        201,
    )


# Isolation, route by route ------------------------------------------------------------------

# A valid request for every route that takes a body; the routes come from the OpenAPI document,
# so a new route without an entry here fails the test rather than going unchecked.
BODIES = {
    ("post", "/v1/failover-groups"): {
        "name": "intruder",
        "replication_type": "async",
        "target_site": "site-a",
    },
    ("post", "/v1/failover-groups/{group_id}/vms"): {"server_id": "{server_id}"},
    ("post", "/v1/failover-groups/{group_id}/split"): {"server_ids": ["intruder-vm"]},
    ("post", "/v1/failover-groups/{group_id}/test-failover"): {},
    ("post", "/v1/failover-groups/{group_id}/failover"): {"mode": "unplanned"},
    ("post", "/v1/failover-groups/{group_id}/reprotect"): {
        "method": "retype",
        "target_replication_type": "async",
    },
    ("post", "/v1/failover-groups/{group_id}/failback"): {},
    ("post", "/v1/failover-groups/{group_id}/move"): {},
    ("post", "/v1/operations/{operation_id}/cleanup"): None,
    ("patch", "/v1/failover-groups/{group_id}"): {"description": "changed by an intruder"},
    ("post", "/v1/alerts/{alert_id}/acknowledge"): {"comment": "not mine"},
    ("post", "/v1/alert-channels"): {
        "name": "intruder",
        "kind": "email",
        "address": "intruder@example.com",
    },
    ("post", "/v1/policies"): {
        "name": "intruder",
        "replication_type": "sync",
        "target_site": "site-a",
    },
    ("put", "/v1/policies/{policy}"): {
        "name": "intruder",
        "replication_type": "sync",
        "target_site": "site-a",
    },
    ("post", "/v1/failover-groups/{group_id}/test-schedule/run"): None,
}
OPEN_ROUTES = {"/v1/health"}
# Of no project: only an admin may read them (test_only_an_admin_reads_the_sites_status).
ADMIN_ROUTES = {"/v1/site/status"}


def routes(client: httpx.Client) -> list[tuple[str, str]]:
    document = client.get("/v1/openapi.json").json()
    return sorted(
        (method, path)
        for path, operations in document["paths"].items()
        if path not in OPEN_ROUTES | ADMIN_ROUTES
        for method in operations
    )


def request_for(method: str, path: str, ids: dict[str, str]) -> dict:
    filled = path.format(**ids)
    if method in ("post", "patch", "put") and (method, path) not in BODIES:
        raise AssertionError(f"no example body for {method.upper()} {path}: add one to BODIES")
    body = BODIES.get((method, path))
    if body is not None:
        body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    return {"method": method.upper(), "url": filled, "json": body}


def state_of(client: httpx.Client, headers: dict[str, str], tested: dict) -> tuple:
    group = ok(client.get(f"/v1/failover-groups/{tested['group']['id']}", headers=headers))
    operation = ok(client.get(f"/v1/operations/{tested['operation']['id']}", headers=headers))
    listed = ok(client.get("/v1/operations", headers=headers))["operations"]
    return group, operation["state"], operation["cleanup_at"], [o["id"] for o in listed]


def test_every_route_refuses_another_project_and_changes_nothing(lab, clients, all_tokens, tested):
    client, tokens = clients["site-b"], all_tokens["site-b"]
    ids = {
        "group_id": tested["group"]["id"],
        "operation_id": tested["operation"]["id"],
        "server_id": tested["vm"],
        "event_id": tested["audit_event"],
        "alert_id": tested["alert"],
        "channel_id": tested["channel"],
        "policy": tested["policy"],
    }
    before = state_of(client, tokens["member"], tested)
    tenant_project = project(lab, "site-b")
    checked = []
    for method, path in routes(client):
        request = request_for(method, path, ids)
        if "{" in path:
            # Another project's token: the tenant's group or operation is not there for it.
            response = client.request(**request, headers=tokens["other"])
            assert "has no" in problem(response, 404), (method, path)
        else:
            # A collection: naming the tenant's project is refused; its own holds none of them.
            response = client.request(
                **request, headers=tokens["other"], params={"project_id": tenant_project}
            )
            assert "only an admin" in problem(response, 403), (method, path)
            # Its own audit trail names the ids it tried, and only those.
            if method == "get" and path != "/v1/audit-events":
                own = ok(client.get(path, headers=tokens["other"]))
                assert ids["group_id"] not in str(own) and ids["operation_id"] not in str(own)
        checked.append((method, path))
    assert state_of(client, tokens["member"], tested) == before
    assert len(checked) >= 15


def test_a_reader_may_read_every_route_and_change_nothing(clients, all_tokens, tested):
    client, tokens = clients["site-b"], all_tokens["site-b"]
    ids = {
        "group_id": tested["group"]["id"],
        "operation_id": tested["operation"]["id"],
        "server_id": tested["vm"],
        "event_id": tested["audit_event"],
        "alert_id": tested["alert"],
        "channel_id": tested["channel"],
        "policy": tested["policy"],
    }
    before = state_of(client, tokens["member"], tested)
    for method, path in routes(client):
        request = request_for(method, path, ids)
        if method == "get":
            if path.endswith("/events"):
                assert list(events(client, request["url"], tokens["reader"]))
            else:
                assert client.request(**request, headers=tokens["reader"]).status_code == 200, path
        else:
            response = client.request(**request, headers=tokens["reader"])
            assert "only allow reading" in problem(response, 403), (method, path)
    assert state_of(client, tokens["member"], tested) == before


def test_an_admin_sees_every_project_and_may_act_in_one(lab, clients, all_tokens, tested):
    client, tokens = clients["site-b"], all_tokens["site-b"]
    group_id, operation_id = tested["group"]["id"], tested["operation"]["id"]
    tenant_project = project(lab, "site-b")
    listed = ok(client.get("/v1/failover-groups?all_projects=true", headers=tokens["admin"]))
    mine = [g for g in listed["failover_groups"] if g["id"] == group_id]
    assert [g["project_id"] for g in mine] == [tenant_project]
    operations = ok(client.get("/v1/operations?all_projects=true", headers=tokens["admin"]))
    assert operation_id in [o["id"] for o in operations["operations"]]
    shown = ok(
        client.get(
            f"/v1/failover-groups/{group_id}",
            headers=tokens["admin"],
            params={"project_id": tenant_project},
        )
    )
    assert shown["id"] == group_id
    problem(client.get(f"/v1/failover-groups/{group_id}", headers=tokens["admin"]), 404)
    # Acting in the tenant's project: what the admin makes there is the tenant's.
    a, admin_a = clients["site-a"], all_tokens["site-a"]["admin"]
    tenant_a = {"project_id": project(lab, "site-a")}
    made = ok(
        a.post(
            "/v1/failover-groups",
            headers=admin_a,
            params=tenant_a,
            json={"name": "made-by-admin", "replication_type": "sync", "target_site": "site-b"},
        ),
        201,
    )
    assert made["project_id"] == tenant_a["project_id"]
    members = ok(a.get("/v1/failover-groups", headers=all_tokens["site-a"]["member"]))
    assert made["id"] in [g["id"] for g in members["failover_groups"]]
    both = a.get("/v1/failover-groups", headers=admin_a, params={**tenant_a, "all_projects": True})
    assert "project_id" in problem(both, 400)
    assert a.delete(
        f"/v1/failover-groups/{made['id']}", headers=admin_a, params=tenant_a
    ).is_success
    for who in ("member", "reader", "other"):
        refused = client.get("/v1/failover-groups?all_projects=true", headers=tokens[who])
        assert "all_projects: only an admin may" in problem(refused, 403)


def test_a_tenant_lists_its_vms_with_their_protection_and_no_one_elses(clients, all_tokens, tested):
    a, tokens = clients["site-a"], all_tokens["site-a"]
    listed = ok(a.get("/v1/vms", headers=tokens["member"]))["vms"]
    mine = next(v for v in listed if v["server_id"] == tested["vm"])
    assert mine["state"] == "protected"
    assert (mine["group_id"], mine["group_name"]) == (
        tested["group"]["id"],
        tested["group"]["name"],
    )
    assert all(v["state"] in ("protected", "eligible", "not_eligible") for v in listed)
    others = ok(a.get("/v1/vms", headers=tokens["other"]))["vms"]
    assert tested["vm"] not in [v["server_id"] for v in others]
    paged = ok(a.get("/v1/vms", headers=tokens["member"], params={"limit": 1}))
    assert len(paged["vms"]) == 1 and paged["next_page_token"] == ("1" if len(listed) > 1 else "")


def test_only_an_admin_reads_the_sites_status(clients, all_tokens):
    assert set(ADMIN_ROUTES) <= set(clients["site-b"].get("/v1/openapi.json").json()["paths"])
    for site, client in clients.items():
        status = ok(client.get("/v1/site/status", headers=all_tokens[site]["admin"]))
        assert status["site"] == site and status["healthy"] is True
        assert {d["name"] for d in status["dependencies"]} >= {"metadata", "storage", "compute"}
        for who in ("member", "reader", "other"):
            refused = client.get("/v1/site/status", headers=all_tokens[site][who])
            assert "only an admin may" in problem(refused, 403)


# Operations through the API -----------------------------------------------------------------


def test_an_operation_is_started_once_per_key_followed_live_reported_and_cleaned_up(
    clients, all_tokens, tested
):
    client, member = clients["site-b"], all_tokens["site-b"]["member"]
    operation_id = tested["operation"]["id"]

    stream = list(events(client, f"/v1/operations/{operation_id}/events", member))
    *progress, end = stream
    assert end["event"] == "end" and end["data"]["state"] == "succeeded"
    sequences = [int(e["id"]) for e in progress]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert {e["data"]["step_state"] for e in progress if e["data"]["server_id"]} >= {"succeeded"}
    # Resuming after the third event gives exactly the rest.
    resumed = list(
        events(
            client,
            f"/v1/operations/{operation_id}/events",
            {**member, "Last-Event-ID": str(sequences[2])},
        )
    )
    assert [int(e["id"]) for e in resumed[:-1]] == sequences[3:]

    report = ok(client.get(f"/v1/operations/{operation_id}/report", headers=member))
    assert report["kind"] == "test_failover" and report["rto"] > 0
    # The group says so where it was tested; where it runs, no test ran.
    group_path = f"/v1/failover-groups/{tested['group']['id']}"
    last_home = ok(client.get(group_path, headers=member))
    last = last_home["last_test"]
    assert (last["operation_id"], last["state"], last["rto"]) == (
        operation_id,
        "succeeded",
        report["rto"],
    )
    assert last["finished_at"] == tested["operation"]["finished_at"]
    listed = ok(client.get("/v1/failover-groups", headers=member))["failover_groups"]
    assert [g["last_test"] for g in listed if g["id"] == tested["group"]["id"]] == [last]
    home = ok(clients["site-a"].get(group_path, headers=all_tokens["site-a"]["member"]))
    assert home["last_test"] is None
    assert home["home_site"] == last_home["home_site"] == "site-a"
    assert [vm["recovered"] for vm in report["vms"]] == [True]
    listed = ok(
        client.get(f"/v1/operations?group_id={tested['group']['id']}&limit=1", headers=member)
    )
    assert [o["id"] for o in listed["operations"]] == [operation_id]

    # Another test failover is refused while this one stands, saying why.
    again = client.post(
        f"/v1/failover-groups/{tested['group']['id']}/test-failover", headers=member, json={}
    )
    assert "until it is cleaned up" in problem(again, 409)

    key = {"Idempotency-Key": f"clean-{uuid.uuid4().hex}"}
    # The caller's trace goes on into the orchestrator: the operation is part of it.
    trace_id = uuid.uuid4().hex
    traced = {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}
    started = client.post(
        f"/v1/operations/{operation_id}/cleanup", headers={**member, **key, **traced}
    )
    cleanup = ok(started, 202)
    assert started.headers["location"] == f"/v1/operations/{cleanup['id']}"
    assert cleanup["trace_id"] == trace_id
    repeated = ok(
        client.post(f"/v1/operations/{operation_id}/cleanup", headers={**member, **key}), 202
    )
    assert repeated["id"] == cleanup["id"]
    *_, ended = events(client, f"/v1/operations/{cleanup['id']}/events", member)
    assert ended["data"]["state"] == "succeeded", ended
    cleaned = ok(client.get(f"/v1/operations/{cleanup['id']}/report", headers=member))
    assert any("server" in r for r in cleaned["removed"])
    assert (cleaned["rto"], cleaned["rpo"]) == (None, None), "a cleanup recovers nothing"


def test_every_operation_route_says_404_for_an_unknown_operation(clients, all_tokens):
    client, member = clients["site-b"], all_tokens["site-b"]["member"]
    for path in ("", "/report", "/events"):
        problem(client.get(f"/v1/operations/op-unknown{path}", headers=member), 404)


# Groups --------------------------------------------------------------------------------------


def test_a_tenant_sees_and_changes_only_its_own_projects_groups(api, tokens, proof):
    group = new_group(api, tokens, "gw-own", proof)
    assert (group["name"], group["replication_type"], group["state"]) == (
        "gw-own",
        "async",
        "protected",
    )
    path = f"/v1/failover-groups/{group['id']}"
    listed = api.get("/v1/failover-groups", headers=tokens["member"]).json()["failover_groups"]
    assert group["id"] in [g["id"] for g in listed]
    assert api.get(path, headers=tokens["member"]).json()["id"] == group["id"]

    other = tokens["other"]
    assert group["id"] not in [
        g["id"] for g in api.get("/v1/failover-groups", headers=other).json()["failover_groups"]
    ]
    problem(api.get(path, headers=other), 404)
    problem(api.delete(path, headers=other), 404)
    assert api.get(path, headers=tokens["member"]).status_code == 200, "still there"

    assert api.delete(path, headers=tokens["member"]).status_code == 204
    problem(api.get(path, headers=tokens["member"]), 404)


def test_groups_are_listed_a_page_at_a_time(api, tokens, proof):
    made = {new_group(api, tokens, f"gw-page-{i}", proof)["id"] for i in range(3)}
    seen, token, pages = [], "", 0
    while True:
        page = ok(
            api.get(
                "/v1/failover-groups",
                headers=tokens["member"],
                params={"limit": 2, "page_token": token},
            )
        )
        seen += [g["id"] for g in page["failover_groups"]]
        pages += 1
        token = page["next_page_token"]
        if not token:
            break
    assert made <= set(seen) and len(seen) == len(set(seen)) and pages >= 2


def test_recovery_points_are_listed_a_page_at_a_time(clients, all_tokens, tested):
    client, member = clients["site-b"], all_tokens["site-b"]["member"]
    path = f"/v1/failover-groups/{tested['group']['id']}/recovery-points"
    whole = ok(client.get(path, headers=member))
    assert whole["recovery_points"] and whole["next_page_token"] == ""
    first = ok(client.get(path, headers=member, params={"limit": 1}))
    assert [p["id"] for p in first["recovery_points"]] == [whole["recovery_points"][0]["id"]]
    assert first["recovery_points"][0]["server_ids"] == [tested["vm"]]
    if len(whole["recovery_points"]) > 1:
        following = ok(
            client.get(
                path, headers=member, params={"limit": 1, "page_token": first["next_page_token"]}
            )
        )
        assert following["recovery_points"][0]["id"] == whole["recovery_points"][1]["id"]
    assert "limit" in problem(client.get(path, headers=member, params={"limit": 0}), 400)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"X-Auth-Token": "not-a-token"}, 401), ({"X-Auth-Token": b"tok\xff"}, 401)],
)
def test_without_a_valid_token_nothing_is_answered(api, headers, status):
    problem(api.get("/v1/failover-groups", headers=headers), status)
    problem(api.post("/v1/failover-groups", headers=headers, json={}), status)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"replication_type": "async"}, "name"),
        ({"name": "x", "replication_type": "nearline"}, "replication_type"),
        (
            {"name": "x", "replication_type": "async", "rpo_target_seconds": -5},
            "rpo_target_seconds",
        ),
        ({"name": "x", "replication_type": "async", "colour": "blue"}, "colour"),
        ({"name": "", "replication_type": "sync"}, "name"),
        ([1, 2], "body"),
    ],
)
def test_malformed_input_is_refused_naming_the_field_and_changes_nothing(api, tokens, body, named):
    before = api.get("/v1/failover-groups", headers=tokens["member"]).json()
    assert named in problem(
        api.post("/v1/failover-groups", headers=tokens["member"], json=body), 400
    )
    assert api.get("/v1/failover-groups", headers=tokens["member"]).json() == before


@pytest.mark.parametrize(
    ("method", "path", "extra", "named"),
    [
        ("post", "/v1/failover-groups/g1/failover", {"json": {"mode": "sideways"}}, "mode"),
        (
            "post",
            "/v1/failover-groups/g1/reprotect",
            {"json": {"method": "retype", "target_replication_type": "tape"}},
            "target_replication_type",
        ),
        (
            "post",
            "/v1/failover-groups/g1/test-failover",
            {"json": {}, "headers": {"Idempotency-Key": "has space"}},
            "Idempotency-Key",
        ),
        ("get", "/v1/operations?limit=0", {}, "limit"),
        ("get", "/v1/operations?page_token=abc", {}, "page_token"),
        # Numbers too large for the orchestrator's 64-bit fields and SQL offsets.
        ("get", "/v1/operations?page_token=" + "9" * 19, {}, "page_token"),
        ("get", "/v1/operations/op1/events?after=" + "9" * 19, {}, "after"),
        (
            "get",
            "/v1/operations/op1/events",
            {"headers": {"Last-Event-ID": "9" * 19}},
            "Last-Event",
        ),
        ("get", "/v1/failover-groups?all_projects=true&bogus=1", {}, "bogus"),
        ("get", "/v1/operations/op1/events?after=-1", {}, "after"),
    ],
)
def test_malformed_operation_requests_are_refused_naming_the_field(
    clients, all_tokens, method, path, extra, named
):
    member = all_tokens["site-b"]["member"]
    headers = {**member, **extra.pop("headers", {})}
    response = clients["site-b"].request(method, path, headers=headers, **extra)
    assert named in problem(response, 400)


def test_a_body_that_is_not_json_and_a_malformed_id_are_bad_requests(api, tokens):
    problem(
        api.post(
            "/v1/failover-groups",
            headers={**tokens["member"], "Content-Type": "application/json"},
            content=b"{not json",
        ),
        400,
    )
    problem(api.get("/v1/failover-groups/bad id!", headers=tokens["member"]), 400)


def test_the_openapi_document_declares_the_routes_and_their_problems(api):
    document = api.get("/v1/openapi.json").json()
    assert {
        "/v1/failover-groups",
        "/v1/failover-groups/{group_id}/test-failover",
        "/v1/operations/{operation_id}/events",
    } <= set(document["paths"])
    failover = document["paths"]["/v1/failover-groups/{group_id}/failover"]["post"]
    assert "422" not in failover["responses"]
    assert "application/problem+json" in failover["responses"]["400"]["content"]
    assert document["components"]["securitySchemes"]["keystone"]["name"] == "X-Auth-Token"


def test_the_gateway_process_refuses_to_start_without_its_keystone(tmp_path):
    env = service_environment("site-a", tmp_path, {})
    ran = subprocess.run(
        [sys.executable, "-m", "gateway"],
        check=False,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 2
    assert "keystone_url" in ran.stderr and "DRAAS_GATEWAY_KEYSTONE_URL" in ran.stderr
