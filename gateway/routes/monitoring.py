"""Watching groups: a group's replication health history, alerts (list, show, acknowledge),
where they are delivered (alert channels and their delivery log), and compliance reports
(JSON, CSV or a printable HTML page)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidArgument
from common.protobuf import duration
from draas.orchestrator.v1 import monitoring_pb2 as mon
from gateway import bodies, reports
from gateway.access import Reader, Writer
from gateway.routes.common import orchestrator
from gateway.views import as_json

router = APIRouter(prefix="/v1", tags=["monitoring"])

# ISO 8601 as text only, with its zone: a number would otherwise be taken as seconds since 1970.
MOMENT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
Moment = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=MOMENT,
        description="ISO 8601 with a time zone, e.g. 2026-12-01T00:00:00Z.",
    ),
]
StepSeconds = Annotated[
    int,
    Query(ge=0, le=86400 * 31, description="Seconds per point; 0: at most 200 points."),
]
AlertState = Annotated[Literal["", "firing", "resolved"], Query(description="Only these.")]
ChannelFilter = Annotated[
    str, Query(max_length=128, pattern=r"^[A-Za-z0-9_.:-]*$", description="Only this one's.")
]
ReportFormat = Annotated[
    Literal["json", "csv", "html"],
    Query(description="json, csv (a row per group, then the totals) or html (printable)."),
]
_STATES = {"": mon.ALERT_STATE_UNSPECIFIED, "firing": mon.ALERT_STATE_FIRING}
_STATES["resolved"] = mon.ALERT_STATE_RESOLVED
_KINDS = {"webhook": mon.CHANNEL_KIND_WEBHOOK, "email": mon.CHANNEL_KIND_EMAIL}
_SEVERITIES = {"warning": mon.ALERT_SEVERITY_WARNING, "critical": mon.ALERT_SEVERITY_CRITICAL}


@router.get("/failover-groups/{group_id}/health-history", tags=["failover groups"])
def health_history(
    request: Request,
    who: Reader,
    group_id: bodies.Identifier,
    start: Moment = None,
    end: Moment = None,
    step_seconds: StepSeconds = 0,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The group's replication health over time as its target site sampled it (by default
    the last day): per step, the worst and last current RPO, how long it was within target,
    link down, metadata lag. Steps under an hour read raw samples (kept a day); longer ones
    hourly (32 days) and daily (800 days) roll-ups."""
    message = mon.GetHealthHistoryRequest(
        project_id=who.acting_in(project_id),
        group_id=group_id,
        start=_stamp(start, "start"),
        end=_stamp(end, "end"),
        step=duration(step_seconds) if step_seconds else None,
    )
    return as_json(orchestrator(request).call("GetHealthHistory", message))


@router.get("/alerts", tags=["alerts"])
def list_alerts(
    request: Request,
    who: Reader,
    state: AlertState = "",
    group_id: bodies.GroupFilter = "",
    limit: bodies.Limit = 100,
    all_projects: bodies.AllProjects = False,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The project's alerts, newest first, from every site of the project (each names the
    site that raised it; `unreachable_sites` names those that could not be asked). An admin's
    `all_projects`: every project's alerts raised at this site."""
    found = orchestrator(request).call(
        "ListAlerts",
        mon.ListAlertsRequest(
            project_id=who.listing(all_projects, project_id),
            all_projects=all_projects,
            state=_STATES[state],
            group_id=group_id,
            limit=limit,
        ),
    )
    return {
        "alerts": [as_json(a) for a in found.alerts],
        "unreachable_sites": list(found.unreachable_sites),
    }


