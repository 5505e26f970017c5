"""A real Prometheus server (Debian's package, on 127.0.0.1 only, its storage in the test's
tmp directory) scrapes one site's draas processes, found by the launcher through their metrics
port files, and evaluates the shipped alerting rules: every target is up, draas metrics arrive,
and a process that stops is seen down and its alert becomes pending."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from common.metrics import metrics_port_file
from tests.prometheus_server import PROMETHEUS, RULES_DIR, require
from tests.waiting import wait_until
from tools.launcher import SERVICES, LocalSite, ServiceProcess, free_port, spawn_service

STARTUP_SECONDS = 60.0


@dataclass
class Prometheus:
    """A running Prometheus server and how to ask it."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def query(self, expression: str) -> list[dict[str, Any]]:
        """The instant vector an expression gives now."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expression}, timeout=10)
        response.raise_for_status()
        return response.json()["data"]["result"]

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", timeout=10)
        response.raise_for_status()
        return response.json()["data"]


@pytest.fixture(scope="module")
def prometheus_binary() -> str:
    return require(PROMETHEUS)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[LocalSite, ServiceProcess]]:
    """One site's four services and its gateway, each a process serving its metrics."""
    local = LocalSite("site-a", tmp_path / "state").start()
    try:
        gateway = spawn_service(
            "gateway",
            "site-a",
            tmp_path / "state",
            extra_env={
                # Nothing here signs in: /metrics and /v1/health ask no Keystone.
                "DRAAS_GATEWAY_KEYSTONE_URL": "http://127.0.0.1:9/v3",
                "DRAAS_GATEWAY_ORCHESTRATOR_ADDRESS": local.processes["orchestrator"].address,
            },
        )
        try:
            gateway.wait_until_serving(STARTUP_SECONDS)
            yield local, gateway
        finally:
            gateway.stop()
    finally:
        local.stop()


def start_prometheus(binary: str, directory: Path, targets: dict[str, str]) -> Prometheus:
    """Prometheus scraping `targets` (service -> host:port) every second, with draas's rules."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES_DIR / "draas-rules.yml")],
        "scrape_configs": [
            {
                "job_name": "draas",
                "static_configs": [
                    {"targets": [address], "labels": {"site": "site-a", "service": service}}
                    for service, address in targets.items()
                ],
            }
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    config_file = directory / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))
    address = f"127.0.0.1:{free_port()}"
    log_path = directory / "prometheus.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address={address}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Prometheus(f"http://{address}", process, log_path)

    def ready() -> bool:
        assert process.poll() is None, f"prometheus exited:\n{log_path.read_text()[-3000:]}"
        try:
            return httpx.get(f"{server.url}/-/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(ready, timeout=STARTUP_SECONDS, interval=0.2)
    return server


@pytest.fixture
def prometheus(
    prometheus_binary: str, site: tuple[LocalSite, ServiceProcess], tmp_path: Path
) -> Iterator[Prometheus]:
    local, gateway = site
    targets = {**local.metrics_targets(), "gateway": gateway.metrics_address}
    server = start_prometheus(prometheus_binary, tmp_path / "prometheus", targets)
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def test_prometheus_scrapes_every_draas_process_of_a_site_and_loads_the_rules(site, prometheus):
    local, gateway = site
    targets = local.metrics_targets()
    assert set(targets) == set(SERVICES), "each service's metrics port was found"
    assert gateway.metrics_address == gateway.address
    for name in SERVICES:
        found = local.processes[name]
        assert metrics_port_file(found.port_file).read_text() == str(found.metrics_port)
    # Every process answers a call: the orchestrator checks each dependency's health.
    assert local.system_status().healthy
    assert httpx.get(f"http://{gateway.address}/v1/health", timeout=10).status_code == 200

    def all_up() -> list[dict[str, Any]] | None:
        found = prometheus.query('up{job="draas"}')
        return found if len(found) == 5 and all(r["value"][1] == "1" for r in found) else None

    up = wait_until(all_up, timeout=30, interval=0.5)
    assert {r["metric"]["service"] for r in up} == {*SERVICES, "gateway"}

    def arrived(expression: str) -> list[dict[str, Any]]:
        return wait_until(lambda: prometheus.query(expression), timeout=30, interval=0.5)

    handled = arrived('sum by (service) (draas_grpc_server_handled_total{code="OK"})')
    assert {r["metric"]["service"] for r in handled} == set(SERVICES)
    health = arrived('draas_gateway_requests_total{route="/v1/health",status="200"}')
    assert health[0]["metric"]["service"] == "gateway"
    memory = prometheus.query("process_resident_memory_bytes")
    assert len(memory) == 5

    groups = prometheus.get("rules")["groups"]
    assert {g["name"] for g in groups} == {
        "draas-groups",
        "draas-metadata",
        "draas-operations",
        "draas-processes",
    }

    def evaluated() -> bool:
        rules = [r for g in prometheus.get("rules")["groups"] for r in g["rules"]]
        return all(r["health"] == "ok" for r in rules) and all(
            r.get("lastEvaluation", "").startswith("2") for r in rules
        )

    assert wait_until(evaluated, timeout=30, interval=0.5), "every rule evaluates without error"

    gateway.stop()

    def pending() -> list[dict[str, Any]]:
        return [
            alert
            for alert in prometheus.get("alerts")["alerts"]
            if alert["labels"]["alertname"] == "DraasTargetDown"
        ]

    down = wait_until(pending, timeout=30, interval=0.5)
    assert down[0]["labels"]["service"] == "gateway"
    assert down[0]["state"] == "pending", "it fires after a minute down"
    assert prometheus.query('up{service="gateway"}')[0]["value"][1] == "0"
