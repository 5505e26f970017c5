"""The Reports panel: the compliance report over a chosen period (and group) rendered as a
table, and the gateway's CSV and printable HTML for the very period shown, downloaded through
the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasRecoverable
from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_reports:index")
CSV = reverse("horizon:project:dr_reports:download", args=["csv"])
HTML = reverse("horizon:project:dr_reports:download", args=["html"])


class ReportsTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.finance = self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.finance["rto_target"] = 600.0
        self.retail = self.gateway.add_group("Retail", vms=(("shop-1", 1),))

    def asked(self) -> dict:
        return self.gateway.called("compliance_report")[-1]

    def link(self, page: str, css: str) -> str:
        found = page.split(f'class="btn btn-default {css}" href="')[1].split('"', maxsplit=1)[0]
        return found.replace("&amp;", "&")

    def test_the_last_30_days_of_every_group_by_default(self) -> None:
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        asked = self.asked()
        self.assertEqual(asked["end"] - asked["start"], timedelta(days=30))
        self.assertEqual(asked["group_id"], "")
        self.assertIn('id="compliance__row__grp-finance"', page)
        self.assertIn('id="compliance__row__grp-retail"', page)
        self.assertIn("99.5 %", page)
        self.assertIn("1 / 2", page, "tests passed of run")
        self.assertIn("1m36s / 10m00s", page)
        self.assertIn("30d00h", page, "observed")
        self.assertIn("(met)", page)
        self.assertIn('<option value="30d" selected>', page)

    def test_a_period_and_a_group(self) -> None:
        page = self.content(self.client.get(INDEX, {"period": "7d", "group_id": "grp-retail"}))
        asked = self.asked()
        self.assertEqual(asked["end"] - asked["start"], timedelta(days=7))
        self.assertEqual(asked["group_id"], "grp-retail")
        self.assertNotIn('id="compliance__row__grp-finance"', page)
        self.assertIn('<option value="grp-retail" selected>Retail</option>', page)

    def test_a_period_from_until(self) -> None:
        self.client.get(
            INDEX, {"period": "custom", "since": "2026-11-01T00:00", "until": "2026-12-01T00:00"}
        )
        asked = self.asked()
        self.assertEqual(asked["start"], datetime(2026, 11, 1, tzinfo=UTC))
        self.assertEqual(asked["end"], datetime(2026, 12, 1, tzinfo=UTC))
        page = self.content(
            self.client.get(
                INDEX,
                {"period": "custom", "since": "2026-12-01T00:00", "until": "2026-11-01T00:00"},
            )
        )
        self.assertIn("After the start", page)

    def test_the_downloads_are_of_the_period_shown(self) -> None:
        page = self.content(self.client.get(INDEX, {"period": "7d", "group_id": "grp-finance"}))
        shown = self.asked()
        link = self.link(page, "draas-report-csv")
        self.assertEqual(urlsplit(link).path, CSV)
        query = parse_qs(urlsplit(link).query)
        self.assertEqual(query["group_id"], ["grp-finance"])
        res = self.client.get(link)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(res["Content-Disposition"], 'attachment; filename="dr-compliance.csv"')
        self.assertEqual(
            res.content.decode().splitlines(),
            ["Group,Group ID,RPO compliance (%)", "Finance,grp-finance,99.5", "All groups,,99.5"],
        )
        fetched = self.gateway.called("compliance_file")[-1]
        self.assertEqual(fetched["file_format"], "csv")
        self.assertEqual(fetched["group_id"], "grp-finance")
        # To the second: the gateway's report names the period it covered.
        self.assertEqual(
            (fetched["start"], fetched["end"]),
            (shown["start"].replace(microsecond=0), shown["end"].replace(microsecond=0)),
        )

    def test_the_printable_page_runs_nothing(self) -> None:
        page = self.content(self.client.get(INDEX))
        res = self.client.get(self.link(page, "draas-report-html"))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(
            res["Content-Security-Policy"], "default-src 'none'; style-src 'unsafe-inline'"
        )
        self.assertIn(b"<li>Finance</li>", res.content)

    def test_a_refused_download_goes_back_with_the_reason(self) -> None:
        refused = DraasRecoverable(400, "Bad request", "start: the history is kept for 800 days")
        with mock.patch.object(draas, "compliance_file", side_effect=refused):
            res = self.client.get(CSV, {"start": "2020-01-01T00:00:00Z"})
        self.assertRedirectsNoFollow(res, INDEX)

    def test_a_report_that_cannot_be_made_is_a_message(self) -> None:
        refused = DraasRecoverable(503, "Unavailable", "the orchestrator does not answer")
        with mock.patch.object(draas, "compliance_report", side_effect=refused):
            res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        messages = [str(m) for m in res.context["messages"]]
        self.assertTrue(any("does not answer" in m for m in messages), messages)
        self.assertNotIn("draas-report-csv", self.content(res))
