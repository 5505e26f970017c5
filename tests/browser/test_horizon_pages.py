"""Horizon itself against the simulated sites: a tenant logs in at site A (the login form's
region), Horizon's own project pages render, and the tenant switches to site B through the
header's region selector (logging in at site B's Keystone)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import TENANT, Lab, Screens, log_in, switch_region

# Horizon's project pages: path -> the page's heading.
PAGES = {
    "/project/": "Overview",
    "/project/instances/": "Instances",
    "/project/volumes/": "Volumes",
    "/project/network_topology/": "Network Topology",
}


def test_tenant_logs_in_and_switches_site(page: Page, screens: Screens, lab: Lab) -> None:
    log_in(page, screens, f"{TENANT}-user", "site-a")
    expect(page.locator(".region-title")).to_have_text("site-a")
    for path, heading in PAGES.items():
        page.goto(path)
        expect(page.locator(".page-header")).to_contain_text(heading)
        expect(page.locator(".alert-danger")).to_have_count(0)
        if path == "/project/instances/":
            expect(page.locator("#instances")).to_contain_text("web-1")
            expect(page.locator("#instances")).not_to_contain_text("shop-1")
        if path == "/project/network_topology/":
            expect(page.locator("#topologyCanvasContainer")).to_contain_text("web-1")
        screens.shot()

    page.goto("/project/instances/")
    screens.shot("instances-site-a")
    switch_region(page, screens, f"{TENANT}-user", "site-b")
    page.goto("/project/instances/")
    expect(page.locator(".page-header")).to_contain_text("Instances")
    # Site B's region holds none of the tenant's VMs.
    expect(page.locator("#instances")).to_contain_text("No items to display")
    screens.shot("instances-site-b")
