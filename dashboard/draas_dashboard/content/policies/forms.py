"""The policy form, to create a policy or change one: its replication and target site, its
targets, when its groups' tests run by themselves (windows one per line, a time zone, how long
a test stands) and the default tier of servers protected by tag; an admin may publish a new
one for every project. A change sends the whole policy (the gateway replaces it), its hooks
and checks as they were."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from draas_dashboard import sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Policy
from draas_dashboard.content.groups.workflows import MAX_TARGET_SECONDS, hours_to_seconds

# The gateway's bounds on a schedule: windows, their length, how long a test stands.
MAX_WINDOWS = 20
MAX_WINDOW_LENGTH = 64
MAX_CLEANUP_HOURS = 30 * 24
SCHEDULE_FIELDS = ("windows", "timezone", "cleanup_after")


def _switched(slug: str, value: str, label: Any, widget: type[Any], **attrs: Any) -> Any:
    """A widget shown only while the `slug` switch says `value` (Horizon's switched fields)."""
    return widget(
        attrs={
            "class": "switched",
            "data-switch-on": slug,
            f"data-{slug}-{value}": label,
            **attrs,
        }
    )


def hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds else None


class PolicyForm(forms.SelfHandlingForm):
    """Creates a policy (`policy` None) or changes one."""

    name = forms.CharField(
        label=_("Name"),
        max_length=255,
        help_text=_("Servers tagged draas:policy=<name> are protected by it."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    replication_type = forms.ChoiceField(
        label=_("Replication"),
        choices=[
            ("async", _("Asynchronous: FlashArray protection groups (RPO: the interval)")),
            ("sync", _("Synchronous: ActiveCluster pods (RPO 0)")),
        ],
        widget=forms.Select(attrs={"class": "switchable", "data-slug": "policy_replication"}),
    )
    target_site = forms.CharField(
        label=_("Target Site"),
        max_length=64,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$")],
        help_text=_("The site its groups fail over to."),
    )
    rpo_target = forms.FloatField(
        label=_("RPO Target (seconds)"),
        required=False,
        min_value=1,
        max_value=86400,
        widget=_switched(
            "policy_replication", "async", _("RPO Target (seconds)"), forms.NumberInput
        ),
    )
    rto_target = forms.FloatField(
        label=_("RTO Target (seconds)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS,
        help_text=_("Each test's measured RTO is judged against it. Empty: none."),
    )
    test_interval = forms.FloatField(
        label=_("Test Interval (hours)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS / 3600,
        help_text=_(
            "A successful test failover is due within each interval (at least 1 hour). Empty: none."
        ),
    )
    scheduled_tests = forms.BooleanField(
        label=_("Tests run by themselves"),
        required=False,
        help_text=_(
            "At the groups' target site, once the test interval has passed since the last "
            "successful test, inside the windows below; cleaned up after the time below."
        ),
        widget=forms.CheckboxInput(
            attrs={"class": "switchable", "data-slug": "scheduled", "data-hide-on-checked": "false"}
        ),
    )
    windows = forms.CharField(
        label=_("Windows (one per line)"),
        required=False,
        help_text=_(
            "When tests may start, e.g. 'mon-fri 20:00-06:00' (past midnight into the next "
            "day) or 'sat,sun 00:00-24:00'. None: any time."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "switched",
                "data-switch-on": "scheduled",
            }
        ),
    )
    timezone = forms.CharField(
        label=_("Time Zone"),
        required=False,
        max_length=64,
        help_text=_("The windows' IANA time zone, e.g. Europe/Paris. Empty: UTC."),
        widget=forms.TextInput(
            attrs={
                "class": "switched",
                "data-switch-on": "scheduled",
            }
        ),
    )
    cleanup_after = forms.FloatField(
        label=_("Clean Up After (hours)"),
        required=False,
        min_value=0,
        max_value=MAX_CLEANUP_HOURS,
        help_text=_("How long a scheduled test stands. Empty: the site's default time."),
        widget=forms.NumberInput(
            attrs={
                "class": "switched",
                "data-switch-on": "scheduled",
            }
        ),
    )
    default_tier = forms.IntegerField(
        label=_("Default Tier"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("The tier of a server protected by tag without a draas:tier tag."),
    )
    publish = forms.BooleanField(
        label=_("Publish for every project of this site"),
        required=False,
        help_text=_("Admins only. Only an admin may change or delete a published policy."),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.policy: Policy | None = kwargs.pop("policy", None)
        here: str | None = kwargs.pop("here", None)
        policy = self.policy
        if policy is not None:
            schedule = policy.schedule
            initial = kwargs.setdefault("initial", {})
            initial.update(
                {
                    "name": policy.name,
                    "description": policy.get("description", ""),
                    "replication_type": policy.replication_type,
                    "target_site": policy.target_site,
                    "rpo_target": policy.rpo_target_seconds,
                    "rto_target": policy.rto_target_seconds,
                    "test_interval": hours(policy.test_interval_seconds),
                    "scheduled_tests": schedule.enabled,
                    "windows": "\n".join(schedule.windows),
                    "timezone": schedule.get("timezone", ""),
                    "cleanup_after": hours(schedule.cleanup_after_seconds),
                    "default_tier": policy.get("default_tier", 1),
                }
            )
        super().__init__(request, *args, **kwargs)
        others = sites.other_sites(request, here)
        current = policy.target_site if policy is not None else None
        names = [s.name for s in others]
        if names:
            if current and current not in names:
                names.append(str(current))
            self.fields["target_site"] = forms.ChoiceField(
                label=_("Target Site"),
                choices=[(n, n) for n in names],
                help_text=_("The site its groups fail over to."),
            )
        if policy is not None:
            del self.fields["publish"]
            if policy.group_ids:
                # The gateway refuses these while groups are made from the policy.
                why = _(
                    "Cannot change while groups are made from the policy: make a new policy "
                    "instead."
                )
                for name in ("replication_type", "target_site"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = why
        elif not sites.is_admin(request):
            del self.fields["publish"]

    def clean_windows(self) -> list[str]:
        lines = [line.strip() for line in (self.cleaned_data.get("windows") or "").splitlines()]
        found = [line for line in lines if line]
        if len(found) > MAX_WINDOWS:
            raise forms.ValidationError(_("At most %(count)d windows.") % {"count": MAX_WINDOWS})
        for line in found:
            if len(line) > MAX_WINDOW_LENGTH:
                raise forms.ValidationError(
                    _("%(window)s: at most %(count)d characters.")
                    % {"window": line[:20] + "…", "count": MAX_WINDOW_LENGTH}
                )
        return found

    def clean_timezone(self) -> str:
        zone = (self.cleaned_data.get("timezone") or "").strip()
        known = zoneinfo.available_timezones()
        if zone and known and zone not in known:
            raise forms.ValidationError(
                _("%(zone)s is not an IANA time zone (e.g. Europe/Paris).") % {"zone": zone}
            )
        return zone

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        if data.get("replication_type") == "async" and not data.get("rpo_target"):
            self.add_error("rpo_target", _("An asynchronous policy needs an RPO target."))
        interval = data.get("test_interval")
        if interval and interval < 1:
            self.add_error("test_interval", _("At least 1 hour (or empty: none)."))
        if data.get("scheduled_tests") and not interval:
            self.add_error("test_interval", _("Tests that run by themselves need a test interval."))
        return data

    def body(self, data: dict[str, Any]) -> dict[str, Any]:
        """The policy as the gateway takes it (the whole of it: a change replaces it)."""
        body: dict[str, Any] = {
            "name": data["name"],
            "description": data.get("description") or "",
            "replication_type": data["replication_type"],
            "target_site": data["target_site"],
            "rto_target_seconds": data.get("rto_target") or 0,
            "test_interval_seconds": hours_to_seconds(data.get("test_interval")) or 0,
            "test_schedule": {
                "enabled": bool(data.get("scheduled_tests")),
                "windows": list(data.get("windows") or []),
                "timezone": data.get("timezone") or "",
                "cleanup_after_seconds": hours_to_seconds(data.get("cleanup_after")) or 0,
            },
            "default_tier": data.get("default_tier") or 1,
        }
        if data["replication_type"] == "async":
            body["rpo_target_seconds"] = data["rpo_target"]
        if self.policy is not None:
            body["automation"] = draas.automation_body(self.policy.get("automation"))
        return body

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            if self.policy is None:
                made = draas.create_policy(
                    request, self.body(data), publish=bool(data.get("publish"))
                )
                messages.success(request, _("Created policy %(name)s.") % {"name": made.name})
                return made
            return draas.update_policy(request, str(self.policy.id), self.body(data))
        except DraasError as error:
            self.api_error(str(error))
            return False
