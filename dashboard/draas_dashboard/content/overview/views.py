"""The overview: the project's VMs and their protection, its groups' replication health,
readiness, last test and firing alerts, and how many alerts fire, at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Vm
from draas_dashboard.content import common
from draas_dashboard.content.overview import tables as overview_tables


class IndexView(tables.MultiTableView):
    table_classes = (overview_tables.OverviewGroupsTable, overview_tables.VmsTable)
    template_name = "draas_dashboard/overview/index.html"
    page_title = _("Disaster Recovery")

    def get_groups_data(self) -> list[common.GroupRow]:
        try:
            found = common.groups(self.request)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the failover groups."))
            return []
        return common.rows(self.request, found, common.here(self.request, found))

    def get_vms_data(self) -> list[Vm]:
        try:
            return common.memo(self.request, ("vms",), lambda: draas.list_vms(self.request))
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the project's VMs."))
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        vms = context["vms_table"].data or []
        rows = context["groups_table"].data or []
        counts = Counter(str(vm.state) for vm in vms)
        states = Counter(str(row.group.state) for row in rows)
        context["summary"] = {
            "vms": len(vms),
            "protected": counts.get("protected", 0),
            "eligible": counts.get("eligible", 0),
            "not_eligible": counts.get("not_eligible", 0),
            "groups": len(rows),
            "group_states": sorted(states.items()),
        }
        context["site"] = common.here(self.request)
        context["alerts"] = common.firing_alerts(self.request)
        if context["alerts"] is not None:
            firing = context["alerts"].alerts
            context["firing"] = len(firing)
            context["critical"] = sum(1 for a in firing if a.severity == "critical")
        context["alerts_url"] = reverse("horizon:project:dr_alerts:index")
        return context
