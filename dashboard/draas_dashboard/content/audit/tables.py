"""The audit trail as a table: when, who, what to which thing, how it ended, from where, and
the request id (X-OpenStack-Request-Id) to find it in the gateway's log. Reading only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables

from draas_dashboard import formatting

OUTCOME_CHOICES = (("success", True), ("failure", False), ("pending", None))


def _target(event: Any) -> str:
    return f"{event.target_type} {formatting.short_id(event.target_id)}"


def _outcome(event: Any) -> str:
    return f"{event.outcome} ({event.status})" if event.status else event.outcome


class ProjectColumn(tables.Column):
    """The event's project by name (when the view could read the names), else its id."""

    def get_raw_data(self, datum: Any) -> str:
        project = datum.project_id
        names = getattr(self.table, "project_names", None) or {}
        return f"{names[project]} ({project[:8]})" if project in names else project or "-"


class AuditTable(tables.DataTable):
    time = tables.Column("time", verbose_name=_("Time"), link="horizon:project:dr_audit:detail")
    user = tables.Column("user", verbose_name=_("User"))
    action = tables.Column("action", verbose_name=_("Action"))
    target = tables.Column(_target, verbose_name=_("Target"))
    outcome = tables.Column(
        "outcome",
        verbose_name=_("Outcome"),
        status=True,
        status_choices=OUTCOME_CHOICES,
        display_choices=(("success", _("success")), ("failure", _("failure"))),
    )
    status = tables.Column("status", verbose_name=_("Status"))
    address = tables.Column("address", verbose_name=_("Address"))
    request_id = tables.Column("request_id", verbose_name=_("Request ID"))
    detail = tables.WrappingColumn("detail", verbose_name=_("Detail"))

    class Meta:
        name = "audit_events"
        verbose_name = _("Audit Events")
        status_columns = ["outcome"]


class AdminAuditTable(AuditTable):
    time = tables.Column("time", verbose_name=_("Time"), link="horizon:admin:dr_admin_audit:detail")
    project = ProjectColumn("project_id", verbose_name=_("Project"))

    class Meta:
        name = "audit_events"
        verbose_name = _("Audit Events")
        status_columns = ["outcome"]
        columns = (
            "time",
            "project",
            "user",
            "action",
            "target",
            "outcome",
            "status",
            "address",
            "request_id",
            "detail",
        )
