"""Operations as tables: kind, state (a running one's row updates itself), group, progress,
times; a test failover that has ended offers its cleanup."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from draas_dashboard import formatting, lifecycle, sites
from draas_dashboard.api import draas
from draas_dashboard.content import common

DETAIL = "horizon:project:dr_operations:detail"
STATE_CHOICES = (
    ("pending", None),
    ("running", None),
    ("compensating", None),
    ("succeeded", True),
    ("partially_succeeded", False),
    ("failed", False),
    ("compensated", False),
)


def _progress(op: Any) -> str:
    vms = op.vms
    if not vms:
        return "-"
    done = sum(1 for vm in vms if vm.state in ("succeeded", "skipped"))
    failed = sum(1 for vm in vms if vm.state in ("failed", "reverted"))
    text = f"{done}/{len(vms)} VMs done"
    if failed:
        text += f", {failed} failed"
    running = [vm for vm in vms if vm.state == "running" and vm.current_step]
    if running and op.active:
        text += f" ({running[0].name or running[0].server_id}: {running[0].current_step})"
    return text


def _group_name(table: Any, op: Any) -> str:
    names = table.__dict__.get("_group_names")
    if names is None:
        try:
            names = {g.id: g.display_name for g in common.groups(table.request)}
        except Exception:
            names = {}
        table.__dict__["_group_names"] = names
    return str(names.get(op.group_id) or formatting.short_id(op.group_id))


class GroupColumn(tables.Column):
    """The operation's group by name (the project's groups, read once per table)."""

    def get_raw_data(self, datum: Any) -> str:
        return _group_name(self.table, datum)


class Cleanup(tables.LinkAction):
    name = "cleanup"
    verbose_name = _("Clean Up")
    classes = ("ajax-modal", "btn-danger")
    icon = "trash"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is None or not sites.may_write(request):
            return False
        return lifecycle.may_clean_up(datum, self.table.data or [datum])

    def get_link_url(self, datum: Any = None) -> str:
        return reverse("horizon:project:dr_operations:cleanup", args=[datum.id])


class OperationRow(tables.Row):
    """A running operation's row updates itself until the operation ends."""

    ajax = True

    def get_data(self, request: Any, operation_id: str) -> Any:
        return draas.get_operation(request, operation_id)


class OperationsTable(tables.DataTable):
    id = tables.Column(lambda o: formatting.short_id(o.id), verbose_name=_("ID"), link=DETAIL)
    kind = tables.Column(
        lambda o: formatting.label(formatting.OPERATION_KINDS, o.kind), verbose_name=_("Kind")
    )
    group = GroupColumn(
        "group_id",
        verbose_name=_("Group"),
        link=lambda o: reverse("horizon:project:dr_groups:detail", args=[o.group_id]),
    )
    state = tables.Column(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=STATE_CHOICES,
        display_choices=tuple(formatting.OPERATION_STATES.items()),
    )
    progress = tables.Column(_progress, verbose_name=_("Progress"))
    created = tables.Column(
        lambda o: f"{formatting.age(o.created_at)} ago", verbose_name=_("Started")
    )
    duration = tables.Column(
        lambda o: formatting.seconds(o.duration_seconds), verbose_name=_("Took")
    )
    error = tables.WrappingColumn(lambda o: o.error or "", verbose_name=_("Error"))

    def get_object_display(self, datum: Any) -> str:
        kind = formatting.label(formatting.OPERATION_KINDS, datum.kind)
        return f"{kind} {formatting.short_id(datum.id)}"

    class Meta:
        name = "operations"
        verbose_name = _("Operations")
        status_columns = ["state"]
        row_class = OperationRow
        row_actions = (Cleanup,)


class GroupOperationsTable(OperationsTable):
    """A group's operations (on its page): no row updates, the group column dropped."""

    class Meta:
        name = "operations"
        verbose_name = _("Operations")
        status_columns = ["state"]
        columns = ("id", "kind", "state", "progress", "created", "duration", "error")
        row_actions = (Cleanup,)
