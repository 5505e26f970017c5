"""The group's modal forms: add a VM (with its tier), change its description and targets, and
the confirmations that start an operation (test failover, failover, reprotect, failback,
move, a scheduled test now), each saying what will happen. Every start carries the form's
idempotency key, so submitting the same form twice starts one operation (but for a scheduled
test now: the gateway takes no key there)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from draas_dashboard import formatting
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Group, RecoveryPoint, Vm
from draas_dashboard.content.groups.workflows import MAX_TARGET_SECONDS, hours_to_seconds

NEWEST = ""


def vm_choices(group: Group) -> list[tuple[str, str]]:
    """The group's VMs as choices, tier by tier."""
    members = sorted(group.vms, key=lambda v: (v.tier or 0, str(v.name)))
    return [
        (vm.server_id, str(_("%(name)s (tier %(tier)s)") % {"name": vm.name, "tier": vm.tier}))
        for vm in members
    ]


class OperationForm(forms.SelfHandlingForm):
    """A confirmation that starts an operation on the group (`self.group`)."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput(),
        max_length=128,
        validators=[RegexValidator(r"^[A-Za-z0-9_.:-]+$")],
    )
    verb = _("Started")

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.group: Group = kwargs.pop("group")
        self.points: list[RecoveryPoint] = kwargs.pop("points", [])
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", f"horizon-{uuid.uuid4().hex}")
        super().__init__(request, *args, **kwargs)

    def point_choices(self) -> list[tuple[str, str]]:
        choices = [(NEWEST, str(_("The newest complete recovery point")))]
        for point in self.points:
            if point.complete:
                text = f"{point.created_at} ({formatting.age(point.created_at)} old) {point.id}"
                choices.append((str(point.id), text))
        return choices

    def start(self, request: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            operation = self.start(request, data)
        except DraasError as error:
            self.api_error(str(error))
            return False
        kind = formatting.label(formatting.OPERATION_KINDS, operation.kind)
        messages.success(
            request,
            _("%(kind)s of %(group)s started: operation %(id)s.")
            % {"kind": kind, "group": self.group.display_name, "id": operation.id},
        )
        return operation


class TestFailoverForm(OperationForm):
    recovery_point = forms.ChoiceField(label=_("Recovery Point"), required=False)
    cleanup_after = forms.ChoiceField(
        label=_("Clean Up Automatically"),
        required=False,
        choices=[
            ("", _("After the site's default time")),
            ("3600", _("After 1 hour")),
            ("14400", _("After 4 hours")),
            ("86400", _("After 1 day")),
            ("0", _("Never: I clean it up")),
        ],
    )
    stop_on_vm_failure = forms.BooleanField(
        label=_("Give the test up if one VM fails"), required=False
    )
    vms = forms.MultipleChoiceField(
        label=_("VMs"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one VM to test.")},
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["recovery_point"].choices = self.point_choices()
        self.fields["vms"].choices = vm_choices(self.group)
        self.fields["vms"].initial = [server_id for server_id, _label in vm_choices(self.group)]

    def start(self, request: Any, data: dict[str, Any]) -> Any:
        after = data.get("cleanup_after")
        chosen = list(data.get("vms") or [])
        every = {vm.server_id for vm in self.group.vms}
        return draas.start_test_failover(
            request,
            self.group.id,
            data["idempotency_key"],
            recovery_point_id=data.get("recovery_point") or None,
            cleanup_after_seconds=float(after) if after not in (None, "") else None,
            stop_on_vm_failure=bool(data.get("stop_on_vm_failure")),
            # Every VM ticked is a test of the group, not a partial one.
            server_ids=None if set(chosen) == every else chosen,
        )


class FailoverForm(OperationForm):
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[
            ("planned", _("Planned: the source site is up (no data loss)")),
            ("unplanned", _("Unplanned: the source site is lost")),
        ],
        widget=forms.Select(attrs={"class": "switchable", "data-slug": "mode"}),
    )
    recovery_point = forms.ChoiceField(
        label=_("Recovery Point"),
        required=False,
        widget=forms.Select(
            attrs={
                "class": "switched",
                "data-switch-on": "mode",
                "data-mode-unplanned": _("Recovery Point"),
            }
        ),
    )
    quiesce = forms.BooleanField(
        label=_("Stop the VMs before the last replication (async)"),
        required=False,
        widget=forms.CheckboxInput(
            attrs={
                "class": "switched",
                "data-switch-on": "mode",
                "data-mode-planned": _("Stop the VMs before the last replication (async)"),
            }
        ),
    )
    stop_on_vm_failure = forms.BooleanField(
        label=_("Give the failover up if one VM fails"), required=False
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["recovery_point"].choices = self.point_choices()
        if self.group.replication_type == "sync":
            # A synchronous group's VMs are always stopped first.
            del self.fields["quiesce"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        if data.get("mode") == "planned":
            data["recovery_point"] = NEWEST
        else:
            data["quiesce"] = False
        return data

    def start(self, request: Any, data: dict[str, Any]) -> Any:
        return draas.start_failover(
            request,
            self.group.id,
            data["mode"],
            data["idempotency_key"],
            recovery_point_id=data.get("recovery_point") or None,
            quiesce=bool(data.get("quiesce")),
            stop_on_vm_failure=bool(data.get("stop_on_vm_failure")),
        )


class ReprotectForm(OperationForm):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("retype", _("Retype: Cinder retypes the volumes in place (no outage)")),
            ("volume-type", _("Volume type: each VM stopped and its volumes managed again")),
        ],
    )
    target_replication_type = forms.ChoiceField(
        label=_("Replicate Back"),
        choices=[("async", _("Asynchronously")), ("sync", _("Synchronously"))],
    )
    volume_type = forms.CharField(
        label=_("Replicated Volume Type"),
        required=False,
        max_length=255,
        help_text=_("Empty: the one volume type here that replicates the chosen way."),
    )
    rpo_target = forms.FloatField(
        label=_("RPO Target (seconds)"),
        required=False,
        min_value=1,
        max_value=86400,
        help_text=_("Asynchronous only; empty: the group's RPO target."),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["target_replication_type"].initial = self.group.replication_type

    def start(self, request: Any, data: dict[str, Any]) -> Any:
        return draas.start_reprotect(
            request,
            self.group.id,
            data["method"],
            data["target_replication_type"],
            data["idempotency_key"],
            volume_type=data.get("volume_type") or "",
            rpo_target_seconds=data.get("rpo_target"),
        )


class FailbackForm(OperationForm):
    def start(self, request: Any, data: dict[str, Any]) -> Any:
        return draas.start_failback(request, self.group.id, data["idempotency_key"])


class MoveForm(OperationForm):
    def start(self, request: Any, data: dict[str, Any]) -> Any:
        return draas.start_move(request, self.group.id, data["idempotency_key"])


class RunScheduledTestForm(OperationForm):
    """The gateway takes no idempotency key for this one; a second submit is refused while
    the first test holds the group."""

    def start(self, request: Any, data: dict[str, Any]) -> Any:
        return draas.run_scheduled_test(request, self.group.id)


def vm_label(vm: Vm, replication_type: str | None = None) -> str:
    """A VM as a choice: its name, status and protection for a group of `replication_type`
    (every reason it is not eligible)."""
    name = f"{vm.name or vm.server_id} ({vm.status or '?'})"
    if vm.state == "eligible":
        kinds = ", ".join(vm.eligible_for)
        if replication_type and replication_type not in vm.eligible_for:
            return f"{name}: not eligible for a {replication_type} group (eligible for {kinds})"
        return f"{name}: eligible for {kinds}"
    if vm.state == "not_eligible":
        return f"{name}: not eligible: {'; '.join(vm.reasons)}"
    if vm.state == "protected":
        return f"{name}: protected in {vm.group_name}"
    return name


class AddVmForm(forms.SelfHandlingForm):
    """Protects a VM of the project in the group at a tier. A VM that is not eligible can be
    chosen too: the refusal names every volume and why."""

    server_id = forms.ChoiceField(label=_("VM"))
    server_id_text = forms.CharField(
        label=_("Or Server ID"),
        required=False,
        max_length=128,
        validators=[RegexValidator(r"^[A-Za-z0-9_.:-]+$")],
        help_text=_("A server of this project not listed above."),
    )
    tier = forms.IntegerField(
        label=_("Tier"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("Boot order in an operation: tier N starts when tier N-1 is done."),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.group: Group = kwargs.pop("group")
        self.vms: list[Vm] = kwargs.pop("vms", [])
        super().__init__(request, *args, **kwargs)
        members = {vm.server_id for vm in self.group.vms}
        candidates = [vm for vm in self.vms if vm.server_id not in members]
        kind = self.group.replication_type

        def order(vm: Vm) -> tuple[int, str]:
            fits = vm.state == "eligible" and kind in vm.eligible_for
            rank = 0 if fits else {"eligible": 1, "not_eligible": 2}.get(str(vm.state), 3)
            return rank, str(vm.name)

        candidates.sort(key=order)
        choices = [("", str(_("Select a VM")))] if candidates else [("", str(_("No VM listed")))]
        choices += [(vm.server_id, vm_label(vm, kind)) for vm in candidates]
        self.fields["server_id"].choices = choices
        self.fields["server_id"].required = False
        tiers = [vm.tier or 1 for vm in self.group.vms]
        self.fields["tier"].initial = max(tiers) if tiers else 1

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        chosen = data.get("server_id_text") or data.get("server_id")
        if not chosen:
            raise forms.ValidationError(_("Choose a VM (or give a server ID)."))
        data["chosen"] = chosen
        return data

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            group = draas.add_vm(request, self.group.id, data["chosen"], data["tier"])
        except DraasError as error:
            self.api_error(str(error))
            return False
        name = next((v.name for v in group.vms if v.server_id == data["chosen"]), data["chosen"])
        messages.success(
            request,
            _("VM %(vm)s is protected in %(group)s at tier %(tier)s.")
            % {"vm": name, "group": group.display_name, "tier": data["tier"]},
        )
        return group


class SplitForm(forms.SelfHandlingForm):
    """Moves some of the group's VMs into a new group of their own (at its source site)."""

    vms = forms.MultipleChoiceField(
        label=_("VMs to Move"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the VMs to move.")},
    )
    name = forms.CharField(
        label=_("New Group Name"),
        required=False,
        max_length=255,
        help_text=_("Empty: the group's name and the first VM's."),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.group: Group = kwargs.pop("group")
        super().__init__(request, *args, **kwargs)
        self.fields["vms"].choices = vm_choices(self.group)

    def clean_vms(self) -> list[str]:
        chosen: list[str] = list(self.cleaned_data.get("vms") or [])
        if len(chosen) == len(self.group.vms):
            raise forms.ValidationError(
                _("Leave at least one VM in the group: moving every VM is the group itself.")
            )
        return chosen

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            new = draas.split_group(request, self.group.id, data["vms"], data.get("name") or "")
        except DraasError as error:
            self.api_error(str(error))
            return False
        messages.success(
            request,
            _("%(vms)s moved from %(group)s to the new group %(new)s.")
            % {
                "vms": ", ".join(str(vm.name) for vm in new.vms),
                "group": self.group.display_name,
                "new": new.display_name,
            },
        )
        return new


class EditTargetsForm(forms.SelfHandlingForm):
    """Changes a group's description and targets (at its source site): the RPO target (an
    asynchronous group's), the RTO target and the test interval. Only what changed is sent.
    A group made from a policy takes its targets from the policy: only its description is
    offered then."""

    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rpo_target = forms.FloatField(
        label=_("RPO Target (seconds)"),
        min_value=1,
        max_value=86400,
        help_text=_(
            "How old the newest recovery point may get; a change reschedules the "
            "replication at once."
        ),
    )
    rto_target = forms.FloatField(
        label=_("RTO Target (seconds)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS,
        help_text=_("Each test's measured RTO is judged against it. Empty or 0: none."),
    )
    test_interval = forms.FloatField(
        label=_("Test Interval (hours)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_SECONDS / 3600,
        help_text=_(
            "A successful test failover is due within each interval (at least 1 hour), or an "
            "alert says it is overdue. Empty or 0: none."
        ),
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.group: Group = kwargs.pop("group")
        group = self.group
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("description", group.get("description", ""))
        initial.setdefault("rpo_target", group.rpo_target_seconds)
        initial.setdefault("rto_target", group.rto_target_seconds)
        interval = group.test_interval_seconds
        initial.setdefault("test_interval", round(interval / 3600, 2) if interval else None)
        super().__init__(request, *args, **kwargs)
        if group.replication_type != "async":
            # A synchronous group's RPO is 0 while its link is up: there is nothing to set.
            del self.fields["rpo_target"]
        if group.policy:
            for name in ("rpo_target", "rto_target", "test_interval"):
                if name in self.fields:
                    del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        interval = data.get("test_interval")
        if interval and interval < 1:
            self.add_error("test_interval", _("At least 1 hour (or empty: none)."))
        return data

    def changes(self, data: dict[str, Any]) -> dict[str, Any]:
        """The gateway's fields that differ from the group's (0 clears a target)."""
        group = self.group
        found: dict[str, Any] = {}
        if (data.get("description") or "") != (group.get("description") or ""):
            found["description"] = data.get("description") or ""
        if "rpo_target" in self.fields and data.get("rpo_target") != group.rpo_target_seconds:
            found["rpo_target_seconds"] = data["rpo_target"]
        if "rto_target" in self.fields:
            rto = data.get("rto_target") or 0.0
            if rto != (group.rto_target_seconds or 0.0):
                found["rto_target_seconds"] = rto
        if "test_interval" in self.fields:
            interval = hours_to_seconds(data.get("test_interval")) or 0.0
            if abs(interval - (group.test_interval_seconds or 0.0)) >= 1:
                found["test_interval_seconds"] = interval
        return found

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        changes = self.changes(data)
        if not changes:
            messages.info(request, _("Nothing changed."))
            return self.group
        try:
            group = draas.update_group(request, self.group.id, **changes)
        except DraasError as error:
            self.api_error(str(error))
            return False
        messages.success(
            request, _("Changed failover group %(group)s.") % {"group": group.display_name}
        )
        return group
