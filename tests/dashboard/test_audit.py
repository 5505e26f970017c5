"""The audit trail panels: the project's events (filters, an event's page, the CSV download)
and, in the admin dashboard, every project's."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse
from openstack_dashboard.api import keystone

from draas_dashboard.api.errors import DraasUnreachable
from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_audit:index")
CSV = reverse("horizon:project:dr_audit:csv")
ADMIN = reverse("horizon:admin:dr_admin_audit:index")
ADMIN_CSV = reverse("horizon:admin:dr_admin_audit:csv")


class AuditTrailTest(helpers.AuditTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.made = self.audit.add("create", "grp-finance", status=201)
        self.refused = self.audit.add(
            "update/failover",
            "grp-finance",
            outcome="failure",
            status=409,
            detail="a failover runs at the group's target site (site-b)",
            time="2026-12-02T08:00:00.000000+00:00",
        )
        self.elsewhere = self.audit.add("delete", "grp-other", project_id="another-project")

    def row(self, event: dict) -> str:
        return f'id="audit_events__row__{event["id"]}"'

    def test_lists_the_projects_events_newest_first(self) -> None:
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("Audit Trail", page)
        self.assertIn("update/failover", page)
        self.assertIn("a failover runs at the group", page)
        self.assertIn("grp-fina", page)
        rows = [self.row(self.refused), self.row(self.made)]
        self.assertTrue(all(r in page for r in rows), "both rows")
        self.assertLess(page.index(rows[0]), page.index(rows[1]))
        self.assertNotIn(self.row(self.elsewhere), page)
        self.assertIn(f'href="{CSV}"', page)
        self.assertEqual(self.audit.calls[-1], ("list_audit_events", {"all_projects": False}))

    def test_filters_go_to_the_gateway_and_into_the_csv_link(self) -> None:
        query = {"action": "update/failover", "outcome": "failure", "since": "2026-12-02T00:00"}
        page = self.content(self.client.get(INDEX, query))
        self.assertIn(self.row(self.refused), page)
        self.assertNotIn(self.row(self.made), page)
        _name, sent = self.audit.calls[-1]
        self.assertEqual(
            sent,
            {
                "all_projects": False,
                "action": "update/failover",
                "outcome": "failure",
                "since": "2026-12-02T00:00:00+00:00",
            },
        )
        self.assertIn(
            "/project/dr_audit/csv/?since=2026-12-02T00%3A00%3A00%2B00%3A00&amp;"
            "action=update%2Ffailover&amp;outcome=failure",
            page,
        )

    def test_times_are_filled_back_as_the_browsers_input_takes_them(self) -> None:
        page = self.content(
            self.client.get(
                INDEX, {"since": "2026-12-02T00:00:00+02:00", "until": "2026-12-03T08:30"}
            )
        )
        self.assertIn('name="since" value="2026-12-01T22:00"', page)
        self.assertIn('name="until" value="2026-12-03T08:30"', page)

    def test_a_bad_filter_is_shown_and_not_sent(self) -> None:
        page = self.content(self.client.get(INDEX, {"target_id": "no spaces!"}))
        self.assertIn("has-error", page)
        self.assertEqual(self.audit.calls[-1], ("list_audit_events", {"all_projects": False}))

    def test_csv_download(self) -> None:
        res = self.client.get(CSV, {"outcome": "failure"})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", res["Content-Disposition"])
        lines = res.content.decode().splitlines()
        self.assertEqual(lines[0], "id,event_time,action,outcome")
        self.assertEqual([line.split(",")[2] for line in lines[1:]], ["update/failover"])

    def test_an_events_page(self) -> None:
        url = reverse("horizon:project:dr_audit:detail", args=[self.refused["id"]])
        page = self.content(self.client.get(url))
        self.assertIn("update/failover", page)
        self.assertIn("failure (409)", page)
        self.assertIn("req-1", page)
        self.assertIn("192.0.2.7", page)
        self.assertIn("&quot;reasonCode&quot;: &quot;409&quot;", page)

    def test_gateway_down_is_a_message_not_a_crash(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach the draas gateway")
        with mock.patch("draas_dashboard.api.draas.list_audit_events", side_effect=down):
            res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        messages = [str(m) for m in res.context["messages"]]
        self.assertTrue(any("cannot reach the draas gateway" in m for m in messages), messages)

    def test_a_reader_reads_the_trail_too(self) -> None:
        self.set_roles("reader")
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertIn("update/failover", self.content(res))


class AdminAuditTrailTest(helpers.AuditTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.set_roles("admin")
        self.audit.admin = True
        mock.patch.object(
            keystone, "tenant_list", return_value=(self.tenants.list(), False)
        ).start()
        self.audit.add("create", "grp-finance", status=201)
        self.audit.add("delete", "grp-other", project_id=self.tenants.list()[1].id)

    def test_every_projects_events_with_their_project(self) -> None:
        res = self.client.get(ADMIN)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("grp-othe", page)
        self.assertIn("grp-fina", page)
        self.assertIn(self.tenants.list()[1].name, page)
        self.assertEqual(self.audit.calls[-1], ("list_audit_events", {"all_projects": True}))
        self.assertIn(f'href="{ADMIN_CSV}"', page)
        link = reverse("horizon:admin:dr_admin_audit:detail", args=[self.audit.events[0]["id"]])
        self.assertIn(link, page)

    def test_csv_of_every_project(self) -> None:
        res = self.client.get(ADMIN_CSV)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(len(res.content.decode().splitlines()), 3)
        self.assertEqual(self.audit.calls[-1], ("audit_csv", {"all_projects": True}))
