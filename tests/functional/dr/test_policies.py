"""DR policies and scheduled tests on the two real sites, through the gateways and the draas
command: a group made from a policy, a policy change that reaches it (and what cannot change
in place), a scheduled test that keeps out of its blackout, runs by itself, is cleaned up and
counts in the compliance report.

Site B's monitor rounds (which start the scheduled tests) are driven by the test, at the
moments it chooses."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from services.orchestrator.monitoring.monitor import Monitor
from tests.functional.dr.gateway_client import ENDED, ok, problem, site_tokens
from tests.functional.dr.restarted import orchestrator_with
from tests.functional.dr.twosite import make_vm, project, wait_for
from tools.stack import Site

WEEKENDS = "sat,sun 00:00-24:00"


@pytest.fixture(scope="module")
def monitor(sites: dict[str, Site]) -> Iterator[Monitor]:
    with orchestrator_with(sites["site-b"], monitor_interval_seconds=0.0) as deps:
        yield deps.monitor


@pytest.fixture(scope="module")
def api(gateways: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {site: httpx.Client(base_url=url, timeout=60) for site, url in gateways.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def tokens(lab) -> dict[str, dict[str, dict[str, str]]]:
    return {site: site_tokens(lab, site) for site in ("site-a", "site-b")}


def gold(name: str, **changes: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "replication_type": "async",
        "target_site": "site-b",
        "rpo_target_seconds": 60,
        "rto_target_seconds": 900,
        "test_interval_seconds": 86400,
        "test_schedule": {
            "enabled": True,
            "windows": [WEEKENDS],
            "timezone": "UTC",
            "cleanup_after_seconds": 1,
        },
    }
    return body | changes


def test_a_group_made_from_a_policy_takes_its_changes(lab, api, tokens):
    a, member = api["site-a"], tokens["site-a"]["member"]
    proof = {"X-Target-Auth-Token": tokens["site-b"]["member"]["X-Auth-Token"]}
    policy = ok(a.post("/v1/policies", headers=member, json=gold("gold-1")), 201)
    assert (policy["project_id"], policy["test_schedule"]["windows"]) == (
        project(lab),
        [WEEKENDS],
    )
    group = ok(
        a.post(
            "/v1/failover-groups",
            headers={**member, **proof},
            json={"name": "from-gold", "policy": "gold-1"},
        ),
        201,
    )
    assert (group["policy_name"], group["replication_type"], group["target_site"]) == (
        "gold-1",
        "async",
        "site-b",
    )
    assert (group["rpo_target"], group["rto_target"], group["test_interval"]) == (60, 900, 86400)
    assert group["test_schedule"] == {
        "enabled": True,
        "windows": [WEEKENDS],
        "timezone": "UTC",
        "cleanup_after": 1.0,
    }
    assert ok(a.get("/v1/policies/gold-1", headers=member))["group_ids"] == [group["id"]]

    # Refused, changing nothing: a group contradicting its policy, a hand edit of a policy's
    # target, a policy change that cannot be made in place, deleting a policy in use.
    assert "target_site" in problem(
        a.post(
            "/v1/failover-groups",
            headers=member,
            json={"name": "x", "policy": "gold-1", "target_site": "site-a"},
        ),
        400,
    )
    assert "policy gold-1" in problem(
        a.patch(
            f"/v1/failover-groups/{group['id']}", headers=member, json={"rpo_target_seconds": 5}
        ),
        409,
    )
    assert "from-gold" in problem(
        a.put("/v1/policies/gold-1", headers=member, json=gold("gold-1", replication_type="sync")),
        409,
    )
    assert "from-gold" in problem(a.delete("/v1/policies/gold-1", headers=member), 409)
    assert "policy" in problem(
        a.post("/v1/failover-groups", headers=member, json={"name": "x", "policy": "no-such"}), 404
    )

    # A change reaches the group, and the answer says what changed.
    changed = ok(
        a.put(
            "/v1/policies/gold-1",
            headers=member,
            json=gold("gold-1", rpo_target_seconds=30, test_interval_seconds=7 * 86400),
        )
    )
    (result,) = changed["groups"]
    assert result["group_id"] == group["id"] and not result["refused"]
    assert result["changes"] == ["rpo_target 60 s -> 30 s", "test_interval 86400 s -> 604800 s"]
    path = f"/v1/failover-groups/{group['id']}"
    assert ok(a.get(path, headers=member))["rpo_target"] == 30
    b_member = tokens["site-b"]["member"]
    wait_for(lambda: ok(api["site-b"].get(path, headers=b_member))["rpo_target"] == 30)

    # Without the group, the policy goes.
    ok(a.delete(path, headers=member), 204)
    ok(a.delete("/v1/policies/gold-1", headers=member), 204)
    problem(a.get("/v1/policies/gold-1", headers=member), 404)


def test_published_policies_are_every_projects_and_only_admins_change_them(api, tokens):
    a = api["site-a"]
    member, admin, other = (tokens["site-a"][w] for w in ("member", "admin", "other"))
    assert "only an admin" in problem(
        a.post("/v1/policies", headers=member, params={"publish": "true"}, json=gold("silver")),
        403,
    )
    ok(a.post("/v1/policies", headers=admin, params={"publish": "true"}, json=gold("silver")), 201)
    for who in (member, other):
        listed = ok(a.get("/v1/policies", headers=who))["policies"]
        assert [p["project_id"] for p in listed if p["name"] == "silver"] == [""]
    assert "only an admin" in problem(
        a.put("/v1/policies/silver", headers=member, json=gold("silver", rpo_target_seconds=5)),
        403,
    )
    # A project's own policy of the same name comes first, for it only.
    own = ok(
        a.post("/v1/policies", headers=other, json=gold("silver", rpo_target_seconds=120)), 201
    )
    assert ok(a.get("/v1/policies/silver", headers=other))["id"] == own["id"]
    assert ok(a.get("/v1/policies/silver", headers=member))["project_id"] == ""
    problem(a.get(f"/v1/policies/{own['id']}", headers=member), 404)
    ok(a.delete("/v1/policies/silver", headers=other), 204)
    ok(a.delete("/v1/policies/silver", headers=admin), 204)
    # Bad input, naming the field.
    bad = {
        "test_schedule.windows": gold(
            "b", test_schedule={"enabled": True, "windows": ["weekdays"]}
        ),
        "test_schedule.timezone": gold("b", test_schedule={"timezone": "Mars/Base"}),
        "target_site": gold("b", target_site="site-z"),
        "rpo_target": gold("b", rpo_target_seconds=None),
        "test_interval": gold("b", test_interval_seconds=0),
    }
    for field, body in bad.items():
        assert field in problem(a.post("/v1/policies", headers=member, json=body), 400), field
    assert ok(a.get("/v1/policies", headers=member))["policies"] == []


def test_a_scheduled_test_keeps_out_of_its_blackout_runs_by_itself_and_is_reported(
    lab, tenant_network, api, tokens, monitor
):
    a, b = api["site-a"], api["site-b"]
    member_a, member_b = tokens["site-a"]["member"], tokens["site-b"]["member"]
    proof = {"X-Target-Auth-Token": member_b["X-Auth-Token"]}
    ok(a.post("/v1/policies", headers=member_a, json=gold("weekend-tests")), 201)
    group = ok(
        a.post(
            "/v1/failover-groups",
            headers={**member_a, **proof},
            json={"name": "scheduled", "policy": "weekend-tests"},
        ),
        201,
    )
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    ok(
        a.post(
            f"/v1/failover-groups/{group['id']}/vms", headers=member_a, json={"server_id": vm.id}
        )
    )
    readiness = f"/v1/failover-groups/{group['id']}/readiness"
    wait_for(lambda: b.get(readiness, headers=member_b).json().get("failover_ready"))

    # Due (its interval, a day, has passed) on a Wednesday: the blackout keeps it waiting.
    wednesday = _next(datetime.now(UTC) + timedelta(days=2), weekday=2, hour=12)
    assert monitor.run_once(wednesday).tests_started == []
    state = ok(a.get(f"/v1/failover-groups/{group['id']}/test-schedule", headers=member_a))
    assert state["site"] == "site-b" and state["last_success_at"] is None
    assert datetime.fromisoformat(state["next_run_at"]).weekday() == 5, "Saturday, 00:00"

    # Saturday: it starts by itself, succeeds, and is cleaned up after its second.
    saturday = _next(wednesday, weekday=5, hour=0, minute=30)
    (test_id,) = monitor.run_once(saturday).tests_started
    assert monitor.run_once(saturday).tests_started == [], "one test, not two"
    test = wait_for(lambda: _ended(b, member_b, test_id), timeout=120)
    assert test["state"] == "succeeded" and test["kind"] == "test_failover"
    wait_for(lambda: _cleaned_up(b, member_b, group["id"], test_id), timeout=60)

    # The compliance report counts it; the schedule shows it.
    report = ok(a.get("/v1/reports/compliance", params={"group_id": group["id"]}, headers=member_a))
    (figures,) = report["groups"]
    assert (figures["tests_run"], figures["tests_passed"]) == (1, 1)
    assert figures["last_successful_test_id"] == test_id
    state = ok(b.get(f"/v1/failover-groups/{group['id']}/test-schedule", headers=member_b))
    assert state["last_scheduled_operation_id"] == test_id and state["last_success_at"]

    # Run now, from the command line; then the schedule as the command shows it.
    def draas(site: str, *args: str) -> Any:
        token = tokens[site]["member"]["X-Auth-Token"]
        ran = CliRunner().invoke(
            cli, ["--draas-url", api[site].base_url.__str__(), "--os-token", token, *args]
        )
        assert ran.exit_code == 0, ran.output
        return ran.output

    started = draas("site-b", "schedule", "run-now", "--group", group["id"], "-f", "json")
    again = wait_for(lambda: _ended(b, member_b, json.loads(started)["id"]), timeout=120)
    assert again["state"] == "succeeded"
    wait_for(lambda: _cleaned_up(b, member_b, group["id"], again["id"]), timeout=60)
    shown = draas("site-a", "schedule", "show", "--group", "scheduled")
    assert WEEKENDS in shown and "site-b" in shown
    listed = draas("site-a", "policy", "list")
    assert "weekend-tests" in listed and WEEKENDS in listed
    exported = draas("site-a", "report", "compliance", "--group", group["id"], "-f", "csv")
    (row, _) = list(csv.DictReader(io.StringIO(exported)))
    assert (row["Tests run"], row["Tests passed"]) == ("2", "2")
    changed = draas("site-a", "policy", "set", "weekend-tests", "--no-scheduled-tests")
    assert "group scheduled: test_schedule" in changed


def test_the_draas_command_makes_and_changes_policies(api, tokens, tmp_path):
    def draas(*args: str) -> Any:
        token = tokens["site-a"]["member"]["X-Auth-Token"]
        return CliRunner().invoke(
            cli, ["--draas-url", str(api["site-a"].base_url), "--os-token", token, *args]
        )

    made = draas(
        "policy", "create", "--name", "cli-gold", "--replication-type", "async", "--target-site",
        "site-b", "--rpo-target", "60", "--test-interval", "604800", "--scheduled-tests",
        "--window", "sat 01:00-05:00", "--window", "sun 01:00-05:00", "--timezone",
        "Europe/Paris", "-f", "json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["test_schedule"]["windows"] == [
        "sat 01:00-05:00",
        "sun 01:00-05:00",
    ]
    shown = draas("policy", "show", "cli-gold")
    assert "Europe/Paris" in shown.output and "sat 01:00-05:00" in shown.output
    checks = tmp_path / "checks.yaml"
    checks.write_text(
        "hooks: [{name: warn-ops, when: pre_operation, url: 'http://127.0.0.1:9/h',"
        " timeout_seconds: 3}]\n"
        "checks: [{name: db, type: tcp, port: 5432}, {name: web, type: http, port: 80}]\n"
    )
    assert draas("policy", "set", "cli-gold", "--automation", str(checks)).exit_code == 0
    # A change that leaves the hooks and checks alone sends them back as they are.
    changed = draas("policy", "set", "cli-gold", "--rpo-target", "30", "-f", "json")
    assert changed.exit_code == 0, changed.output
    policy = json.loads(changed.stdout)["policy"]
    assert policy["rpo_target"] == 30
    assert [h["timeout"] for h in policy["automation"]["hooks"]] == [3.0]
    assert [c["name"] for c in policy["automation"]["checks"]] == ["db", "web"]
    wrong = draas("policy", "create", "--name", "x", "--replication-type", "async")
    assert wrong.exit_code == 2 and "--target-site" in wrong.output
    bad = draas("policy", "set", "cli-gold", "--window", "someday 01:00-02:00")
    assert bad.exit_code == 1 and "test_schedule.windows" in bad.output
    assert draas("policy", "delete", "cli-gold").exit_code == 0


def _next(after: datetime, weekday: int, hour: int, minute: int = 0) -> datetime:
    day = after + timedelta(days=(weekday - after.weekday()) % 7)
    moment = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment > after else moment + timedelta(days=7)


def _ended(client: httpx.Client, headers: dict[str, str], operation_id: str) -> dict | None:
    found = ok(client.get(f"/v1/operations/{operation_id}", headers=headers))
    return found if found["state"] in ENDED else None


def _cleaned_up(client: httpx.Client, headers: dict[str, str], group_id: str, test_id: str) -> bool:
    operations = ok(client.get("/v1/operations", headers=headers, params={"group_id": group_id}))
    return any(
        o["kind"] == "test_cleanup"
        and o["state"] == "succeeded"
        and o.get("parent_operation_id") == test_id
        for o in operations["operations"]
    )
