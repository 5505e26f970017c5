"""What the orchestrator's steps share: the services they call, and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from common.telemetry import in_current_context
from draas.common.v1 import types_pb2
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.clients import Clients
from services.orchestrator.engine.steps import Step, StepContext
from services.orchestrator.groups import GroupRecords
from services.orchestrator.settings import OrchestratorSettings

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class StepDeps:
    """This site's name and settings, the clients, the group records."""

    site: str
    settings: OrchestratorSettings
    clients: Clients
    records: GroupRecords


class OrchestratorStep(Step):
    """A step with the orchestrator's dependencies."""

    def __init__(self, deps: StepDeps) -> None:
        self.deps = deps


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def request_id(ctx: StepContext, *parts: str) -> str:
    """Names what a call makes for this operation, so that a repeat finds it."""
    return ":".join([ctx.operation.id, *parts])


def group_ref(shared: dict[str, Any]) -> spb.GroupRef:
    """The storage service's reference to the group, from the prepare unit's outputs."""
    group = shared["group"]
    return spb.GroupRef(
        group_id=group["id"],
        replication_type=types_pb2.REPLICATION_TYPE_SYNC
        if group["replication_type"] == "sync"
        else types_pb2.REPLICATION_TYPE_ASYNC,
        source_array=group["source_array"],
        target_array=group["target_array"],
        pod_name=group["pod_name"],
    )


def point_dict(point: types_pb2.RecoveryPoint) -> dict[str, Any]:
    return {
        "id": point.id,
        "created_at": point.created_at.ToDatetime(tzinfo=UTC).isoformat(),
        "completed_at": point.completed_at.ToDatetime(tzinfo=UTC).isoformat()
        if point.HasField("completed_at")
        else None,
        "source_array": point.source_array,
        "target_array": point.target_array,
    }


def parallel(items: Iterable[T], work: Callable[[T], R], width: int = 8) -> list[R]:
    """`work` over the items, `width` at a time, in this trace; results in order."""
    listed = list(items)
    if len(listed) <= 1:
        return [work(i) for i in listed]
    with ThreadPoolExecutor(max_workers=min(width, len(listed))) as pool:
        return list(pool.map(in_current_context(work), listed))
