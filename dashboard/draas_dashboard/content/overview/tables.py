"""The overview's tables: every VM of the project with its protection, and every group's
replication health, readiness and last test (filled in row by row after the page renders)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from horizon import tables

from draas_dashboard import formatting
from draas_dashboard.content.groups import tables as group_tables


def _protection(vm: Any) -> Any:
    if vm.state == "protected":
        url = reverse("horizon:project:dr_groups:detail", args=[vm.group_id])
        return format_html(
            'Protected in <a href="{}">{}</a> (tier {})', url, vm.group_name or vm.group_id, vm.tier
        )
    if vm.state == "eligible":
        return format_html("Eligible for {}", ", ".join(vm.eligible_for) or "-")
    if vm.state == "not_eligible":
        return format_html("Not eligible: {}", "; ".join(vm.reasons) or "-")
    return formatting.label(formatting.VM_PROTECTION, vm.state)


class VmsTable(tables.DataTable):
    name = tables.WrappingColumn(lambda v: v.name or v.server_id, verbose_name=_("VM"))
    status = tables.Column("status", verbose_name=_("Status"))
    protection_state = tables.Column(
        lambda v: formatting.label(formatting.VM_PROTECTION, v.state),
        verbose_name=_("Protection"),
    )
    protection = tables.WrappingColumn(_protection, verbose_name=_("Details"))
    server_id = tables.Column("server_id", verbose_name=_("Server ID"))

    def get_object_display(self, datum: Any) -> str:
        return str(datum.name or datum.server_id)

    class Meta:
        name = "vms"
        verbose_name = _("Virtual Machines")


class OverviewGroupsTable(group_tables.GroupsTable):
    """The groups at a glance: no actions."""

    class Meta:
        name = "groups"
        verbose_name = _("Failover Groups")
        status_columns = ["health"]
        row_class = group_tables.GroupRowUpdate
        columns = (
            "name",
            "state",
            "route",
            "rpo",
            "link",
            "alerts",
            "readiness",
            "last_test",
            "health",
            "problems",
        )
