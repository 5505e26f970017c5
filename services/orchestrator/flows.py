"""The plans of the operations: which units, in which tiers, with which steps.

Every operation that rebuilds VMs at this site starts with a prepare unit (the group's work:
the source stopped and the last metadata received for a planned failover, one recovery of all
the group's volumes at one point, its networks and security groups rebuilt once), then one
unit per VM in the group's tiers (manage its volumes, make its ports, boot, verify); a failover
ends with a unit that makes this site the group's owner.
"""

from __future__ import annotations

from typing import Any

from services.orchestrator.checks import config as checks
from services.orchestrator.checks.config import AUTOMATION
from services.orchestrator.engine.plan import (
    FINISH,
    FINISH_TIER,
    FOLLOW_UP,
    FOLLOW_UP_TIER,
    PREPARE,
    PREPARE_TIER,
    SHOWN_TIER,
    TIER,
    VM,
    Plan,
    UnitPlan,
)
from services.orchestrator.groups import SYNC, Group

TEST_FAILOVER = "test_failover"
TEST_CLEANUP = "test_cleanup"
PLANNED_FAILOVER = "planned_failover"
UNPLANNED_FAILOVER = "unplanned_failover"
FAILOVERS = (PLANNED_FAILOVER, UNPLANNED_FAILOVER)
REPROTECT = "reprotect"
FAILBACK = "failback"
MOVE = "move"
# A test failover's request flag: it tests only some of the group's VMs (its server_ids).
PARTIAL = "partial"

VM_STEPS = ["manage_volumes", "ensure_ports", "boot_server", "verify_server"]
REBUILD = ["recover_volumes", "ensure_networks", "volume_hosts"]
# The old source's VMs go first (never the same VM at both sites), then the network copies
# made for them there (those no other group needs), then the volumes here get the replicated
# type, then the arrays replicate them back.
RETIRE = ["retire_old_source", "retire_old_networks"]
REPROTECT_STEPS = [*RETIRE, "retype_volumes", "protect_reverse"]
# The reprotect methods: a Cinder retype in place, or each VM's volumes managed again under the
# replicated type (its server deleted and booted again around it).
RETYPE, VOLUME_TYPE = "retype", "volume_type"
REMANAGE_PREPARE = [*RETIRE, "capture_recovered", "volume_hosts"]
REMANAGE_VM_STEPS = ["release_server", "remanage_volumes", "boot_again", "verify_server"]


def _automation(group: Group) -> dict[str, Any]:
    """The unit inputs that carry the group's hooks and checks (steps/app.py)."""
    return {AUTOMATION: group.automation, "group": {"name": group.name}}


def _vm_units(group: Group, kind: str, only: list[str] | None = None) -> list[UnitPlan]:
    """A unit per VM (of those `only` names, when given): its recovery, with the group's
    hooks around it and its checks after."""
    automation = checks.from_body(group.automation)
    steps = list(VM_STEPS)
    if automation.checks_for(kind):
        steps.append("check_application")
    if automation.hooks_for(kind, "pre_vm"):
        steps.insert(0, "pre_vm_hooks")
    if automation.hooks_for(kind, "post_vm"):
        steps.append("post_vm_hooks")
    inputs = _automation(group) if steps != VM_STEPS else {}
    return [
        UnitPlan(vm.server_id, VM, vm.tier, list(steps), vm.name, vm.server_id, dict(inputs))
        for vm in group.vms
        if only is None or vm.server_id in only
    ]


# With tier hooks, a VM tier t runs at engine tier TIER_SLOTS * t + 1, between its hooks'
# units at TIER_SLOTS * t (before) and TIER_SLOTS * t + 2 (after).
TIER_SLOTS = 3


def _with_tier_hooks(group: Group, kind: str, units: list[UnitPlan]) -> list[UnitPlan]:
    """A unit before a tier's VMs for its pre_tier hooks, and one after them for its post_tier
    hooks, for each tier of the plan's VMs that has some."""
    automation = checks.from_body(group.automation)
    hooks = {when: automation.hooks_for(kind, when) for when in ("pre_tier", "post_tier")}
    if not any(hooks.values()):
        return units
    vms = [u for u in units if u.role == VM]
    for unit in vms:
        unit.inputs[SHOWN_TIER] = unit.tier
        unit.tier = TIER_SLOTS * unit.tier + 1
    for tier in sorted({int(u.inputs[SHOWN_TIER]) for u in vms}):
        for when, offset in (("pre_tier", 0), ("post_tier", 2)):
            if any(h.applies_to_tier(tier) for h in hooks[when]):
                units.append(
                    UnitPlan(
                        f"tier-{tier}-{when}",
                        TIER,
                        TIER_SLOTS * tier + offset,
                        [f"{when}_hooks"],
                        f"tier {tier}",
                        None,
                        {**_automation(group), SHOWN_TIER: tier},
                    )
                )
    return sorted(units, key=lambda u: u.tier)


def _with_hooks(group: Group, kind: str, units: list[UnitPlan]) -> list[UnitPlan]:
    """The group's tier hooks (units of their own around each tier), and its operation hooks:
    first in the prepare unit, last in the finish unit (made for them when the plan has
    none)."""
    units = _with_tier_hooks(group, kind, units)
    automation = checks.from_body(group.automation)
    if automation.hooks_for(kind, "pre_operation"):
        prepare = next(u for u in units if u.role == PREPARE)
        prepare.steps.insert(0, "pre_operation_hooks")
        prepare.inputs.update(_automation(group))
    if automation.hooks_for(kind, "post_operation"):
        finish = next((u for u in units if u.role == FINISH), None)
        if finish is None:
            finish = UnitPlan(FINISH, FINISH, FINISH_TIER, [])
            units.append(finish)
        finish.steps.append("post_operation_hooks")
        finish.inputs.update(_automation(group))
    return units


