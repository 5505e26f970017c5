"""Reading operations costs the same whatever their number and size: a page of operations is
three queries, and a watcher's poll reads the operation's state and its new events only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from services.orchestrator.operations import Operations
from tests.functional.orchestrator.conftest import Bench, plan


@contextmanager
def selects(bench: Bench) -> Iterator[list[str]]:
    """The SELECT statements this thread runs on the bench's database inside the block (not
    the engine's, which polls in its own threads)."""
    seen: list[str] = []
    reader = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == reader and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(bench.database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(bench.database.engine, "before_cursor_execute", record)


def _reading(bench: Bench) -> Operations:
    # Reading needs the store alone: no settings, clients or group records.
    return Operations(None, None, None, bench.store, lambda: None)  # type: ignore[arg-type]


def _ran(bench: Bench, vms: int, group: str) -> str:
    operation_id, _ = bench.store.create(
        plan({f"vm{i}": 1 for i in range(vms)}, group=group), group
    )
    bench.wait(operation_id)
    return operation_id


def test_a_page_of_operations_is_three_queries_whatever_its_size(bench: Bench):
    bench.engine()
    ids = [_ran(bench, vms, f"g{vms}") for vms in (1, 12, 3)]
    operations = _reading(bench)
    with selects(bench) as one:
        first, more = operations.page("p1", "", 0, 1)
    with selects(bench) as three:
        every, last = operations.page("p1", "", 0, 3)
    assert (len(one), len(three)) == (3, 3)
    assert (more, last) == (True, False)
    assert [s.operation.id for s in every] == list(reversed(ids))
    assert first[0].operation.id == ids[-1]
    for snapshot in every:
        alone = operations.get("p1", snapshot.operation.id)
        assert [u.id for u in snapshot.units] == [u.id for u in alone.units]
        assert {u: [a.id for a in found] for u, found in snapshot.attempts.items()} == {
            u: [a.id for a in found] for u, found in alone.attempts.items()
        }
    # 12 VMs of three steps, a prepare and a finish step, each once.
    assert sum(len(found) for found in every[1].attempts.values()) == 12 * 3 + 2


def test_a_watchers_poll_reads_no_unit_and_no_step(bench: Bench):
    bench.engine()
    operation_id = _ran(bench, 12, "g1")
    operations = _reading(bench)
    with selects(bench) as seen:
        events, ended = operations.events("p1", operation_id, 0)
    assert ended and events[-1].message == "ended succeeded"
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert len(seen) == 2
    assert not [s for s in seen if "units" in s or "step_attempts" in s]
