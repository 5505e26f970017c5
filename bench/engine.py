"""The workflow engine's own cost per step: steps that do nothing, so that all the time is the
engine's bookkeeping (claims, leases, attempts, outputs, events, the operation's end).

    python -m bench.engine [--steps 10000] [--steps-per-unit 10] [--threads 32]
                           [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
                           [--engines 1]

One operation of --steps no-op steps: a prepare unit, then VM units of --steps-per-unit steps
each in one tier, run by one engine (one process, --threads workers) to its end; on a SQLite
file, and on a fresh schema of the PostgreSQL server unless --no-postgres, there by --engines
engine processes sharing the operation as orchestrators of one site would. Prints, for each,
the wall time, the steps per second and the milliseconds per step against the bound (2 ms,
issue 18).
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bench.failover import postgres_schema
from common.db import Database
from common.telemetry import create_tracer_provider
from services.orchestrator.engine.plan import PREPARE, PREPARE_TIER, VM, Plan, UnitPlan
from services.orchestrator.engine.steps import Registry, Step, StepContext
from services.orchestrator.engine.store import EngineStore
from services.orchestrator.engine.worker import Engine, EngineSettings
from services.orchestrator.models import MIGRATIONS, GroupLockRecord, OperationRecord, UnitRecord

BOUND_MS = 2.0
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class NoOp(Step):
    """Does nothing, provides nothing."""

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        return {}


class Release:
    """The engine's finish hook: the operation's group is released."""

    def finished(
        self, session: Session, operation: OperationRecord, units: list[UnitRecord]
    ) -> None:
        session.execute(delete(GroupLockRecord).where(GroupLockRecord.operation_id == operation.id))


def plan(steps: int, per_unit: int) -> tuple[Plan, list[str]]:
    names = [f"s{i}" for i in range(per_unit)]
    units = [UnitPlan(PREPARE, PREPARE, PREPARE_TIER, [names[0]])]
    for index in range(max(1, (steps - 1) // per_unit)):
        key = f"vm-{index}"
        units.append(UnitPlan(key, VM, 1, list(names), key, key))
    return Plan("test_failover", "bench", f"g-{uuid.uuid4().hex[:8]}", {}, units), names


def _engine(database: Database, per_unit: int, threads: int, owner: str) -> Engine:
    registry = Registry(NoOp(f"s{i}") for i in range(per_unit))
    return Engine(
        EngineStore(database, Release()),
        registry,
        EngineSettings(worker_threads=threads, poll_seconds=0.05),
        create_tracer_provider("orchestrator", "bench"),
        owner=owner,
    )


def _another_engine(
    url: str, per_unit: int, threads: int, owner: str, ready: Any, done: Any
) -> None:
    """One more engine process on the same database, until `done`."""
    database = Database(url)
    engine = _engine(database, per_unit, threads, owner)
    engine.start()
    ready.set()
    done.wait()
    engine.stop()
    database.close()


def run(url: str, steps: int, per_unit: int, threads: int, engines: int) -> tuple[int, float]:
    """Steps run and seconds from the operation's creation to its end, by `engines` engine
    processes (this one and the others, each of `threads` workers) sharing the database."""
    database = Database(url)
    MIGRATIONS.upgrade(database.engine)
    made, _ = plan(steps, per_unit)
    store = EngineStore(database, Release())
    engine = _engine(database, per_unit, threads, "bench-0")
    spawning = multiprocessing.get_context("spawn")
    done = spawning.Event()
    others = []
    for index in range(1, engines):
        ready = spawning.Event()
        process = spawning.Process(
            target=_another_engine,
            args=(url, per_unit, threads, f"bench-{index}", ready, done),
        )
        process.start()
        others.append((process, ready))
    try:
        for process, ready in others:
            if not ready.wait(60):
                raise SystemExit(f"engine process {process.pid} did not start")
        engine.start()
        started = time.perf_counter()
        operation_id, _ = store.create(made, "bench-key", "", None)
        engine.wake()
        while True:
            with database.transaction() as session:
                if session.get_one(OperationRecord, operation_id).finished_at is not None:
                    break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        done.set()
        engine.stop()
        for process, _ in others:
            process.join(60)
        database.close()
    return sum(len(u.steps) for u in made.units), elapsed


def show(where: str, steps: int, seconds: float) -> None:
    per_step = seconds * 1000 / steps
    ratio = per_step / BOUND_MS
    print(
        f"  {where:<11} {steps} steps in {seconds:6.1f} s: {steps / seconds:6.0f} steps/s, "
        f"{per_step:.2f} ms per step; ratio to the {BOUND_MS:.0f} ms bound {ratio:.2f}"
    )


def main() -> None:
    """Runs the benchmark and prints its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--steps-per-unit", type=int, default=10)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument(
        "--engines", type=int, default=1, help="engine processes sharing PostgreSQL's operation"
    )
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"the engine's bookkeeping, no-op steps, engines of {args.threads} threads:")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'engine.sqlite3'}"
        show("SQLite", *run(url, args.steps, args.steps_per_unit, args.threads, 1))
    if not args.no_postgres:
        with postgres_schema(args.postgres) as url:
            where = "PostgreSQL" + (f", {args.engines} engines" if args.engines > 1 else "")
            show(where, *run(url, args.steps, args.steps_per_unit, args.threads, args.engines))


if __name__ == "__main__":
    main()
