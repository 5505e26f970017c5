"""The audit trail through both sites' gateways (site A's on a SQLite file, site B's on the real
PostgreSQL server), in front of the real orchestrators, with tokens of each site's simulated
Keystone.

Every route of the published OpenAPI document that may change something (POST, PUT, PATCH,
DELETE; new routes included, as they are read from the document) is called by a member, a
reader and a caller whose token Keystone refuses: each call leaves exactly one event, with its
action, target and outcome, and no token or password the calls carried is anywhere in the
audit tables. Then reading it: members and readers read their project's trail, admins every
project's, as JSON or CSV, filtered; the draas command shows it; and a gateway whose audit
database fails refuses to change anything."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from gateway.settings import GatewaySettings
from tests.conftest import postgres_schema
from tests.functional.dr.conftest import served_gateway
from tests.functional.dr.gateway_client import ok, problem, protected_group, site_tokens
from tests.functional.dr.twosite import TENANT, make_vm, project

MUTATING = ("post", "put", "patch", "delete")
PASSWORD = f"pw-{uuid.uuid4().hex}"
BOGUS_TOKEN = f"gAAAAA-not-a-token-{uuid.uuid4().hex}"

# The action and target each of today's routes is recorded with; a route added later is
# checked against the general rules (test_every_mutating_route_...).
EXPECTED = {
    ("post", "/v1/failover-groups"): ("create", "failover-groups", None),
    ("delete", "/v1/failover-groups/{group_id}"): ("delete", "failover-groups", "group_id"),
    ("post", "/v1/failover-groups/{group_id}/vms"): (
        "create",
        "failover-groups/vms",
        "server_id",
    ),
    ("delete", "/v1/failover-groups/{group_id}/vms/{server_id}"): (
        "delete",
        "failover-groups/vms",
        "server_id",
    ),
    ("post", "/v1/failover-groups/{group_id}/test-failover"): (
        "update/test-failover",
        "failover-groups",
        "group_id",
    ),
    ("post", "/v1/failover-groups/{group_id}/failover"): (
        "update/failover",
        "failover-groups",
        "group_id",
    ),
    ("post", "/v1/failover-groups/{group_id}/reprotect"): (
        "update/reprotect",
        "failover-groups",
        "group_id",
    ),
    ("post", "/v1/failover-groups/{group_id}/failback"): (
        "update/failback",
        "failover-groups",
        "group_id",
    ),
    ("post", "/v1/operations/{operation_id}/cleanup"): (
        "update/cleanup",
        "operations",
        "operation_id",
    ),
}
# Valid bodies of today's routes; a route added later gets a password field only (refused as
# unknown, or taken: either way it is recorded, and the password must not be).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/failover-groups"): {
        "name": "audited",
        "replication_type": "async",
        "rpo_target_seconds": 60,
        "target_site": "{peer}",
    },
    ("post", "/v1/failover-groups/{group_id}/vms"): {"server_id": "{server_id}"},
    ("post", "/v1/failover-groups/{group_id}/test-failover"): {},
    ("post", "/v1/failover-groups/{group_id}/failover"): {"mode": "planned"},
    ("post", "/v1/failover-groups/{group_id}/reprotect"): {
        "method": "retype",
        "target_replication_type": "async",
    },
    ("post", "/v1/failover-groups/{group_id}/failback"): {},
    ("post", "/v1/operations/{operation_id}/cleanup"): {},
}
PEERS = {"site-a": "site-b", "site-b": "site-a"}


@pytest.fixture(scope="module")
def audited(lab, sites, tmp_path_factory) -> Iterator[dict[str, dict[str, Any]]]:
    """Each site's gateway with its audit database: site -> {"url", "database"}."""
    state = tmp_path_factory.mktemp("audited")
    with ExitStack() as stack:
        databases = {
            "site-a": f"sqlite:///{state}/gateway-a.sqlite3",
            "site-b": stack.enter_context(postgres_schema()),
        }
        made = {}
        for site, url in databases.items():
            settings = GatewaySettings(
                site=site,
                keystone_url=lab.regions[site].auth_url,
                orchestrator_address=f"127.0.0.1:{sites[site].ports['orchestrator']}",
                port=0,
                database_url=url,
            )
            made[site] = {"url": stack.enter_context(served_gateway(settings)), "database": url}
        yield made


