"""A group's page: its overview (sites, targets, replication health, what may be asked where),
its health history as a lag chart against the RPO target, its scheduled tests and its hooks
and application checks, its VMs with tiers (and which were added by tag), its readiness, its
recovery points (with the VMs each holds) and its operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tabs

from draas_dashboard import charts, lifecycle, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Group, Readiness
from draas_dashboard.content import common
from draas_dashboard.content.groups import tables as group_tables
from draas_dashboard.content.operations import tables as operation_tables


def readiness_of(request: Any, group: Group) -> Readiness | None:
    """The group's readiness when the user works at its target site (None elsewhere, or when
    it cannot be read: the readiness tab says why)."""
    site = common.group_here(request, group)
    if site is not None and site != group.target_site:
        return None
    try:
        return common.memo(
            request, ("readiness", group.id), lambda: draas.readiness(request, group.id)
        )
    except DraasError:
        return None


class OverviewTab(tabs.Tab):
    name = _("Overview")
    slug = "overview"
    template_name = "draas_dashboard/groups/_overview.html"

    def get_context_data(self, request: Any) -> dict[str, Any]:
        group: Group = self.tab_group.kwargs["group"]
        site = common.group_here(request, group)
        health = None
        problem = None
        if not group.vms:
            problem = str(_("the group has no VMs yet: nothing replicates"))
        else:
            try:
                health = draas.replication_health(request, group.id)
            except DraasError as error:
                problem = str(error)
        rules = []
        for name, where in lifecycle.allowed(group).items():
            at = lifecycle.where(group, name) if where is None else where
            rules.append(
                {
                    "label": lifecycle.LABELS[name],
                    "site": at or "?",
                    "here": site is None or at == site,
                    "switch": common.switch_link(request, at),
                }
            )
        bar = None
        if health is not None:
            bar = charts.rpo_bar(
                group.rpo_target_seconds,
                health.age_seconds,
                health.within_rpo_target,
                health.storage_link_up,
                width=300,
            )
        return {
            "group": group,
            "site": site,
            "health": health,
            "health_problem": problem,
            "rpo_bar": bar,
            "rules": rules,
            **_splits(request, group),
        }


def _splits(request: Any, group: Group) -> dict[str, Any]:
    """The group it was split from and the groups split from it (with where each runs):
    where the VMs that left it run now."""
    try:
        listed = common.memo(request, ("groups",), lambda: draas.list_groups(request))
    except DraasError:
        return {}
    parent = next((g for g in listed if g.id == group.get("split_from")), None)
    return {
        "split_from": parent,
        "split_off": [g for g in listed if g.get("split_from") == group.id],
    }


# The history's ranges: slug -> (label, seconds, seconds per point). Steps under an hour are
# read from the raw samples (kept a day), longer ones from the hourly roll-ups.
RANGES = {
    "1h": (_("1 hour"), 3600, 60),
    "6h": (_("6 hours"), 6 * 3600, 300),
    "24h": (_("24 hours"), 86400, 900),
    "7d": (_("7 days"), 7 * 86400, 3600),
    "30d": (_("30 days"), 30 * 86400, 14400),
}
DEFAULT_RANGE = "24h"


class HealthHistoryTab(tabs.Tab):
    """The group's current RPO over a range, as its target site sampled it, against its RPO
    target, with the replication link's outages; the range is the page's `range` query."""

    name = _("Health History")
    slug = "health_history"
    template_name = "draas_dashboard/groups/_history.html"
    preload = False

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        group: Group = self.tab_group.kwargs["group"]
        chosen = request.GET.get("range")
        if chosen not in RANGES:
            chosen = DEFAULT_RANGE
        label, span, step = RANGES[chosen]
        end = datetime.now(UTC)
        history = problem = None
        try:
            history = draas.health_history(
                request, group.id, end - timedelta(seconds=span), end, step
            )
        except DraasError as error:
            problem = str(error)
        ranges = [
            {
                "slug": slug,
                "label": text,
                "active": slug == chosen,
                "url": "?" + urlencode({"tab": self.get_id(), "range": slug}),
            }
            for slug, (text, _seconds, _step) in RANGES.items()
        ]
        return {
            "group": group,
            "history": history,
            "problem": problem,
            "chart": charts.lag_chart(history) if history is not None else None,
            "ranges": ranges,
            "range_label": label,
        }


class ScheduleTab(tabs.Tab):
    """When the group's tests run by themselves and how the last ones went (asked of its
    target site, which runs them), a scheduled test now, and its hooks and checks."""

    name = _("Schedule and Checks")
    slug = "schedule"
    template_name = "draas_dashboard/groups/_schedule.html"
    preload = False

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        group: Group = self.tab_group.kwargs["group"]
        site = common.group_here(request, group)
        state = problem = None
        try:
            state = draas.get_test_schedule(request, group.id)
        except DraasError as error:
            problem = str(error)
        at_target = site is None or site == group.target_site
        may_run = (
            sites.may_write(request)
            and group.schedule.enabled
            and lifecycle.may(group, lifecycle.TEST_FAILOVER, site)
        )
        last_url = None
        if state is not None and state.last_scheduled_operation_id and at_target:
            # Operations are kept at the site that ran them.
            last_url = reverse(
                "horizon:project:dr_operations:detail", args=[state.last_scheduled_operation_id]
            )
        return {
            "group": group,
            "state": state,
            "problem": problem,
            "schedule": state.schedule if state is not None else group.schedule,
            "at_target": at_target,
            "switch": common.switch_link(request, group.target_site),
            "run_url": reverse("horizon:project:dr_groups:run_scheduled_test", args=[group.id])
            if may_run
            else None,
            "last_url": last_url,
            "automation": group.hooks_and_checks,
        }


class VmsTab(tabs.TableTab):
    table_classes = (group_tables.GroupVmsTable,)
    name = _("VMs")
    slug = "vms"
    template_name = "horizon/common/_detail_table.html"

    def get_vms_data(self) -> list[group_tables.VmEntry]:
        request = self.request
        group: Group = self.tab_group.kwargs["group"]
        statuses: dict[str, str] = {}
        try:
            vms = common.memo(request, ("vms",), lambda: draas.list_vms(request))
            statuses = {v.server_id: str(v.status or "") for v in vms}
        except DraasError:
            exceptions.handle(request, _("Unable to list the project's VMs."))
        readiness = readiness_of(request, group)
        entries = []
        for vm in sorted(group.vms, key=lambda v: (v.tier or 0, str(v.name))):
            problems = None
            if readiness is not None:
                found = readiness.vm(vm.server_id)
                problems = [f"{c.name}: {c.reason}" for c in found.failed] if found else []
            entries.append(group_tables.VmEntry(vm, statuses.get(vm.server_id), problems))
        return entries


class ReadinessTab(tabs.TableTab):
    table_classes = (group_tables.ReadinessTable,)
    name = _("Readiness")
    slug = "readiness"
    template_name = "draas_dashboard/groups/_readiness.html"
    preload = False

    def get_readiness_data(self) -> list[group_tables.CheckEntry]:
        request = self.request
        group: Group = self.tab_group.kwargs["group"]
        site = common.group_here(request, group)
        self._elsewhere = site is not None and site != group.target_site
        self._readiness = None
        self._problem = None
        if self._elsewhere or not group.vms:
            return []
        try:
            readiness = common.memo(
                request, ("readiness", group.id), lambda: draas.readiness(request, group.id)
            )
        except DraasError as error:
            self._problem = str(error)
            return []
        self._readiness = readiness
        names = {vm.server_id: vm.name or vm.server_id for vm in group.vms}
        entries: list[group_tables.CheckEntry] = []
        for check in readiness.checks:
            entries.append(group_tables.CheckEntry(len(entries), str(_("the group")), check))
        for vm in readiness.vms:
            for check in vm.checks:
                label = str(names.get(vm.server_id, vm.server_id))
                entries.append(group_tables.CheckEntry(len(entries), label, check))
        return entries

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(request, **kwargs)
        group: Group = self.tab_group.kwargs["group"]
        context.update(
            {
                "group": group,
                "elsewhere": getattr(self, "_elsewhere", False),
                "readiness": getattr(self, "_readiness", None),
                "problem": getattr(self, "_problem", None),
                "switch": common.switch_link(request, group.target_site),
            }
        )
        return context


class RecoveryPointsTab(tabs.TableTab):
    table_classes = (group_tables.RecoveryPointsTable,)
    name = _("Recovery Points")
    slug = "recovery_points"
    template_name = "horizon/common/_detail_table.html"
    preload = False

    def get_recovery_points_data(self) -> list[Any]:
        group: Group = self.tab_group.kwargs["group"]
        try:
            return draas.recovery_points(self.request, group.id)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the recovery points."))
            return []


class OperationsTab(tabs.TableTab):
    table_classes = (operation_tables.GroupOperationsTable,)
    name = _("Operations")
    slug = "operations"
    template_name = "horizon/common/_detail_table.html"
    preload = False

    def get_operations_data(self) -> list[Any]:
        group: Group = self.tab_group.kwargs["group"]
        try:
            return draas.list_operations(self.request, group_id=group.id)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the group's operations."))
            return []


class GroupDetailTabs(tabs.DetailTabsGroup):
    slug = "group_details"
    tabs = (
        OverviewTab,
        HealthHistoryTab,
        ScheduleTab,
        VmsTab,
        ReadinessTab,
        RecoveryPointsTab,
        OperationsTab,
    )
