"""Create a failover group: its details, then the proof that links the tenant's project here
to its project at the target site (needed with a project's first group towards a site).

A link is proven by a token of the target site's Keystone scoped to the tenant's project there
(services/orchestrator/projects.py). Horizon holds a token of this site's Keystone only, so:
- sites with their own Keystone: sign in at the target site here (the password is sent to that
  Keystone once, for a token that is sent once to draas, and kept nowhere), or paste a token
  (`openstack --os-cloud <target> token issue -f value -c id`);
- sites sharing one Keystone: nothing is needed for the same project; another project of the
  user's is proven by exchanging the user's token for one scoped to it;
- an admin links the projects by asking (the gateway makes an admin's request the proof).
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from horizon import forms, workflows

from draas_dashboard import formatting, sites
from draas_dashboard.api import draas, keystone
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.keystone import TargetProofError
from draas_dashboard.api.records import Policy
from draas_dashboard.content import common

LINKED, PASSWORD, TOKEN, EXCHANGE, ADMIN = "linked", "password", "token", "exchange", "admin"
# The policy choice of a group that takes its settings from none (policy ids are UUIDs).
NO_POLICY = "none"
SECRET_FIELDS = ("target_password", "target_token")
# The gateway's bound on an RTO target and a test interval: a year.
MAX_TARGET_SECONDS = 366 * 86400


def hours_to_seconds(hours: float | None) -> float | None:
    """A test interval in hours as the gateway's seconds (None for none)."""
    return round(hours * 3600) if hours else None


def _without_policy(label: Any, **attrs: Any) -> dict[str, Any]:
    """A field's attributes that show it only while no policy is chosen."""
    return {
        "class": " ".join(["switched", attrs.pop("class", "")]).strip(),
        "data-switch-on": "policy",
        f"data-policy-{NO_POLICY}": label,
        **attrs,
    }


def policy_label(policy: Policy) -> str:
    """A policy as a choice: its name and what a group made from it takes."""
    rpo = formatting.seconds(policy.rpo_target_seconds) if policy.rpo_target_seconds else "0"
    text = f"{policy.name}: {policy.replication_type} to {policy.target_site}, RPO {rpo}"
    if policy.schedule.enabled:
        text += f", {_('scheduled tests')}"
    return text + (f" ({_('published')})" if policy.published else "")


