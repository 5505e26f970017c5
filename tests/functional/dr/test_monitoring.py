"""The monitor at a group's target site, on the two real sites: each alert rule fires once and
resolves by itself, delivered to a real webhook receiver (signature checked) and a real SMTP
server, exactly once each; health history and compliance read back through the RPCs.

Site B's orchestrator runs here with its monitor's rounds driven by the test (at moments the
test chooses), its VMs checked every round, and e-mail going to the test's SMTP server."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from google.protobuf.timestamp_pb2 import Timestamp
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cli.main import cli
from common.metrics import REGISTRY
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import monitoring_pb2 as mon
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator.monitoring.delivery import signature
from services.orchestrator.monitoring.history import Sample
from services.orchestrator.monitoring.monitor import Monitor
from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TwoSiteLab
from tests.functional.dr.gateway_client import ok, problem, site_tokens
from tests.functional.dr.restarted import orchestrator_with
from tests.functional.dr.twosite import (
    finished,
    key,
    make_vm,
    project,
    protect,
    region_control,
    rpo,
    wait_for,
)
from tests.functional.lab import tenant_connection
from tools.launcher import free_port
from tools.stack import Site

SECRET = "a-webhook-secret-of-the-tenant"


class Webhooks:
    """A webhook receiver on 127.0.0.1: every POST, with its headers and body."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with owner.lock:
                    owner.received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/draas"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, group_id: str) -> list[tuple[str, str]]:
        """(rule, event) of every verified delivery about the group, in arrival order."""
        found = []
        with self.lock:
            for headers, body in self.received:
                assert headers["X-Draas-Signature"] == signature(SECRET, body), "bad signature"
                payload = json.loads(body)
                if payload["alert"]["group_id"] == group_id:
                    found.append((payload["alert"]["rule"], payload["event"]))
        return found


class Mailbox:
    """What a real SMTP server (aiosmtpd) on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def events(self, group_name: str, to: str) -> list[tuple[str, str]]:
        """(rule, fired or resolved) of each mail about the group sent to `to`."""
        found = []
        for subject in self.subjects(group_name, to):
            state, _, rest = subject.removeprefix("[draas] ").partition(" ")
            rule = rest.split(": ", 1)[1].rsplit(" - ", 1)[0].replace(" ", "_")
            found.append((rule, "fired" if state == "FIRING" else "resolved"))
        return found

    def subjects(self, group_name: str, to: str) -> list[str]:
        """The subjects of the mails about the group sent to `to`."""
        return [
            str(m["Subject"])
            for m in self.messages
            if group_name in str(m["Subject"]) and to in str(m["To"])
        ]


@pytest.fixture(scope="module")
def webhooks() -> Iterator[Webhooks]:
    receiver = Webhooks()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def monitor(
    sites: dict[str, Site], lab: TwoSiteLab, mailbox: tuple[Mailbox, int], webhooks: Webhooks
) -> Iterator[Monitor]:
    """Site B's orchestrator with its monitor driven by the tests, and tenant4's channels
    there: the webhook (every alert), e-mail to the team (every alert) and to on-call
    (critical ones only)."""
    b = sites["site-b"]
    with orchestrator_with(
        b,
        monitor_interval_seconds=0.0,
        readiness_check_seconds=0.001,
        alert_metadata_lag_seconds=1.0,
        delivery_backoff_seconds=0.0,
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
    ) as deps:
        at_b = project(lab, "site-b")
        made = b.orchestrator.CreateAlertChannel(
            mon.CreateAlertChannelRequest(
                project_id=at_b,
                name="ops-hook",
                kind=mon.CHANNEL_KIND_WEBHOOK,
                address=webhooks.url,
                secret=SECRET,
            )
        )
        assert made.secret == SECRET, "the secret is shown when the channel is made"
        b.orchestrator.CreateAlertChannel(
            mon.CreateAlertChannelRequest(
                project_id=at_b,
                name="team-mail",
                kind=mon.CHANNEL_KIND_EMAIL,
                address="dr-team@example.com",
            )
        )
        b.orchestrator.CreateAlertChannel(
            mon.CreateAlertChannelRequest(
                project_id=at_b,
                name="oncall-mail",
                kind=mon.CHANNEL_KIND_EMAIL,
                address="oncall@example.com",
                min_severity=mon.ALERT_SEVERITY_CRITICAL,
            )
        )
        yield deps.monitor


def alerts(sites: dict[str, Site], lab: TwoSiteLab, group_id: str, site: str = "site-b") -> dict:
    """rule -> state of the group's alerts, as the tenant lists them at a site."""
    listed = sites[site].orchestrator.ListAlerts(
        mon.ListAlertsRequest(project_id=project(lab, site), group_id=group_id)
    )
    return {
        mon.AlertRule.Name(a.rule).removeprefix("ALERT_RULE_").lower(): mon.AlertState.Name(a.state)
        .removeprefix("ALERT_STATE_")
        .lower()
        for a in listed.alerts
    }


