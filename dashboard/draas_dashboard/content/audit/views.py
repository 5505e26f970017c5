"""The audit trail panels: the project's events at this site (the admin dashboard: every
project's), filtered by time, action, outcome and target, one event's page, and the gateway's
CSV export of what the filters select."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from horizon import exceptions, tables, views

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.content import common
from draas_dashboard.content.audit import tables as audit_tables

ACTIONS = (
    ("", _("Any action")),
    ("create", _("create")),
    ("update", _("update")),
    ("delete", _("delete")),
    ("update/test-failover", _("test failover")),
    ("update/failover", _("failover")),
    ("update/reprotect", _("reprotect")),
    ("update/failback", _("failback")),
    ("update/cleanup", _("cleanup")),
)
OUTCOMES = (
    ("", _("Any outcome")),
    ("success", _("success")),
    ("failure", _("failure")),
    ("pending", _("pending (outcome never recorded)")),
)
# The newest this many events are shown; the CSV export holds every matching one.
SHOWN = 200
# What a browser's datetime-local input takes as its value (no seconds, no zone).
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class FilterForm(forms.Form):
    """The listing's filters, from the page's query string (times in UTC)."""

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
    action = forms.ChoiceField(required=False, choices=ACTIONS, label=_("Action"))
    outcome = forms.ChoiceField(required=False, choices=OUTCOMES, label=_("Outcome"))
    target_id = forms.RegexField(
        required=False,
        regex=r"^[A-Za-z0-9_.:-]*$",
        max_length=255,
        label=_("Target ID"),
    )

    def filters(self) -> dict[str, Any]:
        """The gateway's filters for the valid fields (none when the form is not valid)."""
        if not self.is_valid():
            return {}
        found: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, datetime):
                moment = value if value.tzinfo else value.replace(tzinfo=UTC)
                found[name] = moment.astimezone(UTC).isoformat()
            elif value:
                found[name] = value
        return found


def _form(request: Any) -> FilterForm:
    """The filters of the query string; valid times are filled back in UTC as the browser's
    datetime-local input takes them (it shows nothing for an ISO 8601 time with seconds or a
    zone, such as the CSV link's)."""
    data = {k: v for k, v in request.GET.items() if k in FilterForm.base_fields}
    form = FilterForm(data)
    if not form.is_valid():
        return form
    for name in ("since", "until"):
        value = form.cleaned_data.get(name)
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            data[name] = moment.astimezone(UTC).strftime(LOCAL_INPUT)
    return FilterForm(data)


class IndexView(tables.DataTableView):
    table_class = audit_tables.AuditTable
    template_name = "draas_dashboard/audit/index.html"
    page_title = _("Audit Trail")
    all_projects = False
    csv_url = "horizon:project:dr_audit:csv"

    def get_data(self) -> list[draas.AuditEvent]:
        form = _form(self.request)
        try:
            return draas.list_audit_events(
                self.request, all_projects=self.all_projects, limit=SHOWN, **form.filters()
            )
        except DraasError:
            exceptions.handle(self.request, _("Unable to read the audit trail."))
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        form = _form(self.request)
        query = urlencode(form.filters())
        context["filter_form"] = form
        context["csv_link"] = reverse(self.csv_url) + (f"?{query}" if query else "")
        context["shown"] = SHOWN
        context["intro"] = (
            _(
                "Every request that changed or tried to change something in any project at "
                "this site, refused ones included, newest first."
            )
            if self.all_projects
            else _(
                "Every request that changed or tried to change something in this project at "
                "this site, refused ones included, newest first."
            )
        )
        return context


class AdminIndexView(IndexView):
    table_class = audit_tables.AdminAuditTable
    all_projects = True
    csv_url = "horizon:admin:dr_admin_audit:csv"

    def get_tables(self) -> dict[str, Any]:
        from draas_dashboard.content.admin.views import project_names  # noqa: PLC0415

        found: dict[str, Any] = super().get_tables()
        names = common.memo(self.request, ("project_names",), lambda: project_names(self.request))
        for table in found.values():
            table.project_names = names
        return found


class CsvView(View):
    """The gateway's CSV export of every event the filters select."""

    all_projects = False
    index_url = "horizon:project:dr_audit:index"

    def get(self, request: Any) -> HttpResponse:
        form = _form(request)
        try:
            body = draas.audit_csv(request, all_projects=self.all_projects, **form.filters())
        except DraasError:
            exceptions.handle(
                request, _("Unable to export the audit trail."), redirect=reverse(self.index_url)
            )
            raise
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
        return response


class AdminCsvView(CsvView):
    all_projects = True
    index_url = "horizon:admin:dr_admin_audit:index"


class DetailView(views.HorizonTemplateView):
    template_name = "draas_dashboard/audit/detail.html"
    page_title = _("Audit Event {{ event.id }}")
    index_url = "horizon:project:dr_audit:index"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        try:
            event = draas.get_audit_event(self.request, self.kwargs["event_id"])
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read audit event "%s".') % self.kwargs["event_id"],
                redirect=reverse(self.index_url),
            )
            raise
        context["event"] = event
        context["request_sent"] = event.attachment("request") or {}
        context["response"] = event.attachment("response") or {}
        context["cadf"] = json.dumps(event.raw(), indent=2, sort_keys=True)
        context["index_url"] = reverse(self.index_url)
        return context


class AdminDetailView(DetailView):
    index_url = "horizon:admin:dr_admin_audit:index"