class DetailsAction(workflows.Action):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    policy = forms.ChoiceField(
        label=_("Policy"),
        required=False,
        help_text=_(
            "A group made from a policy takes its replication, target site, targets, test "
            "schedule, hooks and checks from it, and its later changes."
        ),
        widget=forms.Select(attrs={"class": "switchable", "data-slug": "policy"}),
    )
    replication_type = forms.ChoiceField(
        label=_("Replication"),
        required=False,
        choices=[
            ("async", _("Asynchronous: FlashArray protection groups (RPO: the interval)")),
            ("sync", _("Synchronous: ActiveCluster pods (RPO 0)")),
        ],
        widget=forms.Select(
            attrs=_without_policy(
                _("Replication"), **{"class": "switchable", "data-slug": "replication"}
            )
        ),
    )
    target_site = forms.CharField(
        label=_("Target Site"),
        required=False,
        max_length=64,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$")],
        help_text=_("The site the group fails over to."),
        widget=forms.TextInput(attrs=_without_policy(_("Target Site"))),
    )
    rpo_target = forms.FloatField(
        label=_("RPO Target (seconds)"),
        required=False,
        min_value=1,
        max_value=86400,
        help_text=_("Asynchronous: how old the newest recovery point may get (e.g. 60)."),
        widget=forms.NumberInput(
            attrs={
                "class": "switched",
                "data-switch-on": "replication",
                "data-replication-async": _("RPO Target (seconds)"),
            }
        ),
    )

    rto_target = forms.FloatField(
        label=_("RTO Target (seconds)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS,
        help_text=_(
            "How long a failover may take, from the request to the last VM verified: each "
            "test's measured RTO is judged against it. Empty: none."
        ),
        widget=forms.NumberInput(attrs=_without_policy(_("RTO Target (seconds)"))),
    )
    test_interval = forms.FloatField(
        label=_("Test Interval (hours)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS / 3600,
        help_text=_(
            "A successful test failover is due within each interval (at least 1 hour), or an "
            "alert says it is overdue. Empty: none."
        ),
        widget=forms.NumberInput(attrs=_without_policy(_("Test Interval (hours)"))),
    )

    class Meta:
        name = _("Group")
        slug = "details"
        help_text = _(
            "A failover group replicates its VMs' volumes from this site (its source) to the "
            "target site, where test failovers and failovers run. Asynchronous groups need an "
            "RPO target; synchronous ones lose nothing while the link is up. A group made "
            "from a policy takes all of that from the policy."
        )

    def __init__(self, request: Any, context: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, context, *args, **kwargs)
        here = common.here(request, common.groups(request)) if _groups_ok(request) else None
        others = sites.other_sites(request, here)
        if others:
            self.fields["target_site"] = forms.ChoiceField(
                label=_("Target Site"),
                required=False,
                choices=[(s.name, s.name) for s in others],
                help_text=_("The site the group fails over to."),
                widget=forms.Select(attrs=_without_policy(_("Target Site"))),
            )
        self.policies = {str(p.id): p for p in _policies(request)}
        self.fields["policy"].choices = [(NO_POLICY, _("None: set them below"))] + [
            (key, policy_label(p)) for key, p in self.policies.items()
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        policy = self.policies.get(data.get("policy") or "")
        if policy is not None:
            # The group takes these from the policy (the proof step needs its target site).
            data.update(
                replication_type=policy.replication_type,
                target_site=policy.target_site,
                rpo_target=None,
                rto_target=None,
                test_interval=None,
            )
            return data
        data["policy"] = ""
        for name in ("replication_type", "target_site"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Needed without a policy."))
        if data.get("replication_type") == "async" and not data.get("rpo_target"):
            self.add_error("rpo_target", _("An asynchronous group needs an RPO target."))
        if data.get("replication_type") == "sync":
            data["rpo_target"] = None
        interval = data.get("test_interval")
        if interval and interval < 1:
            self.add_error("test_interval", _("At least 1 hour (or empty: none)."))
        return data


def _policies(request: Any) -> list[Policy]:
    """This site's policies the project may make groups from (none when they cannot be
    read: the group is then set by hand)."""
    try:
        return common.memo(request, ("policies",), lambda: draas.list_policies(request))
    except DraasError:
        return []


def _groups_ok(request: Any) -> bool:
    try:
        common.groups(request)
    except DraasError:
        return False
    return True


class Details(workflows.Step):
    action_class = DetailsAction
    contributes = (
        "name",
        "description",
        "policy",
        "replication_type",
        "target_site",
        "rpo_target",
        "rto_target",
        "test_interval",
    )


class TargetAction(workflows.Action):
    proof = forms.ChoiceField(
        label=_("Your Project at the Target Site"),
        widget=forms.Select(attrs={"class": "switchable", "data-slug": "proof"}),
    )
    target_username = forms.CharField(
        label=_("User Name There"),
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{PASSWORD}": _("User Name There"),
            }
        ),
    )
    target_password = forms.CharField(
        label=_("Password There"),
        required=False,
        max_length=1024,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{PASSWORD}": _("Password There"),
                "autocomplete": "off",
            },
        ),
    )
    target_project_name = forms.CharField(
        label=_("Project Name There"),
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{PASSWORD}": _("Project Name There"),
            }
        ),
    )
    target_token = forms.CharField(
        label=_("Token of the Target Site"),
        required=False,
        max_length=8192,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{TOKEN}": _("Token of the Target Site"),
                "autocomplete": "off",
            },
        ),
    )
    exchange_project = forms.ChoiceField(
        label=_("Project There"),
        required=False,
        widget=forms.Select(
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{EXCHANGE}": _("Project There"),
            }
        ),
    )
    target_project_id = forms.CharField(
        label=_("Project ID There"),
        required=False,
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]*$")],
        widget=forms.TextInput(
            attrs={
                "class": "switched",
                "data-switch-on": "proof",
                f"data-proof-{ADMIN}": _("Project ID There (empty: the project of this name)"),
            }
        ),
    )

    class Meta:
        name = _("Target Project")
        slug = "target"
        help_text = _(
            "Your project here is linked to your project at the target site the first time you "
            "make a group towards that site, and draas needs proof that that project is yours: "
            "a token of the target site's Keystone scoped to it. Sign in at the target site "
            "here (your password is sent to that site's Keystone once and kept nowhere), or "
            "paste a token (openstack --os-cloud TARGET token issue -f value -c id). Once "
            "linked, or when both sites share one Keystone and the project is the same, no "
            "proof is needed. If you cannot sign in at the target site, ask an admin to make "
            "the first group: an admin's request links the projects."
        )

    def __init__(self, request: Any, context: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, context, *args, **kwargs)
        choices = [
            (LINKED, _("Linked already, or one Keystone for both sites: no proof")),
            (PASSWORD, _("Sign in at the target site")),
            (TOKEN, _("A token of the target site")),
        ]
        projects = [
            (p.id, p.name)
            for p in getattr(request.user, "authorized_tenants", None) or []
            if getattr(p, "enabled", True)
        ]
        if projects and any(sites.shares_keystone(request, s) for s in sites.known_sites()):
            choices.append((EXCHANGE, _("Another of my projects (one Keystone for both sites)")))
            self.fields["exchange_project"].choices = projects
        if sites.is_admin(request):
            choices.append((ADMIN, _("Link as an admin")))
        self.fields["proof"].choices = choices
        self.fields["target_username"].initial = getattr(request.user, "username", "")
        self.fields["target_project_name"].initial = getattr(request.user, "project_name", "")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        proof = data.get("proof")
        if proof == PASSWORD:
            for field in ("target_username", "target_password", "target_project_name"):
                if not data.get(field):
                    self.add_error(field, _("Needed to sign in at the target site."))
        elif proof == TOKEN and not data.get("target_token"):
            self.add_error("target_token", _("Paste a token of the target site."))
        elif proof == EXCHANGE and not data.get("exchange_project"):
            self.add_error("exchange_project", _("Choose the project."))
        return data


