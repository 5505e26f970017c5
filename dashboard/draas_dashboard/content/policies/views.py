"""The Policies panel: this site's policies (the project's own and the published ones), a
policy's page (its targets, schedule, hooks and checks, and the groups made from it), the form
that makes one and the form that changes one, whose answer is a page saying what changed in
each group made from it (or why a group kept its values)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables, views
from horizon.utils import http as http_utils

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Policy, PolicyChange
from draas_dashboard.content import common
from draas_dashboard.content.policies import forms as policy_forms
from draas_dashboard.content.policies import tables as policy_tables

INDEX = policy_tables.INDEX


class IndexView(tables.DataTableView):
    table_class = policy_tables.PoliciesTable
    template_name = "draas_dashboard/table_page.html"
    page_title = _("DR Policies")

    def get_data(self) -> list[Policy]:
        try:
            return draas.list_policies(self.request)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the policies."))
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["intro"] = _(
            "A policy gives the groups made from it their replication, target site, targets, "
            "test schedule, hooks and checks, and its changes reach them. Servers tagged "
            "draas:policy=<name> (and draas:tier=<n>) in their metadata are protected by it "
            "by themselves. Policies are kept per site: these are this site's, the project's "
            "own and those an admin published for every project."
        )
        context["site"] = common.here(self.request)
        return context


class PolicyMixin:
    """The policy the URL names (memoized), or a redirect to the policies with a message."""

    request: Any
    kwargs: dict[str, Any]

    def policy(self) -> Policy:
        policy_id = self.kwargs["policy_id"]
        try:
            return common.memo(
                self.request,
                ("policy", policy_id),
                lambda: draas.get_policy(self.request, policy_id),
            )
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read policy "%s".') % policy_id,
                redirect=reverse(INDEX),
            )
            raise


class DetailView(PolicyMixin, views.HorizonTemplateView):
    template_name = "draas_dashboard/policies/detail.html"
    page_title = _("Policy {{ policy.display_name }}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        policy = self.policy()
        names = policy_tables.group_names(self.request)
        context["policy"] = policy
        context["groups"] = [
            {
                "id": g,
                "name": names.get(g, g),
                "url": reverse("horizon:project:dr_groups:detail", args=[g]),
            }
            for g in policy.group_ids
        ]
        context["automation"] = policy.hooks_and_checks
        context["index_url"] = reverse(INDEX)
        if policy_tables.may_change(self.request, policy):
            context["edit_url"] = reverse("horizon:project:dr_policies:edit", args=[policy.id])
        return context


class CreateView(forms.ModalFormView):
    form_class = policy_forms.PolicyForm
    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    modal_header = _("Create Policy")
    submit_label = _("Create Policy")
    page_title = _("Create Policy")
    submit_url = reverse_lazy("horizon:project:dr_policies:create")
    success_url = reverse_lazy(INDEX)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["here"] = common.here(self.request)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["explanation"] = explanation(common.here(self.request))
        return context

    def get_success_url_from_handled(self, handled: Any) -> str:
        return reverse("horizon:project:dr_policies:detail", args=[handled.id])


def explanation(site: str | None) -> list[str]:
    return [
        _(
            "A policy is kept at this site%(site)s: groups made here from it take its "
            "replication type, target site, targets, test schedule, hooks and checks, and "
            "every later change of it."
        )
        % {"site": f" ({site})" if site else ""},
        _(
            "Scheduled tests run at the groups' target site by themselves: once the test "
            "interval has passed since a group's last successful test, a test failover starts "
            "inside one of the windows, and is cleaned up after the cleanup time."
        ),
        _(
            "Its replication type and target site cannot change once groups are made from it. "
            "Hooks and checks are set with the draas command (draas policy set --automation "
            "FILE); a change made here keeps them."
        ),
    ]


class EditView(PolicyMixin, forms.ModalFormView):
    """Changes a policy; the page that answers lists what changed in each group made from
    it."""

    form_class = policy_forms.PolicyForm
    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    modal_header = _("Edit Policy")
    submit_label = _("Save")
    page_title = _("Edit Policy")
    success_url = reverse_lazy(INDEX)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["policy"] = self.policy()
        kwargs["here"] = common.here(self.request)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        policy = self.policy()
        context["submit_url"] = reverse("horizon:project:dr_policies:edit", args=[policy.id])
        lines = explanation(common.here(self.request))
        if policy.group_ids:
            lines.insert(
                0,
                _(
                    "%(count)d group(s) here are made from this policy: they take the change "
                    "at once, and the next page says what changed in each."
                )
                % {"count": len(policy.group_ids)},
            )
        context["explanation"] = lines
        return context

    def form_valid(self, form: Any) -> Any:
        try:
            changed = form.handle(self.request, form.cleaned_data)
        except Exception:
            changed = None
            exceptions.handle(self.request)
        if not changed:
            return self.form_invalid(form)
        return self.changed(changed)

    def changed(self, answer: PolicyChange) -> Any:
        ajax = http_utils.is_ajax(self.request)
        policy = answer.policy
        context = {
            "policy": policy,
            "groups": [
                {
                    "id": g.group_id,
                    "name": g.group_name or g.group_id,
                    "url": reverse("horizon:project:dr_groups:detail", args=[g.group_id]),
                    "changes": g.changes,
                    "refused": g.get("refused", ""),
                }
                for g in answer.groups
            ],
            "done_url": reverse("horizon:project:dr_policies:detail", args=[policy.id]),
            "hide": ajax,
            "modal_id": "draas_policy_changed",
            "modal_header": _("Policy Changed"),
            "page_title": _("Policy Changed"),
        }
        template = (
            "draas_dashboard/policies/_changed.html"
            if ajax
            else "draas_dashboard/policies/changed.html"
        )
        return render(self.request, template, context)
