"""The draas dashboard as its users see it, in a real browser against every draas process of
both sites (issue 15's scenario): a tenant protects VMs at site A and runs a test failover at
site B, watching it live; a reader sees everything and no action; another project's user sees
none of it; an admin's panel lists every project's groups.

Where the plugin does not do something yet, the test of it is marked a strict xfail naming what
is missing (so that it fails, XPASS, as soon as the plugin does it and the mark comes off); none
is marked now."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from simulators.lab import TwoSiteLab
from tests.browser.conftest import (
    OTHER,
    TENANT,
    VMS,
    Lab,
    Screens,
    log_in,
    protect_by_api,
    switch_region,
)

OVERVIEW = "/project/dr_overview/"
GROUPS = "/project/dr_groups/"
OPERATIONS = "/project/dr_operations/"
GROUP = "Finance-Apps"
# The lab's VMs boot in 0.05 s; at site B a recovered VM takes this long, so that the test
# failover's steps can be watched advancing.
RECOVERY_BOOT_SECONDS = 2.0
# The draas actions (buttons, links and menu entries) by label: a reader is offered none.
ACTIONS = (
    "Create Failover Group",
    "Delete Failover Group",
    "Add VM",
    "Remove VM",
    "Test Failover",
    "Failover",
    "Move",
    "Run Scheduled Test Now",
    "Reprotect",
    "Failback",
    "Clean Up",
    "Edit Targets",
)


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def choose(scope: Locator, field: str, option: str) -> None:
    """Picks the option (its label contains `option`) of a select field, as a user does:
    Horizon's themable selects hide the <select> behind a dropdown of links."""
    select = scope.locator(f"#{field}")
    expect(select).to_be_attached()
    box = scope.locator("div.themable-select", has=scope.page.locator(f"#{field}"))
    if box.count():
        box.locator("button.dropdown-toggle").click()
        box.locator("ul.dropdown-menu a", has_text=option).first.click()
    else:
        label = select.locator("option", has_text=option).first.inner_text().strip()
        select.select_option(label=label)


def act(page: Page, scope: Locator, label: str) -> None:
    """Clicks an action (a button, or an entry of the actions' dropdown) in `scope`."""
    action = scope.locator("a, button", has_text=exact(label)).first
    if not action.is_visible():
        scope.locator(".btn-group .dropdown-toggle").first.click()
    action.click()


def modal(page: Page) -> Locator:
    found = page.locator(".modal:visible").last
    expect(found).to_be_visible()
    return found


def submit(page: Page, dialog: Locator, navigates: bool = True) -> None:
    """Submits a modal form; waits for the page it leads to (or, when the form stays, for
    the form to answer)."""
    button = dialog.locator(".modal-footer").locator("button[type=submit], input[type=submit]")
    if navigates:
        with page.expect_navigation():
            button.last.click()
    else:
        button.last.click()


def row(page: Page, table: str, text: str) -> Locator:
    return page.locator(f"table#{table} tbody tr", has_text=text)


def open_tab(page: Page, name: str) -> Locator:
    """Opens a tab of the page; waits for its content (a tab may be loaded when opened)."""
    page.locator("a[data-toggle=tab]", has_text=exact(name)).click()
    pane = page.locator(".tab-content .tab-pane.active")
    expect(pane).to_be_visible()
    expect(pane).not_to_have_class(re.compile(r"\btab-loading\b"))
    expect(pane.locator(".loader-inline, .horizon-loader")).to_have_count(0)
    return pane


@pytest.fixture(scope="module")
def api_groups(lab: Lab) -> dict[str, Any]:
    """A group of each tenant (the tenant's Finance-Reports, the other's Retail-Shop), made
    through site A's REST gateway as the draas command would."""
    return {
        TENANT: protect_by_api(lab, TENANT, "Finance-Reports", "report-1"),
        OTHER: protect_by_api(lab, OTHER, "Retail-Shop", "shop-1"),
    }


@pytest.fixture
def slow_recovery(lab: Lab) -> Iterator[None]:
    """VMs at site B boot slowly while the test runs (see RECOVERY_BOOT_SECONDS)."""
    set_boot_time(lab.lab, "site-b", RECOVERY_BOOT_SECONDS)
    yield
    set_boot_time(lab.lab, "site-b", lab.lab.boot_seconds)


def set_boot_time(lab: TwoSiteLab, site: str, seconds: float) -> None:
    httpx.put(
        f"{lab.regions[site].control_url}/_sim/boot_time", json={"seconds": seconds}
    ).raise_for_status()


