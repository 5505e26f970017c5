"""What the panels share: the site the user works at, a group with its replication health,
readiness, last test and firing alerts (a row of the groups tables), and per-request memos of
gateway calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from draas_dashboard import lifecycle, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Alert, Alerts, Group, Health, Operation, Readiness

T = TypeVar("T")
# The most firing alerts a page reads at once (the gateway's bound on a list).
MAX_ALERTS = 500


def memo(request: Any, key: tuple[Any, ...], fetch: Callable[[], T]) -> T:
    """`fetch()` once per request and key (pages ask several tabs and tables for the same)."""
    store: dict[tuple[Any, ...], Any] = request.__dict__.setdefault("_draas_memo", {})
    if key not in store:
        store[key] = fetch()
    found: T = store[key]
    return found


def groups(request: Any, all_projects: bool = False) -> list[Group]:
    """The project's groups (memoized per request)."""
    return memo(
        request,
        ("groups", all_projects),
        lambda: draas.list_groups(request, all_projects=all_projects),
    )


def firing_alerts(request: Any) -> Alerts | None:
    """The project's firing alerts from every site (memoized per request); None when they
    cannot be read (a page goes on without them)."""

    def fetch() -> Alerts | None:
        try:
            return draas.list_alerts(request, state="firing", limit=MAX_ALERTS)
        except DraasError:
            return None

    return memo(request, ("alerts", "firing"), fetch)


def alerts_by_group(request: Any) -> dict[str, list[Alert]] | None:
    """The firing alerts by group id; None when they cannot be read."""
    found = firing_alerts(request)
    if found is None:
        return None
    grouped: dict[str, list[Alert]] = {}
    for alert in found.alerts:
        grouped.setdefault(str(alert.group_id or ""), []).append(alert)
    return grouped


def rows(request: Any, groups: list[Group], site: str | None) -> list[GroupRow]:
    """The groups as rows of a groups table, each with its firing alerts (not loaded yet:
    each row fills in its health by itself)."""
    grouped = alerts_by_group(request)
    return [
        GroupRow(g, site, alerts=None if grouped is None else grouped.get(str(g.id), []))
        for g in groups
    ]


def group_alerts(request: Any, group_id: str) -> list[Alert] | None:
    """The group's firing alerts from every site; None when they cannot be read."""
    try:
        return draas.list_alerts(
            request, state="firing", group_id=group_id, limit=MAX_ALERTS
        ).alerts
    except DraasError:
        return None


def here(request: Any, seen: Iterable[Group] = ()) -> str | None:
    """The draas site the user works at (None: unknown), judged against the sites the given
    groups name; remembered for the rest of the request once groups were given."""
    cached = request.__dict__.get("_draas_here")
    if cached is not None:
        return str(cached) if cached else None
    seen = list(seen)
    names = {g.source_site for g in seen} | {g.target_site for g in seen}
    found = sites.current_site(request, frozenset(n for n in names if n))
    if seen:
        request.__dict__["_draas_here"] = found or ""
    return found


def group_here(request: Any, group: Group) -> str | None:
    return here(request, [group])


class GroupRow:
    """A group as the groups tables show it: the record, and once loaded its replication
    health, readiness (asked at its target site only) and last test there."""

    def __init__(
        self,
        group: Group,
        site: str | None,
        health: Health | None = None,
        readiness: Readiness | None = None,
        last_test: Operation | None = None,
        loaded: bool = False,
        problems: tuple[str, ...] = (),
        keyed_by_project: bool = False,
        alerts: list[Alert] | None = None,
    ) -> None:
        self.group = group
        # The group's firing alerts; None: not read (or they could not be).
        self.alerts = alerts
        self.keyed_by_project = keyed_by_project
        self.site = site
        self.health = health
        self.readiness = readiness
        self.last_test = last_test
        self.loaded = loaded
        self.problems = problems

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.group, name)

    @property
    def id(self) -> str:
        """The group's id (an admin's every-project tables: `project:group`)."""
        if self.keyed_by_project:
            return f"{self.group.project_id}:{self.group.id}"
        return str(self.group.id)

    @property
    def at_target(self) -> bool:
        """Whether the user works at the group's target site (or the site is unknown)."""
        return self.site is None or self.site == self.group.target_site

    @property
    def status(self) -> str:
        """loading, ok or attention (a link down, the RPO over target, not ready, an error)."""
        if not self.loaded:
            return "loading"
        if self.problems:
            return "attention"
        if self.health is not None and (
            not self.health.storage_link_up
            or (self.health.newest is not None and not self.health.within_rpo_target)
        ):
            return "attention"
        if self.readiness is not None and not self.readiness.failover_ready:
            return "attention"
        return "ok"

    @property
    def readiness_text(self) -> str:
        if not self.loaded:
            return "…"
        if self.readiness is None:
            where = self.group.target_site
            return _("checked at %(site)s") % {"site": where} if not self.at_target else "-"
        if self.readiness.failover_ready:
            return _("Ready")
        count = len(self.readiness.problems)
        return _("Not ready (%(count)d problems)") % {"count": count}

    @property
    def link_text(self) -> str:
        if not self.loaded or self.health is None:
            return "…" if not self.loaded else "-"
        return _("Up") if self.health.storage_link_up else _("Down")

    def allows(self, request_name: str) -> bool:
        return lifecycle.may(self.group, request_name, self.site)


def last_test(operations: Iterable[Operation], group_id: str) -> Operation | None:
    """The newest test failover of the group among `operations` (newest first)."""
    tests = [o for o in operations if o.group_id == group_id and o.kind == "test_failover"]
    return max(tests, key=lambda o: str(o.created_at or ""), default=None)


def load_row(
    request: Any,
    group: Group,
    site: str | None,
    project_id: str | None = None,
    operations: list[Operation] | None = None,
    with_readiness: bool = True,
    with_alerts: bool = False,
) -> GroupRow:
    """The group with its health, readiness (at its target site), last test and (with
    `with_alerts`) firing alerts; what could not be read is named in `problems` rather than
    failing the row."""
    problems: list[str] = []
    health: Health | None = None
    readiness: Readiness | None = None
    test: Operation | None = None
    if not group.vms:
        # Nothing replicates yet (and the gateway has no replication to report on).
        problems.append(_("no VMs yet: nothing is protected"))
    elif group.state == "failed_over":
        problems.append(
            _("failed over to %(site)s: not protected until it is reprotected")
            % {"site": group.source_site}
        )
    else:
        try:
            health = draas.replication_health(request, group.id, project_id=project_id)
        except DraasError as error:
            problems.append(_("replication health: %(error)s") % {"error": error})
    row = GroupRow(group, site)
    if with_readiness and row.at_target and group.vms and group.state == "protected":
        try:
            readiness = draas.readiness(request, group.id, project_id=project_id)
        except DraasError as error:
            if site is not None:
                problems.append(_("readiness: %(error)s") % {"error": error})
    if group.reports_last_test:
        test = group.last_test
    elif row.at_target and (operations is not None or with_readiness):
        try:
            if operations is None:
                operations = draas.list_operations(request, group_id=group.id, limit=50)
            test = last_test(operations, group.id)
        except DraasError as error:
            problems.append(_("operations: %(error)s") % {"error": error})
    return GroupRow(
        group,
        site,
        health,
        readiness,
        test,
        True,
        tuple(problems),
        project_id is not None,
        group_alerts(request, group.id) if with_alerts else None,
    )


def switch_link(request: Any, site: str | None) -> str | None:
    """Where to go to work at `site` (None when unknown or here)."""
    if not site or site == here(request):
        return None
    return sites.switch_url(request, site)