def update(sites: dict[str, Site], lab: TwoSiteLab, group_id: str, **fields: Any) -> None:
    """Changes the group at site A and waits until site B's copy has the change."""
    sites["site-a"].orchestrator.UpdateFailoverGroup(
        mon.UpdateFailoverGroupRequest(project_id=project(lab), group_id=group_id, **fields)
    )
    request = opb.GetFailoverGroupRequest(project_id=project(lab, "site-b"), group_id=group_id)
    wait_for(
        lambda: all(
            getattr(sites["site-b"].orchestrator.GetFailoverGroup(request), name) == value
            for name, value in fields.items()
        )
    )


def test_link_down_and_rpo_over_target_fire_once_and_resolve(
    sites, lab, tenant_network, monitor, webhooks, mailbox
):
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(sites, lab, "async", [vm])  # RPO target 4 s
    control = SimulatorControl(lab.flasharrays.control_url)
    control.set_link("array-a", "array-b", up=False)
    try:
        time.sleep(8.5)  # the newest point at site B is over twice the target old
        monitor.run_once()
        monitor.run_once()  # a condition that goes on fires nothing more
        assert alerts(sites, lab, group.id) == {
            "link_down": "firing",
            "rpo_over_target": "firing",
            "rpo_over_twice_target": "firing",
        }
        gauges = group_gauges(group.id)
        assert gauges["draas_group_link_up"] == 0.0
        assert gauges["draas_group_rpo_target_seconds"] == 4.0
        assert gauges["draas_group_rpo_seconds"] > 8.0
        assert gauges["draas_group_protected_vms"] == 1.0
    finally:
        control.set_link("array-a", "array-b", up=True)
        control.close()
    wait_for(lambda: monitor.run_once() and not alerts_firing(sites, lab, group.id))
    assert alerts(sites, lab, group.id) == {
        "link_down": "resolved",
        "rpo_over_target": "resolved",
        "rpo_over_twice_target": "resolved",
    }
    assert sorted(webhooks.events(group.id)) == sorted(
        (rule, event)
        for rule in ("link_down", "rpo_over_target", "rpo_over_twice_target")
        for event in ("fired", "resolved")
    )
    assert sorted(mailbox[0].events(group.name, to="dr-team@example.com")) == sorted(
        webhooks.events(group.id)
    ), "each alert mailed once too"
    # On-call's e-mail takes the critical ones only, once each.
    subjects = mailbox[0].subjects(group.name, to="oncall@example.com")
    assert sorted(subjects) == sorted(
        f"[draas] {state} critical: {rule} - {group.name}"
        for rule in ("link down", "rpo over twice target")
        for state in ("FIRING", "RESOLVED")
    )
    # The history shows the breach, and the compliance report counts it.
    history = sites["site-b"].orchestrator.GetHealthHistory(
        mon.GetHealthHistoryRequest(project_id=project(lab, "site-b"), group_id=group.id)
    )
    assert history.site == "site-b" and history.resolution == "raw"
    assert sum(p.link_down_seconds for p in history.points) > 0
    report = sites["site-a"].orchestrator.GetComplianceReport(
        mon.GetComplianceReportRequest(project_id=project(lab), group_id=group.id)
    )
    assert [g.group_id for g in report.groups] == [group.id], "asked of site B by site A"
    assert report.groups[0].breaches >= 1
    assert 0 <= report.groups[0].rpo_compliance_percent < 100


