"""Failover groups as tables: the groups (state, replication, source → target, RPO target
against the current RPO as a bar, firing alerts, VMs, last test, readiness), a group's VMs,
its readiness checks and its recovery points; the actions each offered only where the state
allows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from draas_dashboard import charts, formatting, lifecycle, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.content import common

DETAIL = "horizon:project:dr_groups:detail"
HEALTH_CHOICES = (("ok", True), ("attention", False), ("loading", None))


def _here(table: Any, datum: Any = None) -> str | None:
    if datum is not None and getattr(datum, "site", None) is not None:
        return str(datum.site)
    rows = table.data or []
    return common.here(table.request, [getattr(r, "group", r) for r in rows])


def _group(datum: Any) -> Any:
    return getattr(datum, "group", datum)


class GroupAction(tables.LinkAction):
    """A link to a group's modal (an operation's confirmation, or adding a VM), offered only
    to members, in the states and at the site the gateway allows it."""

    request_name = ""
    classes: tuple[str, ...] = ("ajax-modal",)
    view = ""

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is None or not sites.may_write(request):
            return False
        return lifecycle.may(_group(datum), self.request_name, _here(self.table, datum))

    def get_link_url(self, datum: Any = None) -> str:
        return reverse(f"horizon:project:dr_groups:{self.view}", args=[_group(datum).id])


class TestFailover(GroupAction):
    name = "test_failover"
    verbose_name = _("Test Failover")
    request_name = lifecycle.TEST_FAILOVER
    view = "test_failover"
    icon = "flask"


class RunScheduledTest(GroupAction):
    """A test as the group's schedule runs one, now: offered where and when a test failover
    is, to a group whose tests run by themselves."""

    name = "run_scheduled_test"
    verbose_name = _("Run Scheduled Test Now")
    request_name = lifecycle.TEST_FAILOVER
    view = "run_scheduled_test"
    icon = "clock-o"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return super().allowed(request, datum) and _group(datum).schedule.enabled


class Failover(GroupAction):
    name = "failover"
    verbose_name = _("Failover")
    request_name = lifecycle.FAILOVER
    view = "failover"
    classes = ("ajax-modal", "btn-danger")
    icon = "bolt"


class Move(GroupAction):
    name = "move"
    verbose_name = _("Move")
    request_name = lifecycle.MOVE
    view = "move"
    classes = ("ajax-modal", "btn-danger")
    icon = "truck"


class Reprotect(GroupAction):
    name = "reprotect"
    verbose_name = _("Reprotect")
    request_name = lifecycle.REPROTECT
    view = "reprotect"
    icon = "shield"


class Failback(GroupAction):
    name = "failback"
    verbose_name = _("Failback")
    request_name = lifecycle.FAILBACK
    view = "failback"
    icon = "undo"


class AddVm(GroupAction):
    name = "add_vm"
    verbose_name = _("Add VM")
    request_name = lifecycle.CHANGE
    view = "add_vm"
    icon = "plus"


class EditTargets(GroupAction):
    name = "edit_targets"
    verbose_name = _("Edit Targets")
    request_name = lifecycle.CHANGE
    view = "edit_targets"
    icon = "pencil"


class CreateGroup(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Failover Group")
    url = "horizon:project:dr_groups:create"
    classes = ("ajax-modal",)
    icon = "plus"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return sites.may_write(request)


class DeleteGroup(tables.DeleteAction):
    help_text = _(
        "Deleting a group stops protecting its VMs: they keep running here, their volumes stop "
        "replicating to the target site and the group's recovery points there are no longer "
        "offered. Allowed while the group is protected, at its source site."
    )

    @staticmethod
    def action_present(count: int) -> Any:
        return ngettext_lazy("Delete Failover Group", "Delete Failover Groups", count)

    @staticmethod
    def action_past(count: int) -> Any:
        return ngettext_lazy("Deleted Failover Group", "Deleted Failover Groups", count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if not sites.may_write(request):
            return False
        if datum is None:
            return True
        return lifecycle.may(_group(datum), lifecycle.CHANGE, _here(self.table, datum))

    @tables.actions.handle_exception_with_detail_message(
        normal_log_message="Unable to delete failover group %(id)s: %(exc)s",
        target_exception=DraasError,
        target_log_message="Unable to delete failover group %(id)s: %(exc)s",
        target_user_message=_("Unable to delete failover group %(name)s: %(exc)s"),
        logger_name=__name__,
    )
    def delete(self, request: Any, obj_id: str) -> None:
        draas.delete_group(request, obj_id)


def _rpo(datum: Any) -> Any:
    if not datum.loaded:
        return "…"
    health = datum.health
    if health is None:
        return "-"
    target = datum.group.rpo_target_seconds
    bar = charts.rpo_bar(
        target, health.age_seconds, health.within_rpo_target, health.storage_link_up, width=120
    )
    if target:
        text = f"{formatting.seconds(health.age_seconds)} / {formatting.seconds(target)}"
    else:
        text = "0 (sync)" if health.storage_link_up else "link down"
    return format_html(
        '<span class="draas-rpo">{}<br><small style="white-space:nowrap">{}</small></span>',
        bar,
        text,
    )


def _last_test(datum: Any) -> Any:
    if not datum.loaded:
        return "…"
    test = datum.last_test
    if test is None:
        if not datum.at_target:
            return _("run at %(site)s") % {"site": datum.group.target_site}
        return _("never")
    url = reverse("horizon:project:dr_operations:detail", args=[test.id])
    return format_html(
        '<a href="{}">{}</a>, {} ago',
        url,
        formatting.label(formatting.OPERATION_STATES, test.state),
        formatting.age(test.get("finished_at") or test.get("created_at")),
    )


def _alerts(datum: Any) -> Any:
    """The group's firing alerts as a badge (red with a critical one, else orange) linking to
    them in the Alerts panel."""
    found = getattr(datum, "alerts", None)
    if found is None:
        return format_html(
            '<span class="text-muted" title="{}">?</span>', _("the alerts cannot be read")
        )
    if not found:
        return mark_safe('<span class="text-muted draas-alert-count" data-firing="0">0</span>')
    critical = any(a.severity == "critical" for a in found)
    url = reverse("horizon:project:dr_alerts:index") + "?" + urlencode({"group_id": datum.id})
    return format_html(
        '<a href="{}" class="label {} draas-alert-badge" data-firing="{}" title="{}">{}</a>',
        url,
        "label-danger" if critical else "label-warning",
        len(found),
        "; ".join(f"{a.severity}: {a.summary}" for a in found[:5]),
        len(found),
    )


def _problems(datum: Any) -> Any:
    if not datum.loaded:
        return ""
    found = list(datum.problems)
    if datum.readiness is not None:
        found += datum.readiness.problems
    return "; ".join(found[:3]) + (" …" if len(found) > 3 else "")


class GroupRowUpdate(tables.Row):
    """A group's row, filled in (health, readiness, last test) by its own request after the
    page has rendered, so that a page of many groups renders at once."""

    ajax = True

    def get_data(self, request: Any, group_id: str) -> common.GroupRow:
        group = draas.get_group(request, group_id)
        return common.load_row(request, group, common.here(request, [group]), with_alerts=True)


class GroupsTable(tables.DataTable):
    name = tables.WrappingColumn("display_name", verbose_name=_("Name"), link=DETAIL)
    state = tables.Column(
        lambda d: formatting.label(formatting.GROUP_STATES, d.state), verbose_name=_("State")
    )
    replication = tables.Column(
        lambda d: formatting.label(formatting.REPLICATION_TYPES, d.replication_type),
        verbose_name=_("Replication"),
    )
    route = tables.Column("route", verbose_name=_("Source → Target"))
    rpo = tables.Column(_rpo, verbose_name=_("RPO (current / target)"))
    link = tables.Column(lambda d: d.link_text, verbose_name=_("Link"))
    alerts = tables.Column(_alerts, verbose_name=_("Alerts"))
    vms = tables.Column("vm_count", verbose_name=_("VMs"))
    last_test = tables.Column(_last_test, verbose_name=_("Last Test"))
    readiness = tables.Column(lambda d: d.readiness_text, verbose_name=_("Readiness"))
    health = tables.Column(
        "status",
        verbose_name=_("Health"),
        status=True,
        status_choices=HEALTH_CHOICES,
        display_choices=(("ok", _("OK")), ("attention", _("Attention")), ("loading", "…")),
    )
    problems = tables.WrappingColumn(_problems, verbose_name=_("Problems"))

    def get_object_id(self, datum: Any) -> str:
        return str(datum.id)

    def get_object_display(self, datum: Any) -> str:
        return str(_group(datum).display_name)

    class Meta:
        name = "groups"
        verbose_name = _("Failover Groups")
        status_columns = ["health"]
        row_class = GroupRowUpdate
        table_actions = (CreateGroup, DeleteGroup)
        row_actions = (
            TestFailover,
            RunScheduledTest,
            Failover,
            Move,
            Reprotect,
            Failback,
            AddVm,
            EditTargets,
            DeleteGroup,
        )


# A group's VMs ------------------------------------------------------------------------------------


class VmEntry:
    """A VM of a group as its VMs tab shows it: its tier, Nova status and, at the target
    site, its readiness (every failed check, an ineligible volume included)."""

    def __init__(self, vm: Any, status: str | None, problems: list[str] | None) -> None:
        self.id = vm.server_id
        self.server_id = vm.server_id
        self.name = vm.name or vm.server_id
        self.tier = vm.tier
        self.added_at = vm.added_at
        self.by_tag = vm.by_tag
        self.status = status or "-"
        self.problems = problems

    @property
    def readiness(self) -> str:
        if self.problems is None:
            return "-"
        return "; ".join(self.problems) if self.problems else str(_("Ready"))


class RemoveVm(tables.BatchAction):
    name = "remove_vm"
    help_text = _(
        "The VM stops being protected: it keeps running here, its volumes leave the group's "
        "replication and a failover no longer recovers it."
    )
    action_type = "danger"

    @staticmethod
    def action_present(count: int) -> Any:
        return ngettext_lazy("Remove VM", "Remove VMs", count)

    @staticmethod
    def action_past(count: int) -> Any:
        return ngettext_lazy("Removed VM", "Removed VMs", count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        group = self.table.kwargs.get("group")
        if group is None or not sites.may_write(request):
            return False
        return lifecycle.may(group, lifecycle.CHANGE, common.here(request, [group]))

    @tables.actions.handle_exception_with_detail_message(
        normal_log_message="Unable to remove VM %(id)s: %(exc)s",
        target_exception=DraasError,
        target_log_message="Unable to remove VM %(id)s: %(exc)s",
        target_user_message=_("Unable to remove VM %(name)s: %(exc)s"),
        logger_name=__name__,
    )
    def action(self, request: Any, obj_id: str) -> None:
        draas.remove_vm(request, self.table.kwargs["group"].id, obj_id)


class AddVmToGroup(tables.LinkAction):
    name = "add_vm"
    verbose_name = _("Add VM")
    classes = ("ajax-modal",)
    icon = "plus"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        group = self.table.kwargs.get("group")
        if group is None or not sites.may_write(request):
            return False
        return lifecycle.may(group, lifecycle.CHANGE, common.here(request, [group]))

    def get_link_url(self, datum: Any = None) -> str:
        return reverse("horizon:project:dr_groups:add_vm", args=[self.table.kwargs["group"].id])


class SplitVms(AddVmToGroup):
    """Moves some of the group's VMs into a group of their own: where and when VMs may be
    added, to a group of more than one VM."""

    name = "split"
    verbose_name = _("Split Off VMs")
    icon = "scissors"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        group = self.table.kwargs.get("group")
        return super().allowed(request, datum) and len(group.vms) > 1

    def get_link_url(self, datum: Any = None) -> str:
        return reverse("horizon:project:dr_groups:split", args=[self.table.kwargs["group"].id])


def _added_by(entry: VmEntry) -> Any:
    if entry.by_tag:
        return format_html(
            '<span class="label label-info draas-by-tag" title="{}">{}</span>',
            _(
                "Its server is tagged draas:policy with the group's policy: it leaves the group "
                "when the tag goes."
            ),
            _("tag"),
        )
    return _("hand")


class GroupVmsTable(tables.DataTable):
    name = tables.WrappingColumn("name", verbose_name=_("VM"))
    server_id = tables.Column("server_id", verbose_name=_("Server ID"))
    tier = tables.Column("tier", verbose_name=_("Tier"))
    status = tables.Column("status", verbose_name=_("Status"))
    added = tables.Column(lambda d: formatting.age(d.added_at), verbose_name=_("Protected For"))
    added_by = tables.Column(_added_by, verbose_name=_("Added By"))
    readiness = tables.WrappingColumn("readiness", verbose_name=_("Readiness"))

    def get_object_display(self, datum: Any) -> str:
        return str(datum.name)

    class Meta:
        name = "vms"
        verbose_name = _("VMs")
        table_actions = (AddVmToGroup, SplitVms, RemoveVm)
        row_actions = (RemoveVm,)


# Readiness and recovery points --------------------------------------------------------------------


class CheckEntry:
    def __init__(self, index: int, who: str, check: Any) -> None:
        self.id = str(index)
        self.who = who
        self.name = check.name
        self.ok = "yes" if check.ok else "no"
        self.reason = check.reason or "-"


class ReadinessTable(tables.DataTable):
    who = tables.Column("who", verbose_name=_("Of"))
    name = tables.Column("name", verbose_name=_("Check"))
    ok = tables.Column(
        "ok",
        verbose_name=_("OK"),
        status=True,
        status_choices=(("yes", True), ("no", False)),
        display_choices=(("yes", _("Yes")), ("no", _("No"))),
    )
    reason = tables.WrappingColumn("reason", verbose_name=_("Reason"))

    class Meta:
        name = "readiness"
        verbose_name = _("Readiness")
        status_columns = ["ok"]


def _point_vms(point: Any, names: dict[str, str]) -> Any:
    """The group's VMs the point holds, by name; those it lacks are named too (a failover
    from it would not recover them)."""
    if "server_ids" not in point.raw():
        return "-"
    held = point.server_ids
    text = ", ".join(names.get(s, s) for s in held) or str(_("none"))
    missing = [name for server_id, name in names.items() if server_id not in held]
    if not missing:
        return format_html('<span class="draas-point-vms">{}</span>', text)
    return format_html(
        '<span class="draas-point-vms">{}</span><br><small class="text-warning">{}</small>',
        text,
        _("not: %(vms)s (joined later)") % {"vms": ", ".join(missing)},
    )


class PointVmsColumn(tables.WrappingColumn):
    """The group's VMs a recovery point holds (the table's `group` names them)."""

    def get_raw_data(self, datum: Any) -> Any:
        group = self.table.kwargs.get("group")
        vms = group.vms if group is not None else []
        return _point_vms(datum, {vm.server_id: str(vm.name or vm.server_id) for vm in vms})


class RecoveryPointsTable(tables.DataTable):
    point = tables.Column("id", verbose_name=_("Recovery Point"))
    created = tables.Column(lambda p: formatting.when(p.created_at), verbose_name=_("Taken At"))
    age = tables.Column(lambda p: formatting.age(p.created_at), verbose_name=_("Age"))
    completed = tables.Column(
        lambda p: formatting.when(p.completed_at) if p.completed_at else _("arriving"),
        verbose_name=_("Arrived At"),
    )
    progress = tables.Column(
        lambda p: f"{float(p.progress or 0.0):.0%}", verbose_name=_("Transferred")
    )
    arrays = tables.Column(
        lambda p: f"{p.source_array or '?'} → {p.target_array or '?'}", verbose_name=_("Arrays")
    )
    vms = PointVmsColumn("server_ids", verbose_name=_("VMs It Holds"))

    class Meta:
        name = "recovery_points"
        verbose_name = _("Recovery Points")
