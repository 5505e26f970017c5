"""The Audit Trail panels in a real browser, against every draas process of both sites: a
tenant finds the changes it tried through the REST API in its project's trail, filters it,
opens an event and downloads the gateway's CSV; an admin reads every project's."""

from __future__ import annotations

import csv
import io
import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import OTHER, TENANT, Lab, Screens, log_in
from tools import tenant_vms

AUDIT = "/project/dr_audit/"
ADMIN_AUDIT = "/admin/dr_admin_audit/"


def refused_create(lab: Lab, tenant: str) -> str:
    """A group the tenant's member asks for at site A without an RPO target (refused, 400);
    the request id."""
    answered = httpx.post(
        f"{lab.sites['site-a'].gateway_url}/v1/failover-groups",
        headers={"X-Auth-Token": tenant_vms.token(lab.lab, "site-a", tenant)},
        json={
            "name": f"audit-{uuid.uuid4().hex[:6]}",
            "replication_type": "async",
            "target_site": "site-b",
        },
        timeout=30,
    )
    assert answered.status_code == 400, answered.text
    return str(answered.headers["x-openstack-request-id"])


def test_a_tenant_reads_filters_and_downloads_its_audit_trail(
    page: Page, screens: Screens, lab: Lab
) -> None:
    request_id = refused_create(lab, TENANT)
    others = refused_create(lab, OTHER)
    log_in(page, screens, f"{TENANT}-user", "site-a")
    page.goto(AUDIT)
    expect(page.locator(".page-header")).to_contain_text("Audit Trail")
    screens.shot("audit-trail")
    table = page.locator("table#audit_events")
    row = table.locator("tbody tr", has_text=request_id)
    expect(row).to_contain_text("create")
    expect(row).to_contain_text("failure")
    expect(row).to_contain_text("rpo_target")
    expect(table).not_to_contain_text(others)

    page.select_option("#id_outcome", "failure")
    page.select_option("#id_action", "create")
    with page.expect_navigation():
        page.click(".draas-audit-filters button[type=submit]")
    screens.shot("audit-trail-failed-creates")
    expect(table.locator("tbody tr", has_text=request_id)).to_be_visible()
    for status in table.locator("tbody tr td:nth-child(6)").all_inner_texts():
        assert re.fullmatch(r"\s*4\d\d\s*", status), status

    with page.expect_download() as downloading:
        page.click("a.draas-audit-csv")
    download = downloading.value
    assert download.suggested_filename == "audit-events.csv"
    text = download.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert request_id in {r["request_id"] for r in rows}
    assert {(r["action"], r["outcome"]) for r in rows} == {("create", "failure")}
    assert others not in {r["request_id"] for r in rows}

    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator(".draas-audit-event")).to_contain_text(request_id)
    expect(page.locator(".draas-audit-cadf")).to_contain_text('"reasonCode": "400"')
    screens.shot("audit-event")


def test_an_admin_reads_every_projects_audit_trail(page: Page, screens: Screens, lab: Lab) -> None:
    finance, retail = refused_create(lab, TENANT), refused_create(lab, OTHER)
    password = lab.lab.regions["site-a"].config.admin_password
    log_in(page, screens, "admin", "site-a", password=password)
    page.goto(ADMIN_AUDIT)
    expect(page.locator(".page-header")).to_contain_text("Audit Trail")
    screens.shot("admin-audit-trail")
    table = page.locator("table#audit_events")
    for request_id, tenant in ((finance, TENANT), (retail, OTHER)):
        found = table.locator("tbody tr", has_text=request_id)
        project = lab.lab.regions["site-a"].project_id(tenant)
        expect(found).to_contain_text(re.compile(rf"{tenant}|{project}"))