def group_gauges(group_id: str) -> dict[str, float]:
    """The per-group gauges of this process's metrics, as Prometheus would scrape them, with
    the group's project label checked."""
    found = {}
    for family in text_string_to_metric_families(generate_latest(REGISTRY).decode()):
        for sample in family.samples:
            if sample.name.startswith("draas_group_") and sample.labels["group"] == group_id:
                assert sample.labels["project"] and sample.labels["target_site"] == "site-b"
                found[sample.name] = sample.value
    return found


def alerts_firing(sites: dict[str, Site], lab: TwoSiteLab, group_id: str) -> bool:
    return "firing" in alerts(sites, lab, group_id).values()


def test_a_protected_vm_whose_server_is_deleted_raises_an_alert_until_it_is_removed(
    sites, lab, tenant_network, monitor, webhooks, mailbox
):
    kept, doomed = (make_vm(lab, tenant_network, "async", volumes=1) for _ in range(2))
    group = protect(sites, lab, "async", [kept, doomed])
    monitor.run_once()
    tenant_connection(lab, "site-a", "tenant4").compute.delete_server(doomed.id)
    sites["site-a"].metadata.CaptureProject(mpb.CaptureProjectRequest(project_id=project(lab)))
    wait_for(lambda: monitor.run_once() and alerts(sites, lab, group.id).get("vm_ineligible"))
    listed = (
        sites["site-b"]
        .orchestrator.ListAlerts(
            mon.ListAlertsRequest(project_id=project(lab, "site-b"), group_id=group.id)
        )
        .alerts
    )
    assert [(a.subject, a.severity) for a in listed] == [(doomed.id, mon.ALERT_SEVERITY_WARNING)]
    assert doomed.name in listed[0].summary
    sites["site-a"].orchestrator.RemoveVm(
        opb.RemoveVmRequest(project_id=project(lab), group_id=group.id, server_id=doomed.id)
    )
    wait_for(lambda: monitor.run_once() and not alerts_firing(sites, lab, group.id))
    assert webhooks.events(group.id) == [("vm_ineligible", "fired"), ("vm_ineligible", "resolved")]
    assert sorted(mailbox[0].events(group.name, to="dr-team@example.com")) == sorted(
        webhooks.events(group.id)
    ), "each alert mailed once too"


def test_metadata_lag_to_the_target_fires_while_the_target_cannot_take_changes(
    sites, lab, tenant_network, monitor, webhooks, mailbox
):
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(sites, lab, "async", [vm])
    monitor.run_once()
    b = sites["site-b"]
    b.stop_service("metadata")
    try:
        # A change at site A that site B's metadata cannot take while it is down.
        sites["site-a"].orchestrator.UpdateFailoverGroup(
            mon.UpdateFailoverGroupRequest(
                project_id=project(lab), group_id=group.id, description="changed"
            )
        )
        time.sleep(1.5)
        monitor.run_once()
        assert "metadata_lag" in [rule for rule, _ in webhooks.events(group.id)]
    finally:
        b.start_service("metadata")
    wait_for(lambda: monitor.run_once() and not alerts_firing(sites, lab, group.id))
    assert webhooks.events(group.id) == [("metadata_lag", "fired"), ("metadata_lag", "resolved")]
    assert sorted(mailbox[0].events(group.name, to="dr-team@example.com")) == sorted(
        webhooks.events(group.id)
    ), "each alert mailed once too"


