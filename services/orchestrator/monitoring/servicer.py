"""The monitoring RPCs of OrchestratorService (monitoring.proto), mixed into its servicer.

A group is watched at its target site: a group's history asked elsewhere is fetched from
there; alert and compliance lists merge this site's with the project's peers' (naming the peers
that could not be asked); an alert raised at a peer is acknowledged there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import DraasError, InvalidArgument, NotFound
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.orchestrator.v1 import monitoring_pb2 as mon
from services.orchestrator.clients import Clients
from services.orchestrator.groups import GroupRecords
from services.orchestrator.models import AlertChannelRecord, AlertEventRecord, AlertRecord
from services.orchestrator.monitoring import history as health
from services.orchestrator.monitoring.alerts import RULES, SEVERITY_RANK
from services.orchestrator.monitoring.compliance import Compliance, ComplianceReport
from services.orchestrator.monitoring.delivery import NewChannel
from services.orchestrator.monitoring.monitor import Monitor
from services.orchestrator.monitoring.rules import Watched
from services.orchestrator.projects import ProjectLinks
from services.orchestrator.settings import OrchestratorSettings

MIN_STEP_SECONDS, MAX_POINTS = 60.0, 2000
DEFAULT_HISTORY = timedelta(days=1)
MAX_ALERTS = 500
_KINDS = {mon.CHANNEL_KIND_WEBHOOK: "webhook", mon.CHANNEL_KIND_EMAIL: "email"}
_SEVERITIES = {mon.ALERT_SEVERITY_WARNING: "warning", mon.ALERT_SEVERITY_CRITICAL: "critical"}
_STATES = {mon.ALERT_STATE_FIRING: "firing", mon.ALERT_STATE_RESOLVED: "resolved"}
Reply = TypeVar("Reply", bound=Message)


class MonitoringServicer:
    """Health history, alerts, alert channels and deliveries, compliance reports."""

    _site: str
    _clients: Clients
    _records: GroupRecords
    _links: ProjectLinks
    _monitor: Monitor
    _compliance: Compliance
    _settings: OrchestratorSettings

    # History --------------------------------------------------------------------------------

    def GetHealthHistory(
        self, request: mon.GetHealthHistoryRequest, context: grpc.ServicerContext
    ) -> mon.HealthHistory:
        project = _required(request.project_id, "project_id")
        group = self._records.get(project, _required(request.group_id, "group_id"))
        if group.target_site != self._site:
            forwarded = mon.GetHealthHistoryRequest()
            forwarded.CopyFrom(request)
            forwarded.project_id = group.projects.get(group.target_site, project)
            return self._at_peer(group.target_site, "GetHealthHistory", forwarded)
        end = _time(request.end) or self._monitor.clock()
        start = _time(request.start) or end - DEFAULT_HISTORY
        if end <= start:
            raise InvalidArgument("end", "must be after start")
        if (end - start).days > health.ROLLUP_RETENTION[health.DAY].days:
            raise InvalidArgument("start", "the history is kept for 800 days")
        step = request.step.ToTimedelta().total_seconds() or health.default_step(start, end)
        if step < MIN_STEP_SECONDS:
            raise InvalidArgument("step", f"must be at least {MIN_STEP_SECONDS:.0f} s")
        if (end - start).total_seconds() / step > MAX_POINTS:
            raise InvalidArgument("step", f"gives more than {MAX_POINTS} points over the range")
        resolution, points = self._monitor.history.points(group.id, start, end, step)
        return mon.HealthHistory(
            group_id=group.id,
            rpo_target_seconds=group.rpo_target_seconds,
            step=duration(step),
            resolution={health.RAW: "raw", health.HOUR: "hour", health.DAY: "day"}[resolution],
            site=self._site,
            points=[_point(p) for p in points],
        )

    # Alerts ---------------------------------------------------------------------------------

    def ListAlerts(
        self, request: mon.ListAlertsRequest, context: grpc.ServicerContext
    ) -> mon.ListAlertsResponse:
        limit = request.limit or 100
        if not 0 < limit <= MAX_ALERTS:
            raise InvalidArgument("limit", f"must be 1 to {MAX_ALERTS}")
        state = _STATES.get(request.state, "") if request.state else ""
        if request.all_projects:
            projects = None
        else:
            projects = self._links.known_as(_required(request.project_id, "project_id"))
        found = [
            _alert(a, events, self._site, request.project_id or a.project_id)
            for a, events in self._monitor.alerts.list(projects, state, request.group_id, limit)
        ]
        unreachable: list[str] = []
        if not request.local_only and not request.all_projects:
            for site, peer_project in self._peers_of(request.project_id):
                forwarded = mon.ListAlertsRequest()
                forwarded.CopyFrom(request)
                forwarded.project_id, forwarded.local_only = peer_project, True
                try:
                    answer = self._at_peer(site, "ListAlerts", forwarded)
                except DraasError:
                    unreachable.append(site)
                    continue
                for alert in answer.alerts:
                    alert.project_id = request.project_id
                    found.append(alert)
        found.sort(key=lambda a: (-a.fired_at.ToNanoseconds(), a.id))
        return mon.ListAlertsResponse(alerts=found[:limit], unreachable_sites=unreachable)

    def GetAlert(self, request: mon.GetAlertRequest, context: grpc.ServicerContext) -> mon.Alert:
        return self._one_alert(
            request, "GetAlert", lambda ids: self._monitor.alerts.get(ids, request.alert_id)
        )

    def AcknowledgeAlert(
        self, request: mon.AcknowledgeAlertRequest, context: grpc.ServicerContext
    ) -> mon.Alert:
        _required(request.user_id, "user_id")

        def acknowledge(ids: list[str]) -> tuple[AlertRecord, list[AlertEventRecord]]:
            self._monitor.alerts.acknowledge(
                ids, request.alert_id, request.user_id, request.comment, self._monitor.clock()
            )
            return self._monitor.alerts.get(ids, request.alert_id)

        return self._one_alert(request, "AcknowledgeAlert", acknowledge)

    # Channels -------------------------------------------------------------------------------

    def CreateAlertChannel(
        self, request: mon.CreateAlertChannelRequest, context: grpc.ServicerContext
    ) -> mon.AlertChannel:
        project = _required(request.project_id, "project_id")
        record = self._monitor.channels.create(
            project,
            NewChannel(
                name=request.name,
                kind=_KINDS.get(request.kind, ""),
                address=request.address,
                min_severity=_SEVERITIES.get(request.min_severity, "warning"),
                secret=request.secret,
            ),
            self._monitor.clock(),
        )
        return _channel(record, with_secret=True)

    def ListAlertChannels(
        self, request: mon.ListAlertChannelsRequest, context: grpc.ServicerContext
    ) -> mon.ListAlertChannelsResponse:
        project = _required(request.project_id, "project_id")
        return mon.ListAlertChannelsResponse(
            channels=[_channel(c) for c in self._monitor.channels.of_project(project)]
        )

    def DeleteAlertChannel(
        self, request: mon.DeleteAlertChannelRequest, context: grpc.ServicerContext
    ) -> mon.DeleteAlertChannelResponse:
        self._monitor.channels.delete(
            _required(request.project_id, "project_id"), _required(request.channel_id, "channel_id")
        )
        return mon.DeleteAlertChannelResponse()

    def ListDeliveries(
        self, request: mon.ListDeliveriesRequest, context: grpc.ServicerContext
    ) -> mon.ListDeliveriesResponse:
        limit = request.limit or 100
        if not 0 < limit <= MAX_ALERTS:
            raise InvalidArgument("limit", f"must be 1 to {MAX_ALERTS}")
        found = self._monitor.channels.deliveries(
            _required(request.project_id, "project_id"),
            request.channel_id,
            request.alert_id,
            limit,
        )
        return mon.ListDeliveriesResponse(
            deliveries=[
                mon.Delivery(
                    id=d.id,
                    alert_id=d.alert_id,
                    channel_id=d.channel_id,
                    event=d.event,
                    state=d.state,
                    attempts=d.attempts,
                    created_at=_stamp(d.created_at),
                    delivered_at=_stamp(d.delivered_at),
                    next_attempt_at=_stamp(d.next_attempt_at),
                    last_result=d.last_result,
                )
                for d in found
            ]
        )

    # Compliance -----------------------------------------------------------------------------

    def GetComplianceReport(
        self, request: mon.GetComplianceReportRequest, context: grpc.ServicerContext
    ) -> mon.ComplianceReport:
        project = _required(request.project_id, "project_id")
        now = self._monitor.clock()
        end = _time(request.end) or now
        start = _time(request.start) or end - timedelta(days=30)
        watched = [
            Watched(project, g)
            for g in self._records.list(project)
            if g.target_site == self._site and (not request.group_id or g.id == request.group_id)
        ]
        report = _report(self._compliance.report(project, watched, start, end, now))
        if request.local_only:
            return report
        for site, peer_project in self._peers_of(project):
            forwarded = mon.GetComplianceReportRequest()
            forwarded.CopyFrom(request)
            forwarded.project_id, forwarded.local_only = peer_project, True
            try:
                answer = self._at_peer(site, "GetComplianceReport", forwarded)
            except DraasError:
                report.unreachable_sites.append(site)
                continue
            report.groups.extend(answer.groups)
        if request.group_id and not report.groups and not report.unreachable_sites:
            self._records.get(project, request.group_id)  # NotFound names it
        _totals(report)
        return report

    # Helpers --------------------------------------------------------------------------------

    def _one_alert(
        self,
        request: Any,
        method: str,
        here: Callable[[list[str]], tuple[AlertRecord, list[AlertEventRecord]]],
    ) -> mon.Alert:
        project = _required(request.project_id, "project_id")
        _required(request.alert_id, "alert_id")
        try:
            alert, events = here(self._links.known_as(project))
            return _alert(alert, events, self._site, project)
        except NotFound:
            if request.local_only:
                raise
        for site, peer_project in self._peers_of(project):
            forwarded = type(request)()
            forwarded.CopyFrom(request)
            forwarded.project_id, forwarded.local_only = peer_project, True
            try:
                found: mon.Alert = self._at_peer(site, method, forwarded)
            except NotFound:
                continue
            found.project_id = project
            return found
        raise NotFound(f"project {project} has no alert {request.alert_id}")

    def _peers_of(self, project_id: str) -> list[tuple[str, str]]:
        """(site, the project there) for each peer the project is linked to."""
        found = []
        for peer in self._settings.peers:
            linked = self._links.linked(project_id, peer.site)
            if linked:
                found.append((peer.site, linked))
        return found

    def _at_peer(self, site: str, method: str, request: Reply) -> Any:
        with mapped_errors():
            return getattr(self._clients.peer(site), method)(
                request, timeout=self._settings.dependency_timeout_seconds
            )


def _required(value: str, field: str) -> str:
    if not value:
        raise InvalidArgument(field, "is required")
    return value


def _time(stamp: Timestamp) -> datetime | None:
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def _stamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return stamp


def _point(point: health.Point) -> mon.HealthPoint:
    return mon.HealthPoint(
        start=_stamp(point.start),
        observed_seconds=point.observed_seconds,
        worst_rpo_seconds=point.worst_rpo_seconds,
        last_rpo_seconds=point.last_rpo_seconds,
        within_target_seconds=point.within_seconds,
        link_down_seconds=point.link_down_seconds,
        worst_metadata_lag_seconds=point.worst_metadata_lag_seconds,
        protected_vms=point.protected_vms,
    )


def _alert(
    alert: AlertRecord, events: list[AlertEventRecord], site: str, project_id: str
) -> mon.Alert:
    return mon.Alert(
        id=alert.id,
        site=site,
        project_id=project_id,
        group_id=alert.group_id,
        group_name=alert.group_name,
        rule=f"ALERT_RULE_{alert.rule.upper()}" if alert.rule in RULES else None,
        severity=mon.ALERT_SEVERITY_CRITICAL
        if SEVERITY_RANK.get(alert.severity) == 2
        else mon.ALERT_SEVERITY_WARNING,
        subject=alert.subject,
        summary=alert.summary,
        state=mon.ALERT_STATE_FIRING if alert.state == "firing" else mon.ALERT_STATE_RESOLVED,
        fired_at=_stamp(alert.fired_at),
        resolved_at=_stamp(alert.resolved_at),
        acknowledged_at=_stamp(alert.acknowledged_at),
        acknowledged_by=alert.acknowledged_by or "",
        history=[
            mon.AlertEvent(at=_stamp(e.at), kind=e.kind, by=e.by, detail=e.detail) for e in events
        ],
    )


def _channel(record: AlertChannelRecord, with_secret: bool = False) -> mon.AlertChannel:
    return mon.AlertChannel(
        id=record.id,
        project_id=record.project_id,
        name=record.name,
        kind=mon.CHANNEL_KIND_WEBHOOK if record.kind == "webhook" else mon.CHANNEL_KIND_EMAIL,
        address=record.address,
        min_severity=mon.ALERT_SEVERITY_CRITICAL
        if record.min_severity == "critical"
        else mon.ALERT_SEVERITY_WARNING,
        created_at=_stamp(record.created_at),
        secret=(record.secret or "") if with_secret else "",
    )


def _report(report: ComplianceReport) -> mon.ComplianceReport:
    answer = mon.ComplianceReport(
        project_id=report.project_id,
        start=_stamp(report.start),
        end=_stamp(report.end),
        generated_at=_stamp(report.generated_at),
        site=report.site,
    )
    for g in report.groups:
        answer.groups.append(
            mon.GroupCompliance(
                group_id=g.group_id,
                group_name=g.group_name,
                rpo_target_seconds=g.rpo_target_seconds,
                rpo_compliance_percent=g.rpo_compliance_percent,
                observed_seconds=g.observed_seconds,
                worst_rpo_seconds=g.worst_rpo_seconds,
                breaches=g.breaches,
                breach_seconds=g.breach_seconds,
                tests_run=g.tests_run,
                tests_passed=g.tests_passed,
                last_successful_test_at=_stamp(g.last_successful_test_at),
                last_successful_test_id=g.last_successful_test_id,
                last_successful_test_age_seconds=(
                    report.generated_at - g.last_successful_test_at
                ).total_seconds()
                if g.last_successful_test_at
                else None,
                site=report.site,
                last_test_rto_seconds=g.last_test_rto_seconds,
                rto_target_seconds=g.rto_target_seconds,
                rto_met=g.rto_met,
                readiness=g.readiness,
            )
        )
    return answer


def _totals(report: mon.ComplianceReport) -> None:
    """The project's figures over every group in the report (this site's and the peers')."""
    observed = sum(g.observed_seconds for g in report.groups)
    within = sum(
        g.observed_seconds * g.rpo_compliance_percent / 100
        for g in report.groups
        if g.HasField("rpo_compliance_percent")
    )
    if observed > 0:
        report.rpo_compliance_percent = 100.0 * within / observed
    else:
        report.ClearField("rpo_compliance_percent")
    report.breaches = sum(g.breaches for g in report.groups)
    report.tests_run = sum(g.tests_run for g in report.groups)
    report.tests_passed = sum(g.tests_passed for g in report.groups)
