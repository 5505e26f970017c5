"""Watching groups in the dashboard, in a real browser against every draas process of both
sites (issue 16's scenario), the orchestrators' monitors running by themselves: a tenant sets
a group's targets at its source site, the replication link breaks (the simulated arrays'
control API), the link-down alert fires at the target site and shows on the overview, the
groups table and the Alerts panel (from either site), the tenant acknowledges it, reads the
group's lag chart with the outage shaded (at both sites), makes a webhook channel at the
target site (its secret shown once, then checked against the signature of the resolved alert
the receiver gets), and reads and downloads the compliance report."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from simulators.flasharray.control_client import SimulatorControl
from tests.browser.conftest import (
    MONITOR_SECONDS,
    TENANT,
    Lab,
    Screens,
    log_in,
    protect_by_api,
    switch_region,
)
from tests.browser.test_dashboard import act, choose, modal, open_tab, row, submit
from tools import tenant_vms

OVERVIEW = "/project/dr_overview/"
GROUPS = "/project/dr_groups/"
ALERTS = "/project/dr_alerts/"
REPORTS = "/project/dr_reports/"
GROUP = "Finance-Watch"
WAIT_SECONDS = 90.0


class Webhooks:
    """A webhook receiver on 127.0.0.1: every POST's headers and body."""

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

    def about(self, group_id: str) -> list[tuple[dict[str, str], bytes, dict[str, Any]]]:
        with self.lock:
            found = list(self.received)
        parsed = [(headers, body, json.loads(body)) for headers, body in found]
        return [p for p in parsed if p[2]["alert"]["group_id"] == group_id]


@pytest.fixture(scope="module")
def webhooks() -> Iterator[Webhooks]:
    receiver = Webhooks()
    yield receiver
    receiver.server.shutdown()


def wait_for(what: str, check: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1.0)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


class Api:
    """The tenant's member at a site's REST gateway, to see what the monitor has done."""

    def __init__(self, lab: Lab, site: str) -> None:
        self.client = httpx.Client(
            base_url=lab.sites[site].gateway_url,
            headers={"X-Auth-Token": tenant_vms.token(lab.lab, site, TENANT)},
            timeout=60,
        )

    def alerts(self, group_id: str, state: str) -> list[dict[str, Any]]:
        answer = self.client.get("/v1/alerts", params={"group_id": group_id, "state": state})
        answer.raise_for_status()
        return list(answer.json()["alerts"])

    def observed(self, group_id: str) -> bool:
        answer = self.client.get(f"/v1/failover-groups/{group_id}/health-history")
        answer.raise_for_status()
        return any(p["observed_seconds"] for p in answer.json()["points"])


@pytest.fixture(scope="module")
def watched(lab: Lab) -> Iterator[dict[str, Any]]:
    """The tenant's group of db-1, once its target site's monitor has sampled it."""
    group = protect_by_api(lab, TENANT, GROUP, "db-1")
    api = Api(lab, "site-a")
    wait_for("the first sample of the group at site B", lambda: api.observed(group["id"]))
    yield group
    api.client.close()


def link_down(lab: Lab, down: bool) -> None:
    assert lab.lab.flasharrays is not None
    control = SimulatorControl(lab.lab.flasharrays.control_url)
    try:
        control.set_link("array-a", "array-b", up=not down)
    finally:
        control.close()


