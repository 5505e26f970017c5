"""/v1/operations: list, show, follow (server-sent events), report, and a test's cleanup."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from common.errors import DraasError
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway import bodies
from gateway.access import Reader, Writer
from gateway.orchestrator import Orchestrator
from gateway.routes.common import key_or_new, orchestrator, page, started
from gateway.views import as_json
from gateway.watching import EventHub

router = APIRouter(prefix="/v1/operations", tags=["operations"])

# A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0


@router.get("")
def list_operations(
    request: Request,
    who: Reader,
    group_id: bodies.GroupFilter = "",
    limit: bodies.Limit = 50,
    page_token: bodies.PageToken = "",
    all_projects: bodies.AllProjects = False,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The project's operations at this site, newest first."""
    found = orchestrator(request).call(
        "ListOperations",
        opb.ListOperationsRequest(
            project_id=who.listing(all_projects, project_id),
            group_id=group_id,
            page=page(limit, page_token),
            all_projects=all_projects,
        ),
    )
    return {
        "operations": [as_json(o) for o in found.operations],
        "next_page_token": found.next_page_token,
    }


@router.get("/{operation_id}")
def show_operation(
    request: Request,
    who: Reader,
    operation_id: bodies.Identifier,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The operation with each VM's progress, step by step."""
    return as_json(_get(orchestrator(request), who.acting_in(project_id), operation_id))


@router.get("/{operation_id}/report")
def report(
    request: Request,
    who: Reader,
    operation_id: bodies.Identifier,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """Written when the operation ends: RTO, recovery point and RPO, per-VM step timings, what
    a cleanup removed, errors, and the trace id. RTO and RPO are null when not measured (a
    cleanup; an operation that recovered no VM)."""
    found = orchestrator(request).call(
        "GetReport",
        opb.GetReportRequest(project_id=who.acting_in(project_id), operation_id=operation_id),
    )
    shown = as_json(found)
    for measured in ("rto", "rpo"):
        if not found.HasField(measured):
            shown[measured] = None
    return shown


@router.post("/{operation_id}/cleanup", status_code=202)
def cleanup(
    request: Request,
    who: Writer,
    operation_id: bodies.Identifier,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """Removes everything a test failover made; the cleanup is an operation of its own."""
    return started(
        orchestrator(request).call(
            "StartTestCleanup",
            opb.StartTestCleanupRequest(
                project_id=who.acting_in(project_id),
                operation_id=operation_id,
                idempotency_key=key_or_new(idempotency_key),
            ),
        )
    )


@router.get(
    "/{operation_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    who: Reader,
    operation_id: bodies.Identifier,
    after: bodies.After = 0,
    last_event_id: bodies.LastEventId = None,
    project_id: bodies.ProjectId = None,
) -> StreamingResponse:
    """Server-sent events: each `id: <sequence>` with the event as `data`; when the operation
    has ended, an `end` event with the operation, and the stream closes. A client that lost
    the stream resumes with Last-Event-ID (or `after`)."""
    project = who.acting_in(project_id)
    client = orchestrator(request)
    # Unknown operations get a problem response, not an empty stream.
    await asyncio.to_thread(_get, client, project, operation_id)
    since = max(after, int(last_event_id or 0))
    hub: EventHub = request.app.state.hub
    return StreamingResponse(
        _stream(client, hub.events(project, operation_id, since), project, operation_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    client: Orchestrator,
    events: AsyncGenerator[opb.OperationEvent, None],
    project_id: str,
    operation_id: str,
) -> AsyncIterator[str]:
    waiting: asyncio.Task[opb.OperationEvent] | None = None
    try:
        while True:
            if waiting is None:
                waiting = asyncio.ensure_future(events.__anext__())
            # Unlike wait_for, wait leaves the read under way when the keep-alive tick comes.
            done, _ = await asyncio.wait({waiting}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield ": keep-alive\n\n"
                continue
            try:
                event = waiting.result()
            except StopAsyncIteration:
                break
            except DraasError as error:
                yield _event({"detail": str(error)}, name="error")
                return
            finally:
                waiting = None
            yield _event(as_json(event), sequence=event.sequence)
        try:
            ended = await asyncio.to_thread(_get, client, project_id, operation_id)
        except DraasError as error:
            # The stream is under way: the error goes in it, not in a status.
            yield _event({"detail": str(error)}, name="error")
            return
        yield _event(as_json(ended), name="end")
    finally:
        if waiting is not None:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await waiting
        await events.aclose()


def _get(client: Orchestrator, project_id: str, operation_id: str) -> opb.Operation:
    found: opb.Operation = client.call(
        "GetOperation", opb.GetOperationRequest(project_id=project_id, operation_id=operation_id)
    )
    return found


def _event(data: dict[str, Any], name: str = "", sequence: int = 0) -> str:
    lines = [f"id: {sequence}"] if sequence else []
    if name:
        lines.append(f"event: {name}")
    lines.append(f"data: {json.dumps(data, separators=(',', ':'))}")
    return "\n".join(lines) + "\n\n"
