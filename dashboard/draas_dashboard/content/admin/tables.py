"""The admin panel's tables: every project's groups (with replication health) and every
project's operations at this site. Reading only: admins act in a project from its own pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from draas_dashboard import formatting
from draas_dashboard.content.groups import tables as group_tables
from draas_dashboard.content.operations import tables as operation_tables


class ProjectColumn(tables.Column):
    """A project by name (from Keystone, when the view could read the names), else its id."""

    def get_raw_data(self, datum: Any) -> str:
        project = str(getattr(datum, "group", datum).project_id)
        names = getattr(self.table, "project_names", None) or {}
        return f"{names[project]} ({project[:8]})" if project in names else project


class GroupNameColumn(tables.Column):
    """An operation's group by name (from the every-project groups table's data)."""

    def get_raw_data(self, datum: Any) -> str:
        names = getattr(self.table, "group_names", None) or {}
        return str(names.get(datum.group_id) or formatting.short_id(datum.group_id))


class AdminGroupsTable(tables.DataTable):
    project = ProjectColumn("project_id", verbose_name=_("Project"))
    name = tables.WrappingColumn("display_name", verbose_name=_("Name"))
    state = tables.Column(
        lambda d: formatting.label(formatting.GROUP_STATES, d.state), verbose_name=_("State")
    )
    replication = tables.Column(
        lambda d: formatting.label(formatting.REPLICATION_TYPES, d.replication_type),
        verbose_name=_("Replication"),
    )
    route = tables.Column("route", verbose_name=_("Source → Target"))
    rpo = tables.Column(group_tables._rpo, verbose_name=_("RPO (current / target)"))
    link = tables.Column(lambda d: d.link_text, verbose_name=_("Link"))
    vms = tables.Column("vm_count", verbose_name=_("VMs"))
    last_test = tables.Column(
        lambda d: (
            formatting.age(d.last_test.get("finished_at") or d.last_test.get("created_at")) + " ago"
            if d.last_test
            else "-"
        ),
        verbose_name=_("Last Test"),
    )
    health = tables.Column(
        "status",
        verbose_name=_("Health"),
        status=True,
        status_choices=group_tables.HEALTH_CHOICES,
        display_choices=(("ok", _("OK")), ("attention", _("Attention")), ("loading", "…")),
    )
    problems = tables.WrappingColumn(group_tables._problems, verbose_name=_("Problems"))

    def get_object_id(self, datum: Any) -> str:
        return str(datum.id)

    class Meta:
        name = "groups"
        verbose_name = _("Failover Groups of Every Project")
        status_columns = ["health"]


def _admin_detail(op: Any) -> str:
    return reverse("horizon:admin:dr_admin:operation", args=[op.project_id, op.id])


class AdminOperationsTable(tables.DataTable):
    project = ProjectColumn("project_id", verbose_name=_("Project"))
    id = tables.Column(
        lambda o: formatting.short_id(o.id), verbose_name=_("ID"), link=_admin_detail
    )
    kind = tables.Column(
        lambda o: formatting.label(formatting.OPERATION_KINDS, o.kind), verbose_name=_("Kind")
    )
    group = GroupNameColumn("group_id", verbose_name=_("Group"))
    state = tables.Column(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=operation_tables.STATE_CHOICES,
        display_choices=tuple(formatting.OPERATION_STATES.items()),
    )
    progress = tables.Column(operation_tables._progress, verbose_name=_("Progress"))
    created = tables.Column(
        lambda o: f"{formatting.age(o.created_at)} ago", verbose_name=_("Started")
    )
    duration = tables.Column(
        lambda o: formatting.seconds(o.duration_seconds), verbose_name=_("Took")
    )
    error = tables.WrappingColumn(lambda o: o.error or "", verbose_name=_("Error"))

    class Meta:
        name = "operations"
        verbose_name = _("Operations of Every Project")
        status_columns = ["state"]
