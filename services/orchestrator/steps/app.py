"""The tenant's hooks and application checks as steps (checks/config.py says what they are):
hooks before and after the operation (first in the prepare unit, last in the finish unit),
before and after each tier (units of their own, between the tiers), and around each VM's
recovery (first and last in its unit), checks once the VM is verified. What
each unit runs was taken from the group when the operation was planned (its inputs).

A hook may be called again after a crash: its payload's `call_id` is the same each time."""

from __future__ import annotations

import logging
from typing import Any

from common.errors import FailedPrecondition
from services.orchestrator.checks import config, runner
from services.orchestrator.checks.config import AUTOMATION
from services.orchestrator.engine.plan import TIER, shown_tier
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.steps.base import OrchestratorStep

log = logging.getLogger(__name__)


class _Hooks(OrchestratorStep):
    when: str

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        automation = config.from_body(ctx.unit.inputs.get(AUTOMATION))
        results = []
        unit = ctx.unit
        tier = shown_tier(unit)
        for hook in automation.hooks_for(ctx.operation.kind, self.when):
            if unit.server_id and not hook.applies_to(unit.server_id, unit.name, tier):
                continue
            if unit.role == TIER and not hook.applies_to_tier(tier):
                continue
            result = runner.call_hook(hook, _payload(self, ctx, hook.name))
            body = result.body()
            if unit.role == TIER:
                body["name"] = f"{hook.name} (tier {tier})"
            results.append(body)
            if not result.passed:
                if hook.on_failure == "fail":
                    raise FailedPrecondition(
                        f"{self.when} hook {hook.name} failed: {result.output}"
                    )
                log.info("%s hook %s failed (warn): %s", self.when, hook.name, result.output)
        return {f"{self.when}_hooks": results}


class PreOperationHooks(_Hooks):
    """The tenant's hooks before the operation does anything."""

    name = "pre_operation_hooks"
    when = "pre_operation"


class PostOperationHooks(_Hooks):
    """The tenant's hooks once every VM is done."""

    name = "post_operation_hooks"
    when = "post_operation"


class PreTierHooks(_Hooks):
    """The tenant's hooks before any VM of a tier starts (after the tiers before it)."""

    name = "pre_tier_hooks"
    when = "pre_tier"


class PostTierHooks(_Hooks):
    """The tenant's hooks once every VM of a tier has ended (before the next tier)."""

    name = "post_tier_hooks"
    when = "post_tier"


class PreVmHooks(_Hooks):
    """The tenant's hooks before a VM is recovered."""

    name = "pre_vm_hooks"
    when = "pre_vm"


class PostVmHooks(_Hooks):
    """The tenant's hooks once a VM is recovered (and checked)."""

    name = "post_vm_hooks"
    when = "post_vm"


class CheckApplication(OrchestratorStep):
    """The VM's application checks, in order, each until it passes or its timeout is over;
    one that fails (on_failure fail) fails the VM, its output in the error."""

    name = "check_application"
    resource = "verify"
    # A check retries by itself until its timeout; the step is not tried again.
    attempts = 1

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        automation = config.from_body(ctx.unit.inputs.get(AUTOMATION))
        addresses = [str(a) for a in ctx.outputs.get("ip_addresses", [])]
        results = []
        unit = ctx.unit
        for check in automation.checks_for(ctx.operation.kind):
            if not check.applies_to(unit.server_id or "", unit.name, shown_tier(unit)):
                continue
            result = runner.run_check(
                check, addresses, self.deps.settings.guest_proxy, _payload(self, ctx, check.name)
            )
            results.append(result.body())
            if not result.passed:
                if check.on_failure == "fail":
                    raise FailedPrecondition(
                        f"application check {check.name} failed: {result.output}"
                    )
                log.info("application check %s failed (warn): %s", check.name, result.output)
        return {"checks": results}


def _payload(step: OrchestratorStep, ctx: StepContext, name: str) -> dict[str, Any]:
    """What a hook (or a hook check) is told: the operation, the group, the VM and its
    addresses here."""
    group = ctx.shared.get("group") or ctx.unit.inputs.get("group") or {}
    payload: dict[str, Any] = {
        "call_id": f"{ctx.operation.id}:{ctx.unit.key}:{step.name}:{name}",
        "hook": name,
        "step": step.name,
        "site": step.deps.site,
        "operation": {"id": ctx.operation.id, "kind": ctx.operation.kind},
        "group": {"id": ctx.operation.group_id, "name": group.get("name", "")},
    }
    if ctx.unit.role == TIER:
        payload["tier"] = shown_tier(ctx.unit)
    if ctx.unit.server_id:
        payload["vm"] = {
            "server_id": ctx.unit.server_id,
            "name": ctx.unit.name,
            "tier": shown_tier(ctx.unit),
            "recovered_server_id": ctx.outputs.get("recovered_server_id", ""),
            "addresses": list(ctx.outputs.get("ip_addresses", [])),
        }
    return payload


STEPS = (
    PreOperationHooks,
    PostOperationHooks,
    PreTierHooks,
    PostTierHooks,
    PreVmHooks,
    PostVmHooks,
    CheckApplication,
)
