"""Hooks and application checks in a real test failover on the two sites: the hooks run in
order (before the operation, around each VM, after it) with their timeouts; the checks reach
the recovered VMs' services (the simulated guests, through the region's CONNECT proxy, as a
bastion reaches tenant networks); a failing check fails its VM with its output in the report,
and the other VMs are recovered."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.functional.dr.gateway_client import ENDED, ok, problem, protected_group, site_tokens
from tests.functional.dr.restarted import orchestrator_with
from tests.functional.dr.twosite import TENANT, make_vm, wait_for
from tests.functional.lab import tenant_connection
from tools.stack import Site


class HookReceiver:
    """Records each hook call (its name, and its VM's name if any), in order; a call named
    in `slow` is answered after `delay` seconds, one in `refuse` with a 503."""

    def __init__(self, slow: set[str], delay: float, refuse: set[str]) -> None:
        self.calls: list[tuple[str, str]] = []
        self.payloads: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.calls.append((payload["hook"], payload.get("vm", {}).get("name", "")))
                owner.payloads.append(payload)
                if payload["hook"] in slow:
                    time.sleep(delay)
                # A caller that gave up (a hook's timeout) has closed the connection.
                with contextlib.suppress(OSError):
                    self.send_response(503 if payload["hook"] in refuse else 200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def guests(sites: dict[str, Site], lab: Any) -> Iterator[None]:
    """Site B's orchestrator reaching its tenants' networks through the region's proxy."""
    with orchestrator_with(sites["site-b"], guest_proxy=lab.regions["site-b"].guest_proxy):
        yield


@pytest.fixture(scope="module")
def api(gateways: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {site: httpx.Client(base_url=url, timeout=60) for site, url in gateways.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def tokens(lab: Any) -> dict[str, dict[str, dict[str, str]]]:
    return {site: site_tokens(lab, site) for site in ("site-a", "site-b")}


def test_hooks_run_in_order_and_a_failing_check_fails_its_vm_with_its_output(
    lab, tenant_network, guests, api, tokens
):
    receiver = HookReceiver(slow={"slow-notify"}, delay=3.0, refuse=set())
    vms = {}
    for name, services in (("web", "80=http"), ("db", "5432=tcp"), ("broken", "80=http-500")):
        vms[name] = make_vm(lab, tenant_network, "async", volumes=1, name=f"app-{name}")
        tenant_connection(lab, "site-a", TENANT).compute.set_server_metadata(
            vms[name], **{"sim:services": services}
        )
    group = protected_group(api, tokens, [v.id for v in vms.values()])
    hook = {"url": receiver.url, "timeout_seconds": 5}
    automation = {
        "hooks": [
            {"name": "drain", "when": "pre_operation", **hook},
            {"name": "before-vm", "when": "pre_vm", "vms": ["app-web"], **hook},
            {"name": "after-vm", "when": "post_vm", "vms": ["app-web"], **hook},
            {"name": "slow-notify", "when": "post_operation", **hook, "timeout_seconds": 1,
             "retries": 0, "on_failure": "warn"},
            {"name": "announce", "when": "post_operation", **hook},
        ],
        "checks": [
            {"name": "web-http", "type": "http", "port": 80, "expect_text": "app-web is up",
             "vms": ["app-web"], "timeout_seconds": 20},
            {"name": "db-port", "type": "tcp", "port": 5432, "vms": ["app-db"]},
            {"name": "broken-http", "type": "http", "port": 80, "vms": ["app-broken"],
             "timeout_seconds": 3},
        ],
    }  # fmt: skip
    member_a, member_b = tokens["site-a"]["member"], tokens["site-b"]["member"]
    path = f"/v1/failover-groups/{group['id']}"
    changed = ok(api["site-a"].patch(path, headers=member_a, json={"automation": automation}))
    assert [c["name"] for c in changed["automation"]["checks"]] == [
        "web-http",
        "db-port",
        "broken-http",
    ]
    assert "checks[0].port" in problem(
        api["site-a"].patch(
            path,
            headers=member_a,
            json={"automation": {"checks": [{"name": "x", "type": "tcp"}]}},
        ),
        400,
    )
    wait_for(lambda: len(ok(api["site-b"].get(path, headers=member_b))["automation"]["hooks"]) == 5)

    started = ok(api["site-b"].post(f"{path}/test-failover", headers=member_b, json={}), 202)
    operation = wait_for(
        lambda: (
            found
            if (
                found := ok(api["site-b"].get(f"/v1/operations/{started['id']}", headers=member_b))
            )["state"]
            in ENDED
            else None
        ),
        timeout=120,
    )
    assert operation["state"] == "partially_succeeded"
    report = ok(api["site-b"].get(f"/v1/operations/{started['id']}/report", headers=member_b))
    by_name = {v["name"]: v for v in report["vms"]}
    assert (by_name["app-web"]["recovered"], by_name["app-db"]["recovered"]) == (True, True)
    assert not by_name["app-broken"]["recovered"]
    assert (
        "application check broken-http failed: expected 200, got HTTP/1.1 500"
        in (by_name["app-broken"]["error"])
    )
    assert "app-broken failed" in by_name["app-broken"]["error"]
    (web_check,) = by_name["app-web"]["checks"]
    assert (web_check["name"], web_check["passed"]) == ("web-http", True)
    assert "app-web is up" in web_check["output"]
    (db_check,) = by_name["app-db"]["checks"]
    assert db_check["passed"] and "accepts connections" in db_check["output"]
    assert [h["name"] for h in by_name["app-web"]["hooks"]] == ["before-vm", "after-vm"]

    # In order: before the operation, around the VM, after it; the slow hook's timeout is
    # kept (warned, the operation went on) and the hooks after it ran.
    assert receiver.calls == [
        ("drain", ""),
        ("before-vm", "app-web"),
        ("after-vm", "app-web"),
        ("slow-notify", ""),
        ("announce", ""),
    ]
    operation_hooks = {h["name"]: h for h in report["hooks"]}
    assert operation_hooks["drain"]["passed"] and operation_hooks["announce"]["passed"]
    slow = operation_hooks["slow-notify"]
    assert not slow["passed"] and "Timeout" in slow["output"] and slow["elapsed"] < 2.9
    after_vm = next(p for p in receiver.payloads if p["hook"] == "after-vm")
    assert after_vm["vm"]["addresses"] and after_vm["vm"]["recovered_server_id"]
    assert after_vm["operation"] == {"id": started["id"], "kind": "test_failover"}

    cleanup = ok(
        api["site-b"].post(f"/v1/operations/{started['id']}/cleanup", headers=member_b), 202
    )
    wait_for(
        lambda: (
            ok(api["site-b"].get(f"/v1/operations/{cleanup['id']}", headers=member_b))["state"]
            == "succeeded"
        ),
        timeout=120,
    )


def _ran_test(api: dict[str, httpx.Client], member: dict[str, str], path: str) -> dict[str, Any]:
    started = ok(api["site-b"].post(f"{path}/test-failover", headers=member, json={}), 202)
    return wait_for(
        lambda: (
            found
            if (found := ok(api["site-b"].get(f"/v1/operations/{started['id']}", headers=member)))[
                "state"
            ]
            in ENDED
            else None
        ),
        timeout=120,
    )


def _cleaned_up(api: dict[str, httpx.Client], member: dict[str, str], test_id: str) -> None:
    cleanup = ok(api["site-b"].post(f"/v1/operations/{test_id}/cleanup", headers=member), 202)
    wait_for(
        lambda: (
            ok(api["site-b"].get(f"/v1/operations/{cleanup['id']}", headers=member))["state"]
            == "succeeded"
        ),
        timeout=120,
    )


def test_tier_hooks_run_once_around_each_tier_and_a_failing_one_stops_the_operation(
    lab, tenant_network, api, tokens
):
    receiver = HookReceiver(slow=set(), delay=0, refuse={"gate"})
    first = make_vm(lab, tenant_network, "async", volumes=1, name="tier-one")
    second = make_vm(lab, tenant_network, "async", volumes=1, name="tier-two")
    group = protected_group(api, tokens, [first.id])
    member_a, member_b = tokens["site-a"]["member"], tokens["site-b"]["member"]
    path = f"/v1/failover-groups/{group['id']}"
    ok(
        api["site-a"].post(
            f"{path}/vms", headers=member_a, json={"server_id": second.id, "tier": 2}
        )
    )
    hook = {"url": receiver.url, "timeout_seconds": 5}
    hooks = [
        {"name": "tier-start", "when": "pre_tier", **hook},
        {"name": "tier-done", "when": "post_tier", "tiers": [1], **hook},
        {"name": "each-vm", "when": "pre_vm", **hook},
    ]
    ok(api["site-a"].patch(path, headers=member_a, json={"automation": {"hooks": hooks}}))

    def seen_at_b(count: int) -> bool:
        found = ok(api["site-b"].get(path, headers=member_b))
        return len(found["vms"]) == 2 and len(found["automation"]["hooks"]) == count

    wait_for(lambda: seen_at_b(3))
    wait_for(lambda: ok(api["site-b"].get(f"{path}/readiness", headers=member_b))["failover_ready"])

    operation = _ran_test(api, member_b, path)
    assert operation["state"] == "succeeded", operation["error"]
    assert receiver.calls == [
        ("tier-start", ""),
        ("each-vm", "tier-one"),
        ("tier-done", ""),
        ("tier-start", ""),
        ("each-vm", "tier-two"),
    ]
    tiers = [p.get("tier") for p in receiver.payloads if p["hook"].startswith("tier-")]
    assert tiers == [1, 1, 2], "each tier hook is told its tier"
    assert [(v["name"], v["tier"]) for v in operation["vms"]] == [("tier-one", 1), ("tier-two", 2)]
    report = ok(api["site-b"].get(f"/v1/operations/{operation['id']}/report", headers=member_b))
    assert [h["name"] for h in report["hooks"]] == [
        "tier-start (tier 1)",
        "tier-done (tier 1)",
        "tier-start (tier 2)",
    ]
    _cleaned_up(api, member_b, operation["id"])

    # A gate before tier 2 that refuses, failing: tier 2 never starts, tier 1 is undone.
    hooks.append({"name": "gate", "when": "pre_tier", "tiers": [2], **hook, "retries": 0})
    ok(api["site-a"].patch(path, headers=member_a, json={"automation": {"hooks": hooks}}))
    wait_for(lambda: seen_at_b(4))
    receiver.calls.clear()
    stopped = _ran_test(api, member_b, path)
    assert stopped["state"] == "compensated", stopped
    assert "pre_tier hook gate failed" in stopped["error"], stopped["error"]
    assert ("each-vm", "tier-two") not in receiver.calls
    assert ("gate", "") in receiver.calls
    servers = {s.name for s in tenant_connection(lab, "site-b", TENANT).compute.servers()}
    assert not servers & {"tier-one", "tier-two"}, "tier 1's recovery undone"
    _cleaned_up(api, member_b, stopped["id"])


def test_the_draas_command_sets_a_groups_hooks_and_checks_from_a_file(
    lab, tenant_network, gateways, tokens, tmp_path
):
    group = protected_group(
        {s: httpx.Client(base_url=u, timeout=60) for s, u in gateways.items()},
        tokens,
        [make_vm(lab, tenant_network, "async", volumes=1).id],
    )
    spec = tmp_path / "automation.yaml"
    spec.write_text(
        "hooks:\n"
        "  - {name: notify, when: post_operation, url: 'http://127.0.0.1:9/hook',\n"
        "     kinds: [failback]}\n"
        "checks:\n"
        "  - {name: web, type: http, port: 8080, path: /health}\n"
    )

    def draas(*args: str) -> Any:
        token = tokens["site-a"]["member"]["X-Auth-Token"]
        return CliRunner().invoke(
            cli, ["--draas-url", gateways["site-a"], "--os-token", token, *args]
        )

    shown = draas("failover-group", "set", group["id"], "--automation", str(spec))
    assert shown.exit_code == 0, shown.output
    assert "hook notify: post_operation -> http://127.0.0.1:9/hook (failback)" in shown.output
    assert "check web: http :8080/health" in shown.output
    cleared = draas("failover-group", "set", group["id"], "--no-automation", "-f", "json")
    assert json.loads(cleared.stdout)["automation"] == {"hooks": [], "checks": []}
    spec.write_text("checks: [{name: web, type: http}]\n")
    refused = draas("failover-group", "set", group["id"], "--automation", str(spec))
    assert refused.exit_code == 1 and "checks[0].port" in refused.output
    spec.write_text("- not a mapping\n")
    assert draas("failover-group", "set", group["id"], "--automation", str(spec)).exit_code == 2