@router.get("/alerts/{alert_id}", tags=["alerts"])
def show_alert(
    request: Request, who: Reader, alert_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """An alert with its history (fired, acknowledged, resolved)."""
    message = mon.GetAlertRequest(project_id=who.acting_in(project_id), alert_id=alert_id)
    return as_json(orchestrator(request).call("GetAlert", message))


@router.post("/alerts/{alert_id}/acknowledge", tags=["alerts"])
def acknowledge_alert(
    request: Request,
    who: Writer,
    alert_id: bodies.Identifier,
    body: bodies.Acknowledgement | None = None,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """Marks the alert as seen by you (once; a repeat changes nothing). It still resolves by
    itself when its condition ends."""
    message = mon.AcknowledgeAlertRequest(
        project_id=who.acting_in(project_id),
        alert_id=alert_id,
        user_id=who.user_id,
        comment=body.comment if body else "",
    )
    return as_json(orchestrator(request).call("AcknowledgeAlert", message))


@router.get("/alert-channels", tags=["alerts"])
def list_channels(
    request: Request, who: Reader, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """Where the project's alerts raised at this site are delivered (secrets never shown)."""
    found = orchestrator(request).call(
        "ListAlertChannels", mon.ListAlertChannelsRequest(project_id=who.acting_in(project_id))
    )
    return {"alert_channels": [as_json(c) for c in found.channels]}


@router.post("/alert-channels", status_code=201, tags=["alerts"])
def create_channel(
    request: Request,
    who: Writer,
    body: bodies.NewAlertChannel,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """A webhook (an HTTP POST of each alert as JSON, with `X-Draas-Signature:
    sha256=<hex HMAC-SHA256 of the body>`) or e-mail addresses, for the alerts raised at this
    site of at least `min_severity`. A group's health alerts are raised at its target site:
    make the channel there. The webhook's secret is in this answer only."""
    if body.kind == "email" and body.secret:
        raise InvalidArgument("secret", "is for webhooks only")
    message = mon.CreateAlertChannelRequest(
        project_id=who.acting_in(project_id),
        name=body.name,
        kind=_KINDS[body.kind],
        address=body.address,
        min_severity=_SEVERITIES[body.min_severity],
        secret=body.secret or "",
    )
    return as_json(orchestrator(request).call("CreateAlertChannel", message))


@router.delete("/alert-channels/{channel_id}", status_code=204, tags=["alerts"])
def delete_channel(
    request: Request,
    who: Writer,
    channel_id: bodies.Identifier,
    project_id: bodies.ProjectId = None,
) -> Response:
    """Deletes the channel and its delivery log."""
    orchestrator(request).call(
        "DeleteAlertChannel",
        mon.DeleteAlertChannelRequest(project_id=who.acting_in(project_id), channel_id=channel_id),
    )
    return Response(status_code=204)


@router.get("/alert-deliveries", tags=["alerts"])
def list_deliveries(
    request: Request,
    who: Reader,
    channel_id: ChannelFilter = "",
    alert_id: ChannelFilter = "",
    limit: bodies.Limit = 100,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The delivery log at this site, newest first: each alert event sent to each channel,
    its attempts and the receiver's last answer."""
    found = orchestrator(request).call(
        "ListDeliveries",
        mon.ListDeliveriesRequest(
            project_id=who.acting_in(project_id),
            channel_id=channel_id,
            alert_id=alert_id,
            limit=limit,
        ),
    )
    return {"deliveries": [as_json(d) for d in found.deliveries]}


@router.get(
    "/reports/compliance",
    tags=["reports"],
    response_model=None,
    responses={
        200: {
            "description": "The report, in the format asked for.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    },
)
def compliance_report(
    request: Request,
    who: Reader,
    start: Moment = None,
    end: Moment = None,
    group_id: bodies.GroupFilter = "",
    format: ReportFormat = "json",
    project_id: bodies.ProjectId = None,
) -> dict[str, Any] | Response:
    """DR compliance of the project's groups (or one) over a period (by default the last 30
    days), from every site that watches them: RPO compliance (% of the observed time within
    target with the link up), worst RPO, breaches, tests run and passed, the last successful
    test and its age, the last test's RTO against the group's RTO target, readiness now."""
    report = as_json(
        orchestrator(request).call(
            "GetComplianceReport",
            mon.GetComplianceReportRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                start=_stamp(start, "start"),
                end=_stamp(end, "end"),
            ),
        )
    )
    if format == "csv":
        return Response(
            reports.as_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="dr-compliance.csv"'},
        )
    if format == "html":
        return Response(reports.as_html(report), media_type="text/html; charset=utf-8")
    return report


def _stamp(text: str | None, field: str) -> Timestamp | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(field, f"{text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise InvalidArgument(field, "must name its time zone (e.g. a trailing Z)")
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp
