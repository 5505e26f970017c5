"""The Alerts panel's tabs: the alerts (firing, or all; one group's), this site's channels and
its delivery log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tabs

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Alert, AlertChannel, Delivery
from draas_dashboard.content import common
from draas_dashboard.content.alerts import tables as alert_tables

# state query -> the gateway's state filter ("all": none).
STATES = {"firing": "firing", "resolved": "resolved", "all": ""}
SHOWN = 200


def channels(request: Any) -> list[AlertChannel]:
    """This site's channels of the project (memoized per request)."""
    return common.memo(request, ("alert_channels",), lambda: draas.list_alert_channels(request))


class AlertsTab(tabs.TableTab):
    table_classes = (alert_tables.AlertsTable,)
    name = _("Alerts")
    slug = "alerts"
    template_name = "draas_dashboard/alerts/_alerts.html"

    def state(self) -> str:
        chosen = self.request.GET.get("state", "firing")
        return chosen if chosen in STATES else "firing"

    def get_alerts_data(self) -> list[Alert]:
        request = self.request
        self._unreachable: list[str] = []
        try:
            found = draas.list_alerts(
                request,
                state=STATES[self.state()],
                group_id=request.GET.get("group_id", ""),
                limit=SHOWN,
            )
        except DraasError:
            exceptions.handle(request, _("Unable to list the alerts."))
            return []
        self._unreachable = found.unreachable_sites
        return found.alerts

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(request, **kwargs)
        group_id = request.GET.get("group_id", "")
        filters = []
        for slug, label in (
            ("firing", _("Firing")),
            ("resolved", _("Resolved")),
            ("all", _("All")),
        ):
            query = {"tab": self.get_id(), "state": slug}
            if group_id:
                query["group_id"] = group_id
            filters.append(
                {
                    "slug": slug,
                    "label": label,
                    "active": slug == self.state(),
                    "url": "?" + urlencode(query),
                }
            )
        rows = context["alerts_table"].data or []
        context.update(
            {
                "filters": filters,
                "group_id": group_id,
                "group_name": next((a.group_name for a in rows if a.group_name), group_id),
                "everyone": reverse(alert_tables.INDEX) + "?" + urlencode({"state": self.state()}),
                "unreachable": getattr(self, "_unreachable", []),
                "shown": SHOWN,
            }
        )
        return context


class ChannelsTab(tabs.TableTab):
    table_classes = (alert_tables.ChannelsTable,)
    name = _("Channels")
    slug = "channels"
    template_name = "draas_dashboard/alerts/_channels.html"
    preload = False

    def get_alert_channels_data(self) -> list[AlertChannel]:
        try:
            return channels(self.request)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the alert channels."))
            return []

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(request, **kwargs)
        site = common.here(request)
        watched: list[str] = []
        try:
            found = common.groups(request)
            site = common.here(request, found)
            watched = [str(g.display_name) for g in found if site and g.target_site == site]
        except DraasError:
            pass
        context.update({"site": site, "watched": watched})
        return context


class DeliveriesTab(tabs.TableTab):
    table_classes = (alert_tables.DeliveriesTable,)
    name = _("Delivery Log")
    slug = "deliveries"
    template_name = "draas_dashboard/alerts/_deliveries.html"
    preload = False

    def get_deliveries_data(self) -> list[Delivery]:
        request = self.request
        try:
            found = draas.list_deliveries(
                request,
                channel_id=request.GET.get("channel_id", ""),
                alert_id=request.GET.get("alert_id", ""),
                limit=SHOWN,
            )
            names = {c.id: c.name for c in channels(request)}
        except DraasError:
            exceptions.handle(request, _("Unable to read the delivery log."))
            return []
        return [Delivery({**d.raw(), "channel_name": names.get(d.channel_id)}) for d in found]

    def get_context_data(self, request: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(request, **kwargs)
        channel_id = request.GET.get("channel_id", "")
        rows = context["deliveries_table"].data or []
        context.update(
            {
                "alert_id": request.GET.get("alert_id", ""),
                "channel_id": channel_id,
                "channel_name": next(
                    (d.get("channel_name") for d in rows if d.get("channel_name")), channel_id
                ),
                "everyone": reverse(alert_tables.INDEX) + "?" + urlencode({"tab": self.get_id()}),
            }
        )
        return context


class AlertTabs(tabs.TabGroup):
    slug = "alert_tabs"
    tabs = (AlertsTab, ChannelsTab, DeliveriesTab)
    sticky = True
