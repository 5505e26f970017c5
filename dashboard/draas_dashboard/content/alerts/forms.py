"""The Alerts panel's forms: acknowledge an alert (with a comment), and make an alert channel
(a webhook, signed with a secret that is shown once, or e-mail addresses)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Alert, AlertChannel

SECRET_FIELDS = ("secret",)
MAX_ADDRESSES = 10


class AcknowledgeForm(forms.SelfHandlingForm):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why, or what you are doing about it (kept in the alert's history)."),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.alert: Alert = kwargs.pop("alert")
        super().__init__(request, *args, **kwargs)

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            alert = draas.acknowledge_alert(request, self.alert.id, data.get("comment") or "")
        except DraasError as error:
            self.api_error(str(error))
            return False
        messages.success(
            request, _("Acknowledged: %(summary)s") % {"summary": alert.summary or alert.id}
        )
        return alert


class CreateChannelForm(forms.SelfHandlingForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("webhook", _("Webhook: an HTTP POST of each alert as JSON, signed")),
            ("email", _("E-mail")),
        ],
        widget=forms.Select(attrs={"class": "switchable", "data-slug": "kind"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=2048,
        help_text=_("A webhook's http(s) URL, or up to 10 e-mail addresses separated by commas."),
    )
    min_severity = forms.ChoiceField(
        label=_("Least Severity"),
        choices=[("warning", _("Warning and critical")), ("critical", _("Critical only"))],
    )
    secret = forms.CharField(
        label=_("Signing Secret"),
        required=False,
        min_length=16,
        max_length=256,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "class": "switched",
                "data-switch-on": "kind",
                "data-kind-webhook": _("Signing Secret"),
                "autocomplete": "off",
            },
        ),
        help_text=_(
            "The HMAC-SHA256 key the webhook's X-Draas-Signature is made with. Empty: draas "
            "makes one and shows it once, when the channel is made."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        address = (data.get("address") or "").strip()
        if data.get("kind") == "webhook":
            parts = urlsplit(address)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.add_error("address", _("A webhook's address is an http(s) URL."))
        elif data.get("kind") == "email":
            data["secret"] = ""
            found = [a.strip() for a in address.split(",") if a.strip()]
            if not found or len(found) > MAX_ADDRESSES:
                self.add_error("address", _("One to 10 e-mail addresses, separated by commas."))
            for one in found:
                try:
                    EmailValidator()(one)
                except forms.ValidationError:
                    self.add_error(
                        "address", _("%(address)s is not an e-mail address.") % {"address": one}
                    )
            address = ", ".join(found)
        if data.get("secret") and any(not 0x21 <= ord(c) <= 0x7E for c in data["secret"]):
            self.add_error("secret", _("Printable characters only, no spaces."))
        data["address"] = address
        return data

    def handle(self, request: Any, data: dict[str, Any]) -> AlertChannel | bool:
        try:
            channel = draas.create_alert_channel(
                request,
                data["name"],
                data["kind"],
                data["address"],
                data["min_severity"],
                secret=data.get("secret") or None,
            )
        except DraasError as error:
            self.api_error(str(error))
            return False
        return channel