@pytest.fixture(scope="module")
def clients(audited) -> Iterator[dict[str, httpx.Client]]:
    made = {site: httpx.Client(base_url=g["url"], timeout=60) for site, g in audited.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def tokens(lab) -> dict[str, dict[str, dict[str, str]]]:
    return {site: site_tokens(lab, site) for site in ("site-a", "site-b")}


@pytest.fixture(scope="module")
def engines(audited) -> Iterator[dict[str, sa.Engine]]:
    made = {site: sa.create_engine(g["database"]) for site, g in audited.items()}
    yield made
    for engine in made.values():
        engine.dispose()


@pytest.fixture(scope="module")
def tenant(lab, tenant_network, clients, tokens) -> dict[str, Any]:
    """tenant4's group at site A (one VM protected) and another VM of it, not protected."""
    protected = make_vm(lab, tenant_network, "async", volumes=1)
    spare = make_vm(lab, tenant_network, "async", volumes=1)
    group = protected_group(clients, tokens, [protected.id])
    return {"group": group, "spare": spare.id}


def mutating_routes(client: httpx.Client) -> list[tuple[str, str]]:
    """Every (method, path) of the published document that may change something; POSTs
    first, so what they make is there for the DELETEs."""
    document = client.get("/v1/openapi.json").json()
    found = [
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in MUTATING
    ]
    return sorted(found, key=lambda route: (route[0] != "post", route[1]))


def count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM audit_events")).scalar_one())


def raw_rows(engine: sa.Engine) -> str:
    """Every row of both audit tables, as text."""
    with engine.connect() as connection:
        rows = [
            *connection.execute(sa.text("SELECT * FROM audit_events")),
            *connection.execute(sa.text("SELECT * FROM audit_outcomes")),
        ]
    return "\n".join(repr(tuple(row)) for row in rows)


def attachment(event: dict[str, Any], name: str) -> Any:
    return next(a["content"] for a in event["attachments"] if a["name"] == name)


def test_every_mutating_route_leaves_exactly_one_audit_event_and_no_secret(
    lab, clients, tokens, engines, tenant
):
    secrets = {PASSWORD, BOGUS_TOKEN}
    for site in ("site-a", "site-b"):
        client, engine, peer = clients[site], engines[site], PEERS[site]
        member, reader, admin = (tokens[site][who] for who in ("member", "reader", "admin"))
        proof = {"X-Target-Auth-Token": tokens[peer]["member"]["X-Auth-Token"]}
        secrets |= {h["X-Auth-Token"] for h in tokens[site].values()}
        secrets.add(proof["X-Target-Auth-Token"])
        # Site A holds the tenant's group: its own ids; site B plausible ones it does not have.
        ids = {
            "group_id": tenant["group"]["id"] if site == "site-a" else f"grp-{uuid.uuid4().hex}",
            "server_id": tenant["spare"],
            "operation_id": f"op-{uuid.uuid4().hex}",
            "peer": peer,
        }
        routes = mutating_routes(client)
        assert len(routes) >= len(EXPECTED)
        checked = []
        for method, path in routes:
            body = BODIES.get((method, path), {"password": PASSWORD})
            filled = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
            for who, headers in (
                ("member", {**member, **proof}),
                ("reader", {**reader, **proof}),
                ("nobody", {"X-Auth-Token": BOGUS_TOKEN, **proof}),
            ):
                params = {k: ids.get(k, f"probe-{k}") for k in _params(path)}
                if (method, path) == ("delete", "/v1/failover-groups/{group_id}"):
                    # Never the tenant's group: the one made above, or one that is not there.
                    params["group_id"] = ids.get("made", f"grp-{uuid.uuid4().hex}")
                before = count(engine)
                response = client.request(
                    method.upper(),
                    path.format(**params),
                    headers=headers,
                    json={**filled, **({"password": PASSWORD} if who == "nobody" else {})},
                )
                assert count(engine) == before + 1, (site, method, path, who, response.text)
                request_id = response.headers["x-openstack-request-id"]
                assert request_id.startswith("req-")
                events = ok(
                    client.get(
                        "/v1/audit-events",
                        headers=admin,
                        params={"all_projects": "true", "limit": 5},
                    )
                )["audit_events"]
                (event,) = [e for e in events if attachment(e, "request_id") == request_id]
                status = response.status_code
                assert event["outcome"] == ("success" if status < 400 else "failure"), event
                assert event["reason"] == {"reasonType": "HTTP", "reasonCode": str(status)}
                assert attachment(event, "request")["method"] == method.upper()
                _check_who(lab, site, who, event)
                answer = response.json() if status in (200, 201) else None
                made = answer.get("id") if isinstance(answer, dict) else None
                _check_action_and_target(method, path, params, event, made, status)
                if (method, path, status) == ("post", "/v1/failover-groups", 201):
                    ids["made"] = str(made)
                checked.append((site, method, path, who, status))
        statuses = {status for s, _, _, who, status in checked if s == site and who == "member"}
        assert any(s < 400 for s in statuses), f"no change succeeded at {site}: {checked}"
        text = raw_rows(engine)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secrets in {site}'s audit tables"
    assert {who for *_, who, _ in checked} == {"member", "reader", "nobody"}


def _params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _check_who(lab, site: str, who: str, event: dict[str, Any]) -> None:
    initiator = event["initiator"]
    if who == "nobody":
        assert (initiator["id"], initiator["name"], initiator["roles"]) == (
            "unknown",
            "unknown",
            [],
        )
        assert event["target"]["project_id"] == "unknown"
        return
    assert initiator["name"] == f"{TENANT}-{'user' if who == 'member' else 'reader'}"
    assert initiator["project_id"] == event["target"]["project_id"] == project(lab, site)
    assert ("member" if who == "member" else "reader") in initiator["roles"]
    assert initiator["host"]["address"] == "127.0.0.1"
    assert event["observer"]["name"] == f"draas gateway {site}"


def _check_action_and_target(
    method: str,
    path: str,
    params: dict[str, str],
    event: dict[str, Any],
    made: str | None,
    status: int,
) -> None:
    target = event["target"]
    expected = EXPECTED.get((method, path))
    if expected is None:
        # A route added later: the general rules.
        assert event["action"] in ("create", "update", "delete") or event["action"].startswith(
            ("update/", "delete/")
        ), event["action"]
        named_in_body = attachment(event, "request")["ids"].values()
        assert target["id"] in {*params.values(), *named_in_body, "unknown", made}, (path, target)
        return
    action, kind, named = expected
    assert (event["action"], target["typeURI"]) == (action, f"service/draas/{kind}"), path
    if named is None:
        assert target["id"] == (made if status == 201 else "unknown"), (path, target)
    elif named in params:
        assert target["id"] == params[named], (path, target)
    else:
        assert target["id"] == attachment(event, "request")["ids"][named], (path, target)


# Reading the trail -------------------------------------------------------------------------


def listed(client: httpx.Client, headers: dict[str, str], **params: Any) -> list[dict]:
    return ok(client.get("/v1/audit-events", headers=headers, params=params))["audit_events"]


@pytest.fixture(scope="module")
def history(clients, tokens, tenant) -> dict[str, Any]:
    """At site A: the tenant's member failing a failover there (it runs at the target), and
    another tenant's member trying to delete the tenant's group."""
    a = clients["site-a"]
    group_id = tenant["group"]["id"]
    refused = a.post(
        f"/v1/failover-groups/{group_id}/failover",
        headers=tokens["site-a"]["member"],
        json={"mode": "planned"},
    )
    problem(refused, 409)
    intruder = a.delete(f"/v1/failover-groups/{group_id}", headers=tokens["site-a"]["other"])
    problem(intruder, 404)
    return {
        "group_id": group_id,
        "refused": refused.headers["x-openstack-request-id"],
        "intruder": intruder.headers["x-openstack-request-id"],
    }


def by_request(events: list[dict], request_id: str) -> list[dict]:
    return [e for e in events if attachment(e, "request_id") == request_id]


def test_members_and_readers_read_their_projects_trail_and_no_one_elses(
    lab, clients, tokens, history
):
    a, site = clients["site-a"], tokens["site-a"]
    for who in ("member", "reader"):
        mine = listed(a, site[who], target_id=history["group_id"], limit=500)
        (refused,) = by_request(mine, history["refused"])
        assert (refused["action"], refused["outcome"]) == ("update/failover", "failure")
        assert "runs at site-b, not at site-a" in attachment(refused, "response")["detail"]
        assert not by_request(mine, history["intruder"])
        assert all(e["target"]["project_id"] == project(lab, "site-a") for e in mine)
        shown = ok(a.get(f"/v1/audit-events/{refused['id']}", headers=site[who]))
        assert shown == refused
    others = listed(a, site["other"], limit=500)
    (intrusion,) = by_request(others, history["intruder"])
    assert (intrusion["action"], intrusion["reason"]["reasonCode"]) == ("delete", "404")
    assert not by_request(others, history["refused"])
    detail = problem(a.get(f"/v1/audit-events/{intrusion['id']}", headers=site["member"]), 404)
    assert "has no audit event" in detail
    for who in ("member", "reader", "other"):
        refused = a.get("/v1/audit-events", headers=site[who], params={"all_projects": "true"})
        assert "only an admin" in problem(refused, 403)


def test_an_admin_reads_every_projects_trail_and_unauthenticated_attempts(
    lab, clients, tokens, history
):
    a, admin = clients["site-a"], tokens["site-a"]["admin"]
    everyone = listed(a, admin, all_projects="true", limit=500)
    assert by_request(everyone, history["refused"]) and by_request(everyone, history["intruder"])
    assert any(e["initiator"]["id"] == "unknown" for e in everyone)
    tenant_only = listed(a, admin, project_id=project(lab, "site-a"), limit=500)
    assert by_request(tenant_only, history["refused"])
    assert not by_request(tenant_only, history["intruder"])
    (event,) = by_request(everyone, history["intruder"])
    assert ok(a.get(f"/v1/audit-events/{event['id']}", headers=admin)) == event


def test_the_trail_is_filtered_and_paged(clients, tokens, history):
    a, member = clients["site-a"], tokens["site-a"]["member"]
    failovers = listed(a, member, action="update/failover", outcome="failure", limit=500)
    assert by_request(failovers, history["refused"])
    assert all(e["action"] == "update/failover" for e in failovers)
    assert not listed(a, member, action="update/failover", outcome="pending")
    (event,) = by_request(failovers, history["refused"])
    when = event["eventTime"]
    assert by_request(listed(a, member, since=when, limit=500), history["refused"])
    assert not by_request(listed(a, member, until=when, limit=500), history["refused"])
    mine = listed(a, member, initiator_id=event["initiator"]["id"], limit=500)
    assert {e["initiator"]["id"] for e in mine} == {event["initiator"]["id"]}
    seen, token = [], ""
    while True:
        page = ok(
            a.get("/v1/audit-events", headers=member, params={"limit": 3, "page_token": token})
        )
        seen += [e["id"] for e in page["audit_events"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == [e["id"] for e in listed(a, member, limit=500)]
    for params, named in (
        ({"since": "yesterday"}, "since"),
        ({"since": when, "until": when}, "until"),
        ({"outcome": "maybe"}, "outcome"),
        ({"action": "DROP TABLE"}, "action"),
        ({"format": "xml"}, "format"),
        ({"limit": 0}, "limit"),
    ):
        assert named in problem(a.get("/v1/audit-events", headers=member, params=params), 400)


def test_the_trail_exports_as_csv(clients, tokens, history):
    a, member = clients["site-a"], tokens["site-a"]["member"]
    exported = a.get(
        "/v1/audit-events",
        headers=member,
        params={"format": "csv", "target_id": history["group_id"]},
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    as_json = listed(a, member, target_id=history["group_id"], limit=500)
    assert [r["id"] for r in rows] == [e["id"] for e in as_json]
    (row,) = [r for r in rows if r["request_id"] == history["refused"]]
    assert (row["action"], row["outcome"], row["status"], row["method"]) == (
        "update/failover",
        "failure",
        "409",
        "POST",
    )
    assert row["initiator_name"] == f"{TENANT}-user" and "member" in row["initiator_roles"]
    limited = a.get("/v1/audit-events", headers=member, params={"format": "csv", "limit": 1})
    assert len(list(csv.DictReader(io.StringIO(limited.text)))) == 1


def test_the_draas_command_lists_shows_and_exports_the_trail(audited, tokens, history):
    def draas(*args: str, who: str = "member") -> Any:
        token = tokens["site-a"][who]["X-Auth-Token"]
        ran = CliRunner().invoke(
            cli,
            ["--draas-url", audited["site-a"]["url"], "--os-token", token, *args],
            prog_name="draas",
        )
        return ran

    table = draas("audit", "list", "--target", history["group_id"])
    assert table.exit_code == 0, table.output
    assert "update/failover" in table.output and "failure (409)" in table.output
    assert history["refused"] in table.output
    found = json.loads(draas("audit", "list", "--action", "update/failover", "-f", "json").output)
    (event,) = by_request(found["audit_events"], history["refused"])
    shown = draas("audit", "show", event["id"])
    assert shown.exit_code == 0, shown.output
    assert "update/failover" in shown.output and f"{TENANT}-user" in shown.output
    exported = draas("audit", "list", "--target", history["group_id"], "-f", "csv")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert history["refused"] in {r["request_id"] for r in rows}
    refused = draas("audit", "list", "--all-projects")
    assert refused.exit_code == 1 and "only an admin" in refused.output
    everyone = draas("audit", "list", "--all-projects", "--limit", "500", who="admin")
    assert everyone.exit_code == 0 and history["intruder"] in everyone.output
    assert "Project" in everyone.output.splitlines()[0]


# When the audit database fails ---------------------------------------------------------------


def test_a_gateway_whose_audit_database_fails_changes_nothing(lab, sites, tokens, clients):
    member = {**tokens["site-a"]["member"]}
    before = ok(clients["site-a"].get("/v1/failover-groups", headers=member))
    with postgres_schema() as url:
        settings = GatewaySettings(
            site="site-a",
            keystone_url=lab.regions["site-a"].auth_url,
            orchestrator_address=f"127.0.0.1:{sites['site-a'].ports['orchestrator']}",
            port=0,
            database_url=url,
        )
        engine = sa.create_engine(url)
        try:
            with served_gateway(settings) as base, httpx.Client(base_url=base) as failing:
                with engine.begin() as connection:
                    connection.execute(sa.text("ALTER TABLE audit_events RENAME TO away"))
                refused = failing.post(
                    "/v1/failover-groups",
                    headers={
                        **member,
                        "X-Target-Auth-Token": tokens["site-b"]["member"]["X-Auth-Token"],
                    },
                    json={
                        "name": "unaudited",
                        "replication_type": "async",
                        "target_site": "site-b",
                    },
                )
                assert "audit trail cannot be written" in problem(refused, 503)
                # Reading needs no audit: it goes on.
                assert ok(failing.get("/v1/failover-groups", headers=member)) == before
        finally:
            engine.dispose()
    assert ok(clients["site-a"].get("/v1/failover-groups", headers=member)) == before
