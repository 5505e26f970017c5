"""What is offered where (the orchestrator's lifecycle as the dashboard applies it), which
site the user works at, and the charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test.utils import override_settings

from draas_dashboard import charts, formatting, lifecycle, sites
from draas_dashboard.api.records import Group, Operation, Report


def group(state: str = "protected", source: str = "a", target: str = "b", **extra: Any) -> Group:
    return Group({"state": state, "source_site": source, "target_site": target, **extra})


@pytest.mark.parametrize(
    ("state", "here", "offered"),
    [
        ("protected", "b", {"test_failover", "failover", "failback"}),
        ("protected", "a", {"change"}),
        ("failed_over", "a", {"reprotect"}),
        ("failed_over", "b", set()),
        ("testing", "b", set()),
        ("failing_over", "b", set()),
        ("reprotecting", "a", set()),
    ],
)
def test_what_is_offered_where(state: str, here: str, offered: set[str]) -> None:
    names = ("test_failover", "failover", "reprotect", "failback", "change")
    assert {n for n in names if lifecycle.may(group(state), n, here)} == offered


def test_last_test_as_the_gateway_says_it() -> None:
    summary = {"operation_id": "op-9", "state": "succeeded", "finished_at": "2026-01-01T00:00:00Z"}
    said = group(last_test=summary)
    assert said.reports_last_test
    assert said.last_test is not None and said.last_test.id == "op-9"
    assert group(last_test=None).reports_last_test and group(last_test=None).last_test is None
    assert not group().reports_last_test


def test_failback_at_the_home_site_when_the_gateway_says() -> None:
    home = group(home_site="a")
    assert not lifecycle.may(home, "failback", "a")
    assert not lifecycle.may(home, "failback", "b")
    away = group(source="b", target="a", home_site="a")
    assert lifecycle.may(away, "failback", "a")
    assert not lifecycle.may(away, "failback", "b")


def test_an_unknown_site_leaves_it_to_the_state() -> None:
    assert lifecycle.may(group(), "test_failover", None)
    assert lifecycle.may(group(), "change", None)
    assert not lifecycle.may(group("failed_over"), "test_failover", None)


def op(**fields: Any) -> Operation:
    return Operation({"id": "t", "kind": "test_failover", "state": "succeeded", **fields})


def test_cleanup_once_a_test_has_ended() -> None:
    assert lifecycle.may_clean_up(op(), [])
    assert not lifecycle.may_clean_up(op(state="running"), [])
    assert not lifecycle.may_clean_up(op(kind="planned_failover"), [])
    cleaning = Operation(
        {"id": "c", "kind": "test_cleanup", "state": "running", "parent_operation_id": "t"}
    )
    failed = Operation(
        {"id": "d", "kind": "test_cleanup", "state": "failed", "parent_operation_id": "t"}
    )
    assert not lifecycle.may_clean_up(op(), [cleaning])
    assert lifecycle.may_clean_up(op(), [failed])


def request_at(region: str, endpoint: str = "", label: str | None = None) -> Any:
    return SimpleNamespace(
        user=SimpleNamespace(services_region=region, endpoint=endpoint, roles=[]),
        session={"region_name": label} if label else {},
    )


def test_site_from_draas_sites() -> None:
    with override_settings(DRAAS_SITES={"site-a": "RegionA", "site-b": "RegionB"}):
        assert sites.current_site(request_at("RegionB")) == "site-b"
        assert sites.current_site(request_at("RegionC")) is None


def test_site_from_the_region_selectors_labels() -> None:
    regions = [("http://ka/v3", "site-a"), ("http://kb/v3", "site-b")]
    with override_settings(DRAAS_SITES=None, AVAILABLE_REGIONS=regions):
        assert sites.current_site(request_at("RegionB", "http://kb/v3", "site-b")) == "site-b"
        assert sites.current_site(request_at("RegionA", "http://ka/v3/")) == "site-a"
        # A label that no group names is not trusted as a site name.
        paris = [("http://ka/v3", "Paris"), ("http://kb/v3", "Lyon")]
    with override_settings(DRAAS_SITES=None, AVAILABLE_REGIONS=paris):
        at = request_at("RegionA", "http://ka/v3", "Paris")
        assert sites.current_site(at, frozenset({"site-a", "site-b"})) is None
        assert sites.keystone_of("Lyon") == "http://kb/v3"


def test_roles() -> None:
    def roles(*names: str) -> Any:
        return SimpleNamespace(user=SimpleNamespace(roles=[{"name": n} for n in names]))

    assert sites.may_write(roles("member"))
    assert sites.may_write(roles("_member_"))
    assert sites.may_write(roles("admin"))
    assert not sites.may_write(roles("reader"))
    assert sites.is_admin(roles("admin")) and not sites.is_admin(roles("member"))
    with override_settings(DRAAS_MEMBER_ROLES=["operator"]):
        assert sites.may_write(roles("operator")) and not sites.may_write(roles("member"))


def test_rpo_bar() -> None:
    within = charts.rpo_bar(60.0, 30.0, True, True)
    assert charts.GREEN in within and "RPO 30.0s of target 1m00s" in within
    over = charts.rpo_bar(60.0, 90.0, False, True)
    assert charts.RED in over
    down = charts.rpo_bar(60.0, 10.0, True, False)
    assert charts.RED in down and "link down" in down
    assert "no recovery point yet" in charts.rpo_bar(60.0, None, None)
    sync = charts.rpo_bar(None, 0.0, False, True)
    assert charts.GREEN in sync and "RPO 0 while the replication link is up" in sync
    assert charts.RED in charts.rpo_bar(None, 0.0, True, False)


def test_timeline_escapes_what_tenants_name() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def at(seconds: float) -> str:
        return (start + timedelta(seconds=seconds)).isoformat()

    report = Report(
        {
            "timing": {"started_at": at(0), "finished_at": at(10)},
            "group_steps": [],
            "vms": [
                {
                    "server_id": "s-1",
                    "name": "<script>alert(1)</script>",
                    "tier": 1,
                    "steps": [
                        {
                            "name": "boot_server",
                            "state": "failed",
                            "attempts": 3,
                            "timing": {"started_at": at(2), "finished_at": at(8), "elapsed": 6},
                            "error": 'quota "exceeded" <b>',
                        }
                    ],
                }
            ],
        }
    )
    svg = str(charts.timeline(report))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg and "3 attempts" in svg
    assert charts.RED in svg
    # The failed step starts at 20% of the axis and spans 60% of it.
    assert 'x="286.0"' in svg and 'width="348.0"' in svg


def test_durations_and_times() -> None:
    assert formatting.seconds(12.34) == "12.3s"
    assert formatting.seconds(245) == "4m05s"
    assert formatting.seconds(3723) == "1h02m03s"
    assert formatting.seconds(None) == "-"
    assert formatting.when("2026-12-06T03:50:36.123Z") == "2026-12-06 03:50:36 UTC"
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert formatting.age("2026-01-01T11:00:00Z", now) == "1h"
