"""Operations: the list, an operation's page (progress per VM and step, refreshed by the page
itself while it runs, then its report: RTO, RPO, recovery point, a timeline of every VM's
steps, errors, what a cleanup removed and kept), the progress fragment the page re-fetches,
and a test's cleanup."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables, views

from draas_dashboard import charts, lifecycle, sites
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Operation
from draas_dashboard.content import common
from draas_dashboard.content.groups import explain
from draas_dashboard.content.operations import forms as operation_forms
from draas_dashboard.content.operations import tables as operation_tables

INDEX = "horizon:project:dr_operations:index"


class IndexView(tables.DataTableView):
    table_class = operation_tables.OperationsTable
    template_name = "draas_dashboard/table_page.html"
    page_title = _("Operations")

    def get_data(self) -> list[Operation]:
        try:
            return draas.list_operations(self.request)
        except DraasError:
            exceptions.handle(self.request, _("Unable to list the operations."))
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["intro"] = _(
            "Operations run at the site that recovers the VMs: test failovers and failovers "
            "at a group's target site, reprotects where it failed over to, failbacks at its "
            "home site. This list holds this site's."
        )
        return context


def poll_interval() -> int:
    """How often (ms) a running operation's page re-fetches its progress: DRAAS_PROGRESS_POLL_MS
    (default 1000; one small request to the gateway each time)."""
    return max(250, int(getattr(settings, "DRAAS_PROGRESS_POLL_MS", 1000)))


def _vm_names(operation: Operation) -> dict[str, str]:
    return {vm.server_id: str(vm.name or vm.server_id) for vm in operation.vms}


class OperationMixin:
    """An operation (of the user's project, or for an admin of `project_id`)."""

    request: Any
    kwargs: dict[str, Any]
    index_url: Any = reverse_lazy(INDEX)

    def project_id(self) -> str | None:
        return self.kwargs.get("project_id")

    def operation(self) -> Operation:
        key = ("operation", self.kwargs["operation_id"], self.project_id())
        try:
            return common.memo(
                self.request,
                key,
                lambda: draas.get_operation(
                    self.request, self.kwargs["operation_id"], project_id=self.project_id()
                ),
            )
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read operation "%s".') % self.kwargs["operation_id"],
                redirect=self.index_url,
            )
            raise

    def progress_context(self, operation: Operation) -> dict[str, Any]:
        """What the progress fragment shows: each VM's steps, done and to do."""
        vms = sorted(operation.vms, key=lambda v: (v.tier or 0, str(v.name or v.server_id)))
        tiers = sorted({vm.tier or 1 for vm in vms})
        current_tier = next((vm.tier for vm in vms if vm.state in ("running", "pending")), None)
        done = sum(1 for vm in vms if vm.state in ("succeeded", "skipped"))
        return {
            "operation": operation,
            "vms": vms,
            "tiers": tiers,
            "current_tier": current_tier,
            "done": done,
            "colours": charts.STEP_COLOURS,
        }


class DetailView(OperationMixin, views.HorizonTemplateView):
    template_name = "draas_dashboard/operations/detail.html"
    page_title = _("Operation {{ operation.id }}")
    admin = False

    def progress_url(self, operation: Operation) -> str:
        return reverse("horizon:project:dr_operations:progress", args=[operation.id])

    def group_name(self, operation: Operation) -> str | None:
        """The operation's group by name, when it can still be read (a deleted group's
        operations stay)."""
        try:
            group = draas.get_group(self.request, operation.group_id, project_id=self.project_id())
        except DraasError:
            return None
        return str(group.display_name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        request = self.request
        operation = self.operation()
        context.update(self.progress_context(operation))
        context["progress_url"] = self.progress_url(operation)
        context["poll_interval"] = poll_interval()
        context["admin"] = self.admin
        context["group_url"] = (
            None
            if self.admin
            else reverse("horizon:project:dr_groups:detail", args=[operation.group_id])
        )
        context["group_name"] = self.group_name(operation)
        siblings: list[Operation] = []
        if not self.admin:
            try:
                siblings = draas.list_operations(request, group_id=operation.group_id)
            except DraasError:
                siblings = []
        context["cleanup"] = lifecycle.cleaned_up(operation, siblings)
        context["may_clean_up"] = (
            not self.admin
            and sites.may_write(request)
            and lifecycle.may_clean_up(operation, siblings or [operation])
        )
        if context["may_clean_up"]:
            context["cleanup_url"] = reverse(
                "horizon:project:dr_operations:cleanup", args=[operation.id]
            )
        if not operation.active:
            try:
                report = draas.get_report(request, operation.id, project_id=self.project_id())
            except DraasError as error:
                context["report_problem"] = str(error)
            else:
                context["report"] = report
                context["timeline"] = charts.timeline(report)
                context["legend"] = charts.legend()
        return context


class ProgressView(OperationMixin, views.HorizonTemplateView):
    """The progress fragment a running operation's page re-fetches (no page around it)."""

    template_name = "draas_dashboard/operations/_progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(self.progress_context(self.operation()))
        return context


class CleanupView(forms.ModalFormView):
    form_class = operation_forms.CleanupForm
    template_name = "draas_dashboard/modal_form.html"
    ajax_template_name = "draas_dashboard/_modal_form.html"
    modal_header = _("Clean Up Test Failover")
    submit_label = _("Clean Up")
    success_url = reverse_lazy(INDEX)
    page_title = _("Clean Up Test Failover")

    def test(self) -> Operation:
        operation_id = self.kwargs["operation_id"]
        try:
            return common.memo(
                self.request,
                ("operation", operation_id, None),
                lambda: draas.get_operation(self.request, operation_id),
            )
        except DraasError:
            exceptions.handle(
                self.request,
                _('Unable to read operation "%s".') % operation_id,
                redirect=self.success_url,
            )
            raise

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["test"] = self.test()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        test = self.test()
        context["submit_url"] = reverse("horizon:project:dr_operations:cleanup", args=[test.id])
        context["explanation"] = explain.cleanup(common.here(self.request), test.id)
        return context

    def get_success_url_from_handled(self, handled: Operation) -> str:
        return reverse("horizon:project:dr_operations:detail", args=[handled.id])