def test_operation_alerts_test_overdue_failed_test_and_test_left_standing(
    sites, lab, tenant_network, monitor, webhooks, mailbox
):
    vms = [make_vm(lab, tenant_network, "async", volumes=1) for _ in range(2)]
    group = protect(sites, lab, "async", vms)
    update(sites, lab, group.id, test_interval=rpo(3600))
    at_b, b = project(lab, "site-b"), sites["site-b"].orchestrator
    created = b.GetFailoverGroup(
        opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id)
    ).created_at.ToDatetime(tzinfo=UTC)

    # Two hours on, never tested: overdue.
    monitor.run_once(created + timedelta(hours=2))
    assert alerts(sites, lab, group.id) == {"test_overdue": "firing"}

    # A test that recovers one VM of two (no room for the other): failed, in part.
    servers = len(list(tenant_connection(lab, "site-b", "tenant4").compute.servers()))
    region_control(lab, "site-b", "PUT", f"quotas/{at_b}", instances=servers + 1)
    try:
        failed = _test(b, at_b, group.id)
    finally:
        region_control(lab, "site-b", "PUT", f"quotas/{at_b}")
    assert failed.state == opb.OPERATION_STATE_PARTIALLY_SUCCEEDED
    _cleanup(b, at_b, failed.id)
    monitor.run_once(datetime.now(UTC) + timedelta(hours=2))
    assert alerts(sites, lab, group.id) == {
        "test_overdue": "firing",
        "operation_failed": "firing",
    }

    # A test that passes (cleanup due in 10 min), seen 30 min on: the test is no longer
    # overdue, the failure is made good, and the test stands past its cleanup time.
    passed = _test(b, at_b, group.id, cleanup_after=rpo(600))
    assert passed.state == opb.OPERATION_STATE_SUCCEEDED
    half_an_hour_on = datetime.now(UTC) + timedelta(minutes=30)
    monitor.run_once(half_an_hour_on)
    assert alerts(sites, lab, group.id) == {
        "test_overdue": "resolved",
        "operation_failed": "resolved",
        "test_not_cleaned_up": "firing",
    }
    _cleanup(b, at_b, passed.id)
    monitor.run_once(half_an_hour_on)
    assert alerts(sites, lab, group.id) == {
        "test_overdue": "resolved",
        "operation_failed": "resolved",
        "test_not_cleaned_up": "resolved",
    }
    assert sorted(webhooks.events(group.id)) == sorted(
        (rule, event)
        for rule in ("test_overdue", "operation_failed", "test_not_cleaned_up")
        for event in ("fired", "resolved")
    )
    assert sorted(mailbox[0].events(group.name, to="dr-team@example.com")) == sorted(
        webhooks.events(group.id)
    ), "each alert mailed once too"
    # The compliance report counts both tests, one passed, with the RTO of the last.
    report = b.GetComplianceReport(
        mon.GetComplianceReportRequest(
            project_id=at_b, group_id=group.id, start=_stamp(created - timedelta(minutes=1))
        )
    )
    (found,) = report.groups
    assert (found.tests_run, found.tests_passed) == (2, 1)
    assert found.last_successful_test_id == passed.id
    assert found.HasField("last_test_rto_seconds")


def test_an_alert_raised_at_the_target_is_listed_and_acknowledged_from_the_source(
    sites, lab, tenant_network, monitor
):
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(sites, lab, "async", [vm])
    update(sites, lab, group.id, test_interval=rpo(3600))
    monitor.run_once(datetime.now(UTC) + timedelta(hours=2))
    a = sites["site-a"].orchestrator
    (alert,) = a.ListAlerts(
        mon.ListAlertsRequest(project_id=project(lab), group_id=group.id)
    ).alerts
    assert (alert.site, alert.project_id) == ("site-b", project(lab))
    acknowledged = a.AcknowledgeAlert(
        mon.AcknowledgeAlertRequest(
            project_id=project(lab), alert_id=alert.id, user_id="user-1", comment="on it"
        )
    )
    assert acknowledged.acknowledged_by == "user-1"
    assert [e.kind for e in acknowledged.history] == ["fired", "acknowledged"]
    # Still firing: acknowledging does not end the condition.
    assert acknowledged.state == mon.ALERT_STATE_FIRING
    update(sites, lab, group.id, test_interval=rpo(0))
    monitor.run_once()
    assert alerts(sites, lab, group.id) == {"test_overdue": "resolved"}


def _test(stub: Any, project_id: str, group_id: str, **options: Any) -> opb.Operation:
    started = stub.StartTestFailover(
        opb.StartTestFailoverRequest(
            project_id=project_id, group_id=group_id, idempotency_key=key(), **options
        )
    )
    return finished(stub, project_id, started.id)


