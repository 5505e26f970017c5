"""The tenant REST gateway at site A, served over a real socket, in front of site A's
orchestrator, with tokens from site A's simulated Keystone: each tenant acts only in its own
project, a reader only reads, and every error is a problem document that says what is wrong."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import openstack
import pytest
import uvicorn

from gateway.app import create_app
from gateway.server import bind
from gateway.settings import GatewaySettings
from simulators.lab import USER_PASSWORD, TwoSiteLab
from tests.functional.dr.twosite import TENANT
from tests.waiting import wait_until
from tools.launcher import REPO_ROOT, service_environment

OTHER_TENANT = "tenant1"


def token(lab: TwoSiteLab, user: str, project: str) -> str:
    region = lab.regions["site-a"]
    conn = openstack.connect(
        load_yaml_config=False, load_envvars=False, **region.cloud(user, USER_PASSWORD, project)
    )
    return str(conn.auth_token)


@pytest.fixture(scope="module")
def api(lab, sites) -> Iterator[httpx.Client]:
    settings = GatewaySettings(
        site="site-a",
        keystone_url=lab.regions["site-a"].auth_url,
        orchestrator_address=f"127.0.0.1:{sites['site-a'].ports['orchestrator']}",
        port=0,
    )
    listener = bind(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=30)
    with httpx.Client(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}") as client:
        yield client
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def tokens(lab) -> dict[str, dict[str, str]]:
    return {
        who: {"X-Auth-Token": token(lab, user, project)}
        for who, user, project in [
            ("member", f"{TENANT}-user", TENANT),
            ("reader", f"{TENANT}-reader", TENANT),
            ("other", f"{OTHER_TENANT}-user", OTHER_TENANT),
        ]
    }


def problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return str(body["detail"])


def new_group(api, tokens, name: str) -> dict:
    made = api.post(
        "/v1/failover-groups",
        headers=tokens["member"],
        json={
            "name": name,
            "replication_type": "async",
            "rpo_target_seconds": 60,
            "target_site": "site-b",
        },
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_a_tenant_sees_and_changes_only_its_own_projects_groups(api, tokens):
    group = new_group(api, tokens, "gw-own")
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
    problem(api.get(f"{path}/readiness", headers=other), 404)
    problem(api.delete(path, headers=other), 404)
    problem(api.post(f"{path}/vms", headers=other, json={"server_id": "x"}), 404)
    assert api.get(path, headers=tokens["member"]).status_code == 200, "still there"

    assert api.delete(path, headers=tokens["member"]).status_code == 204
    problem(api.get(path, headers=tokens["member"]), 404)


def test_a_reader_reads_and_changes_nothing(api, tokens):
    group = new_group(api, tokens, "gw-read")
    path = f"/v1/failover-groups/{group['id']}"
    reader = tokens["reader"]
    assert api.get(path, headers=reader).status_code == 200
    for response in [
        api.post(
            "/v1/failover-groups", headers=reader, json={"name": "r", "replication_type": "sync"}
        ),
        api.delete(path, headers=reader),
        api.post(f"{path}/vms", headers=reader, json={"server_id": "x"}),
        api.delete(f"{path}/vms/x", headers=reader),
    ]:
        assert "only allow reading" in problem(response, 403)
    names = [
        g["name"] for g in api.get("/v1/failover-groups", headers=reader).json()["failover_groups"]
    ]
    assert "r" not in names and "gw-read" in names


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


def test_the_openapi_document_lists_the_routes(api):
    document = api.get("/v1/openapi.json").json()
    assert {
        "/v1/failover-groups",
        "/v1/failover-groups/{group_id}",
        "/v1/operations/{operation_id}",
    } <= set(document["paths"])


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