def test_a_tenant_watches_its_group_acknowledges_an_alert_and_reports(
    page: Page, screens: Screens, lab: Lab, watched: dict[str, Any], webhooks: Webhooks
) -> None:
    group_id = watched["id"]
    group_url = f"{GROUPS}{group_id}/"
    api = Api(lab, "site-a")
    log_in(page, screens, f"{TENANT}-user", "site-a")

    # At the source site: the group's targets.
    page.goto(group_url)
    expect(page.locator(".draas-rto-target")).to_have_text("none")
    screens.shot("group")
    act(page, page.locator(".page-header, .detail-header, .actions").first, "Edit Targets")
    dialog = modal(page)
    dialog.locator("#id_rto_target").fill("900")
    dialog.locator("#id_test_interval").fill("24")
    screens.shot("edit-targets")
    submit(page, dialog)
    expect(page.locator(".alert-success")).to_contain_text(f"Changed failover group {GROUP}")
    expect(page.locator(".draas-rto-target")).to_have_text("15m00s")
    expect(page.locator(".draas-test-interval")).to_contain_text("1d")
    screens.shot("targets-changed")

    link_down(lab, True)
    try:
        fired = wait_for(
            "the link-down alert",
            lambda: [a for a in api.alerts(group_id, "firing") if a["rule"] == "link_down"],
        )
        assert fired[0]["site"] == "site-b" and fired[0]["severity"] == "critical"

        # The lag chart at the source site (read from the target's history), the outage
        # shaded in its newest steps.
        page.goto(f"{group_url}?tab=group_details__health_history&range=1h")
        chart = page.locator(".draas-lag-chart svg")
        expect(chart).to_be_visible()
        expect(chart.locator(".draas-rpo-target-line")).to_have_count(1)
        expect(chart.locator("circle.draas-lag-point").first).to_be_attached()
        deadline = time.monotonic() + WAIT_SECONDS
        while not chart.locator(".draas-link-down").count() and time.monotonic() < deadline:
            screens.shot("health-history-waiting")
            time.sleep(MONITOR_SECONDS)
            page.reload()
        expect(page.locator(".draas-history-link-down")).to_be_visible()
        screens.shot("health-history")

        # The firing alert on the overview and in the groups table, from the source site.
        page.goto(OVERVIEW)
        firing = page.locator("a.draas-firing")
        expect(firing).to_have_attribute("data-firing", re.compile(r"^[1-9]\d*$"))
        badge = row(page, "groups", GROUP).locator(".draas-alert-badge")
        expect(badge).to_have_class(re.compile(r"label-danger"))
        screens.shot("overview-alerts")
        page.goto(GROUPS)
        expect(row(page, "groups", GROUP).locator(".draas-alert-badge")).to_be_visible()
        screens.shot("groups-alerts")

        # The Alerts panel lists the alert raised at site B; the tenant acknowledges it.
        page.goto(ALERTS)
        alert = row(page, "alerts", GROUP).filter(has_text="Replication link down")
        expect(alert).to_contain_text("site-b")
        expect(alert).to_contain_text("critical")
        screens.shot("alerts")
        alert.locator("a, button", has_text="Acknowledge").first.click()
        dialog = modal(page)
        dialog.locator("#id_comment").fill("the array team is on it")
        screens.shot("acknowledge")
        submit(page, dialog)
        page.wait_for_url(re.compile(r"/project/dr_alerts/[^/]+/$"))
        expect(page.locator(".draas-alert-acknowledged")).to_contain_text("by you")
        history = page.locator(".draas-alert-history")
        expect(history.locator("tr[data-kind=fired]")).to_have_count(1)
        expect(history.locator("tr[data-kind=acknowledged]")).to_contain_text(
            "the array team is on it"
        )
        screens.shot("alert-acknowledged")

        # At the target site, where the alerts are raised: a webhook channel.
        switch_region(page, screens, f"{TENANT}-user", "site-b")
        page.goto(ALERTS)
        # Acknowledged at site A; this site's Keystone knows the user by another id.
        seen_here = row(page, "alerts", GROUP).filter(has_text="Replication link down")
        expect(seen_here).to_contain_text(re.compile(r"ago by \w+"))
        screens.shot("alerts-site-b")
        pane = open_tab(page, "Channels")
        act(page, pane.locator(".table_actions"), "Create Channel")
        dialog = modal(page)
        dialog.locator("#id_name").fill("ops-hook")
        choose(dialog, "id_kind", "Webhook")
        dialog.locator("#id_address").fill(webhooks.url)
        choose(dialog, "id_min_severity", "Warning and critical")
        screens.shot("create-channel")
        submit(page, dialog, navigates=False)
        shown = page.locator(".modal:visible .draas-channel-secret")
        expect(shown).to_be_visible()
        secret = shown.inner_text().strip()
        assert len(secret) >= 16, secret
        screens.shot("channel-secret")
        with page.expect_navigation():
            page.locator(".modal:visible .draas-channel-done").click()
        expect(row(page, "alert_channels", "ops-hook")).to_contain_text(webhooks.url)
        assert secret not in page.content(), "the secret is shown once"
        screens.shot("channels")
    finally:
        link_down(lab, False)

    # The link is back: the alert resolves, and its channel gets it, signed.
    wait_for(
        "the link-down alert to resolve",
        lambda: not [a for a in api.alerts(group_id, "firing") if a["rule"] == "link_down"],
    )
    resolved = wait_for(
        "the webhook's delivery of the resolved alert",
        lambda: [
            d
            for d in webhooks.about(group_id)
            if d[2]["event"] == "resolved" and d[2]["alert"]["rule"] == "link_down"
        ],
    )
    headers, body, _payload = resolved[0]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Draas-Signature"] == f"sha256={expected}"
    page.goto(f"{ALERTS}?tab=alert_tabs__deliveries")
    delivered = row(page, "deliveries", "ops-hook").filter(has_text="resolved")
    expect(delivered.first).to_contain_text("Delivered")
    screens.shot("deliveries")

    # The lag chart at the target site after the outage: the outage shaded, the RPO back.
    page.goto(f"{group_url}?tab=group_details__health_history&range=1h")
    chart = page.locator(".draas-lag-chart svg")
    expect(chart.locator(".draas-link-down").first).to_be_attached()
    expect(page.locator(".draas-history-link-down")).to_be_visible()
    screens.shot("health-history-after")

    # The compliance report of the group over the last day, and its CSV.
    page.goto(REPORTS)
    expect(row(page, "compliance", GROUP)).to_be_visible()
    screens.shot("reports")
    page.select_option("#id_period", "1d")
    page.select_option("#id_group_id", label=GROUP)
    with page.expect_navigation():
        page.click(".draas-report-period button[type=submit]")
    report = row(page, "compliance", GROUP)
    expect(report).to_contain_text("site-b")
    compliance = report.locator("td").nth(3).inner_text()
    assert float(compliance.split()[0]) < 100.0, compliance
    screens.shot("report")
    with page.expect_download() as downloading:
        page.click("a.draas-report-csv")
    download = downloading.value
    assert download.suggested_filename == "dr-compliance.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert [r["Group"] for r in rows] == [GROUP, "All groups"]
    line = rows[0]
    assert line["Group ID"] == group_id
    assert (line["RPO target (s)"], line["RTO target (s)"]) == ("60", "900")
    assert 0.0 <= float(line["RPO compliance (%)"]) < 100.0, line
    assert float(line["Observed (s)"]) > 0, line
    printable = page.locator("a.draas-report-html").get_attribute("href")
    assert printable
    page.goto(printable)
    expect(page.locator("h1")).to_have_text("Disaster recovery compliance")
    expect(page.locator("table")).to_contain_text(GROUP)
    screens.shot("report-printable")