def _cleanup(stub: Any, project_id: str, test_id: str) -> None:
    cleanup = stub.StartTestCleanup(
        opb.StartTestCleanupRequest(
            project_id=project_id, operation_id=test_id, idempotency_key=key()
        )
    )
    assert finished(stub, project_id, cleanup.id).state == opb.OPERATION_STATE_SUCCEEDED


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


# Through the REST gateways ------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(gateways: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {site: httpx.Client(base_url=url, timeout=60) for site, url in gateways.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def tokens(lab: TwoSiteLab) -> dict[str, dict[str, dict[str, str]]]:
    return {site: site_tokens(lab, site) for site in ("site-a", "site-b")}


def test_a_compliance_report_over_a_constructed_history_in_json_csv_and_html(
    sites, lab, tenant_network, monitor, api, tokens
):
    """An hour sampled each minute, the link down for 10 of the 60 minutes: 83.3 %."""
    group = protect(sites, lab, "async", [make_vm(lab, tenant_network, "async", volumes=1)])
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    for minute in range(60):
        down = 20 <= minute < 30
        monitor.history.record(
            Sample(
                project_id=project(lab, "site-b"),
                group_id=group.id,
                sampled_at=start + timedelta(minutes=minute),
                covers_seconds=60.0,
                rpo_seconds=300.0 if down else 2.0,
                rpo_target_seconds=4.0,
                link_up=not down,
                within_target=not down,
                protected_vms=1,
            )
        )
    query = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "group_id": group.id,
    }
    member = tokens["site-a"]["member"]
    report = ok(api["site-a"].get("/v1/reports/compliance", params=query, headers=member))
    (figures,) = report["groups"]
    assert figures["rpo_compliance_percent"] == pytest.approx(83.333, abs=0.001)
    assert (figures["breaches"], figures["breach_seconds"]) == (1, 600.0)
    assert (figures["observed_seconds"], figures["worst_rpo_seconds"]) == (3600.0, 300.0)
    assert (figures["tests_run"], figures["last_successful_test_at"]) == (0, None)
    assert figures["site"] == "site-b" and report["rpo_compliance_percent"] == pytest.approx(
        83.333, abs=0.001
    )

    csv_answer = api["site-a"].get(
        "/v1/reports/compliance", params={**query, "format": "csv"}, headers=member
    )
    assert csv_answer.status_code == 200 and csv_answer.headers["content-type"].startswith(
        "text/csv"
    )
    rows = list(csv.DictReader(io.StringIO(csv_answer.text)))
    assert [(r["Group ID"], r["RPO compliance (%)"], r["Breaches"]) for r in rows] == [
        (group.id, "83.3", "1"),
        ("", "83.3", "1"),
    ]
    page = api["site-a"].get(
        "/v1/reports/compliance", params={**query, "format": "html"}, headers=member
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "<strong>83.3 %</strong>" in page.text and f"<td>{group.id}</td>" in page.text
    assert "<script" not in page.text

    # The same history, drawn by ten-minute steps.
    history = ok(
        api["site-a"].get(
            f"/v1/failover-groups/{group.id}/health-history",
            params={"start": query["start"], "end": query["end"], "step_seconds": 600},
            headers=member,
        )
    )
    assert [p["link_down_seconds"] for p in history["points"]] == [0, 0, 600, 0, 0, 0]
    assert history["points"][2]["worst_rpo_seconds"] == 300.0
    assert (history["site"], history["resolution"]) == ("site-b", "raw")

    # Refused: a reversed period, a time without its zone, an unknown format, too fine a step.
    detail = problem(
        api["site-a"].get(
            "/v1/reports/compliance",
            params={"start": query["end"], "end": query["start"]},
            headers=member,
        ),
        400,
    )
    assert "end" in detail
    assert "zone" in problem(
        api["site-a"].get(
            "/v1/reports/compliance", params={"start": "2026-01-01T00:00:00"}, headers=member
        ),
        400,
    )
    assert "format" in problem(
        api["site-a"].get("/v1/reports/compliance", params={"format": "pdf"}, headers=member),
        400,
    )
    assert "step" in problem(
        api["site-a"].get(
            f"/v1/failover-groups/{group.id}/health-history",
            params={"step_seconds": 5},
            headers=member,
        ),
        400,
    )


def test_alerts_channels_and_group_targets_through_the_gateway(
    sites, lab, tenant_network, monitor, api, tokens, webhooks
):
    group = protect(sites, lab, "async", [make_vm(lab, tenant_network, "async", volumes=1)])
    a, b = api["site-a"], api["site-b"]
    member_a, member_b = tokens["site-a"]["member"], tokens["site-b"]["member"]
    reader_a = tokens["site-a"]["reader"]

    # Targets: changed at the source site, refused when wrong (nothing changes).
    path = f"/v1/failover-groups/{group.id}"
    changed = ok(
        a.patch(
            path,
            headers=member_a,
            json={"rto_target_seconds": 900, "test_interval_seconds": 7 * 86400},
        )
    )
    assert (changed["rto_target"], changed["test_interval"]) == (900.0, 7 * 86400.0)
    assert "test_interval" in problem(
        a.patch(path, headers=member_a, json={"test_interval_seconds": 60}), 400
    )
    assert "rpo_target_seconds" in problem(
        a.patch(path, headers=member_a, json={"rpo_target_seconds": -1}), 400
    )
    problem(a.patch(path, headers=reader_a, json={"description": "x"}), 403)
    assert ok(a.get(path, headers=member_a))["test_interval"] == 7 * 86400.0

    # A channel at the target site: its secret shown once.
    made = ok(
        b.post(
            "/v1/alert-channels",
            headers=member_b,
            json={"name": "gw-hook", "kind": "webhook", "address": webhooks.url},
        ),
        201,
    )
    assert len(made["secret"]) >= 32
    listed = ok(b.get("/v1/alert-channels", headers=member_b))["alert_channels"]
    assert {c["name"]: c["secret"] for c in listed}["gw-hook"] == ""
    assert made["secret"] not in b.get("/v1/alert-channels", headers=member_b).text
    assert "address" in problem(
        b.post(
            "/v1/alert-channels",
            headers=member_b,
            json={"name": "bad", "kind": "webhook", "address": "ftp://example.com/x"},
        ),
        400,
    )
    assert "address" in problem(
        b.post(
            "/v1/alert-channels",
            headers=member_b,
            json={"name": "bad", "kind": "email", "address": "not-an-address"},
        ),
        400,
    )
    assert "already" in problem(
        b.post(
            "/v1/alert-channels",
            headers=member_b,
            json={"name": "gw-hook", "kind": "email", "address": "x@example.com"},
        ),
        409,
    )

    # An alert (a test due weekly, looked at eight days on), listed and acknowledged from A.
    monitor.run_once(datetime.now(UTC) + timedelta(days=8))
    found = ok(a.get("/v1/alerts", params={"group_id": group.id}, headers=member_a))
    assert found["unreachable_sites"] == []
    (alert,) = found["alerts"]
    assert (alert["rule"], alert["severity"], alert["state"], alert["site"]) == (
        "test_overdue",
        "warning",
        "firing",
        "site-b",
    )
    problem(a.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=reader_a), 403)
    acknowledged = ok(
        a.post(
            f"/v1/alerts/{alert['id']}/acknowledge", headers=member_a, json={"comment": "testing"}
        )
    )
    assert acknowledged["acknowledged_at"] and acknowledged["acknowledged_by"]
    assert ok(b.get(f"/v1/alerts/{alert['id']}", headers=member_b))["history"][1]["detail"] == (
        "testing"
    )
    problem(a.get("/v1/alerts/no-such-alert", headers=member_a), 404)
    other = tokens["site-a"]["other"]
    problem(a.get(f"/v1/alerts/{alert['id']}", headers=other), 404)
    assert ok(a.get("/v1/alerts", params={"group_id": group.id}, headers=other))["alerts"] == []

    # Its delivery to the channel, in the log.
    deliveries = ok(
        b.get("/v1/alert-deliveries", params={"alert_id": alert["id"]}, headers=member_b)
    )["deliveries"]
    assert [(d["event"], d["state"]) for d in deliveries if d["channel_id"] == made["id"]] == [
        ("fired", "delivered")
    ]
    ok(b.delete(f"/v1/alert-channels/{made['id']}", headers=member_b), 204)
    problem(b.delete(f"/v1/alert-channels/{made['id']}", headers=member_b), 404)
    ok(a.patch(path, headers=member_a, json={"test_interval_seconds": 0}))
    wait_for(
        lambda: (
            ok(b.get(path, headers=member_b))["test_interval"] == 0
            and monitor.run_once()
            and not alerts_firing(sites, lab, group.id)
        )
    )


