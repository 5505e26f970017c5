"""The dashboard in a real browser: Debian's Chromium (installed by apt when missing, never
downloaded by Playwright), driven headless by Playwright, against the two-site lab with every
draas process and both gateways in their regions' catalogs, and Horizon with the draas plugin.

Every page a test visits is saved as a numbered screenshot (01-login.png, 02-...) under the
test's own output directory: `--screenshots DIR` (DIR/<test name>/) or the test's tmp_path
(`screenshots/`); the summary at the end of the run says where.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from simulators.lab import USER_PASSWORD, TwoSiteLab
from tools import tenant_vms
from tools.horizon import running_horizon
from tools.process_sites import ProcessSite, running_process_sites
from tools.stack import SITES

CHROMIUM = "/usr/bin/chromium"
INSTALL_LOCK = Path(tempfile.gettempdir()) / "draas-chromium-install.lock"
TENANT, OTHER = "finance", "retail"
# The tenant's VMs at site A: name -> (volume type kind, volumes). `legacy-1` sits on a volume
# type that is not replicated, so no group may take it.
VMS = {
    "web-1": ("async", 2),
    "app-1": ("async", 1),
    "report-1": ("async", 1),
    "db-1": ("async", 1),
    "pay-1": ("async", 1),
    "legacy-1": ("standard", 1),
}
# The orchestrators' monitors run a round this often, by themselves (60 s in production), so
# that health history and alerts follow what a test does within seconds.
MONITOR_SECONDS = 2.0
# Playwright's default waits are 30 s; a page here answers in well under one.
TIMEOUT_MS = 15_000
# How long a screenshot waits for a table's rows that are filled in after the page loads.
ROWS_SECONDS = 3.0


def install_chromium() -> str | None:
    """Installs Debian's chromium with apt-get (updating the package lists first if that
    fails); returns why it could not, or None."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    output = ""
    for commands in ([["install", "-y", "chromium"]], [["update"], ["install", "-y", "chromium"]]):
        for command in commands:
            ran = subprocess.run(
                [apt, *command], env=env, capture_output=True, text=True, check=False
            )
            output = ran.stdout + ran.stderr
        if Path(CHROMIUM).exists():
            return None
    return "\n".join(output.splitlines()[-10:])


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, installed by apt-get when it is missing. Without it the
    browser tests are skipped, saying why (under CI, they fail)."""
    # Test workers (pytest-xdist) may reach here at once: one installs, the others wait for it.
    with open(INSTALL_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        why = None if Path(CHROMIUM).exists() else install_chromium()
    if why is not None:
        message = f"{CHROMIUM} is missing and `apt-get install -y chromium` failed:\n{why}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


# Package-scoped, not session: Playwright's sync API keeps an event loop running in this
# thread until it stops, and Django (tests/dashboard, run later in the same process) refuses
# to touch its database from a thread with a running loop.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium: str) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium, headless=True)
    yield launched
    launched.close()


@dataclass
class Lab:
    """The running lab: both sites' processes, Horizon's URL, and what was seeded."""

    lab: TwoSiteLab
    sites: dict[str, ProcessSite]
    horizon: str
    state: Path
    vms: dict[str, Any] = field(default_factory=dict)


def seed(lab: TwoSiteLab) -> dict[str, Any]:
    """The tenant's network and VMs at site A; the other tenant's one VM; name -> server."""
    conn = tenant_vms.connect(lab, "site-a", TENANT)
    network = tenant_vms.make_network(conn, "10.20.0.0/24", TENANT)
    made = {
        name: tenant_vms.make_vm(
            conn,
            network,
            f"{TENANT}-{kind}" if kind != "standard" else kind,
            volumes,
            name,
        )
        for name, (kind, volumes) in VMS.items()
    }
    other = tenant_vms.connect(lab, "site-a", OTHER)
    other_net = tenant_vms.make_network(other, "10.30.0.0/24", OTHER)
    made["shop-1"] = tenant_vms.make_vm(other, other_net, f"{OTHER}-async", 1, "shop-1")
    return made


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Both sites (every draas service a process, each gateway in its region's catalog as
    `disaster-recovery`), the tenants' VMs at site A, and Horizon with the draas plugin."""
    state = tmp_path_factory.mktemp("browser-lab")
    databases = {
        f"{site}-{service}": f"sqlite:///{state / site / service}.sqlite3"
        for site in SITES
        for service in ("metadata", "orchestrator")
    }
    for site in SITES:
        (state / site).mkdir(parents=True, exist_ok=True)
    with (
        TwoSiteLab(tenants=[TENANT, OTHER], boot_seconds=0.05) as two_sites,
        running_process_sites(
            two_sites, state, databases, gateways=True, monitor_interval_seconds=MONITOR_SECONDS
        ) as sites,
        running_horizon(two_sites, state, horizon_config={"ajax_poll_interval": 1000}) as url,
    ):
        running = Lab(two_sites, sites, url, state)
        running.vms = seed(two_sites)
        yield running


def protect_by_api(lab: Lab, tenant: str, name: str, vm: str) -> dict[str, Any]:
    """An async group of the tenant (RPO target 60 s) at site A towards site B with one VM,
    made through site A's REST gateway as the draas command would."""
    site_a = lab.sites["site-a"].gateway_url
    headers = {"X-Auth-Token": tenant_vms.token(lab.lab, "site-a", tenant)}
    proof = {"X-Target-Auth-Token": tenant_vms.token(lab.lab, "site-b", tenant)}
    with httpx.Client(base_url=site_a, timeout=60) as api:
        made = api.post(
            "/v1/failover-groups",
            json={
                "name": name,
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target_seconds": 60,
            },
            headers=headers | proof,
        )
        assert made.status_code == 201, made.text
        group = made.json()
        added = api.post(
            f"/v1/failover-groups/{group['id']}/vms",
            json={"server_id": lab.vms[vm].id},
            headers=headers,
        )
        assert added.status_code == 200, added.text
    return dict(group)


