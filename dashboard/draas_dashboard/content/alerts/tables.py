"""The Alerts panel's tables: the project's alerts from every site (severity, state, group,
rule, summary, when fired, acknowledged, the site that raised it), this site's alert channels
and the delivery log. Members acknowledge alerts, make channels and delete them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from draas_dashboard import formatting, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError

INDEX = "horizon:project:dr_alerts:index"
DETAIL = "horizon:project:dr_alerts:detail"
RULES = {
    "rpo_over_target": _("RPO over target"),
    "rpo_over_twice_target": _("RPO over twice the target"),
    "link_down": _("Replication link down"),
    "vm_ineligible": _("VM no longer eligible"),
    "metadata_lag": _("Metadata lag"),
    "test_overdue": _("Test overdue"),
    "operation_failed": _("Operation failed"),
    "test_not_cleaned_up": _("Test not cleaned up"),
    "tagged_vm_unprotected": _("Tagged VM not protected"),
}
SEVERITY_LABELS = {"critical": "label-danger", "warning": "label-warning"}


def severity(value: Any) -> Any:
    """A severity as a coloured label."""
    return format_html(
        '<span class="label {} draas-severity">{}</span>',
        SEVERITY_LABELS.get(str(value), "label-default"),
        value or "-",
    )


def acknowledged(alert: Any, user_id: str | None = None) -> str:
    """When and by whom an alert was acknowledged (`you` for the signed-in user)."""
    if not alert.acknowledged:
        return str(_("no"))
    by = alert.acknowledged_by or "?"
    who = str(_("you")) if user_id and by == user_id else formatting.short_id(by)
    return str(
        _("%(age)s ago by %(who)s") % {"age": formatting.age(alert.acknowledged_at), "who": who}
    )


def _group_link(alert: Any) -> str | None:
    if not alert.group_id:
        return None
    return reverse("horizon:project:dr_groups:detail", args=[alert.group_id])


class Acknowledge(tables.LinkAction):
    name = "acknowledge"
    verbose_name = _("Acknowledge")
    classes = ("ajax-modal",)
    icon = "check"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return datum is not None and sites.may_write(request) and not datum.acknowledged

    def get_link_url(self, datum: Any = None) -> str:
        return reverse("horizon:project:dr_alerts:acknowledge", args=[datum.id])


class AcknowledgedColumn(tables.Column):
    def get_raw_data(self, datum: Any) -> str:
        return acknowledged(datum, getattr(self.table.request.user, "id", None))


class AlertsTable(tables.DataTable):
    severity = tables.Column("severity", verbose_name=_("Severity"), filters=(severity,))
    state = tables.Column(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=(("firing", False), ("resolved", True)),
        display_choices=(("firing", _("Firing")), ("resolved", _("Resolved"))),
    )
    group = tables.Column(
        lambda a: a.group_name or formatting.short_id(a.group_id),
        verbose_name=_("Group"),
        link=_group_link,
    )
    rule = tables.Column(
        lambda a: formatting.label(RULES, a.rule), verbose_name=_("Rule"), link=DETAIL
    )
    summary = tables.WrappingColumn("summary", verbose_name=_("Summary"))
    fired = tables.Column(lambda a: f"{formatting.age(a.fired_at)} ago", verbose_name=_("Fired"))
    acknowledged = AcknowledgedColumn("acknowledged_at", verbose_name=_("Acknowledged"))
    site = tables.Column("site", verbose_name=_("Site"))

    def get_object_display(self, datum: Any) -> str:
        return str(datum.summary or datum.id)

    class Meta:
        name = "alerts"
        verbose_name = _("Alerts")
        status_columns = ["state"]
        row_actions = (Acknowledge,)


class CreateChannel(tables.LinkAction):
    name = "create_channel"
    verbose_name = _("Create Channel")
    url = "horizon:project:dr_alerts:create_channel"
    classes = ("ajax-modal",)
    icon = "plus"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return sites.may_write(request)


class DeleteChannel(tables.DeleteAction):
    help_text = _("The channel and its delivery log are deleted; its alerts go nowhere else.")

    @staticmethod
    def action_present(count: int) -> Any:
        return ngettext_lazy("Delete Channel", "Delete Channels", count)

    @staticmethod
    def action_past(count: int) -> Any:
        return ngettext_lazy("Deleted Channel", "Deleted Channels", count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return sites.may_write(request)

    @tables.actions.handle_exception_with_detail_message(
        normal_log_message="Unable to delete alert channel %(id)s: %(exc)s",
        target_exception=DraasError,
        target_log_message="Unable to delete alert channel %(id)s: %(exc)s",
        target_user_message=_("Unable to delete alert channel %(name)s: %(exc)s"),
        logger_name=__name__,
    )
    def delete(self, request: Any, obj_id: str) -> None:
        draas.delete_alert_channel(request, obj_id)


class ChannelDeliveries(tables.LinkAction):
    name = "deliveries"
    verbose_name = _("Deliveries")
    icon = "list"

    def get_link_url(self, datum: Any = None) -> str:
        query = {"tab": "alert_tabs__deliveries", "channel_id": datum.id}
        return reverse(INDEX) + "?" + urlencode(query)


class ChannelsTable(tables.DataTable):
    name = tables.Column("name", verbose_name=_("Name"))
    kind = tables.Column("kind", verbose_name=_("Kind"))
    address = tables.WrappingColumn("address", verbose_name=_("Address"))
    min_severity = tables.Column(
        "min_severity", verbose_name=_("Least Severity"), filters=(severity,)
    )
    created = tables.Column(lambda c: formatting.when(c.created_at), verbose_name=_("Created"))

    def get_object_display(self, datum: Any) -> str:
        return str(datum.name)

    class Meta:
        name = "alert_channels"
        verbose_name = _("Alert Channels")
        table_actions = (CreateChannel, DeleteChannel)
        row_actions = (ChannelDeliveries, DeleteChannel)


class DeliveriesTable(tables.DataTable):
    created = tables.Column(lambda d: formatting.when(d.created_at), verbose_name=_("Queued"))
    alert = tables.Column(
        lambda d: formatting.short_id(d.alert_id),
        verbose_name=_("Alert"),
        link=lambda d: reverse(DETAIL, args=[d.alert_id]),
    )
    channel = tables.Column(
        lambda d: d.get("channel_name") or formatting.short_id(d.channel_id),
        verbose_name=_("Channel"),
    )
    event = tables.Column("event", verbose_name=_("Event"))
    state = tables.Column(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=(("delivered", True), ("failed", False), ("pending", None)),
        display_choices=(
            ("delivered", _("Delivered")),
            ("failed", _("Failed")),
            ("pending", _("Pending")),
        ),
    )
    attempts = tables.Column("attempts", verbose_name=_("Attempts"))
    delivered = tables.Column(
        lambda d: formatting.when(d.delivered_at), verbose_name=_("Delivered")
    )
    last_result = tables.WrappingColumn(
        lambda d: d.last_result or "-", verbose_name=_("Last Result")
    )

    class Meta:
        name = "deliveries"
        verbose_name = _("Delivery Log")
        status_columns = ["state"]