def watch_progress(page: Page, screens: Screens, seconds: float = 120) -> list[list[str]]:
    """The operation's steps (each VM's, as "step:state") as its page shows them while it
    runs, each change saved as a screenshot; until the page, the operation having ended,
    reloads itself for the report. Fails if the page reloads while the operation runs."""
    steps = page.locator("#draas-progress .draas-step")
    running = page.locator("#draas-progress .draas-progress[data-running=true]")
    loads = screens.loads
    seen: list[list[str]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not running.count():
                break
            now = steps.evaluate_all("s => s.map(e => e.dataset.step + ':' + e.dataset.state)")
        except PlaywrightError:
            break  # the page is reloading for the report
        assert screens.loads == loads, "the page reloaded while the operation ran"
        if not seen or now != seen[-1]:
            seen.append(now)
            screens.shot(f"progress-{len(seen)}")
        time.sleep(0.2)
    expect(page.locator(".draas-report")).to_be_visible(timeout=seconds * 1000)
    return seen


def done(steps: list[str]) -> int:
    return sum(1 for step in steps if step.endswith(":succeeded"))


def test_tenant_protects_and_tests_failover(
    page: Page, screens: Screens, lab: Lab, slow_recovery: None
) -> None:
    # Site A: create an asynchronous group towards site B.
    log_in(page, screens, f"{TENANT}-user", "site-a")
    page.goto(GROUPS)
    expect(page.locator(".page-header")).to_contain_text("Failover Groups")
    assert "Create Failover Group" in actions_on(page)
    screens.shot()
    act(page, page.locator(".table_actions"), "Create Failover Group")
    dialog = modal(page)
    dialog.locator("#id_name").fill(GROUP)
    choose(dialog, "id_replication_type", "Asynchronous")
    choose(dialog, "id_target_site", "site-b")
    dialog.locator("#id_rpo_target").fill("60")
    dialog.locator("#id_rto_target").fill("600")
    dialog.locator("#id_test_interval").fill("168")
    screens.shot("create-group")
    dialog.locator("a[data-toggle=tab]", has_text="Target Project").click()
    choose(dialog, "id_proof", "Sign in at the target site")
    dialog.locator("#id_target_username").fill(f"{TENANT}-user")
    dialog.locator("#id_target_password").fill("tenant-password")
    dialog.locator("#id_target_project_name").fill(TENANT)
    screens.shot("create-group-target")
    submit(page, dialog)
    expect(row(page, "groups", GROUP)).to_be_visible()
    screens.shot("group-created")

    # Two VMs at two tiers, then one whose volume type does not replicate.
    row(page, "groups", GROUP).locator("a", has_text=GROUP).click()
    page.wait_for_url(re.compile(r"/project/dr_groups/[^/]+/$"))
    group_url = page.url
    assert {"Add VM", "Delete Failover Group"} <= set(actions_on(page))
    assert "Test Failover" not in actions_on(page)  # it runs at the target site
    expect(page.locator(".draas-rto-target")).to_have_text("10m00s")
    expect(page.locator(".draas-test-interval")).to_contain_text("7d")
    screens.shot("group")
    for vm, tier in (("app-1", 1), ("web-1", 2)):
        pane = open_tab(page, "VMs")
        act(page, pane.locator(".table_actions"), "Add VM")
        dialog = modal(page)
        choose(dialog, "id_server_id", vm)
        dialog.locator("#id_tier").fill(str(tier))
        screens.shot(f"add-{vm}")
        submit(page, dialog)
        expect(page.locator(".alert-success")).to_contain_text(vm)
        screens.shot(f"added-{vm}")
    pane = open_tab(page, "VMs")
    expect(row(page, "vms", "app-1")).to_contain_text("1")
    expect(row(page, "vms", "web-1")).to_contain_text("2")
    act(page, pane.locator(".table_actions"), "Add VM")
    dialog = modal(page)
    offered = dialog.locator("#id_server_id option", has_text="legacy-1")
    expect(offered).to_contain_text("not eligible")
    expect(offered).to_contain_text("does not replicate")
    choose(dialog, "id_server_id", "legacy-1")
    screens.shot("add-ineligible")
    submit(page, dialog, navigates=False)
    expect(dialog.locator(".alert-danger, .error")).to_contain_text("does not replicate")
    screens.shot("ineligible-reason")
    dialog.locator(".modal-footer a, .modal-footer button", has_text="Cancel").first.click()

    # The project's VMs at a glance: protected, or not eligible and why.
    page.goto(OVERVIEW)
    for vm in ("web-1", "app-1"):
        expect(page.locator("tr", has_text=vm).first).to_contain_text(GROUP)
    expect(page.locator("tr", has_text="legacy-1").first).to_contain_text("does not replicate")
    screens.shot("overview")

    # Site B: the group's readiness, then a test failover watched live, its report, cleanup.
    switch_region(page, screens, f"{TENANT}-user", "site-b")
    page.goto(group_url)
    pane = open_tab(page, "Readiness")
    ready = pane.locator(".label", has_text=exact("Ready"))
    deadline = time.monotonic() + 120
    while not ready.count() and time.monotonic() < deadline:
        screens.shot("readiness-waiting")
        time.sleep(2)
        page.reload()
        pane = open_tab(page, "Readiness")
        ready = pane.locator(".label", has_text=exact("Ready"))
    expect(ready).to_be_visible()
    assert {"Test Failover", "Failover"} <= set(actions_on(page))
    assert "Add VM" not in actions_on(page)  # VMs are added at the source site
    screens.shot("readiness")
    # The points this site could recover to, read a page at a time from the gateway.
    points = open_tab(page, "Recovery Points")
    expect(points.locator("tbody tr").first).to_contain_text("app-1")
    screens.shot("recovery-points")
    act(page, page.locator(".page-header, .detail-header, .actions").first, "Test Failover")
    dialog = modal(page)
    expect(dialog).to_contain_text(re.compile(r"production at site-a is untouched", re.I))
    screens.shot("test-failover-confirm")
    submit(page, dialog)
    page.wait_for_url(re.compile(r"/project/dr_operations/[^/]+/$"))
    operation_url = page.url
    seen = watch_progress(page, screens)
    advancing = [done(steps) for steps in seen]
    assert len(seen) >= 3, f"the steps did not advance on the page: {seen}"
    assert advancing == sorted(advancing), advancing
    assert advancing[-1] > advancing[0], advancing
    assert page.url == operation_url
    report = page.locator(".draas-report")
    expect(report.locator(".draas-rto")).to_be_visible()
    expect(report.locator(".draas-rpo")).to_be_visible()
    expect(report.locator(".draas-timeline svg")).to_have_count(1)
    expect(report.locator(".draas-report-vms")).to_contain_text("web-1")
    expect(report.locator(".draas-report-vms")).to_contain_text("app-1")
    screens.shot("report")

    page.locator(".page-header").get_by_text("Clean Up").click()
    dialog = modal(page)
    screens.shot("cleanup-confirm")
    submit(page, dialog)
    page.wait_for_url(re.compile(r"/project/dr_operations/[^/]+/$"))
    assert page.url != operation_url
    screens.shot("cleanup-started")
    watch_progress(page, screens)
    removed = page.locator(".draas-report .draas-removed li")
    expect(removed.first).to_be_visible()
    assert removed.count() >= 2, removed.all_inner_texts()
    screens.shot("cleanup-report")


def test_reader_sees_no_action(
    page: Page, screens: Screens, lab: Lab, api_groups: dict[str, Any]
) -> None:
    for site in ("site-a", "site-b"):
        if site == "site-a":
            log_in(page, screens, f"{TENANT}-reader", site)
        else:
            switch_region(page, screens, f"{TENANT}-reader", site)
        page.goto(GROUPS)
        expect(row(page, "groups", "Finance-Reports")).to_be_visible()
        screens.shot(f"groups-{site}")
        assert_no_action(page)
        row(page, "groups", "Finance-Reports").locator("a", has_text="Finance-Reports").click()
        page.wait_for_url(re.compile(r"/project/dr_groups/[^/]+/$"))
        open_tab(page, "VMs")
        expect(row(page, "vms", "report-1")).to_be_visible()
        screens.shot(f"group-{site}")
        assert_no_action(page)
        page.goto(OPERATIONS)
        screens.shot(f"operations-{site}")
        assert_no_action(page)


def actions_on(page: Page) -> list[str]:
    """The draas actions the page offers (buttons, links and dropdown entries, shown or
    not)."""
    return [
        label
        for label in ACTIONS
        if page.locator("a, button, input[type=submit]", has_text=exact(label)).count()
    ]


def assert_no_action(page: Page) -> None:
    assert actions_on(page) == [], f"a reader is offered {actions_on(page)} at {page.url}"


def test_other_project_sees_none_of_it(
    page: Page, screens: Screens, lab: Lab, api_groups: dict[str, Any]
) -> None:
    for site in ("site-a", "site-b"):
        if site == "site-a":
            log_in(page, screens, f"{OTHER}-user", site)
        else:
            switch_region(page, screens, f"{OTHER}-user", site)
        page.goto(GROUPS)
        expect(row(page, "groups", "Retail-Shop")).to_be_visible()
        screens.shot(f"groups-{site}")
        expect(page.locator("table#groups")).not_to_contain_text("Finance")
        page.goto(OVERVIEW)
        screens.shot(f"overview-{site}")
        expect(page.locator("#content_body, .main, body").first).not_to_contain_text("Finance")
        for vm in VMS:
            expect(page.locator("#content_body, .main, body").first).not_to_contain_text(vm)
        page.goto(OPERATIONS)
        screens.shot(f"operations-{site}")
        expect(page.locator("table#operations")).not_to_contain_text("Finance")


def test_admin_panel_lists_every_project(
    page: Page, screens: Screens, lab: Lab, api_groups: dict[str, Any]
) -> None:
    password = lab.lab.regions["site-a"].config.admin_password
    log_in(page, screens, "admin", "site-a", password=password)
    page.goto("/admin/dr_admin/")
    expect(page.locator(".page-header")).to_contain_text("Disaster Recovery")
    screens.shot("admin-panel")
    for tenant, name in ((TENANT, "Finance-Reports"), (OTHER, "Retail-Shop")):
        project = lab.lab.regions["site-a"].project_id(tenant)
        found = row(page, "groups", name)
        expect(found).to_be_visible()
        expect(found).to_contain_text(re.compile(rf"{tenant}|{project}"))