class Screens:
    """Numbered full-page screenshots of one test's page: `shot("readiness")` saves
    NN-readiness.png. It also watches the page's loads: a page that loaded and was left (or
    is still open at the end) without a screenshot is a failure of the test, so every page
    the test visits is saved. (The screenshot cannot be taken in the load event itself: the
    test goes on meanwhile, so it would show whatever page comes next.)"""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken: list[Path] = []
        self.page: Page | None = None
        self.unsaved: str | None = None  # the URL of a loaded page with no screenshot yet
        self.missed: list[str] = []
        self.loads = 0

    def watch(self, page: Page) -> None:
        self.page = page
        page.on("load", self._loaded)

    def _loaded(self, page: Page) -> None:
        self.loads += 1
        if self.unsaved is not None:
            self.missed.append(self.unsaved)
        self.unsaved = page.url

    def shot(self, name: str = "") -> Path:
        """Saves the page as it is now, as NN-<name> (by default, named after its path), once
        the rows that fill themselves in after the page has loaded have (for at most
        ROWS_SECONDS; a row that never does is shown as it is)."""
        assert self.page is not None
        pending = self.page.locator("tr.warning.ajax-update")
        deadline = time.monotonic() + ROWS_SECONDS
        while pending.count() and time.monotonic() < deadline:
            time.sleep(0.1)
        slug = re.sub(r"[^a-z0-9]+", "-", (name or page_name(self.page.url)).lower()).strip("-")
        path = self.directory / f"{len(self.taken) + 1:02d}-{slug or 'page'}.png"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.taken.append(path)
        self.page.screenshot(path=str(path), full_page=True)
        self.unsaved = None
        return path


def page_name(url: str) -> str:
    """A screenshot's name from a Horizon URL: /project/instances/ -> project-instances."""
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    return path.strip("/").replace("/", "-") or "home"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(OUTCOMES, {})[report.when] = report
    return report


OUTCOMES = pytest.StashKey[dict[str, Any]]()


@pytest.fixture
def screens(request: pytest.FixtureRequest, tmp_path: Path) -> Screens:
    option = request.config.getoption("--screenshots")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    directory = Path(option).resolve() / name if option else tmp_path / "screenshots"
    shutil.rmtree(directory, ignore_errors=True)  # an earlier run's, under --screenshots
    request.node.user_properties.append(("screenshots", str(directory)))
    return Screens(directory)


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, lab: Lab, screens: Screens
) -> Iterator[Page]:
    """A fresh browser (no cookies) on Horizon, watched by `screens`: the test saves each
    page it visits with `screens.shot()`; a page left unsaved fails the test. When the test
    fails, the page as it was then is saved too."""
    context = browser.new_context(base_url=lab.horizon, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    screens.watch(opened)
    yield opened
    try:
        failed = any(r.failed for r in request.node.stash.get(OUTCOMES, {}).values())
        if failed:
            screens.shot("failed")
            save_logs(lab, screens.directory / "logs")
        elif screens.unsaved is not None:
            screens.missed.append(screens.unsaved)
    finally:
        context.close()
    if screens.missed and not failed:
        pytest.fail(f"pages visited without a screenshot (screens.shot()): {screens.missed}")


def save_logs(lab: Lab, directory: Path, lines: int = 300) -> None:
    """The end of every draas process's log and of Horizon's, next to a failed test's
    screenshots."""
    directory.mkdir(parents=True, exist_ok=True)
    logs = [lab.state / "horizon" / "horizon.log"]
    logs += [process.log_path for site in lab.sites.values() for process in site.processes.values()]
    for log in logs:
        if log.exists():
            name = log.name if log.parent.name == "horizon" else f"{log.parent.name}-{log.name}"
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            (directory / name).write_text("\n".join(tail) + "\n")


def log_in(
    page: Page, screens: Screens, user: str, region: str = "site-a", password: str = USER_PASSWORD
) -> None:
    """Logs in at Horizon's login page, choosing the site as the region; saves the filled
    form and the page it lands on."""
    page.goto("/auth/login/")
    page.select_option("#id_region", label=region)
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    screens.shot("login")
    with page.expect_navigation():
        page.click("#loginBtn")
    expect(page.locator(".region-title")).to_have_text(region)
    screens.shot()


def switch_region(
    page: Page, screens: Screens, user: str, region: str, password: str = USER_PASSWORD
) -> None:
    """Switches to another site with the header's region selector: Horizon asks the user to
    log in at that site's Keystone (a form in a modal; its region field starts at the last
    region logged in to, whatever was picked in the header), then shows the project there."""
    page.click(".region-title")
    page.click(f"#region_list a:has-text('{region}')")
    modal = page.locator(".modal")
    modal.locator("#id_username").fill(user)
    modal.locator("#id_password").fill(password)
    modal.locator("#id_region").select_option(label=region)
    screens.shot(f"login-{region}")
    with page.expect_navigation():
        modal.locator("#loginBtn").click()
    expect(page.locator(".region-title")).to_have_text(region)
    screens.shot()
