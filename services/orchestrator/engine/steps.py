"""Steps: the idempotent pieces a unit's chain is made of, and what they see while they run."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from common.errors import Aborted


class LeaseLost(Aborted):
    """Another worker owns the unit now (this one's lease expired): stop, write nothing."""


@dataclass(frozen=True)
class OperationInfo:
    """The operation a step works for."""

    id: str
    kind: str
    project_id: str
    group_id: str
    request: dict[str, Any]
    created_at: datetime
    parent_operation_id: str | None


@dataclass(frozen=True)
class UnitInfo:
    """The unit a step belongs to."""

    id: str
    key: str
    role: str
    name: str
    tier: int
    server_id: str | None
    inputs: dict[str, Any]


@dataclass(frozen=True)
class UnitSummary:
    """How another unit of the operation ended, for the steps after the VMs."""

    key: str
    role: str
    name: str
    server_id: str | None
    state: str
    outputs: dict[str, Any]
    error: str | None


@dataclass
class StepContext:
    """What a step reads: its operation and unit, the prepare unit's outputs (`shared`), and
    what earlier steps of its unit provided (`outputs`)."""

    operation: OperationInfo
    unit: UnitInfo
    shared: dict[str, Any]
    outputs: dict[str, Any]
    check_owned: Callable[[], None] = field(repr=False)
    units: Callable[[], list[UnitSummary]] = field(repr=False)
    # Adds inputs to other units of the operation (by key), e.g. each VM's part of what the
    # prepare unit loaded, so that shared outputs stay small.
    deliver: Callable[[dict[str, dict[str, Any]]], None] = field(repr=False)


class Step(ABC):
    """One idempotent piece of work. `execute` may run again after a crash (or a lost lease)
    and must then find, not repeat, what the earlier run made; `revert` undoes it and must
    accept that some or all of it is already gone.

    Outputs are JSON values, persisted before the next step starts; never secrets.
    """

    name: ClassVar[str]
    # The backend API it loads (e.g. "nova"), bounded by the engine's limit for it.
    resource: ClassVar[str | None] = None
    # Attempts on a retryable error (a dependency down, a timeout) before the step fails.
    attempts: ClassVar[int] = 3

    @abstractmethod
    def execute(self, ctx: StepContext) -> dict[str, Any]:
        """Does the work; returns the outputs.

        :raises DraasError: the step failed (retried first when retryable).
        """

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:  # noqa: B027
        """Undoes what `execute` made, given the outputs it returned (empty when it failed
        midway; a revert must then find what it made by the names it uses).

        :raises DraasError: the undo failed; the unit is reported with it.
        """


class Registry:
    """The steps a plan's units may name."""

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        self._steps: dict[str, Step] = {}
        for step in steps:
            self.add(step)

    def add(self, step: Step) -> None:
        if step.name in self._steps:
            raise ValueError(f"two steps are named {step.name}")
        self._steps[step.name] = step

    def __getitem__(self, name: str) -> Step:
        return self._steps[name]

    def __contains__(self, name: object) -> bool:
        return name in self._steps

    def names(self) -> list[str]:
        """Every step's name."""
        return list(self._steps)
