"""What an operation is made of, and the states of its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Unit roles: the group's work before the VMs (its outputs are shared with every unit), one
# VM's chain, the group's work after the VMs, and work after that which, failing, leaves what
# was done in place (a failback's reprotect: the failover back stands, the group can be
# reprotected again).
PREPARE, VM, FINISH, FOLLOW_UP = "prepare", "vm", "finish", "follow_up"
# A tier's group work, before or after its VMs (the tenant's tier hooks).
TIER = "tier"
# The tiers of the group units: before and after every VM tier.
PREPARE_TIER, FINISH_TIER, FOLLOW_UP_TIER = 0, 1_000_000, 1_000_001


class OperationState:
    PENDING = "pending"
    RUNNING = "running"
    COMPENSATING = "compensating"
    SUCCEEDED = "succeeded"
    PARTIALLY_SUCCEEDED = "partially_succeeded"
    FAILED = "failed"
    COMPENSATED = "compensated"

    ACTIVE = (PENDING, RUNNING, COMPENSATING)


class UnitState:
    PENDING = "pending"
    RUNNING = "running"
    # Undoing its steps, newest first: after its own failure (it ends failed) or because the
    # operation was aborted (it ends compensated).
    REVERTING = "reverting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    COMPENSATED = "compensated"
    SKIPPED = "skipped"

    DONE = (SUCCEEDED, FAILED, COMPENSATED, SKIPPED)


class StepState:
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REVERTED = "reverted"
    REVERT_FAILED = "revert_failed"


@dataclass
class UnitPlan:
    """One chain of steps. `key` is unique in the operation: the VM's server id, or the role of
    a group unit."""

    key: str
    role: str
    tier: int
    steps: list[str]
    name: str = ""
    server_id: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """An operation to run: its units, and whether one VM's failure aborts it all."""

    kind: str
    project_id: str
    group_id: str
    request: dict[str, Any]
    units: list[UnitPlan]
    stop_on_failure: bool = False
    parent_operation_id: str | None = None
    # It covers only some of the group's VMs (a test of some VMs is not a test of the group).
    partial: bool = False

    def __post_init__(self) -> None:
        keys = [u.key for u in self.units]
        if len(set(keys)) != len(keys):
            raise ValueError(f"unit keys must be unique in a plan: {keys}")


# A unit's inputs key for the tier the tenant gave its VM, when the plan spread the engine's
# tiers apart to run tier units between them (see `shown_tier`).
SHOWN_TIER = "tier"


def shown_tier(unit: Any) -> int:
    """The tier of a unit (a UnitPlan or its record) as the tenant gave it."""
    return int((unit.inputs or {}).get(SHOWN_TIER, unit.tier))
