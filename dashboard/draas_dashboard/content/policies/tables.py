"""The policies table: each policy's replication, target site, targets, scheduled tests and
the groups made from it; create, edit and delete offered to members (a published policy's
edit and delete to admins only)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from draas_dashboard import formatting, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.content import common

INDEX = "horizon:project:dr_policies:index"
DETAIL = "horizon:project:dr_policies:detail"


def may_change(request: Any, policy: Any) -> bool:
    """A member may change the project's own policies; only an admin a published one."""
    if not sites.may_write(request):
        return False
    return not policy.published or sites.is_admin(request)


class CreatePolicy(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Policy")
    url = "horizon:project:dr_policies:create"
    classes = ("ajax-modal",)
    icon = "plus"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return sites.may_write(request)


class EditPolicy(tables.LinkAction):
    name = "edit"
    verbose_name = _("Edit Policy")
    classes = ("ajax-modal",)
    icon = "pencil"

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return datum is not None and may_change(request, datum)

    def get_link_url(self, datum: Any = None) -> str:
        return reverse("horizon:project:dr_policies:edit", args=[datum.id])


class DeletePolicy(tables.DeleteAction):
    help_text = _(
        "A policy that groups are made from cannot be deleted: delete those groups first. "
        "Servers tagged with its name are no longer protected by it."
    )

    @staticmethod
    def action_present(count: int) -> Any:
        return ngettext_lazy("Delete Policy", "Delete Policies", count)

    @staticmethod
    def action_past(count: int) -> Any:
        return ngettext_lazy("Deleted Policy", "Deleted Policies", count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is None:
            return sites.may_write(request)
        return may_change(request, datum)

    @tables.actions.handle_exception_with_detail_message(
        normal_log_message="Unable to delete policy %(id)s: %(exc)s",
        target_exception=DraasError,
        target_log_message="Unable to delete policy %(id)s: %(exc)s",
        target_user_message=_("Unable to delete policy %(name)s: %(exc)s"),
        logger_name=__name__,
    )
    def delete(self, request: Any, obj_id: str) -> None:
        draas.delete_policy(request, obj_id)


def _rpo(policy: Any) -> str:
    if policy.replication_type == "sync":
        return "0 (sync)"
    return formatting.seconds(policy.rpo_target_seconds)


def _targets(policy: Any) -> str:
    return f"{_rpo(policy)} / {formatting.interval(policy.rto_target_seconds)}"


def _schedule(policy: Any) -> Any:
    schedule = policy.schedule
    if not schedule.enabled:
        return _("off")
    return format_html(
        '<span class="draas-schedule">{}</span>', formatting.schedule(schedule).removeprefix("on: ")
    )


def group_names(request: Any) -> dict[str, str]:
    """This site's groups of the project by id (memoized per request; empty when they cannot
    be read)."""
    try:
        return {str(g.id): str(g.display_name) for g in common.groups(request)}
    except DraasError:
        return {}


class GroupsColumn(tables.WrappingColumn):
    """The groups made from a policy, by name, each a link to its page."""

    def get_raw_data(self, datum: Any) -> Any:
        return groups_of(datum, group_names(self.table.request))


class PoliciesTable(tables.DataTable):
    name = tables.WrappingColumn("display_name", verbose_name=_("Name"), link=DETAIL)
    published = tables.Column(
        lambda p: _("yes") if p.published else "", verbose_name=_("Published")
    )
    replication = tables.Column(
        lambda p: formatting.label(formatting.REPLICATION_TYPES, p.replication_type),
        verbose_name=_("Replication"),
    )
    target_site = tables.Column("target_site", verbose_name=_("Target Site"))
    targets = tables.Column(_targets, verbose_name=_("RPO / RTO Targets"))
    test_interval = tables.Column(
        lambda p: formatting.interval(p.test_interval_seconds), verbose_name=_("Test Interval")
    )
    schedule = tables.WrappingColumn(_schedule, verbose_name=_("Scheduled Tests"))
    groups = GroupsColumn("group_ids", verbose_name=_("Groups"))

    def get_object_display(self, datum: Any) -> str:
        return str(datum.display_name)

    class Meta:
        name = "policies"
        verbose_name = _("DR Policies")
        table_actions = (CreatePolicy, DeletePolicy)
        row_actions = (EditPolicy, DeletePolicy)


def groups_of(policy: Any, names: dict[str, str]) -> Any:
    """The groups made from the policy, each a link to its page (by name when known)."""
    if not policy.group_ids:
        return "-"
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("horizon:project:dr_groups:detail", args=[g]), names.get(g, g))
            for g in policy.group_ids
        ),
    )
