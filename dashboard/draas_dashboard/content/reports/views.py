"""The Reports panel: a period (and optionally one group) chosen, the project's DR compliance
over it as the gateway reports it (from every site that watches its groups), and the same
report downloaded as CSV or as a printable page. The downloads go through the dashboard,
which asks the gateway with the user's token, for the very period the page shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from horizon import exceptions, tables

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import ComplianceReport, GroupCompliance, parse_time
from draas_dashboard.content import common
from draas_dashboard.content.reports import tables as report_tables

INDEX = "horizon:project:dr_reports:index"
PERIODS = {
    "1d": (_("The last 24 hours"), timedelta(days=1)),
    "7d": (_("The last 7 days"), timedelta(days=7)),
    "30d": (_("The last 30 days"), timedelta(days=30)),
    "90d": (_("The last 90 days"), timedelta(days=90)),
    "365d": (_("The last 365 days"), timedelta(days=365)),
}
CUSTOM, DEFAULT_PERIOD = "custom", "30d"
# What a browser's datetime-local input takes as its value.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
# The printable page is the gateway's (every value escaped there); it is served from this
# origin, so it may run nothing and load nothing.
PRINTABLE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class PeriodForm(forms.Form):
    """The report's period and group, from the page's query string (times in UTC)."""

    period = forms.ChoiceField(
        required=False,
        label=_("Period"),
        choices=[*((k, v[0]) for k, v in PERIODS.items()), (CUSTOM, _("From … until …"))],
    )
    since = forms.DateTimeField(
        required=False,
        label=_("From (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    until = forms.DateTimeField(
        required=False,
        label=_("Until (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    group_id = forms.ChoiceField(required=False, label=_("Group"))

    def __init__(self, *args: Any, groups: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_id"].choices = [("", _("Every group"))] + [
            (str(g.id), str(g.display_name)) for g in groups
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("period") == CUSTOM:
            since, until = data.get("since"), data.get("until")
            if not since:
                self.add_error("since", _("From when?"))
            elif until and until <= since:
                self.add_error("until", _("After the start, please."))
        return data

    def span(self, now: datetime) -> tuple[datetime, datetime]:
        """The period as [start, end) in UTC (the default period when the form is not valid)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("period") == CUSTOM:
            return _utc(data["since"]), _utc(data.get("until") or now)
        _label, length = PERIODS.get(data.get("period") or DEFAULT_PERIOD, PERIODS[DEFAULT_PERIOD])
        return now - length, now

    def group(self) -> str:
        return str(self.cleaned_data.get("group_id") or "") if self.is_valid() else ""


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class IndexView(tables.DataTableView):
    table_class = report_tables.ComplianceTable
    template_name = "draas_dashboard/reports/index.html"
    page_title = _("Reports")

    def form(self) -> PeriodForm:
        def make() -> PeriodForm:
            try:
                groups = common.groups(self.request)
            except DraasError:
                groups = []
            query = {k: v for k, v in self.request.GET.items() if k in PeriodForm.base_fields}
            return PeriodForm(query or {"period": DEFAULT_PERIOD}, groups=groups)

        return common.memo(self.request, ("report_form",), make)

    def report(self) -> ComplianceReport | None:
        form = self.form()
        start, end = form.span(datetime.now(UTC).replace(microsecond=0))

        def fetch() -> ComplianceReport | None:
            try:
                return draas.compliance_report(self.request, start, end, form.group())
            except DraasError:
                exceptions.handle(self.request, _("Unable to make the compliance report."))
                return None

        return common.memo(self.request, ("compliance",), fetch)

    def get_data(self) -> list[GroupCompliance]:
        report = self.report()
        return report.groups if report is not None else []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        report = self.report()
        context["period_form"] = self.form()
        context["report"] = report
        if report is not None:
            # The downloads ask for the period this page shows, to the second.
            query = urlencode(
                {
                    k: v
                    for k, v in (
                        ("start", report.start),
                        ("end", report.end),
                        ("group_id", self.form().group()),
                    )
                    if v
                }
            )
            context["csv_url"] = reverse("horizon:project:dr_reports:download", args=["csv"])
            context["csv_url"] += f"?{query}"
            context["html_url"] = reverse("horizon:project:dr_reports:download", args=["html"])
            context["html_url"] += f"?{query}"
        return context


class DownloadView(View):
    """The gateway's report as a file: csv (a download) or html (a printable page)."""

    def get(self, request: Any, file_format: str) -> HttpResponse:
        start = parse_time(request.GET.get("start"))
        end = parse_time(request.GET.get("end"))
        group_id = request.GET.get("group_id", "")
        try:
            body = draas.compliance_file(request, file_format, start, end, group_id)
        except DraasError:
            exceptions.handle(
                request, _("Unable to download the compliance report."), redirect=reverse(INDEX)
            )
            raise
        if file_format == "csv":
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="dr-compliance.csv"'
        else:
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
            response["Content-Disposition"] = 'inline; filename="dr-compliance.html"'
            response["Content-Security-Policy"] = PRINTABLE_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        return response
