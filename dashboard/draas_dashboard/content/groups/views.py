"""Failover groups: the table, the create workflow, a group's page with its tabs, adding a VM,
changing its targets, and the confirmations that start an operation on a group."""

from __future__ import annotations

from typing import Any

from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from horizon import exceptions, forms, tables, tabs, workflows

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Group, Operation
from draas_dashboard.content import common
from draas_dashboard.content.groups import explain
from draas_dashboard.content.groups import forms as group_forms
from draas_dashboard.content.groups import tables as group_tables
from draas_dashboard.content.groups import tabs as group_tabs
from draas_dashboard.content.groups import workflows as group_workflows

INDEX = "horizon:project:dr_groups:index"


class IndexView(tables.DataTableView):
    table_class = group_tables.GroupsTable
    template_name = "draas_dashboard/table_page.html"
    page_title = _("Failover Groups")

    def get_data(self) -> list[common.GroupRow]:
        try:
            found = common.groups(self.request)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the failover groups."))
            return []
        return common.rows(self.request, found, common.here(self.request, found))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["intro"] = _(
            "A failover group replicates its VMs from its source site to its target site. Test "
            "failovers and failovers run at the target site, VMs are added and removed at the "
            "source site: each action is offered where it runs."
        )
        context["site"] = common.here(self.request)
        return context


@method_decorator(sensitive_post_parameters(*group_workflows.SECRET_FIELDS), name="dispatch")
class CreateView(workflows.WorkflowView):
    workflow_class = group_workflows.CreateGroup

    def get_object_id(self, obj: Group) -> str:
        return str(obj.id)

    def get_object_display(self, obj: Group) -> str:
        return str(obj.display_name)


class GroupMixin:
    """The group the URL names (memoized), or a redirect to the groups with a message."""

    request: Any
    kwargs: dict[str, Any]

    def group(self) -> Group:
        group_id = self.kwargs["group_id"]
        try:
            return common.memo(
                self.request, ("group", group_id), lambda: draas.get_group(self.request, group_id)
            )
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read failover group "%s".') % group_id,
                redirect=reverse(INDEX),
            )
            raise


class DetailView(GroupMixin, tabs.TabbedTableView):
    tab_group_class = group_tabs.GroupDetailTabs
    template_name = "horizon/common/_detail.html"
    page_title = "{{ group.display_name }}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        group = self.group()
        table = group_tables.GroupsTable(self.request)
        row = common.GroupRow(group, common.group_here(self.request, group))
        context["group"] = group
        context["url"] = reverse(INDEX)
        context["actions"] = table.render_row_actions(row)
        return context

    def get_tabs(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.tab_group_class(request, group=self.group(), **kwargs)


class GroupModal(GroupMixin, forms.ModalFormView):
    """A modal on one group, its confirmation on the right."""

    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    url_name = ""
    success_url = reverse_lazy(INDEX)

    def explanation(self, group: Group) -> list[str]:
        return []

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["group"] = self.group()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        group = self.group()
        context["group"] = group
        context["submit_url"] = reverse(
            f"horizon:project:dr_groups:{self.url_name}", args=[group.id]
        )
        context["explanation"] = self.explanation(group)
        return context

    def get_success_url_from_handled(self, handled: Any) -> str:
        if isinstance(handled, Operation):
            return reverse("horizon:project:dr_operations:detail", args=[handled.id])
        return reverse("horizon:project:dr_groups:detail", args=[self.group().id])


class WithPointsMixin:
    """Forms that offer the group's recovery points (an empty list if they cannot be read:
    the newest point is then the only choice)."""

    request: Any

    def points(self, group: Group) -> list[Any]:
        try:
            return draas.recovery_points(self.request, group.id)
        except DraasError:
            return []


class TestFailoverView(WithPointsMixin, GroupModal):
    form_class = group_forms.TestFailoverForm
    modal_header = _("Test Failover")
    submit_label = _("Start Test Failover")
    url_name = "test_failover"
    page_title = _("Test Failover")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["points"] = self.points(kwargs["group"])
        return kwargs

    def explanation(self, group: Group) -> list[str]:
        return explain.test_failover(group)


class FailoverView(WithPointsMixin, GroupModal):
    form_class = group_forms.FailoverForm
    modal_header = _("Failover")
    submit_label = _("Start Failover")
    url_name = "failover"
    page_title = _("Failover")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["points"] = self.points(kwargs["group"])
        return kwargs

    def explanation(self, group: Group) -> list[str]:
        return explain.failover(group)


class ReprotectView(GroupModal):
    form_class = group_forms.ReprotectForm
    modal_header = _("Reprotect")
    submit_label = _("Start Reprotect")
    url_name = "reprotect"
    page_title = _("Reprotect")

    def explanation(self, group: Group) -> list[str]:
        return explain.reprotect(group)


class FailbackView(GroupModal):
    form_class = group_forms.FailbackForm
    modal_header = _("Failback")
    submit_label = _("Start Failback")
    url_name = "failback"
    page_title = _("Failback")

    def explanation(self, group: Group) -> list[str]:
        return explain.failback(group)


class MoveView(GroupModal):
    form_class = group_forms.MoveForm
    modal_header = _("Move")
    submit_label = _("Start Move")
    url_name = "move"
    page_title = _("Move")

    def explanation(self, group: Group) -> list[str]:
        return explain.move(group)


class RunScheduledTestView(GroupModal):
    form_class = group_forms.RunScheduledTestForm
    modal_header = _("Run Scheduled Test Now")
    submit_label = _("Run Test Now")
    url_name = "run_scheduled_test"
    page_title = _("Run Scheduled Test Now")

    def explanation(self, group: Group) -> list[str]:
        return explain.run_scheduled_test(group)


class AddVmView(GroupModal):
    form_class = group_forms.AddVmForm
    modal_header = _("Add VM")
    submit_label = _("Add VM")
    url_name = "add_vm"
    page_title = _("Add VM")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        try:
            kwargs["vms"] = common.memo(
                self.request, ("vms",), lambda: draas.list_vms(self.request)
            )
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the project's VMs."))
            kwargs["vms"] = []
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        members = {vm.server_id for vm in self.group().vms}
        context["not_eligible"] = [
            vm
            for vm in getattr(form, "vms", [])
            if vm.state == "not_eligible" and vm.server_id not in members
        ]
        return context

    def explanation(self, group: Group) -> list[str]:
        return explain.add_vm(group)


class SplitView(GroupModal):
    form_class = group_forms.SplitForm
    modal_header = _("Split Off VMs")
    submit_label = _("Move to a New Group")
    url_name = "split"
    page_title = _("Split Off VMs")

    def explanation(self, group: Group) -> list[str]:
        return explain.split(group)

    def get_success_url_from_handled(self, handled: Any) -> str:
        if isinstance(handled, Group) and handled.id != self.group().id:
            return reverse("horizon:project:dr_groups:detail", args=[handled.id])
        return super().get_success_url_from_handled(handled)


class EditTargetsView(GroupModal):
    form_class = group_forms.EditTargetsForm
    modal_header = _("Edit Targets")
    submit_label = _("Save")
    url_name = "edit_targets"
    page_title = _("Edit Targets")

    def explanation(self, group: Group) -> list[str]:
        return explain.edit_targets(group)
