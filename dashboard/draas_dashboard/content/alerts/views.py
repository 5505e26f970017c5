"""The Alerts panel: the project's alerts from every site of the project (firing by default),
this site's alert channels and delivery log (tabs), an alert's page with its history, its
acknowledgement, and a new channel, whose webhook secret is shown on the page that answers
the form: once, never kept by the dashboard."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from horizon import exceptions, forms, tabs, views
from horizon.utils import http as http_utils

from draas_dashboard import formatting, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Alert, AlertChannel
from draas_dashboard.content import common
from draas_dashboard.content.alerts import forms as alert_forms
from draas_dashboard.content.alerts import tables as alert_tables
from draas_dashboard.content.alerts import tabs as alert_tabs

INDEX = alert_tables.INDEX
CHANNELS_TAB = "alert_tabs__channels"
DELIVERIES_TAB = "alert_tabs__deliveries"


class IndexView(tabs.TabbedTableView):
    tab_group_class = alert_tabs.AlertTabs
    template_name = "draas_dashboard/alerts/index.html"
    page_title = _("Alerts")


class AlertMixin:
    """The alert the URL names (memoized), or a redirect to the alerts with a message."""

    request: Any
    kwargs: dict[str, Any]

    def alert(self) -> Alert:
        alert_id = self.kwargs["alert_id"]
        try:
            return common.memo(
                self.request, ("alert", alert_id), lambda: draas.get_alert(self.request, alert_id)
            )
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read alert "%s".') % alert_id,
                redirect=reverse(INDEX),
            )
            raise


class DetailView(AlertMixin, views.HorizonTemplateView):
    template_name = "draas_dashboard/alerts/detail.html"
    page_title = _("Alert: {{ alert.summary }}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        alert = self.alert()
        context["alert"] = alert
        context["rule"] = alert_tables.RULES.get(str(alert.rule), alert.rule)
        context["acknowledged"] = alert_tables.acknowledged(
            alert, getattr(self.request.user, "id", None)
        )
        context["may_acknowledge"] = sites.may_write(self.request) and not alert.acknowledged
        context["acknowledge_url"] = reverse(
            "horizon:project:dr_alerts:acknowledge", args=[alert.id]
        )
        context["group_url"] = (
            reverse("horizon:project:dr_groups:detail", args=[alert.group_id])
            if alert.group_id
            else None
        )
        context["index_url"] = reverse(INDEX)
        # An alert is delivered by the site that raised it.
        here = common.here(self.request)
        context["raised_here"] = here is None or here == alert.site
        context["deliveries_url"] = (
            reverse(INDEX) + "?" + urlencode({"tab": DELIVERIES_TAB, "alert_id": alert.id})
        )
        context["switch"] = common.switch_link(self.request, str(alert.site))
        user_id = getattr(self.request.user, "id", None)
        context["history"] = [
            {
                "at": event.at,
                "kind": event.kind,
                "by": (_("you") if event.by == user_id else event.by) if event.by else "",
                "detail": event.detail,
            }
            for event in alert.history
        ]
        return context


class AcknowledgeView(AlertMixin, forms.ModalFormView):
    form_class = alert_forms.AcknowledgeForm
    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    modal_header = _("Acknowledge Alert")
    submit_label = _("Acknowledge")
    page_title = _("Acknowledge Alert")
    success_url = reverse_lazy(INDEX)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["alert"] = self.alert()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        alert = self.alert()
        context["submit_url"] = reverse("horizon:project:dr_alerts:acknowledge", args=[alert.id])
        context["explanation"] = [
            _("%(severity)s, %(state)s since %(when)s: %(summary)s")
            % {
                "severity": alert.severity,
                "state": alert.state,
                "when": formatting.when(alert.fired_at),
                "summary": alert.summary,
            },
            _(
                "Acknowledging says you have seen it: your name and comment go into its "
                "history. It still resolves by itself when its condition ends."
            ),
        ]
        return context

    def get_success_url_from_handled(self, handled: Any) -> str:
        return reverse("horizon:project:dr_alerts:detail", args=[handled.id])


@method_decorator(sensitive_post_parameters(*alert_forms.SECRET_FIELDS), name="dispatch")
class CreateChannelView(forms.ModalFormView):
    """Makes a channel; the page that answers shows what was made and, for a webhook, its
    signing secret, this once (not kept in the session, never logged, not cached)."""

    form_class = alert_forms.CreateChannelForm
    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    modal_header = _("Create Alert Channel")
    submit_label = _("Create Channel")
    page_title = _("Create Alert Channel")
    submit_url = reverse_lazy("horizon:project:dr_alerts:create_channel")
    success_url = reverse_lazy(INDEX)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        site = common.here(self.request)
        context["explanation"] = [
            _(
                "The channel takes the project's alerts raised at this site%(site)s. A group's "
                "health alerts are raised at its target site: make the channel at the site "
                "your groups fail over to."
            )
            % {"site": f" ({site})" if site else ""},
            _(
                "A webhook gets each alert as JSON in an HTTP POST, with X-Draas-Signature: "
                "sha256=<hex HMAC-SHA256 of the body with the secret>; a repeat carries the "
                "same X-Draas-Delivery. E-mail goes through this site's mail server."
            ),
        ]
        return context

    def form_valid(self, form: Any) -> Any:
        try:
            made = form.handle(self.request, form.cleaned_data)
        except Exception:
            made = None
            exceptions.handle(self.request)
        if not made:
            return self.form_invalid(form)
        return self.made(made)

    @sensitive_variables("channel", "context")
    def made(self, channel: AlertChannel) -> Any:
        ajax = http_utils.is_ajax(self.request)
        context = {
            "channel": channel,
            "secret": channel.get("secret") or "",
            "done_url": reverse(INDEX) + f"?tab={CHANNELS_TAB}",
            "hide": ajax,
            "modal_id": "draas_channel_made",
            "modal_header": _("Alert Channel Created"),
            "page_title": _("Alert Channel Created"),
        }
        template = (
            "draas_dashboard/alerts/_channel_made.html"
            if ajax
            else "draas_dashboard/alerts/channel_made.html"
        )
        response = render(self.request, template, context)
        response["Cache-Control"] = "no-store"
        return response
