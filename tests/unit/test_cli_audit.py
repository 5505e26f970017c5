"""`draas audit`: its usage (exit 2 naming the option) and how events print as tables."""

from __future__ import annotations

from click.testing import CliRunner

from cli.commands.audit import event_fields, events_table
from cli.main import cli

EVENT = {
    "id": "e-1",
    "eventTime": "2026-12-01T10:00:00.000000+00:00",
    "action": "update/failover",
    "outcome": "failure",
    "initiator": {
        "id": "u-1",
        "name": "alice",
        "project_id": "p-1",
        "roles": ["member"],
        "host": {"address": "192.0.2.7"},
    },
    "target": {"id": "g-1", "typeURI": "service/draas/failover-groups", "project_id": "p-1"},
    "observer": {"name": "draas gateway site-a"},
    "reason": {"reasonType": "HTTP", "reasonCode": "409"},
    "attachments": [
        {"name": "request_id", "content": "req-9"},
        {"name": "request", "content": {"method": "POST", "path": "/v1/x", "fields": ["mode"]}},
        {"name": "response", "content": {"status": 409, "detail": "runs at site-b"}},
    ],
}


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), prog_name="draas")


def test_usage():
    helped = run("audit", "--help")
    assert helped.exit_code == 0 and "list" in helped.stdout and "show" in helped.stdout
    assert "csv" in run("audit", "list", "--help").stdout
    wrong = run("audit", "list", "--outcome", "maybe")
    assert wrong.exit_code == 2 and "--outcome" in wrong.output
    assert run("audit", "show").exit_code == 2


def test_events_print_as_a_table_and_one_as_fields():
    table = events_table([EVENT])
    assert "update/failover" in table and "failure (409)" in table
    assert "failover-groups g-1" in table and "req-9" in table and "192.0.2.7" in table
    assert table.splitlines()[0].startswith("Time")
    assert events_table([EVENT], projects=True).splitlines()[0].startswith("Project")
    shown = event_fields(EVENT)
    for text in ("alice (u-1)", "POST /v1/x", "runs at site-b", "draas gateway site-a", "mode"):
        assert text in shown
