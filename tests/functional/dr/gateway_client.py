"""Tenants of the two-site stack talking to the sites' REST gateways: tokens from each site's
Keystone, problem-document checks, and a group protected through the API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openstack

from simulators.lab import USER_PASSWORD, TwoSiteLab
from tests.functional.dr.twosite import TENANT, wait_for

OTHER_TENANT = "tenant1"
ENDED = {"succeeded", "partially_succeeded", "failed", "compensated"}


def token(lab: TwoSiteLab, site: str, user: str, project: str) -> str:
    region = lab.regions[site]
    password = region.config.admin_password if user == "admin" else USER_PASSWORD
    conn = openstack.connect(
        load_yaml_config=False, load_envvars=False, **region.cloud(user, password, project)
    )
    return str(conn.auth_token)


def site_tokens(lab: TwoSiteLab, site: str) -> dict[str, dict[str, str]]:
    """Headers of tenant4's member and reader, another tenant's member, and an admin (scoped
    to the admin project)."""
    return {
        who: {"X-Auth-Token": token(lab, site, user, project)}
        for who, user, project in [
            ("member", f"{TENANT}-user", TENANT),
            ("reader", f"{TENANT}-reader", TENANT),
            ("other", f"{OTHER_TENANT}-user", OTHER_TENANT),
            ("admin", "admin", "admin"),
        ]
    }


def problem(response: httpx.Response, status: int) -> str:
    """The detail of a problem response with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return str(body["detail"])


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def protected_group(
    api: dict[str, httpx.Client], tokens: dict[str, dict[str, dict[str, str]]], vm_ids: list[str]
) -> dict[str, Any]:
    """An async group of tenant4 at site A with the VMs, created through site A's gateway,
    once site B's gateway says it is ready for a failover."""
    member = tokens["site-a"]["member"]
    proof = {"X-Target-Auth-Token": tokens["site-b"]["member"]["X-Auth-Token"]}
    group = ok(
        api["site-a"].post(
            "/v1/failover-groups",
            headers={**member, **proof},
            json={
                "name": f"gw-{time.monotonic_ns() % 10**8}",
                "replication_type": "async",
                "rpo_target_seconds": 30,
                "target_site": "site-b",
            },
        ),
        201,
    )
    for vm_id in vm_ids:
        group = ok(
            api["site-a"].post(
                f"/v1/failover-groups/{group['id']}/vms", headers=member, json={"server_id": vm_id}
            )
        )
    readiness = f"/v1/failover-groups/{group['id']}/readiness"
    wait_for(
        lambda: (
            api["site-b"]
            .get(readiness, headers=tokens["site-b"]["member"])
            .json()
            .get("failover_ready")
        )
    )
    return dict(group)


def events(client: httpx.Client, path: str, headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The server-sent events of a stream, each as {"id", "event", "data"}, until it closes."""
    with client.stream("GET", path, headers=headers, timeout=60) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            if not line:
                if "data" in event:
                    yield event
                event = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                event[field] = json.loads(value) if field == "data" else value
