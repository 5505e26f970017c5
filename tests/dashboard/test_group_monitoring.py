"""A group's monitoring on its page and in the groups tables: the Health History tab (a lag
chart against the RPO target over a chosen range), the targets (RTO, test interval) and their
Edit Targets form (at the source site, for members), the create workflow's targets, and each
group's firing alerts as a badge (the overview also counts them)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.urls import reverse

from draas_dashboard import charts
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasUnreachable
from draas_dashboard.api.records import HealthHistory
from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_groups:index")
CREATE = reverse("horizon:project:dr_groups:create")
OVERVIEW = reverse("horizon:project:dr_overview:index")
HISTORY_TAB = "group_details__health_history"


def url(name: str, group_id: str) -> str:
    return reverse(f"horizon:project:dr_groups:{name}", args=[group_id])


class HealthHistoryTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1),), rpo=60.0)
        for minutes in range(50, 0, -1):
            down = 20 <= minutes < 25
            self.gateway.add_sample(
                self.group["id"], minutes * 60.0, rpo=130.0 if down else 40.0, link_up=not down
            )

    def test_the_tab_draws_the_last_day_by_default(self) -> None:
        page = self.content(self.ajax(url("detail", self.group["id"]), tab=HISTORY_TAB))
        asked = self.gateway.called("health_history")[-1]
        self.assertEqual(asked["step_seconds"], 900)
        self.assertAlmostEqual((asked["end"] - asked["start"]).total_seconds(), 86400)
        self.assertIn("draas-lag-line", page)
        self.assertIn("draas-rpo-target-line", page)
        self.assertIn("draas-link-down", page)
        self.assertIn("target 1m00s", page)
        self.assertIn('data-range="24h"', page)
        self.assertRegex(page, r'class="btn btn-default btn-sm active" data-range="24h"')

    def test_a_range_is_asked_with_its_step(self) -> None:
        page = self.content(
            self.client.get(url("detail", self.group["id"]), {"tab": HISTORY_TAB, "range": "1h"})
        )
        asked = self.gateway.called("health_history")[-1]
        self.assertEqual(asked["step_seconds"], 60)
        self.assertAlmostEqual((asked["end"] - asked["start"]).total_seconds(), 3600)
        # The chosen tab is rendered with the page, with its summary.
        self.assertIn("draas-lag-chart", page)
        self.assertIn("draas-lag-over", page, "the steps over the target are marked")
        self.assertIn("draas-history-link-down", page)
        self.assertIn("5m00s", page, "five minutes of the link down")
        self.assertIn(f"?tab={HISTORY_TAB}&amp;range=7d", page)
        self.client.get(url("detail", self.group["id"]), {"tab": HISTORY_TAB, "range": "30d"})
        self.assertEqual(self.gateway.called("health_history")[-1]["step_seconds"], 14400)

    def test_an_unknown_range_is_the_default(self) -> None:
        self.ajax(url("detail", self.group["id"]), tab=HISTORY_TAB, range="5y")
        self.assertEqual(self.gateway.called("health_history")[-1]["step_seconds"], 900)

    def test_a_history_that_cannot_be_read_says_why(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach site-b")
        with mock.patch.object(draas, "health_history", side_effect=down):
            page = self.content(self.ajax(url("detail", self.group["id"]), tab=HISTORY_TAB))
        self.assertIn("The history cannot be read", page)
        self.assertIn("cannot reach site-b", page)


class LagChartTest(helpers.TestCase):
    def history(self, points: list[dict], target: float = 60.0) -> HealthHistory:
        return HealthHistory(
            {"rpo_target_seconds": target, "step": 60.0, "resolution": "raw", "points": points}
        )

    def point(self, minute: int, rpo: float | None, down: float = 0.0) -> dict:
        start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC) + timedelta(minutes=minute)
        return {
            "start": start.isoformat(),
            "observed_seconds": 60.0 if rpo is not None else 0.0,
            "worst_rpo_seconds": rpo,
            "link_down_seconds": down,
        }

    def test_a_step_with_nothing_observed_breaks_the_line(self) -> None:
        svg = str(
            charts.lag_chart(
                self.history(
                    [
                        self.point(0, 30.0),
                        self.point(1, 35.0),
                        self.point(2, None),
                        self.point(3, 90.0, down=30.0),
                        self.point(4, 150.0, down=60.0),
                    ]
                )
            )
        )
        self.assertEqual(svg.count("<polyline"), 2)
        self.assertEqual(svg.count('class="draas-lag-point'), 4)
        self.assertEqual(svg.count("draas-lag-over"), 2)
        self.assertEqual(svg.count('class="draas-link-down"'), 2)
        self.assertIn('fill-opacity="0.32"', svg, "half the step down")
        self.assertIn('fill-opacity="0.50"', svg, "the whole step down")
        self.assertIn("replication link down 1m30s", svg)
        self.assertIn("10:04 UTC: RPO up to 2m30s", svg)

    def test_a_sync_group_has_no_target_line(self) -> None:
        svg = str(charts.lag_chart(self.history([self.point(0, 0.0)], target=0.0)))
        self.assertNotIn("draas-rpo-target-line", svg)
        self.assertIn("(synchronous)", svg)

    def test_nothing_to_draw(self) -> None:
        self.assertIn("no history in this range", str(charts.lag_chart(self.history([]))))

    def test_text_is_escaped(self) -> None:
        svg = str(charts.lag_chart(self.history([self.point(0, 10.0)])))
        self.assertIsNone(re.search(r"<script", svg))


class TargetsAtSourceTest(helpers.TestCase):
    """A member at site-a, the group's source: its targets are changed here."""

    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1),), rpo=60.0)
        self.group.update(rto_target=900.0, test_interval=7 * 86400.0, description="web tier")

    def test_overview_tab_shows_the_targets(self) -> None:
        page = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn('<dd class="draas-rto-target">15m00s</dd>', page)
        self.assertIn('<dd class="draas-test-interval">7d', page)
        self.assertIn("action_edit_targets", page)

    def test_the_form_shows_the_targets_and_sends_only_what_changed(self) -> None:
        form = self.client.get(url("edit_targets", self.group["id"]))
        page = self.content(form)
        self.assertIn('value="900.0"', page)
        self.assertIn('value="168.0"', page, "the test interval in hours")
        self.assertIn("reschedules the group&#x27;s replication at site-a", page)
        res = self.client.post(
            url("edit_targets", self.group["id"]),
            {
                "description": "web tier",
                "rpo_target": "30",
                "rto_target": "",
                "test_interval": "24",
            },
        )
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, url("detail", self.group["id"]))
        self.assertEqual(
            self.gateway.called("update_group")[-1],
            {
                "group_id": self.group["id"],
                "description": None,
                "rpo_target_seconds": 30.0,
                "rto_target_seconds": 0.0,
                "test_interval_seconds": 86400,
            },
        )
        self.assertEqual(
            (self.group["rpo_target"], self.group["rto_target"], self.group["test_interval"]),
            (30.0, 0.0, 86400),
        )

    def test_nothing_changed_sends_nothing(self) -> None:
        res = self.client.post(
            url("edit_targets", self.group["id"]),
            {
                "description": "web tier",
                "rpo_target": "60",
                "rto_target": "900",
                "test_interval": "168",
            },
        )
        self.assertEqual(res.status_code, 302)
        self.assertEqual(self.gateway.called("update_group"), [])

    def test_a_test_interval_under_an_hour_is_refused_here(self) -> None:
        res = self.client.post(
            url("edit_targets", self.group["id"]),
            {"description": "", "rpo_target": "60", "test_interval": "0.5"},
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("At least 1 hour", self.content(res))
        self.assertEqual(self.gateway.called("update_group"), [])

    def test_a_sync_group_has_no_rpo_target_to_set(self) -> None:
        sync = self.gateway.add_group("Db", replication_type="sync", vms=(("db-1", 1),))
        page = self.content(self.client.get(url("edit_targets", sync["id"])))
        self.assertNotIn('name="rpo_target"', page)
        self.assertIn('name="rto_target"', page)

    def test_a_group_made_from_a_policy_changes_its_description_only(self) -> None:
        self.group.update(policy_id="pol-1", policy_name="gold")
        page = self.content(self.client.get(url("edit_targets", self.group["id"])))
        self.assertNotIn('name="rto_target"', page)
        self.assertIn("from policy gold", page)
        res = self.client.post(url("edit_targets", self.group["id"]), {"description": "new"})
        self.assertEqual(res.status_code, 302)
        self.assertEqual(self.gateway.called("update_group")[-1]["description"], "new")
        self.assertIsNone(self.gateway.called("update_group")[-1]["rto_target_seconds"])

    def test_a_refusal_shows_the_gateways_reason(self) -> None:
        self.group["state"] = "testing"
        res = self.client.post(
            url("edit_targets", self.group["id"]),
            {"description": "x", "rpo_target": "60", "rto_target": "900", "test_interval": "168"},
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("is testing: a change is not allowed", self.content(res))

    def test_a_reader_is_not_offered_it(self) -> None:
        self.set_roles("reader")
        page = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertNotIn("action_edit_targets", page)
        self.assertNotIn("Edit Targets", self.content(self.client.get(INDEX)))

    def test_create_takes_the_rto_target_and_test_interval(self) -> None:
        res = self.client.post(
            CREATE,
            {
                "name": "Web",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target": "60",
                "rto_target": "600",
                "test_interval": "24",
                "proof": "token",
                "target_token": "gAAAA-pasted",
            },
        )
        self.assertNoFormErrors(res)
        created = self.gateway.called("create_group")[-1]
        self.assertEqual(
            (created["rto_target_seconds"], created["test_interval_seconds"]), (600.0, 86400)
        )

    def test_create_refuses_a_test_interval_under_an_hour(self) -> None:
        res = self.client.post(
            CREATE,
            {
                "name": "Web",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target": "60",
                "test_interval": "0.25",
                "proof": "token",
                "target_token": "gAAAA-pasted",
            },
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.gateway.called("create_group"), [])


@helpers.at_site_b
class TargetsAtTargetTest(helpers.TestCase):
    """At the group's target site the targets are shown, not changed."""

    def test_edit_targets_is_offered_at_the_source_only(self) -> None:
        group = self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.assertNotIn("action_edit_targets", self.content(self.client.get(INDEX)))
        detail = self.content(self.client.get(url("detail", group["id"])))
        self.assertNotIn("action_edit_targets", detail)
        self.assertIn("Health History", detail)


class AlertBadgesTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.finance = self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.retail = self.gateway.add_group("Retail", vms=(("shop-1", 1),))
        self.gateway.add_alert(self.finance["id"], "rpo_over_target")
        self.gateway.add_alert(self.finance["id"], "link_down")
        self.gateway.add_alert(self.retail["id"], "test_overdue")
        self.gateway.add_alert(self.retail["id"], "link_down", state="resolved")

    def badge(self, page: str, group_id: str) -> str:
        row = re.search(rf'<tr[^>]*id="groups__row__{group_id}".*?</tr>', page, re.S)
        assert row is not None, f"no row of {group_id}"
        found = re.search(
            r'class="label (label-\w+) draas-alert-badge" data-firing="(\d+)"', row[0]
        )
        return f"{found[1]} {found[2]}" if found else "none"

    def test_groups_table_shows_each_groups_firing_alerts_from_one_list(self) -> None:
        page = self.content(self.client.get(INDEX))
        self.assertEqual(self.badge(page, self.finance["id"]), "label-danger 2")
        self.assertEqual(self.badge(page, self.retail["id"]), "label-warning 1")
        self.assertIn(f"/project/dr_alerts/?group_id={self.finance['id']}", page)
        self.assertEqual(len(self.gateway.called("list_alerts")), 1)
        self.assertEqual(self.gateway.called("list_alerts")[0]["state"], "firing")

    def test_a_row_update_reads_its_groups_alerts(self) -> None:
        row = self.ajax(INDEX, action="row_update", table="groups", obj_id=self.retail["id"])
        self.assertIn('data-firing="1"', self.content(row))
        self.assertEqual(
            self.gateway.called("list_alerts")[-1],
            {"state": "firing", "group_id": self.retail["id"], "limit": 500},
        )

    def test_overview_counts_the_firing_alerts(self) -> None:
        page = self.content(self.client.get(OVERVIEW))
        self.assertIn('class="draas-firing" data-firing="3"', page)
        self.assertIn("3 alerts firing", page)
        self.assertIn("(1 critical)", page)
        self.assertIn("alert-danger", page)
        self.assertEqual(self.badge(page, self.finance["id"]), "label-danger 2")

    def test_alerts_that_cannot_be_read_do_not_break_the_pages(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach the gateway")
        with mock.patch.object(draas, "list_alerts", side_effect=down):
            overview = self.client.get(OVERVIEW)
            groups = self.client.get(INDEX)
        self.assertEqual((overview.status_code, groups.status_code), (200, 200))
        self.assertIn("The alerts cannot be read now", self.content(overview))
        self.assertIn("the alerts cannot be read", self.content(groups))

    def test_no_alert_firing(self) -> None:
        self.gateway.alerts.clear()
        self.gateway.unreachable_sites = ["site-c"]
        page = self.content(self.client.get(OVERVIEW))
        self.assertIn('data-firing="0"', page)
        self.assertIn("No alert firing.", page)
        self.assertIn("Missing: the alerts raised at site-c", page)
