"""The API module against a stand-in transport: what it sends the gateway (the user's token,
idempotency keys, the target site's token once), how it follows pages, and how problem
documents become the errors Horizon shows. Also the target site's Keystone sign-in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx
import pytest
from horizon import exceptions

from draas_dashboard.api import draas, errors, keystone

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def gateway() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    """Routes the API module's requests to a handler; yields a function that installs one and
    returns the list the requests are recorded in."""
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


def problem(status: int, detail: str) -> httpx.Response:
    body = {"type": "about:blank", "title": "Conflict", "status": status, "detail": detail}
    return httpx.Response(
        status, content=json.dumps(body), headers={"content-type": "application/problem+json"}
    )


def test_calls_carry_the_users_token_at_the_catalogs_endpoint(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(200, json={"id": "g-1", "name": "G", "vms": []}))
    group = draas.get_group(user_request(), "g-1")
    assert group.name == "G"
    assert str(seen[0].url) == "http://gateway.test:8080/v1/failover-groups/g-1"
    assert seen[0].headers["X-Auth-Token"] == "user-token"


def test_lists_follow_every_page(gateway: Any) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page_token", "")
        if not token:
            return httpx.Response(200, json={"vms": [{"server_id": "a"}], "next_page_token": "1"})
        return httpx.Response(200, json={"vms": [{"server_id": "b"}], "next_page_token": ""})

    seen = gateway(pages)
    assert [v.server_id for v in draas.list_vms(user_request())] == ["a", "b"]
    assert seen[0].url.params["limit"] == "500"
    assert len(seen) == 2


def test_starts_carry_the_idempotency_key(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(202, json={"id": "op-1", "kind": "test_failover"}))
    operation = draas.start_test_failover(
        user_request(), "g-1", "key-1", recovery_point_id="p.1", cleanup_after_seconds=0
    )
    assert operation.id == "op-1"
    assert seen[0].method == "POST"
    assert seen[0].url.path == "/v1/failover-groups/g-1/test-failover"
    assert seen[0].headers["Idempotency-Key"] == "key-1"
    assert json.loads(seen[0].content) == {
        "stop_on_vm_failure": False,
        "recovery_point_id": "p.1",
        "cleanup_after_seconds": 0,
    }
    draas.start_cleanup(user_request(), "op-1", "key-2")
    draas.start_failover(user_request(), "g-1", "unplanned", "key-3", recovery_point_id="p.1")
    draas.start_reprotect(user_request(), "g-1", "retype", "sync", "key-4")
    draas.start_failback(user_request(), "g-1", "key-5")
    assert [r.headers["Idempotency-Key"] for r in seen] == [f"key-{n}" for n in range(1, 6)]
    assert [r.url.path for r in seen[1:]] == [
        "/v1/operations/op-1/cleanup",
        "/v1/failover-groups/g-1/failover",
        "/v1/failover-groups/g-1/reprotect",
        "/v1/failover-groups/g-1/failback",
    ]


def test_create_sends_the_target_token_once_as_a_header(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(201, json={"id": "g-1", "name": "G", "vms": []}))
    draas.create_group(
        user_request(), "G", "async", "site-b", rpo_target_seconds=60, target_token="target-token"
    )
    assert seen[0].headers["X-Target-Auth-Token"] == "target-token"
    body = json.loads(seen[0].content)
    assert body == {
        "name": "G",
        "replication_type": "async",
        "target_site": "site-b",
        "description": "",
        "rpo_target_seconds": 60,
    }
    assert "target-token" not in seen[0].content.decode()
    draas.create_group(user_request(), "H", "sync", "site-b")
    assert "X-Target-Auth-Token" not in seen[1].headers


def test_admin_queries(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(200, json={"failover_groups": [], "operations": []}))
    draas.list_groups(user_request(), all_projects=True)
    draas.list_operations(user_request(), group_id="g-1", limit=5)
    draas.replication_health(user_request(), "g-1", project_id="p-2")
    assert seen[0].url.params["all_projects"] == "true"
    assert dict(seen[1].url.params) == {"group_id": "g-1", "limit": "5"}
    assert seen[2].url.params["project_id"] == "p-2"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.DraasRecoverable),
        (403, errors.DraasRecoverable),
        (409, errors.DraasRecoverable),
        (412, errors.DraasRecoverable),
        (503, errors.DraasRecoverable),
        (404, errors.DraasNotFound),
        (401, errors.DraasUnauthorized),
    ],
)
def test_problem_documents_become_horizon_errors(gateway: Any, status: int, kind: type) -> None:
    gateway(lambda r: problem(status, "failover group G is testing: not now"))
    with pytest.raises(kind) as raised:
        draas.get_group(user_request(), "g-1")
    assert str(raised.value) == "failover group G is testing: not now"
    assert raised.value.status == status


def test_a_page_that_is_not_a_problem_document(gateway: Any) -> None:
    gateway(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(errors.DraasRecoverable) as raised:
        draas.get_group(user_request(), "g-1")
    assert raised.value.status == 502


def test_nothing_answers(gateway: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    gateway(refuse)
    with pytest.raises(errors.DraasUnreachable, match="cannot reach the draas gateway"):
        draas.list_groups(user_request())


def test_errors_are_registered_with_horizon() -> None:
    assert errors.DraasRecoverable in exceptions.RECOVERABLE
    assert errors.DraasNotFound in exceptions.NOT_FOUND
    assert errors.DraasUnauthorized in exceptions.UNAUTHORIZED
    assert errors.DraasRecoverable not in exceptions.UNAUTHORIZED


@pytest.fixture
def target_keystone() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def install(handler: Handler) -> list[httpx.Request]:
        def record(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        keystone.TRANSPORT = httpx.MockTransport(record)
        return seen

    yield install
    keystone.TRANSPORT = None


def test_signing_in_at_the_target_site(target_keystone: Any) -> None:
    seen = target_keystone(
        lambda r: httpx.Response(201, json={"token": {}}, headers={"X-Subject-Token": "tok-b"})
    )
    token = keystone.token_by_password(
        "http://keystone-b/identity",
        "site-b",
        "finance-user",
        "Default",
        "pw",
        "finance",
        "default",
    )
    assert token == "tok-b"
    assert str(seen[0].url) == "http://keystone-b/identity/v3/auth/tokens"
    auth = json.loads(seen[0].content)["auth"]
    assert auth["identity"]["password"]["user"]["name"] == "finance-user"
    assert auth["scope"] == {"project": {"name": "finance", "domain": {"id": "default"}}}


def test_a_refused_sign_in_names_the_site(target_keystone: Any) -> None:
    target_keystone(lambda r: httpx.Response(401, json={"error": {}}))
    with pytest.raises(keystone.TargetProofError, match="Keystone of site site-b did not"):
        keystone.token_by_password("http://k/v3", "site-b", "u", "Default", "bad", "p")


def test_token_exchange_with_one_keystone(target_keystone: Any) -> None:
    seen = target_keystone(
        lambda r: httpx.Response(201, json={"token": {}}, headers={"X-Subject-Token": "tok-2"})
    )
    assert keystone.token_by_token("http://k/v3", "site-b", "tok-1", "project-2") == "tok-2"
    auth = json.loads(seen[0].content)["auth"]
    assert auth["identity"] == {"methods": ["token"], "token": {"id": "tok-1"}}
    assert auth["scope"] == {"project": {"id": "project-2"}}


def test_a_region_without_draas() -> None:
    missing = exceptions.ServiceCatalogException("disaster-recovery")
    request = SimpleNamespace(user=SimpleNamespace(services_region="RegionC"))
    with (
        mock.patch.object(draas.base, "url_for", side_effect=missing),
        pytest.raises(errors.DraasRecoverable, match="RegionC has no disaster-recovery"),
    ):
        draas.endpoint(request)
