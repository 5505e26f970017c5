"""The API module's calls for policies, scheduled tests and moves against a stand-in transport:
the paths, methods and bodies it sends the gateway, what it makes of the answers, and that the
bodies the dashboard sends are what the gateway's own models take."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx
import pytest

from draas_dashboard.api import draas, errors
from gateway import bodies

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def gateway() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def install(handler: Handler) -> list[httpx.Request]:
        def record(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        draas.TRANSPORT = httpx.MockTransport(record)
        draas.reset_clients()
        return seen

    with mock.patch.object(draas.base, "url_for", return_value="http://gateway.test:8080/v1"):
        yield install
    draas.TRANSPORT = None
    draas.reset_clients()


def user_request() -> Any:
    return SimpleNamespace(user=SimpleNamespace(token=SimpleNamespace(id="user-token")))


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


POLICY = {
    "id": "p-1",
    "project_id": "",
    "name": "gold",
    "replication_type": "async",
    "target_site": "site-b",
    "rpo_target": 60.0,
    "test_interval": 86400.0,
    "test_schedule": {"enabled": True, "windows": ["sat 00:00-24:00"], "timezone": ""},
    "automation": None,
    "group_ids": ["g-1"],
}


def test_a_group_made_from_a_policy_sends_only_the_policy(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(201, json={"id": "g-1", "policy_name": "gold"}))
    draas.create_group(user_request(), "Web", "sync", "site-c", policy="gold", rto_target_seconds=5)
    assert sent(seen[0]) == {"name": "Web", "description": "", "policy": "gold"}
    bodies.NewGroup.model_validate(sent(seen[0]))


def test_policies_are_listed_read_made_and_deleted(gateway: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v1/policies":
            return httpx.Response(200, json={"policies": [POLICY]})
        if request.method == "POST":
            return httpx.Response(201, json=POLICY)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=POLICY)

    seen = gateway(answer)
    (found,) = draas.list_policies(user_request())
    assert found.published and found.group_ids == ["g-1"]
    assert found.schedule.enabled and found.schedule.zone == "UTC"
    assert found.hooks_and_checks.empty
    assert draas.get_policy(user_request(), "gold plan").name == "gold"
    assert seen[-1].url.raw_path == b"/v1/policies/gold%20plan"
    body = {"name": "gold", "replication_type": "async", "target_site": "site-b"}
    draas.create_policy(user_request(), {**body, "rpo_target_seconds": 60}, publish=True)
    assert seen[-1].url.params["publish"] == "true"
    draas.create_policy(user_request(), {**body, "rpo_target_seconds": 60})
    assert "publish" not in seen[-1].url.params
    draas.delete_policy(user_request(), "p-1")
    assert (seen[-1].method, seen[-1].url.path) == ("DELETE", "/v1/policies/p-1")


def test_a_change_answers_what_changed_in_each_group(gateway: Any) -> None:
    answer = {
        "policy": POLICY,
        "groups": [
            {"group_id": "g-1", "group_name": "Web", "changes": ["rpo_target 60 s -> 30 s"]},
            {"group_id": "g-2", "group_name": "Db", "changes": [], "refused": "it runs at b"},
        ],
    }
    seen = gateway(lambda r: httpx.Response(200, json=answer))
    changed = draas.update_policy(user_request(), "p-1", {"name": "gold"})
    assert (seen[0].method, seen[0].url.path) == ("PUT", "/v1/policies/p-1")
    assert changed.policy.name == "gold"
    assert [g.changes for g in changed.groups] == [["rpo_target 60 s -> 30 s"], []]
    assert changed.groups[1].refused == "it runs at b"


def test_a_refused_delete_is_the_gateways_conflict(gateway: Any) -> None:
    detail = "policy gold is named by 1 group(s) (Web): delete them or change them first"
    problem = {"title": "Conflict", "status": 409, "detail": detail}
    gateway(
        lambda r: httpx.Response(
            409, content=json.dumps(problem), headers={"content-type": "application/problem+json"}
        )
    )
    with pytest.raises(errors.DraasRecoverable) as refused:
        draas.delete_policy(user_request(), "gold")
    assert (refused.value.status, str(refused.value)) == (409, detail)


def test_schedule_run_now_and_move(gateway: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(
                200,
                json={
                    "group_id": "g-1",
                    "test_schedule": {"enabled": True, "windows": [], "cleanup_after": 3600.0},
                    "next_run_at": "2026-12-06T20:00:00Z",
                    "last_problem": "",
                    "site": "site-b",
                },
            )
        return httpx.Response(202, json={"id": "op-1", "kind": "test_failover"})

    seen = gateway(answer)
    state = draas.get_test_schedule(user_request(), "g-1")
    assert seen[-1].url.path == "/v1/failover-groups/g-1/test-schedule"
    assert state.schedule.cleanup_after_seconds == 3600.0 and state.site == "site-b"
    assert draas.run_scheduled_test(user_request(), "g-1").id == "op-1"
    assert (seen[-1].method, seen[-1].url.path) == (
        "POST",
        "/v1/failover-groups/g-1/test-schedule/run",
    )
    draas.start_move(user_request(), "g-1", "key-9")
    assert seen[-1].url.path == "/v1/failover-groups/g-1/move"
    assert seen[-1].headers["Idempotency-Key"] == "key-9"
    bodies.Failback.model_validate(sent(seen[-1]))


def test_hooks_and_checks_go_back_as_the_gateway_takes_them() -> None:
    shown = {
        "hooks": [
            {
                "name": "drain",
                "url": "https://hooks.example.com/d",
                "when": "pre_vm",
                "kinds": ["test_failover", "move"],
                "timeout": 10.0,
                "retries": 0,
                "on_failure": "warn",
                "vms": ["web-1"],
                "tiers": [2],
            }
        ],
        "checks": [
            {
                "name": "db",
                "type": "tcp",
                "port": 5432,
                "path": "",
                "expect_status": 0,
                "expect_text": "",
                "url": "",
                "timeout": 30.0,
                "in_failovers": True,
                "on_failure": "fail",
                "vms": [],
                "tiers": [],
            }
        ],
    }
    body = draas.automation_body(shown)
    checked = bodies.AutomationBody.model_validate(body)
    assert checked.hooks[0].timeout_seconds == 10.0 and checked.hooks[0].retries == 0
    assert checked.hooks[0].kinds == ["test_failover", "move"]
    assert (checked.checks[0].port, checked.checks[0].in_failovers) == (5432, True)
    assert checked.checks[0].timeout_seconds == 30.0
    assert draas.automation_body(None) == {"hooks": [], "checks": []}


def test_a_split_and_a_partial_test_send_what_the_gateway_takes(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(201, json={"id": "g-2", "split_from": "g-1"}))
    made = draas.split_group(user_request(), "g-1", ["srv-1"], "Web-DB")
    assert (made.id, seen[0].url.path) == ("g-2", "/v1/failover-groups/g-1/split")
    assert sent(seen[0]) == {"server_ids": ["srv-1"], "name": "Web-DB"}
    bodies.Split.model_validate(sent(seen[0]))
    draas.start_test_failover(user_request(), "g-1", "key-1", server_ids=["srv-1"])
    assert sent(seen[-1])["server_ids"] == ["srv-1"]
    bodies.TestFailover.model_validate(sent(seen[-1]))
