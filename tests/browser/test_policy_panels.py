"""DR policies and scheduled tests in the dashboard, in a real browser against every draas
process of both sites (issue 17's "the browser test exercises policy and schedule"): a tenant
makes a policy with a test schedule at site A, makes a group from it and reads its schedule on
the group's page, runs the scheduled test now at site B and watches it start, changes the
policy at site A and reads what changed in the group, and is told why the policy cannot be
deleted while the group is made from it."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import TENANT, Lab, Screens, log_in, switch_region
from tests.browser.test_dashboard import act, choose, modal, open_tab, row, submit, watch_progress
from tests.browser.test_monitoring_panels import wait_for
from tools import tenant_vms

POLICIES = "/project/dr_policies/"
GROUPS = "/project/dr_groups/"
POLICY = "Gold-Nightly"
GROUP = "Finance-Gold"
VM = "pay-1"
WINDOWS = ("mon-fri 20:00-06:00", "sat,sun 00:00-24:00")


def ready_at_site_b(lab: Lab, group_id: str) -> bool:
    """Whether site B could recover the group now (its metadata and a recovery point there)."""
    headers = {"X-Auth-Token": tenant_vms.token(lab.lab, "site-b", TENANT)}
    answer = httpx.get(
        f"{lab.sites['site-b'].gateway_url}/v1/failover-groups/{group_id}/readiness",
        headers=headers,
        timeout=60,
    )
    return answer.status_code == 200 and bool(answer.json().get("failover_ready"))


def test_a_tenant_makes_a_policy_tests_on_its_schedule_and_changes_it(
    page: Page, screens: Screens, lab: Lab
) -> None:
    log_in(page, screens, f"{TENANT}-user", "site-a")

    # Site A: a policy whose groups' tests run by themselves, at night and at weekends.
    page.goto(POLICIES)
    expect(page.locator(".page-header")).to_contain_text("DR Policies")
    screens.shot("policies")
    act(page, page.locator(".table_actions"), "Create Policy")
    dialog = modal(page)
    dialog.locator("#id_name").fill(POLICY)
    choose(dialog, "id_replication_type", "Asynchronous")
    choose(dialog, "id_target_site", "site-b")
    dialog.locator("#id_rpo_target").fill("60")
    dialog.locator("#id_rto_target").fill("600")
    dialog.locator("#id_test_interval").fill("24")
    scheduled = dialog.locator("#id_scheduled_tests")
    expect(dialog.locator("#id_windows")).to_be_hidden()
    dialog.locator("label[for=id_scheduled_tests]").click()
    expect(scheduled).to_be_checked()
    dialog.locator("#id_windows").fill("\n".join(WINDOWS))
    dialog.locator("#id_timezone").fill("Europe/Paris")
    dialog.locator("#id_cleanup_after").fill("1")
    screens.shot("create-policy")
    submit(page, dialog)
    page.wait_for_url(re.compile(r"/project/dr_policies/[^/]+/$"))
    policy_url = page.url
    expect(page.locator(".draas-policy-schedule")).to_have_text(
        f"on: {', '.join(WINDOWS)} (Europe/Paris), cleaned up after 1h"
    )
    expect(page.locator(".draas-policy-groups")).to_have_count(0)
    screens.shot("policy")

    # A group made from it: the fields the policy gives are hidden once it is chosen.
    page.goto(GROUPS)
    screens.shot("groups")
    act(page, page.locator(".table_actions"), "Create Failover Group")
    dialog = modal(page)
    dialog.locator("#id_name").fill(GROUP)
    expect(dialog.locator("#id_rpo_target")).to_be_visible()
    choose(dialog, "id_policy", POLICY)
    expect(dialog.locator("#id_rpo_target")).to_be_hidden()
    expect(dialog.locator("#id_test_interval")).to_be_hidden()
    screens.shot("create-group-from-policy")
    dialog.locator("a[data-toggle=tab]", has_text="Target Project").click()
    choose(dialog, "id_proof", "Sign in at the target site")
    dialog.locator("#id_target_username").fill(f"{TENANT}-user")
    dialog.locator("#id_target_password").fill("tenant-password")
    dialog.locator("#id_target_project_name").fill(TENANT)
    screens.shot("create-group-target")
    submit(page, dialog)
    expect(row(page, "groups", GROUP)).to_be_visible()
    screens.shot("group-created")

    row(page, "groups", GROUP).locator("a", has_text=GROUP).click()
    page.wait_for_url(re.compile(r"/project/dr_groups/[^/]+/$"))
    group_url = page.url
    group_id = group_url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator(".draas-group-policy")).to_contain_text(POLICY)
    expect(page.locator(".draas-rto-target")).to_have_text("10m00s")
    expect(page.locator(".draas-group-schedule-line")).to_contain_text(WINDOWS[0])
    screens.shot("group")
    pane = open_tab(page, "VMs")
    act(page, pane.locator(".table_actions"), "Add VM")
    dialog = modal(page)
    choose(dialog, "id_server_id", VM)
    screens.shot("add-vm")
    submit(page, dialog)
    expect(page.locator(".alert-success")).to_contain_text(VM)
    screens.shot("vm-added")

    # Its schedule, as site B (which runs its tests) reports it, read at site A.
    pane = open_tab(page, "Schedule and Checks")
    expect(pane.locator(".draas-schedule-windows")).to_contain_text(WINDOWS[1])
    expect(pane.locator(".draas-schedule-windows")).to_contain_text("Europe/Paris")
    expect(pane.locator(".draas-next-run")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))
    expect(pane.locator(".draas-last-run")).to_have_text("none yet")
    expect(pane).to_contain_text("Scheduled tests run at site-b")
    expect(pane.locator("#draas-run-scheduled-test")).to_have_count(0)
    expect(pane.locator(".draas-no-automation")).to_be_visible()
    screens.shot("schedule-site-a")

    # Site B: the scheduled test, now.
    wait_for("the group to be ready at site B", lambda: ready_at_site_b(lab, group_id))
    switch_region(page, screens, f"{TENANT}-user", "site-b")
    page.goto(group_url)
    pane = open_tab(page, "Schedule and Checks")
    expect(pane.locator(".draas-schedule-state dd").last).to_have_text("site-b")
    screens.shot("schedule-site-b")
    pane.locator("#draas-run-scheduled-test").click()
    dialog = modal(page)
    expect(dialog).to_contain_text("cleaned up by itself after 1h")
    screens.shot("run-scheduled-test-confirm")
    submit(page, dialog)
    page.wait_for_url(re.compile(r"/project/dr_operations/[^/]+/$"))
    operation_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator(".page-header")).to_contain_text("Test failover")
    expect(page.locator(".alert-success")).to_contain_text(f"operation {operation_id}")
    seen = watch_progress(page, screens)
    assert seen, "the test's progress was not shown"
    expect(page.locator(".draas-report .draas-report-vms")).to_contain_text(VM)
    screens.shot("scheduled-test-report")
    page.goto(group_url)
    pane = open_tab(page, "Schedule and Checks")
    expect(pane.locator(".draas-last-run a")).to_have_text(operation_id)
    screens.shot("schedule-after-run")

    # Site A: the policy changes, and its group with it.
    switch_region(page, screens, f"{TENANT}-user", "site-a")
    page.goto(policy_url)
    expect(page.locator(".draas-policy-groups")).to_contain_text(GROUP)
    screens.shot("policy-with-group")
    page.locator("#draas-edit-policy").click()
    dialog = modal(page)
    expect(dialog.locator("#id_replication_type")).to_be_disabled()
    dialog.locator("#id_rpo_target").fill("30")
    dialog.locator("#id_windows").fill(WINDOWS[1])
    screens.shot("edit-policy")
    submit(page, dialog, navigates=False)
    changed = page.locator(".modal:visible .draas-policy-changes tr", has_text=GROUP)
    expect(changed).to_contain_text("rpo_target 60 s -> 30 s")
    expect(changed).to_contain_text("test_schedule")
    screens.shot("policy-changed")
    with page.expect_navigation():
        page.locator(".modal:visible .draas-policy-done").click()
    expect(page.locator(".draas-policy-rpo")).to_have_text("30.0s")
    screens.shot("policy-after")
    page.goto(group_url)
    expect(page.locator(".draas-group-schedule-line")).not_to_contain_text(WINDOWS[0])
    screens.shot("group-after")

    # It cannot be deleted while the group is made from it, and the page says why.
    page.goto(POLICIES)
    screens.shot("policies-before-delete")
    act(page, row(page, "policies", POLICY), "Delete Policy")
    confirm = modal(page)
    screens.shot("delete-policy-confirm")
    with page.expect_navigation():
        confirm.locator(".modal-footer .btn-danger").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        f"policy {POLICY} is named by 1 group(s) ({GROUP})"
    )
    expect(row(page, "policies", POLICY)).to_be_visible()
    screens.shot("delete-refused")