class Target(workflows.Step):
    action_class = TargetAction
    contributes = (
        "proof",
        "target_username",
        "target_password",
        "target_project_name",
        "target_token",
        "exchange_project",
        "target_project_id",
    )


class CreateGroup(workflows.Workflow):
    slug = "create_failover_group"
    name = _("Create Failover Group")
    finalize_button_name = _("Create")
    success_message = _('Created failover group "%s".')
    failure_message = _('Unable to create failover group "%s".')
    success_url = "horizon:project:dr_groups:index"
    default_steps = (Details, Target)

    def format_status_message(self, message: str) -> str:
        return message % self.context.get("name", "")

    def _proof(self, request: Any, data: dict[str, Any]) -> tuple[str | None, str]:
        """The target token (or None) and the target project id to send."""
        proof = data.get("proof")
        site = data["target_site"]
        if proof == TOKEN:
            return data["target_token"], ""
        if proof == PASSWORD:
            url = sites.keystone_of(site)
            if not url:
                raise TargetProofError(
                    400,
                    "Unknown Keystone",
                    f"this dashboard does not know the Keystone of site {site}: paste a token "
                    "of that site instead",
                )
            domain_id = (getattr(request.user.token, "project", None) or {}).get("domain_id")
            token = keystone.token_by_password(
                url,
                site,
                data["target_username"],
                getattr(request.user, "user_domain_name", None) or "Default",
                data["target_password"],
                data["target_project_name"],
                domain_id,
            )
            return token, ""
        if proof == EXCHANGE:
            url = sites.keystone_of(site) or request.user.endpoint
            token = keystone.token_by_token(
                url, site, request.user.token.id, data["exchange_project"]
            )
            return token, data["exchange_project"]
        if proof == ADMIN:
            return None, data.get("target_project_id") or ""
        return None, ""

    def handle(self, request: Any, data: dict[str, Any]) -> bool:
        try:
            token, project = self._proof(request, data)
        except TargetProofError as error:
            self.add_error_to_step(str(error), "target")
            raise forms.ValidationError(str(error)) from None
        try:
            self.object = draas.create_group(
                request,
                data["name"],
                data["replication_type"],
                data["target_site"],
                description=data.get("description") or "",
                rpo_target_seconds=data.get("rpo_target"),
                target_project_id=project,
                target_token=token,
                rto_target_seconds=data.get("rto_target") or None,
                test_interval_seconds=hours_to_seconds(data.get("test_interval")),
                policy=data.get("policy") or None,
            )
        except DraasError as error:
            text = str(error)
            about_link = "X-Target-Auth-Token" in text or "target_" in text or error.status == 403
            if about_link:
                text = str(
                    _("%(error)s. Choose how to prove your project at %(site)s below.")
                    % {"error": text.rstrip("."), "site": data["target_site"]}
                )
            self.add_error_to_step(text, "target" if about_link else "details")
            raise forms.ValidationError(text) from None
        return True
