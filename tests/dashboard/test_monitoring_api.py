"""The API module's monitoring functions against a stand-in transport: what each sends the
gateway (method, path, query, body, the user's token) and what comes back; the compliance
report's files come back as the gateway sent them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import httpx
import pytest

from draas_dashboard.api import draas, errors
from tests.dashboard.test_api import problem, user_request

Handler = Callable[[httpx.Request], httpx.Response]
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def gateway() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    """Routes the API module's requests to a handler (as in test_api); yields the installer."""
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


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def test_update_group_patches_only_what_is_given(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(200, json={"id": "g-1", "rto_target": 600.0}))
    group = draas.update_group(user_request(), "g-1", rto_target_seconds=600, description="")
    assert group.rto_target_seconds == 600.0
    assert (seen[0].method, seen[0].url.path) == ("PATCH", "/v1/failover-groups/g-1")
    assert body(seen[0]) == {"description": "", "rto_target_seconds": 600}
    draas.update_group(user_request(), "g-1", test_interval_seconds=0)
    assert body(seen[1]) == {"test_interval_seconds": 0}
    assert seen[1].headers["X-Auth-Token"] == "user-token"


def test_create_group_sends_the_rto_target_and_test_interval(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(201, json={"id": "g-1", "name": "G", "vms": []}))
    draas.create_group(
        user_request(),
        "G",
        "async",
        "site-b",
        rpo_target_seconds=60,
        rto_target_seconds=900,
        test_interval_seconds=86400,
    )
    sent = body(seen[0])
    assert (sent["rto_target_seconds"], sent["test_interval_seconds"]) == (900, 86400)


def test_health_history_asks_for_the_range_and_step(gateway: Any) -> None:
    answer = {
        "group_id": "g-1",
        "rpo_target_seconds": 60.0,
        "step": 300.0,
        "resolution": "raw",
        "site": "site-b",
        "points": [
            {
                "start": "2026-12-01T10:00:00Z",
                "observed_seconds": 300.0,
                "worst_rpo_seconds": 90.0,
                "within_target_seconds": 200.0,
                "link_down_seconds": 60.0,
            },
            {
                "start": "2026-12-01T10:05:00Z",
                "observed_seconds": 0.0,
                "worst_rpo_seconds": None,
                "within_target_seconds": 0.0,
                "link_down_seconds": 0.0,
            },
        ],
    }
    seen = gateway(lambda r: httpx.Response(200, json=answer))
    history = draas.health_history(
        user_request(), "g-1", START, START + timedelta(hours=6), step_seconds=300
    )
    assert seen[0].url.path == "/v1/failover-groups/g-1/health-history"
    assert dict(seen[0].url.params) == {
        "start": "2026-12-01T10:00:00+00:00",
        "end": "2026-12-01T16:00:00+00:00",
        "step_seconds": "300",
    }
    assert [p.worst_rpo for p in history.points] == [90.0, None]
    assert history.compliance_percent == pytest.approx(200 / 3)
    assert (history.link_down_seconds, history.worst_rpo_seconds) == (60.0, 90.0)
    draas.health_history(user_request(), "g-1")
    assert dict(seen[1].url.params) == {}, "the gateway's defaults: the last day"


def test_alerts_listed_shown_and_acknowledged(gateway: Any) -> None:
    alert = {"id": "a-1", "state": "firing", "severity": "critical", "history": []}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/alerts":
            return httpx.Response(200, json={"alerts": [alert], "unreachable_sites": ["site-c"]})
        return httpx.Response(200, json={**alert, "acknowledged_at": "2026-12-01T10:00:00Z"})

    seen = gateway(answer)
    found = draas.list_alerts(user_request(), state="firing", group_id="g-1")
    assert [a.id for a in found.alerts] == ["a-1"]
    assert found.alerts[0].firing and not found.alerts[0].acknowledged
    assert found.unreachable_sites == ["site-c"]
    assert dict(seen[0].url.params) == {"state": "firing", "group_id": "g-1", "limit": "100"}
    draas.list_alerts(user_request())
    assert dict(seen[1].url.params) == {"limit": "100"}
    assert draas.get_alert(user_request(), "a-1").id == "a-1"
    assert seen[2].url.path == "/v1/alerts/a-1"
    acknowledged = draas.acknowledge_alert(user_request(), "a-1", "on it")
    assert acknowledged.acknowledged
    assert (seen[3].method, seen[3].url.path) == ("POST", "/v1/alerts/a-1/acknowledge")
    assert body(seen[3]) == {"comment": "on it"}


def test_channels_made_listed_and_deleted(gateway: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={**body(request), "id": "c-1", "secret": "s" * 32})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"alert_channels": [{"id": "c-1", "secret": ""}]})

    seen = gateway(answer)
    made = draas.create_alert_channel(
        user_request(), "ops", "webhook", "https://hooks.example.com/draas"
    )
    assert made.secret == "s" * 32
    assert body(seen[0]) == {
        "name": "ops",
        "kind": "webhook",
        "address": "https://hooks.example.com/draas",
        "min_severity": "warning",
    }
    draas.create_alert_channel(
        user_request(), "ops", "webhook", "https://h.example.com", "critical", "my-own-secret-123"
    )
    assert body(seen[1])["secret"] == "my-own-secret-123"
    assert [c.id for c in draas.list_alert_channels(user_request())] == ["c-1"]
    draas.delete_alert_channel(user_request(), "c-1")
    assert (seen[3].method, seen[3].url.path) == ("DELETE", "/v1/alert-channels/c-1")


def test_deliveries_filtered(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(200, json={"deliveries": [{"id": "d-1"}]}))
    assert [d.id for d in draas.list_deliveries(user_request(), channel_id="c-1")] == ["d-1"]
    assert dict(seen[0].url.params) == {"channel_id": "c-1", "limit": "100"}


def test_compliance_report_and_its_files(gateway: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        kind = request.url.params.get("format")
        if kind == "csv":
            return httpx.Response(200, text="Group,Group ID\nWeb,g-1\n")
        if kind == "html":
            return httpx.Response(200, text="<!DOCTYPE html><p>report</p>")
        return httpx.Response(200, json={"groups": [{"group_id": "g-1"}], "breaches": 0})

    seen = gateway(answer)
    end = START + timedelta(days=7)
    report = draas.compliance_report(user_request(), START, end, group_id="g-1")
    assert [g.group_id for g in report.groups] == ["g-1"]
    assert dict(seen[0].url.params) == {
        "start": "2026-12-01T10:00:00+00:00",
        "end": "2026-12-08T10:00:00+00:00",
        "group_id": "g-1",
    }
    assert draas.compliance_file(user_request(), "csv", START, end) == b"Group,Group ID\nWeb,g-1\n"
    assert seen[1].url.params["format"] == "csv"
    assert seen[1].headers["Accept"] == "text/csv"
    assert seen[1].headers["X-Auth-Token"] == "user-token"
    assert b"report" in draas.compliance_file(user_request(), "html")
    assert dict(seen[2].url.params) == {"format": "html"}


def test_a_refused_report_is_the_gateways_problem(gateway: Any) -> None:
    gateway(lambda r: problem(400, "start: the history is kept for 800 days"))
    with pytest.raises(errors.DraasRecoverable, match="800 days"):
        draas.compliance_file(user_request(), "csv", START - timedelta(days=900), START)
