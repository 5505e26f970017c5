"""How the gateway describes a changing request as a CADF event (no sockets): action and target
from the route's template, for today's routes and any route added later; only field names and
identifiers of a body; secrets scrubbed; the CSV export's columns and formula guard."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gateway.audit.events import Attempt, cadf_event, describe, final, reason_of
from gateway.audit.export import COLUMNS, csv_lines
from gateway.auth import Caller

TEMPLATES = frozenset(
    {
        "/v1/failover-groups",
        "/v1/failover-groups/{group_id}",
        "/v1/failover-groups/{group_id}/vms",
        "/v1/failover-groups/{group_id}/vms/{server_id}",
        "/v1/failover-groups/{group_id}/failover",
        "/v1/operations/{operation_id}/cleanup",
        "/v1/webhooks",
        "/v1/alerts/{alert_id}/ack",
    }
)


@pytest.mark.parametrize(
    ("method", "template", "params", "ids", "expected"),
    [
        ("POST", "/v1/failover-groups", {}, {}, ("create", "failover-groups", None)),
        (
            "DELETE",
            "/v1/failover-groups/{group_id}",
            {"group_id": "g1"},
            {},
            ("delete", "failover-groups", "g1"),
        ),
        (
            "POST",
            "/v1/failover-groups/{group_id}/vms",
            {"group_id": "g1"},
            {"server_id": "s1"},
            ("create", "failover-groups/vms", "s1"),
        ),
        (
            "DELETE",
            "/v1/failover-groups/{group_id}/vms/{server_id}",
            {"group_id": "g1", "server_id": "s1"},
            {},
            ("delete", "failover-groups/vms", "s1"),
        ),
        (
            "POST",
            "/v1/failover-groups/{group_id}/failover",
            {"group_id": "g1"},
            {},
            ("update/failover", "failover-groups", "g1"),
        ),
        (
            "POST",
            "/v1/operations/{operation_id}/cleanup",
            {"operation_id": "o1"},
            {},
            ("update/cleanup", "operations", "o1"),
        ),
        # Routes other parts of draas add are described by the same rules.
        ("POST", "/v1/webhooks", {}, {}, ("create", "webhooks", None)),
        (
            "POST",
            "/v1/alerts/{alert_id}/ack",
            {"alert_id": "a1"},
            {},
            ("update/ack", "alerts", "a1"),
        ),
        (
            "PUT",
            "/v1/failover-groups/{group_id}",
            {"group_id": "g1"},
            {},
            ("update", "failover-groups", "g1"),
        ),
        ("POST", None, {}, {}, ("update", "", "unknown")),
    ],
)
def test_action_and_target_come_from_the_route(method, template, params, ids, expected):
    described = describe(method, template, params, ids, TEMPLATES)
    action, kind, target = expected
    assert described.action == action
    assert described.target_type == "/".join(p for p in ("service/draas", kind) if p)
    assert described.target_id == target


def attempt(body: dict, headers: list[tuple[bytes, bytes]] = ()) -> Attempt:
    scope = {
        "method": "POST",
        "path": "/v1/failover-groups",
        "headers": [(b"user-agent", b"draas-cli"), *headers],
        "client": ("192.0.2.1", 5000),
        "query_string": b"project_id=p-2",
    }
    made = Attempt.of(scope, "req-1")
    made.body += json.dumps(body).encode()
    made.routed({**scope, "route": type("R", (), {"path": "/v1/failover-groups"})()})
    return made


def test_an_event_keeps_field_names_and_identifiers_never_values_or_secrets():
    made = attempt(
        {
            "name": "Finance ledger",
            "target_project_id": "p-9",
            "admin_password": "hunter2-hunter2",
            "webhook_secret": "s3cr3t-value",
        },
        [(b"x-auth-token", b"gAAAA-the-token"), (b"x-target-auth-token", b"gAAAA-other")],
    )
    made.caller = Caller("u-1", "p-1", frozenset({"member"}), 0.0, user_name="alice")
    document, described = cadf_event(made, "site-a", TEMPLATES)
    text = json.dumps(document)
    for secret in ("gAAAA-the-token", "gAAAA-other", "hunter2-hunter2", "s3cr3t-value"):
        assert secret not in text
    assert "Finance ledger" not in text
    request = next(a["content"] for a in document["attachments"] if a["name"] == "request")
    assert request["fields"] == ["name", "target_project_id", "admin_password", "webhook_secret"]
    assert request["ids"] == {"target_project_id": "p-9"}
    assert document["initiator"]["name"] == "alice"
    assert document["initiator"]["roles"] == ["member"]
    assert document["initiator"]["host"] == {"address": "192.0.2.1", "agent": "draas-cli"}
    # A member naming another project acts in its own.
    assert document["target"]["project_id"] == "p-1"
    assert document["outcome"] == "pending" and described.action == "create"
    assert made.scrub("token gAAAA-the-token!") == "token ***!"


def test_an_admin_acts_in_the_project_it_names_and_an_unknown_caller_in_none():
    made = attempt({})
    assert made.project_id is None
    made.caller = Caller("u-0", "admin-p", frozenset({"admin"}), 0.0, is_admin=True)
    assert made.project_id == "p-2"
    # A project id the routes would refuse was not acted in: the admin's own project.
    made.requested_project = None
    made.routed({"query_string": b"project_id=" + b"x" * 65})
    assert made.project_id == "admin-p"


def test_the_outcome_completes_the_event():
    made = attempt({})
    document, _ = cadf_event(made, "site-a", TEMPLATES)
    ended = final(document, "success", reason_of(201), {"status": 201, "id": "g-7"}, "g-7")
    assert (ended["outcome"], ended["reason"]) == (
        "success",
        {"reasonType": "HTTP", "reasonCode": "201"},
    )
    assert ended["target"]["id"] == "g-7"
    assert [a["name"] for a in ended["attachments"]] == ["request_id", "request", "response"]


def test_csv_has_a_row_per_event_and_no_formula():
    made = attempt({})
    made.started = datetime(2026, 12, 1, tzinfo=UTC)
    made.caller = Caller("u-1", "p-1", frozenset({"member"}), 0.0, user_name="=HYPERLINK(1)")
    document, _ = cadf_event(made, "site-a", TEMPLATES)
    lines = list(csv_lines([document, document]))
    assert lines[0] == ",".join(COLUMNS) + "\r\n"
    assert len(lines) == 3
    assert ",'=HYPERLINK(1)," in lines[1]
    assert "2026-12-01T00:00:00.000000+00:00" in lines[1]