def test_the_draas_command_sets_targets_lists_and_acknowledges_alerts_and_reports(
    sites, lab, tenant_network, monitor, gateways, tokens, webhooks
):
    group = protect(sites, lab, "async", [make_vm(lab, tenant_network, "async", volumes=1)])

    def draas(site: str, *args: str) -> Any:
        token = tokens[site]["member"]["X-Auth-Token"]
        return CliRunner().invoke(
            cli,
            ["--draas-url", gateways[site], "--os-token", token, *args],
            prog_name="draas",
        )

    changed = draas(
        "site-a", "failover-group", "set", group.id, "--rto-target", "600", "--test-interval",
        "86400",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "rto_target" in changed.output and "10m" in changed.output.replace(" ", "")
    assert draas("site-a", "failover-group", "set", group.id).exit_code == 2

    made = draas(
        "site-b", "alert", "channel", "create", "--name", "cli-hook", "--kind", "webhook",
        "--address", webhooks.url, "-f", "json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    channel = json.loads(made.output)
    assert len(channel["secret"]) >= 32
    listed = draas("site-b", "alert", "channel", "list")
    assert "cli-hook" in listed.output and channel["secret"] not in listed.output

    wait_for(
        lambda: (
            sites["site-b"]
            .orchestrator.GetFailoverGroup(
                opb.GetFailoverGroupRequest(project_id=project(lab, "site-b"), group_id=group.id)
            )
            .test_interval.seconds
            == 86400
        )
    )
    monitor.run_once(datetime.now(UTC) + timedelta(days=2))
    table = draas("site-a", "alert", "list", "--group", group.id, "--state", "firing")
    assert table.exit_code == 0, table.output
    assert "test_overdue" in table.output and "site-b" in table.output
    alert_id = json.loads(
        draas("site-a", "alert", "list", "--group", group.id, "-f", "json").output
    )["alerts"][0]["id"]
    acked = draas("site-a", "alert", "ack", alert_id, "--comment", "scheduling one")
    assert acked.exit_code == 0, acked.output
    shown = draas("site-b", "alert", "show", alert_id)
    assert "acknowledged" in shown.output and "scheduling one" in shown.output
    deliveries = draas("site-b", "alert", "deliveries", "--alert", alert_id)
    assert "delivered" in deliveries.output

    history = draas(
        "site-a", "health-history", "--group", group.id, "--from", "2h", "--step", "600"
    )
    assert history.exit_code == 0, history.output
    assert "watched at site-b" in history.output
    exported = draas("site-a", "report", "compliance", "--group", group.id, "-f", "csv")
    assert exported.exit_code == 0, exported.output
    (row, totals) = list(csv.DictReader(io.StringIO(exported.output)))
    assert row["Group ID"] == group.id and totals["Group"] == "All groups"
    page = draas("site-a", "report", "compliance", "--group", group.id, "-f", "html")
    assert page.output.startswith("<!DOCTYPE html>")
    summary = draas("site-a", "report", "compliance", "--from", "7d")
    assert summary.exit_code == 0 and "RPO compliance" in summary.output
    wrong = draas("site-a", "report", "compliance", "--from", "yesterday")
    assert wrong.exit_code == 2 and "--from" in wrong.output
    draas("site-b", "alert", "channel", "delete", channel["id"])
