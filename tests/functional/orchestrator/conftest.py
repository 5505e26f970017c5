"""The workflow engine on a real database (SQLite file and the PostgreSQL server), with toy
steps that record what they did."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import delete
from sqlalchemy.orm import Session

from common.db import Database
from common.errors import FailedPrecondition, ServiceUnavailable, ServiceUnreachable
from common.telemetry import create_tracer_provider
from services.orchestrator.engine.plan import (
    FINISH,
    FINISH_TIER,
    PREPARE,
    PREPARE_TIER,
    VM,
    Plan,
    UnitPlan,
)
from services.orchestrator.engine.steps import Registry, Step, StepContext
from services.orchestrator.engine.store import EngineStore
from services.orchestrator.engine.worker import Engine, EngineSettings
from services.orchestrator.models import MIGRATIONS, GroupLockRecord, OperationRecord, UnitRecord


@dataclass
class Journal:
    """What the toy steps did, in order, from every thread."""

    calls: list[tuple[str, str, str, str]] = field(default_factory=list)
    times: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, engine: str, unit: str, step: str) -> None:
        with self.lock:
            self.calls.append((what, engine, unit, step))

    def executed(self, step: str | None = None) -> list[tuple[str, str]]:
        return [(u, s) for w, _, u, s in self.calls if w == "execute" and step in (None, s)]

    def reverted(self) -> list[tuple[str, str]]:
        return [(u, s) for w, _, u, s in self.calls if w == "revert"]


class ToyStep(Step):
    """Provides `<step>: <unit>`; sleeps `sleep` seconds; fails when the unit's inputs name it
    in `fail`; fails with a retryable error the first `flaky` times; finds its service not
    answering the first `unreachable` times (its revert: `unreachable_revert`)."""

    def __init__(self, name: str, journal: Journal, resource: str | None = None) -> None:
        self.name = name  # type: ignore[misc]
        self.resource = resource  # type: ignore[misc]
        self.journal = journal

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        inputs, key = ctx.unit.inputs, ctx.unit.key
        self.journal.record("execute", threading.current_thread().name, key, self.name)
        started = time.monotonic()
        with self.journal.lock:
            self.journal.running[self.name] = self.journal.running.get(self.name, 0) + 1
            self.journal.peak[self.name] = max(
                self.journal.peak.get(self.name, 0), self.journal.running[self.name]
            )
        try:
            time.sleep(inputs.get("sleep", 0))
            tries = sum(1 for u, s in self.journal.executed(self.name) if u == key)
            unreachable = inputs.get("unreachable", {}).get(self.name, 0)
            if tries <= unreachable:
                raise ServiceUnreachable(f"{self.name}'s service does not answer")
            tries -= unreachable
            flaky = inputs.get("flaky", {}).get(self.name, 0)
            if tries <= flaky:
                raise ServiceUnavailable(f"{self.name} backend busy")
            if inputs.get("fail") == self.name:
                raise FailedPrecondition(f"{self.name} refused {key}")
        finally:
            with self.journal.lock:
                self.journal.running[self.name] -= 1
        self.journal.times[(key, self.name)] = (started, time.monotonic())
        return {self.name: key, "seen": {**ctx.shared, **ctx.outputs}}

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        key = ctx.unit.key
        self.journal.record("revert", threading.current_thread().name, key, self.name)
        tries = sum(1 for u, s in self.journal.reverted() if (u, s) == (key, self.name))
        if tries <= ctx.unit.inputs.get("unreachable_revert", {}).get(self.name, 0):
            raise ServiceUnreachable(f"{self.name}'s service does not answer")


class ReleaseGroup:
    """Finish hooks as the orchestrator's: the group is released when its operation ends."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    def finished(
        self, session: Session, operation: OperationRecord, units: list[UnitRecord]
    ) -> None:
        session.execute(delete(GroupLockRecord).where(GroupLockRecord.operation_id == operation.id))
        self.ended.append(operation.id)


STEPS = ("recover", "manage", "boot", "verify", "report")


@dataclass
class Bench:
    """A database, its store, the toy steps, and engines on them."""

    database: Database
    store: EngineStore
    journal: Journal
    registry: Registry
    exporter: InMemorySpanExporter
    engines: list[Engine] = field(default_factory=list)

    def engine(self, name: str = "e1", **settings: Any) -> Engine:
        options = {"worker_threads": 16, "lease_seconds": 5.0, "poll_seconds": 0.05}
        options.update(retry_delay_seconds=0.01)
        options.update(settings)
        provider = create_tracer_provider("orchestrator", "site-a", self.exporter)
        engine = Engine(
            self.store, self.registry, EngineSettings(**options), provider, owner=name
        ).start()
        self.engines.append(engine)
        return engine

    def wait(self, operation_id: str, timeout: float = 30.0) -> OperationRecord:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.database.transaction() as session:
                found = session.get_one(OperationRecord, operation_id)
                if found.finished_at is not None:
                    return found
            time.sleep(0.02)
        raise AssertionError(f"operation {operation_id} did not end in {timeout} s")

    def unit_states(self, operation_id: str) -> dict[str, str]:
        return {u.key: u.state for u in self.store.units(operation_id)}


def plan(
    vms: dict[str, int],
    inputs: dict[str, dict[str, Any]] | None = None,
    stop_on_failure: bool = False,
    group: str = "g1",
    kind: str = "test_failover",
) -> Plan:
    """A prepare unit, the VMs (key -> tier) with manage, boot and verify, a finish unit."""
    inputs = inputs or {}
    units = [UnitPlan(PREPARE, PREPARE, PREPARE_TIER, ["recover"], inputs=inputs.get(PREPARE, {}))]
    units += [
        UnitPlan(key, VM, tier, ["manage", "boot", "verify"], key, key, inputs.get(key, {}))
        for key, tier in vms.items()
    ]
    units.append(UnitPlan(FINISH, FINISH, FINISH_TIER, ["report"], inputs=inputs.get(FINISH, {})))
    return Plan(kind, "p1", group, {"why": "test"}, units, stop_on_failure)


@pytest.fixture
def bench(database_url: str) -> Iterator[Bench]:
    database = Database(database_url)
    MIGRATIONS.upgrade(database.engine)
    journal = Journal()
    registry = Registry(
        [ToyStep(n, journal, resource="nova" if n == "boot" else None) for n in STEPS]
    )
    made = Bench(
        database,
        EngineStore(database, ReleaseGroup()),
        journal,
        registry,
        InMemorySpanExporter(),
    )
    yield made
    for engine in made.engines:
        engine.stop()
    database.close()
