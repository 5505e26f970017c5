"""The admin panel: the sites and their replication health, every project's groups (each
with its replication health) and every project's operations at this site; an operation's
page with its report."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables
from openstack_dashboard.api import keystone

from draas_dashboard import sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Operation
from draas_dashboard.content import common
from draas_dashboard.content.admin import tables as admin_tables
from draas_dashboard.content.operations import views as operation_views

# Replication health is asked per group; this many at once.
WORKERS = 8


def project_names(request: Any) -> dict[str, str]:
    """Project ids to names, from this site's Keystone (empty when it cannot be read: the
    tables show ids then)."""
    try:
        projects, _more = keystone.tenant_list(request, paginate=False)
    except Exception:
        return {}
    return {str(p.id): str(p.name) for p in projects}


class IndexView(tables.MultiTableView):
    table_classes = (admin_tables.AdminGroupsTable, admin_tables.AdminOperationsTable)
    template_name = "draas_dashboard/admin/index.html"
    page_title = _("Disaster Recovery")

    def operations(self) -> list[Operation]:
        try:
            return common.memo(
                self.request,
                ("operations", "all"),
                lambda: draas.list_operations(self.request, all_projects=True),
            )
        except DraasError:
            exceptions.handle(self.request, _("Unable to list every project's operations."))
            return []

    def get_groups_data(self) -> list[common.GroupRow]:
        request = self.request
        try:
            found = common.groups(request, all_projects=True)
        except DraasError:
            exceptions.handle(request, _("Unable to list every project's failover groups."))
            return []
        site = common.here(request, found)
        operations = self.operations()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(
                pool.map(
                    lambda g: common.load_row(
                        request,
                        g,
                        site,
                        project_id=str(g.project_id),
                        operations=operations,
                        with_readiness=False,
                    ),
                    found,
                )
            )

    def get_tables(self) -> dict[str, Any]:
        found: dict[str, Any] = super().get_tables()
        names = common.memo(self.request, ("project_names",), lambda: project_names(self.request))
        for table in found.values():
            table.project_names = names
        return found

    def get_operations_data(self) -> list[Operation]:
        try:
            groups = common.groups(self.request, all_projects=True)
        except DraasError:
            groups = []
        self.get_tables()["operations"].group_names = {g.id: g.display_name for g in groups}
        return self.operations()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        rows = context["groups_table"].data or []
        status = None
        try:
            status = draas.site_status(self.request)
        except DraasError as error:
            context["status_problem"] = str(error)
        here = str(status.site) if status else common.here(self.request, [r.group for r in rows])
        names = set(sites.known_sites()) | ({here} if here else set())
        names |= {r.group.source_site for r in rows} | {r.group.target_site for r in rows}
        cards = []
        for name in sorted(n for n in names if n):
            running = [r for r in rows if r.group.source_site == name]
            receiving = [r for r in rows if r.group.target_site == name]
            involved = running + receiving
            health = [r.health for r in involved if r.health is not None]
            cards.append(
                {
                    "name": name,
                    "here": name == here,
                    "switch": common.switch_link(self.request, name),
                    "running": len(running),
                    "receiving": len(receiving),
                    "states": sorted(Counter(str(r.group.state) for r in running).items()),
                    "links_down": sum(1 for h in health if not h.storage_link_up),
                    "over_rpo": sum(
                        1 for h in health if h.newest is not None and not h.within_rpo_target
                    ),
                    "no_point": sum(1 for h in health if h.newest is None),
                    "unknown": sum(1 for r in involved if r.health is None and r.group.vms),
                    "projects": len({r.group.project_id for r in involved}),
                    "status": status if status and name == here else None,
                }
            )
        context["site_cards"] = cards
        context["site"] = here
        context["projects"] = len({r.group.project_id for r in rows})
        return context


class OperationView(operation_views.DetailView):
    """An operation of any project (read only: no cleanup offered)."""

    admin = True
    index_url = reverse_lazy("horizon:admin:dr_admin:index")

    def progress_url(self, operation: Operation) -> str:
        return reverse("horizon:admin:dr_admin:progress", args=[operation.project_id, operation.id])


class ProgressView(operation_views.ProgressView):
    index_url = reverse_lazy("horizon:admin:dr_admin:index")