def test_failover_plan(
    group: Group, project_id: str, request: dict[str, Any], stop_on_failure: bool
) -> Plan:
    """Recover the newest (or chosen) point, rebuild on isolated networks, verify (and check,
    with the group's hooks around). `project_id` is the tenant's here. A partial test
    recovers only the VMs its request names."""
    prepare = UnitPlan(PREPARE, PREPARE, PREPARE_TIER, ["load_group", *REBUILD])
    only = request["server_ids"] if request.get(PARTIAL) else None
    vms = _vm_units(group, TEST_FAILOVER, only)
    units = _with_hooks(group, TEST_FAILOVER, [prepare, *vms])
    return Plan(
        TEST_FAILOVER,
        project_id,
        group.id,
        request,
        units,
        stop_on_failure,
        partial=only is not None,
    )


def failover_plan(
    group: Group,
    project_id: str,
    request: dict[str, Any],
    planned: bool,
    stop_on_failure: bool,
    hooks_of: str = "",
) -> Plan:
    """Planned: stop the source VMs (before the final replication when quiescing, which sync
    always does; after it otherwise), wait for their last metadata, recover, rebuild, take the
    group over. Unplanned: the same from what this site holds, without the source."""
    if not planned:
        steps = ["load_group", *REBUILD]
    elif group.replication_type == SYNC:
        steps = ["stop_source", "load_group", *REBUILD]
    elif request.get("quiesce"):
        steps = ["stop_source", "load_group", "final_replication", *REBUILD]
    else:
        steps = ["final_replication", "stop_source", "load_group", *REBUILD]
    kind = PLANNED_FAILOVER if planned else UNPLANNED_FAILOVER
    # A failback's failover runs the hooks and checks meant for failbacks.
    hooks = hooks_of or kind
    units = _with_hooks(
        group,
        hooks,
        [
            UnitPlan(PREPARE, PREPARE, PREPARE_TIER, steps),
            *_vm_units(group, hooks),
            UnitPlan(FINISH, FINISH, FINISH_TIER, ["take_ownership"]),
        ],
    )
    return Plan(kind, project_id, group.id, request, units, stop_on_failure)


def reprotect_plan(group: Group, project_id: str, request: dict[str, Any]) -> Plan:
    """At the site a group failed over to: protect it back towards the site it came from.
    By retype, one unit; by volume type, a unit per recovered VM in its tier (each VM out of
    service while its volumes change type), then the protection."""
    if request["reprotect"]["method"] == RETYPE:
        unit = UnitPlan(PREPARE, PREPARE, PREPARE_TIER, list(REPROTECT_STEPS))
        return Plan(REPROTECT, project_id, group.id, request, [unit])
    vms = [
        UnitPlan(vm.server_id, VM, vm.tier, list(REMANAGE_VM_STEPS), vm.name, vm.server_id)
        for vm in group.vms
        if vm.origin_server_id
    ]
    units = [
        UnitPlan(PREPARE, PREPARE, PREPARE_TIER, list(REMANAGE_PREPARE)),
        *vms,
        UnitPlan(FINISH, FINISH, FINISH_TIER, ["protect_reverse"]),
    ]
    return Plan(REPROTECT, project_id, group.id, request, units)


def failback_plan(group: Group, project_id: str, request: dict[str, Any]) -> Plan:
    """At the group's home site: a planned failover back (quiesced: no write is lost), then a
    reprotect towards the site it came back from. Should the reprotect fail, the failover back
    stands and the group is failed over here, to be reprotected again."""
    failover = failover_plan(
        group, project_id, {**request, "quiesce": True}, True, False, hooks_of=FAILBACK
    )
    follow_up = UnitPlan(FOLLOW_UP, FOLLOW_UP, FOLLOW_UP_TIER, list(REPROTECT_STEPS))
    return Plan(FAILBACK, project_id, group.id, failover.request, [*failover.units, follow_up])


def move_plan(group: Group, project_id: str, request: dict[str, Any]) -> Plan:
    """At the group's target site: a planned failover here (quiesced: no write is lost), then
    a reprotect towards the site it came from, as a failback does in the other direction."""
    failover = failover_plan(
        group, project_id, {**request, "quiesce": True}, True, False, hooks_of=MOVE
    )
    follow_up = UnitPlan(FOLLOW_UP, FOLLOW_UP, FOLLOW_UP_TIER, list(REPROTECT_STEPS))
    return Plan(MOVE, project_id, group.id, failover.request, [*failover.units, follow_up])


def cleanup_plan(
    project_id: str, group_id: str, test_operation_id: str, request: dict[str, Any]
) -> Plan:
    """Remove what a test failover made in the cloud, then its copies on the array."""
    unit = UnitPlan(
        PREPARE, PREPARE, PREPARE_TIER, ["remove_test_resources", "destroy_test_copies"]
    )
    return Plan(
        TEST_CLEANUP,
        project_id,
        group_id,
        request,
        [unit],
        parent_operation_id=test_operation_id,
    )
