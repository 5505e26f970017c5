"""/v1/audit-events: the audit trail of this site's gateway, as CADF events, newest first; as
CSV with `format=csv`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from common.errors import InvalidArgument, NotFound
from gateway import bodies
from gateway.access import Reader
from gateway.audit.export import csv_lines
from gateway.audit.store import AuditQuery, AuditTrail

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])

EventId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9-]+$")]
# ISO 8601 as a text only: a number would otherwise be taken as seconds since 1970.
_MOMENT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
Since = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=_MOMENT,
        description="Only events at or after this time (ISO 8601, e.g. 2026-12-01T08:00:00Z; "
        "without an offset, UTC).",
    ),
]
Until = Annotated[
    str | None,
    Query(max_length=40, pattern=_MOMENT, description="Only events before this time (ISO 8601)."),
]
Action = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z/-]*$",
        description="Only this CADF action: create, update, delete, or update/<word> for an "
        "action on a thing (update/test-failover, update/failover, update/reprotect, "
        "update/failback, update/cleanup, ...).",
    ),
]
Outcome = Annotated[
    Literal["success", "failure", "pending"] | None,
    Query(description="pending: the change was asked for, its outcome was never recorded."),
]
TargetId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=255,
        pattern=bodies.ID_PATTERN,
        description="Only events about this group, VM, operation, ...",
    ),
]
InitiatorId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=bodies.ID_PATTERN,
        description="Only events of this Keystone user.",
    ),
]
PageLimit = Annotated[
    int | None,
    Query(ge=1, le=500, description="Events per page (JSON: 50 by default; CSV: every one)."),
]
Format = Annotated[
    Literal["json", "csv"],
    Query(
        alias="format",
        description="csv: the events as CSV rows (text/csv), one per event, every matching one "
        "unless `limit` is given.",
    ),
]


def _trail(request: Request) -> AuditTrail:
    found: AuditTrail = request.app.state.audit
    return found


def _utc(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except ValueError:
        raise InvalidArgument(name, "is not a time (ISO 8601, e.g. 2026-12-01T08:00:00Z)") from None
    except OverflowError:
        raise InvalidArgument(name, "is out of range") from None


@router.get(
    "",
    responses={
        200: {
            "description": "The events, as JSON (`audit_events`, `next_page_token`) or CSV.",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
def list_audit_events(
    request: Request,
    who: Reader,
    since: Since = None,
    until: Until = None,
    action: Action = None,
    outcome: Outcome = None,
    target_id: TargetId = None,
    initiator_id: InitiatorId = None,
    limit: PageLimit = None,
    page_token: bodies.PageToken = "",
    all_projects: bodies.AllProjects = False,
    project_id: bodies.ProjectId = None,
    output: Format = "json",
) -> Any:
    """Every request that changed or tried to change something in the project at this site
    (an admin: every project's with all_projects, unauthenticated attempts included; or one
    project's with project_id): who (initiator: user, project, roles, address), what (action),
    to what (target), when, how it ended (outcome, reason: the HTTP status), the request id
    (X-OpenStack-Request-Id) and the observer (this site's gateway). Readers may read their
    project's trail, as Keystone's reader role is meant for auditors."""
    project = who.listing(all_projects, project_id)
    start, end = _utc("since", since), _utc("until", until)
    if start and end and end <= start:
        raise InvalidArgument("until", "must be later than since")
    query = AuditQuery(
        project_id=None if all_projects else project,
        since=start,
        until=end,
        action=action,
        outcome=outcome,
        target_id=target_id,
        initiator_id=initiator_id,
    )
    trail = _trail(request)
    before = int(page_token) if page_token else None
    if output == "csv":
        events = (
            trail.every(query, before) if limit is None else trail.page(query, limit, before)[0]
        )
        return StreamingResponse(
            csv_lines(events),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-events.csv"'},
        )
    found, following = trail.page(query, limit or 50, before)
    return {"audit_events": found, "next_page_token": str(following) if following else ""}


@router.get("/{event_id}")
def show_audit_event(
    request: Request, who: Reader, event_id: EventId, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """One audit event (an admin may read any project's)."""
    project = None if who.is_admin and not project_id else who.acting_in(project_id)
    found = _trail(request).get(event_id, project)
    if found is None:
        raise NotFound(f"your project has no audit event {event_id} at this site")
    return found
