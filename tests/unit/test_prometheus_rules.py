"""The alerting rules and the sample configuration shipped for Prometheus (deploy/prometheus/)
pass promtool's checks, and the rules' own unit tests (each alert fires and resolves)."""

import subprocess

import pytest
import yaml

from tests.prometheus_server import PROMTOOL, RULES_DIR, require


@pytest.fixture(scope="module")
def promtool() -> str:
    return require(PROMTOOL)


def run(promtool: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [promtool, *arguments],
        cwd=RULES_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_rules_pass_promtool_check_rules(promtool):
    checked = run(promtool, "check", "rules", "draas-rules.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def expectations() -> dict[str, list[tuple[int, list]]]:
    """alert -> [(minute, the alerts expected firing then)] from the rules' unit tests."""
    found: dict[str, list[tuple[int, list]]] = {}
    document = yaml.safe_load((RULES_DIR / "draas-rules.test.yml").read_text())
    for test in document["tests"]:
        for check in test["alert_rule_test"]:
            minute = int(check["eval_time"].removesuffix("m"))
            found.setdefault(check["alertname"], []).append((minute, check["exp_alerts"]))
    return found


def test_every_alert_fires_and_then_resolves_in_the_rules_unit_tests(promtool):
    tested = run(promtool, "test", "rules", "draas-rules.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    rules = yaml.safe_load((RULES_DIR / "draas-rules.yml").read_text())
    alerts = [rule["alert"] for group in rules["groups"] for rule in group["rules"]]
    assert len(alerts) == 9
    checks = expectations()
    for alert in alerts:
        fired = [minute for minute, expected in checks.get(alert, []) if expected]
        quiet = [minute for minute, expected in checks.get(alert, []) if not expected]
        assert fired, f"{alert} is never tested firing"
        assert any(minute > min(fired) for minute in quiet), f"{alert} is never tested resolved"


def test_every_group_alert_keeps_the_project_label(promtool):
    checks = expectations()
    for alert in (
        "DraasGroupRpoOverTarget",
        "DraasGroupRpoOverTwiceTarget",
        "DraasGroupReplicationLinkDown",
    ):
        for _, expected in checks[alert]:
            for firing in expected:
                assert firing["exp_labels"]["project"], alert


def test_the_sample_configuration_passes_promtool_check_config(promtool):
    checked = run(promtool, "check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
