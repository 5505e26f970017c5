"""The orchestrator's gRPC surface (protobuf <-> domain)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf.duration_pb2 import Duration

from common.errors import FailedPrecondition, InvalidArgument
from common.grpc_client import mapped_errors
from common.grpc_server import answers_unimplemented
from common.protobuf import duration
from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import monitoring_pb2 as mon
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator import flows, network_copies, views, vm_protection
from services.orchestrator.checks.messages import automation_from
from services.orchestrator.clients import Clients
from services.orchestrator.engine.plan import OperationState
from services.orchestrator.groups import ASYNC, SYNC, GroupRecords
from services.orchestrator.models import OperationRecord
from services.orchestrator.monitoring.compliance import Compliance
from services.orchestrator.monitoring.monitor import Monitor
from services.orchestrator.monitoring.servicer import MonitoringServicer
from services.orchestrator.operations import Operations
from services.orchestrator.policies.scheduler import TestScheduler
from services.orchestrator.policies.servicer import PoliciesServicer, schedule_from
from services.orchestrator.policies.store import Policies
from services.orchestrator.projects import ProjectLinks
from services.orchestrator.protection import Protection
from services.orchestrator.readiness import ReadinessChecker
from services.orchestrator.settings import OrchestratorSettings
from services.orchestrator.source_site import SourceSite
from services.orchestrator.system_status import (
    DependencyHealth,
    DependencyState,
    SystemStatusChecker,
)

SERVICE = opb.DESCRIPTOR.services_by_name["OrchestratorService"]
DEFAULT_PAGE, MAX_PAGE = 50, 500
# Page tokens are offsets; more digits than this would not fit a database's OFFSET.
MAX_TOKEN_DIGITS = 18
WATCH_POLL_SECONDS = 0.2

_DEPENDENCY_STATES = {
    DependencyState.SERVING: opb.DEPENDENCY_STATE_SERVING,
    DependencyState.NOT_SERVING: opb.DEPENDENCY_STATE_NOT_SERVING,
    DependencyState.UNREACHABLE: opb.DEPENDENCY_STATE_UNREACHABLE,
}
_TYPES = {types_pb2.REPLICATION_TYPE_ASYNC: ASYNC, types_pb2.REPLICATION_TYPE_SYNC: SYNC}
_METHODS = {
    opb.REPROTECT_METHOD_RETYPE: flows.RETYPE,
    opb.REPROTECT_METHOD_VOLUME_TYPE: flows.VOLUME_TYPE,
}


def _required(value: str, field: str) -> str:
    if not value:
        raise InvalidArgument(field, "is required")
    return value


def _seconds(value: Duration, field: str) -> float:
    seconds = value.ToTimedelta().total_seconds()
    if seconds < 0:
        raise InvalidArgument(field, "must not be negative")
    return seconds


# A page of recovery points stops short of this (each names every VM it holds: a 1,000-VM
# group's points are ~20 KB each), well under gRPC's 4 MB.
POINTS_PAGE_BYTES = 1_000_000


def _page(page: types_pb2.PageRequest) -> tuple[int, int]:
    if page.page_size < 0 or page.page_size > MAX_PAGE:
        raise InvalidArgument("page.page_size", f"must be 0 to {MAX_PAGE}")
    token = page.page_token
    if token and not (token.isascii() and token.isdigit() and len(token) <= MAX_TOKEN_DIGITS):
        raise InvalidArgument("page.page_token", "is not a token this service gave")
    return int(token or 0), page.page_size or DEFAULT_PAGE


@answers_unimplemented(SERVICE)
class OrchestratorServicer(
    MonitoringServicer, PoliciesServicer, orchestrator_pb2_grpc.OrchestratorServiceServicer
):
    """draas.orchestrator.v1.OrchestratorService."""

    def __init__(
        self,
        site: str,
        status: SystemStatusChecker,
        clients: Clients,
        records: GroupRecords,
        protection: Protection,
        operations: Operations,
        readiness: ReadinessChecker,
        source: SourceSite,
        links: ProjectLinks,
        settings: OrchestratorSettings,
        monitor: Monitor,
        compliance: Compliance,
        policies: Policies,
        scheduler: TestScheduler,
    ) -> None:
        self._site = site
        self._status = status
        self._clients = clients
        self._records = records
        self._protection = protection
        self._operations = operations
        self._readiness = readiness
        self._source = source
        self._links = links
        self._settings = settings
        self._monitor = monitor
        self._compliance = compliance
        self._policies = policies
        self._scheduler = scheduler

    # Groups ---------------------------------------------------------------------------------------

    def CreateFailoverGroup(
        self, request: opb.CreateFailoverGroupRequest, context: grpc.ServicerContext
    ) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        fields = self._group_fields(request)
        group = self._protection.create(
            project,
            request.name,
            request.description,
            target_project_id=request.target_project_id,
            target_token=request.target_token,
            link_as_admin=request.link_as_admin,
            **fields,
        )
        return views.group_message(group, None, request.project_id)

    def _group_fields(self, request: opb.CreateFailoverGroupRequest) -> dict[str, Any]:
        """What a new group gets: from the request, or from the policy it names (the request
        may repeat a policy's replication type and target site, not contradict them)."""
        schedule = (
            schedule_from(request.test_schedule) if request.HasField("test_schedule") else None
        )
        automation = automation_from(request.automation) if request.HasField("automation") else None
        if not request.policy:
            replication = _TYPES.get(request.replication_type)
            if replication is None:
                raise InvalidArgument("replication_type", "must be ASYNC or SYNC")
            return {
                "replication_type": replication,
                "target_site": _required(request.target_site, "target_site"),
                "rpo_target_seconds": _seconds(request.rpo_target, "rpo_target"),
                "rto_target_seconds": _seconds(request.rto_target, "rto_target"),
                "test_interval_seconds": _seconds(request.test_interval, "test_interval"),
                "test_schedule": schedule,
                "automation": automation,
            }
        policy = self._policies.find(request.project_id, request.policy)
        given = _TYPES.get(request.replication_type)
        if given is not None and given != policy.replication_type:
            raise InvalidArgument(
                "replication_type", f"policy {policy.name} replicates {policy.replication_type}"
            )
        if request.target_site and request.target_site != policy.target_site:
            raise InvalidArgument(
                "target_site", f"policy {policy.name} fails over to {policy.target_site}"
            )
        if request.HasField("rpo_target") or request.HasField("test_interval") or schedule:
            raise InvalidArgument(
                "policy", "gives the group its targets and test schedule: change the policy"
            )
        if automation is not None:
            raise InvalidArgument("policy", "gives the group its hooks and checks")
        return {
            "replication_type": policy.replication_type,
            "target_site": policy.target_site,
            "rpo_target_seconds": policy.rpo_target_seconds,
            "rto_target_seconds": policy.rto_target_seconds,
            "test_interval_seconds": policy.test_interval_seconds,
            "test_schedule": policy.test_schedule,
            "policy": (policy.id, policy.name),
            "automation": policy.automation,
        }

    def UpdateFailoverGroup(
        self, request: mon.UpdateFailoverGroupRequest, context: grpc.ServicerContext
    ) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        group = self._protection.update(
            project,
            _required(request.group_id, "group_id"),
            description=request.description if request.HasField("description") else None,
            rpo_target_seconds=_seconds(request.rpo_target, "rpo_target")
            if request.HasField("rpo_target")
            else None,
            rto_target_seconds=_seconds(request.rto_target, "rto_target")
            if request.HasField("rto_target")
            else None,
            test_interval_seconds=_seconds(request.test_interval, "test_interval")
            if request.HasField("test_interval")
            else None,
            test_schedule=schedule_from(request.test_schedule)
            if request.HasField("test_schedule")
            else None,
            automation=automation_from(request.automation)
            if request.HasField("automation")
            else None,
        )
        tested = self._operations.last_tests(project, [group.id])
        return views.group_message(
            group, self._operations.holder(project, group.id), project, tested.get(group.id)
        )

    def GetFailoverGroup(
        self, request: opb.GetFailoverGroupRequest, context: grpc.ServicerContext
    ) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        group = self._records.get(project, _required(request.group_id, "group_id"))
        tested = self._operations.last_tests(project, [group.id])
        return views.group_message(
            group, self._operations.holder(project, group.id), project, tested.get(group.id)
        )

    def ListFailoverGroups(
        self, request: opb.ListFailoverGroupsRequest, context: grpc.ServicerContext
    ) -> opb.ListFailoverGroupsResponse:
        offset, size = _page(request.page)
        if request.all_projects:
            groups = self._records.list_every_project()
        else:
            project = _required(request.project_id, "project_id")
            groups = [(project, g) for g in self._records.list(project)]
        chunk = groups[offset : offset + size]
        tested: dict[str, OperationRecord] = {}
        for p in {p for p, _ in chunk}:
            tested |= self._operations.last_tests(p, [g.id for q, g in chunk if q == p])
        return opb.ListFailoverGroupsResponse(
            groups=[
                views.group_message(g, self._operations.holder(p, g.id), p, tested.get(g.id))
                for p, g in chunk
            ],
            next_page_token=str(offset + size) if offset + size < len(groups) else "",
        )

    def DeleteFailoverGroup(
        self, request: opb.DeleteFailoverGroupRequest, context: grpc.ServicerContext
    ) -> opb.DeleteFailoverGroupResponse:
        project = _required(request.project_id, "project_id")
        group_id = _required(request.group_id, "group_id")
        holder = self._operations.holder(project, group_id)
        if holder is not None:
            raise FailedPrecondition(
                f"group {group_id} is held by {holder.kind} {holder.id}; delete it when that "
                "has ended"
            )
        self._protection.delete(project, group_id)
        return opb.DeleteFailoverGroupResponse()

    def AddVm(self, request: opb.AddVmRequest, context: grpc.ServicerContext) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        group = self._protection.add_vm(
            project,
            _required(request.group_id, "group_id"),
            _required(request.server_id, "server_id"),
            request.tier or 1,
        )
        return views.group_message(group, self._operations.holder(project, group.id), project)

    def SplitFailoverGroup(
        self, request: opb.SplitFailoverGroupRequest, context: grpc.ServicerContext
    ) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        group = self._protection.split(
            project,
            _required(request.group_id, "group_id"),
            list(request.server_ids),
            request.name,
            request.description,
        )
        return views.group_message(group, None, project)

    def ListVms(
        self, request: opb.ListVmsRequest, context: grpc.ServicerContext
    ) -> opb.ListVmsResponse:
        project = _required(request.project_id, "project_id")
        offset, size = _page(request.page)
        found = vm_protection.list_vms(
            self._protection.settings, self._clients, self._records, project
        )
        return opb.ListVmsResponse(
            vms=found[offset : offset + size],
            next_page_token=str(offset + size) if offset + size < len(found) else "",
        )

    def RemoveVm(
        self, request: opb.RemoveVmRequest, context: grpc.ServicerContext
    ) -> opb.FailoverGroup:
        project = _required(request.project_id, "project_id")
        group = self._protection.remove_vm(
            project,
            _required(request.group_id, "group_id"),
            _required(request.server_id, "server_id"),
        )
        return views.group_message(group, self._operations.holder(project, group.id), project)

    def GetReadiness(
        self, request: opb.GetReadinessRequest, context: grpc.ServicerContext
    ) -> opb.Readiness:
        readiness = self._readiness.check(
            _required(request.project_id, "project_id"), _required(request.group_id, "group_id")
        )
        return views.readiness_message(readiness)

    def ListRecoveryPoints(
        self, request: opb.ListRecoveryPointsRequest, context: grpc.ServicerContext
    ) -> opb.ListRecoveryPointsResponse:
        offset, size = _page(request.page)
        group = self._records.get(
            _required(request.project_id, "project_id"), _required(request.group_id, "group_id")
        )
        if not group.source_array:
            return opb.ListRecoveryPointsResponse()
        with mapped_errors():
            points = self._clients.storage.ListRecoveryPoints(
                spb.ListRecoveryPointsRequest(group=group.ref())
            ).recovery_points
        chunk: list[types_pb2.RecoveryPoint] = []
        answer_bytes = 0
        for point in points[offset : offset + size]:
            taken = point.created_at.ToDatetime(tzinfo=UTC)
            point.server_ids.extend(
                vm.server_id
                for vm in group.vms
                if not vm.added_at or datetime.fromisoformat(vm.added_at) <= taken
            )
            answer_bytes += point.ByteSize()
            if chunk and answer_bytes > POINTS_PAGE_BYTES:
                break  # the page ends early: the next one starts here
            chunk.append(point)
        end = offset + len(chunk)
        following = str(end) if end < len(points) else ""
        return opb.ListRecoveryPointsResponse(recovery_points=chunk, next_page_token=following)

    def GetReplicationHealth(
        self, request: opb.GetReplicationHealthRequest, context: grpc.ServicerContext
    ) -> opb.ReplicationHealth:
        group = self._records.get(
            _required(request.project_id, "project_id"), _required(request.group_id, "group_id")
        )
        if not group.source_array:
            raise FailedPrecondition(
                f"group {group.name} protects no VM yet, so nothing of it replicates: add a VM "
                "to it first"
            )
        health = self._readiness.health(group)
        status = health.status
        return opb.ReplicationHealth(
            group_id=group.id,
            storage_link_up=status.link_state == spb.LINK_STATE_CONNECTED,
            newest_recovery_point=status.newest_recovery_point
            if status.HasField("newest_recovery_point")
            else None,
            recovery_point_age=status.recovery_point_age,
            within_rpo_target=status.within_rpo_target,
            metadata_changes_behind=health.metadata_changes_behind,
            metadata_seconds_behind=health.metadata_seconds_behind,
        )

    # Operations -----------------------------------------------------------------------------------

    def StartTestFailover(
        self, request: opb.StartTestFailoverRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        cleanup_after = (
            _seconds(request.cleanup_after, "cleanup_after")
            if request.HasField("cleanup_after")
            else None
        )
        operation_id = self._operations.start_test_failover(
            project,
            request.group_id,
            request.idempotency_key,
            request.recovery_point_id,
            cleanup_after,
            request.stop_on_vm_failure,
            list(request.server_ids),
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def StartTestCleanup(
        self, request: opb.StartTestCleanupRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        operation_id = self._operations.start_cleanup(
            project, _required(request.operation_id, "operation_id"), request.idempotency_key
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def StartFailover(
        self, request: opb.StartFailoverRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        if request.mode not in (opb.FAILOVER_MODE_PLANNED, opb.FAILOVER_MODE_UNPLANNED):
            raise InvalidArgument("mode", "must be PLANNED or UNPLANNED")
        operation_id = self._operations.start_failover(
            project,
            request.group_id,
            request.idempotency_key,
            request.mode == opb.FAILOVER_MODE_PLANNED,
            request.recovery_point_id,
            request.quiesce,
            request.stop_on_vm_failure,
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def StartReprotect(
        self, request: opb.StartReprotectRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        method = _METHODS.get(request.method)
        if method is None:
            raise InvalidArgument("method", "must be RETYPE or VOLUME_TYPE")
        if request.target_replication_type not in _TYPES:
            raise InvalidArgument("target_replication_type", "must be ASYNC or SYNC")
        rpo = _seconds(request.rpo_target, "rpo_target") if request.HasField("rpo_target") else None
        operation_id = self._operations.start_reprotect(
            project,
            request.group_id,
            request.idempotency_key,
            method,
            _TYPES[request.target_replication_type],
            request.volume_type,
            rpo,
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def StartFailback(
        self, request: opb.StartFailbackRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        operation_id = self._operations.start_failback(
            project, request.group_id, request.idempotency_key
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def StartMove(
        self, request: opb.StartMoveRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        operation_id = self._operations.start_move(
            project, request.group_id, request.idempotency_key
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def GetOperation(
        self, request: opb.GetOperationRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        return views.operation_message(
            self._operations.get(
                _required(request.project_id, "project_id"),
                _required(request.operation_id, "operation_id"),
            )
        )

    def ListOperations(
        self, request: opb.ListOperationsRequest, context: grpc.ServicerContext
    ) -> opb.ListOperationsResponse:
        offset, size = _page(request.page)
        project = None if request.all_projects else _required(request.project_id, "project_id")
        found, more = self._operations.page(project, request.group_id, offset, size)
        return opb.ListOperationsResponse(
            operations=[views.operation_message(s) for s in found],
            next_page_token=str(offset + size) if more else "",
        )

    def WatchOperation(
        self, request: opb.WatchOperationRequest, context: grpc.ServicerContext
    ) -> Iterator[opb.OperationEvent]:
        project = _required(request.project_id, "project_id")
        operation_id = _required(request.operation_id, "operation_id")
        if request.after_sequence < 0:
            raise InvalidArgument("after_sequence", "must not be negative")
        after = request.after_sequence
        while context.is_active():
            events, ended = self._operations.events(project, operation_id, after)
            for event in events:
                yield views.event_message(event)
                after = event.sequence
            if ended and not events:
                return
            if not events:
                time.sleep(WATCH_POLL_SECONDS)

    def GetReport(self, request: opb.GetReportRequest, context: grpc.ServicerContext) -> opb.Report:
        snapshot = self._operations.get(
            _required(request.project_id, "project_id"),
            _required(request.operation_id, "operation_id"),
        )
        if snapshot.operation.state in OperationState.ACTIVE:
            raise FailedPrecondition(
                f"operation {snapshot.operation.id} is still {snapshot.operation.state}; its "
                "report is written when it ends"
            )
        return views.report_message(snapshot)

    # Site to site ---------------------------------------------------------------------------------

    def StopSource(
        self, request: opb.StopSourceRequest, context: grpc.ServicerContext
    ) -> opb.StopSourceResponse:
        stopped, sequence, when = self._source.stop(
            _required(request.project_id, "project_id"),
            _required(request.group_id, "group_id"),
            _required(request.operation_id, "operation_id"),
        )
        return opb.StopSourceResponse(
            stopped_server_ids=stopped, metadata_sequence=sequence, stopped_at=views.timestamp(when)
        )

    def RestartSource(
        self, request: opb.RestartSourceRequest, context: grpc.ServicerContext
    ) -> opb.RestartSourceResponse:
        restarted = self._source.restart(
            _required(request.project_id, "project_id"),
            _required(request.group_id, "group_id"),
            list(request.server_ids),
        )
        return opb.RestartSourceResponse(restarted_server_ids=restarted)

    def RetireSource(
        self, request: opb.RetireSourceRequest, context: grpc.ServicerContext
    ) -> opb.RetireSourceResponse:
        servers = list(request.server_ids)
        if not servers:
            raise InvalidArgument("server_ids", "name at least one server")
        removed, absent = self._source.retire(
            _required(request.project_id, "project_id"),
            _required(request.group_id, "group_id"),
            servers,
        )
        return opb.RetireSourceResponse(removed=removed, absent=absent)

    def RetireNetworks(
        self, request: opb.RetireNetworksRequest, context: grpc.ServicerContext
    ) -> opb.RetireNetworksResponse:
        done = self._source.retire_networks(
            _required(request.project_id, "project_id"), _required(request.group_id, "group_id")
        )
        return network_copies.response(done)

    def LinkProject(
        self, request: opb.LinkProjectRequest, context: grpc.ServicerContext
    ) -> opb.LinkProjectResponse:
        _required(request.source_site, "source_site")
        _required(request.source_project_id, "source_project_id")
        return opb.LinkProjectResponse(project_id=self._links.accept(request))

    # Status ---------------------------------------------------------------------------------------

    def GetSystemStatus(
        self, request: opb.GetSystemStatusRequest, context: grpc.ServicerContext
    ) -> opb.SystemStatus:
        results = self._status.check()
        return opb.SystemStatus(
            site=self._site,
            healthy=all(r.state is DependencyState.SERVING for r in results),
            dependencies=[_dependency(r) for r in results],
        )


def _dependency(result: DependencyHealth) -> opb.DependencyStatus:
    return opb.DependencyStatus(
        name=result.name,
        address=result.address,
        state=_DEPENDENCY_STATES[result.state],
        detail=result.detail,
        latency=duration(result.latency_seconds),
    )
