"""The gateway against hostile or careless clients and slow connections: accepted connections
send at once (no Nagle), text fields refuse control and bidirectional characters, duplicate
JSON keys are refused, and a 405 says which methods the path takes. Every refusal is a problem
document naming what is wrong, and changes nothing."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.server import bind
from gateway.settings import GatewaySettings
from tests.functional.dr.gateway_client import ok, problem, site_tokens
from tests.waiting import wait_until

NEW_GROUP = {
    "name": "hardened",
    "replication_type": "async",
    "rpo_target_seconds": 60,
    "target_site": "site-b",
}


@pytest.fixture(scope="module")
def api(gateways) -> Iterator[httpx.Client]:
    """Site A's gateway."""
    with httpx.Client(base_url=gateways["site-a"], timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def member(lab) -> dict[str, str]:
    """tenant4's member at site A, with its proof of its project at site B."""
    proof = site_tokens(lab, "site-b")["member"]["X-Auth-Token"]
    return {**site_tokens(lab, "site-a")["member"], "X-Target-Auth-Token": proof}


def groups(api: httpx.Client, member: dict[str, str]) -> Any:
    return ok(api.get("/v1/failover-groups", headers=member, params={"limit": 500}))


# Connections -------------------------------------------------------------------------------


def test_an_accepted_connection_sends_without_waiting_for_acks(tmp_path):
    """Nagle's algorithm on a kept-alive connection holds a response's second write until the
    client's delayed ACK: ~40 ms per request."""
    settings = GatewaySettings(
        site="site-a", keystone_url="http://127.0.0.1:9/v3", port=0, state_dir=tmp_path
    )
    listener = bind(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=30)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}") as client:
            for _ in range(2):
                assert ok(client.get("/v1/health")) == {"status": "ok"}
            (connection,) = server.server_state.connections
            accepted = connection.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.should_exit = True
        thread.join(10)


# Text fields -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("name", "fin\x00ance", "control character (U+0000, character"),
        ("name", "\x1b[31mred", "control character (U+001B, character"),
        ("name", "two\nlines", "control character (U+000A, character"),
        ("name", "tab\there", "control character (U+0009, character"),
        ("name", "del\x7f", "control character (U+007F, character"),
        ("name", "next\x85line", "control character (U+0085, character"),
        ("name", "invoice\u202efdp.exe", "bidirectional control (U+202E, character"),
        ("name", "\u2066isolated\u2069", "bidirectional control (U+2066, character"),
        ("name", "mark\u200f", "bidirectional control (U+200F, character"),
        ("name", "half\ud800", "valid string"),
        ("description", "ok\n\tthen\x00", "control character (U+0000, character"),
        ("description", "carriage\rreturn", "control character (U+000D, character"),
        ("description", "\u202aembedded", "bidirectional control (U+202A, character"),
    ],
)
def test_text_with_control_or_bidirectional_characters_is_refused_and_changes_nothing(
    api, member, field, value, why
):
    before = groups(api, member)
    # Escaped, as ASCII: a lone surrogate cannot be encoded as UTF-8.
    response = api.post(
        "/v1/failover-groups",
        headers={**member, "Content-Type": "application/json"},
        content=json.dumps({**NEW_GROUP, field: value}).encode(),
    )
    detail = problem(response, 400)
    assert detail.startswith(f"{field}: ") and why in detail, detail
    assert groups(api, member) == before


def test_a_volume_type_is_text_too(api, member):
    response = api.post(
        "/v1/failover-groups/g1/reprotect",
        headers=member,
        json={"method": "retype", "target_replication_type": "sync", "volume_type": "a\u2067b"},
    )
    assert "volume_type: " in problem(response, 400)


def test_a_description_may_hold_newlines_and_tabs_and_any_text_may_be_unicode(api, member):
    description = "Finance production.\n\tOwner: Zoë Ωmega, 財務 (on call)"
    made = ok(
        api.post(
            "/v1/failover-groups",
            headers=member,
            json={**NEW_GROUP, "name": "Финансы-prod", "description": description},
        ),
        201,
    )
    try:
        assert (made["name"], made["description"]) == ("Финансы-prod", description)
    finally:
        assert api.delete(f"/v1/failover-groups/{made['id']}", headers=member).is_success


# Duplicate keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        (
            "/v1/failover-groups",
            b'{"name": "first", "replication_type": "async", "rpo_target_seconds": 60,'
            b' "target_site": "site-b", "name": "second"}',
            "name",
        ),
        ("/v1/failover-groups/g1/failover", b'{"mode": "planned", "mode": "unplanned"}', "mode"),
        ("/v1/operations/op1/cleanup", b'{"x": 1, "x": 2}', "x"),
    ],
)
def test_a_json_body_with_a_duplicate_key_is_refused_naming_it_and_changes_nothing(
    api, member, path, body, key
):
    before = groups(api, member)
    response = api.post(path, headers={**member, "Content-Type": "application/json"}, content=body)
    detail = problem(response, 400)
    assert detail.startswith(f"{key}: ") and "more than once" in detail, detail
    assert groups(api, member) == before


def test_a_nested_duplicate_key_is_refused_too(api, member):
    response = api.post(
        "/v1/failover-groups",
        headers={**member, "Content-Type": "application/json"},
        content=b'{"name": "n", "replication_type": "async", "extra": {"a": 1, "a": 1}}',
    )
    assert problem(response, 400).startswith("a: ")


# Methods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/failover-groups", "GET, POST"),
        ("PUT", "/v1/failover-groups/g1", "DELETE, GET, PATCH"),
        ("PATCH", "/v1/failover-groups/g1/vms/s1", "DELETE"),
        ("GET", "/v1/failover-groups/g1/failover", "POST"),
        ("POST", "/v1/health", "GET"),
    ],
)
def test_a_method_the_path_does_not_take_is_405_with_the_ones_it_does(
    api, member, method, path, allowed
):
    response = api.request(method, path, headers=member)
    detail = problem(response, 405)
    assert response.headers["allow"] == allowed
    assert method in detail and allowed in detail, detail
