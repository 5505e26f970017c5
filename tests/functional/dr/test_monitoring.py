"""The monitor at a group's target site, on the two real sites: each alert rule fires once and
resolves by itself, delivered to a real webhook receiver (signature checked) and a real SMTP
server, exactly once each; health history and compliance read back through the RPCs.

Site B's orchestrator runs here with its monitor's rounds driven by the test (at moments the
test chooses), its VMs checked every round, and e-mail going to the test's SMTP server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from google.protobuf.timestamp_pb2 import Timestamp

from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import monitoring_pb2 as mon
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator.monitoring.delivery import signature
from services.orchestrator.monitoring.monitor import Monitor
from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TwoSiteLab
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

    def subjects(self, group_name: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages if group_name in str(m["Subject"])]


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
    there: the webhook (every alert) and e-mail (critical ones only)."""
    b = sites["site-b"]
    settings = b.settings["orchestrator"]
    b.stop_service("orchestrator")
    b.settings["orchestrator"] = settings.model_copy(
        update={
            "monitor_interval_seconds": 0.0,
            "readiness_check_seconds": 0.001,
            "alert_metadata_lag_seconds": 1.0,
            "delivery_backoff_seconds": 0.0,
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox[1],
        }
    )
    b.start_service("orchestrator")
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
            name="ops-mail",
            kind=mon.CHANNEL_KIND_EMAIL,
            address="oncall@example.com, dr-team@example.com",
            min_severity=mon.ALERT_SEVERITY_CRITICAL,
        )
    )
    try:
        yield b.running["orchestrator"][1].monitor
    finally:
        b.stop_service("orchestrator")
        b.settings["orchestrator"] = settings
        b.start_service("orchestrator")


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
    # E-mail takes the critical ones only, once each.
    subjects = mailbox[0].subjects(group.name)
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


def alerts_firing(sites: dict[str, Site], lab: TwoSiteLab, group_id: str) -> bool:
    return "firing" in alerts(sites, lab, group_id).values()


def test_a_protected_vm_whose_server_is_deleted_raises_an_alert_until_it_is_removed(
    sites, lab, tenant_network, monitor, webhooks
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


def test_metadata_lag_to_the_target_fires_while_the_target_cannot_take_changes(
    sites, lab, tenant_network, monitor, webhooks
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


def test_operation_alerts_test_overdue_failed_test_and_test_left_standing(
    sites, lab, tenant_network, monitor, webhooks
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
