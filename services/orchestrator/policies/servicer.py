"""The policy and test-schedule RPCs of OrchestratorService (policies.proto), mixed into its
servicer. A change of a policy reaches the groups here that name it; what cannot change in place
(the replication type or target site of groups made from it) is refused, naming them."""

from __future__ import annotations

import uuid
from typing import Any

import grpc

from common.errors import DraasError, FailedPrecondition, InvalidArgument
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import policies_pb2 as pol
from services.orchestrator import views
from services.orchestrator.checks import config as checks
from services.orchestrator.checks.messages import automation_from, automation_message
from services.orchestrator.clients import Clients
from services.orchestrator.groups import ASYNC, SYNC, Group, GroupRecords
from services.orchestrator.monitoring.monitor import Monitor
from services.orchestrator.operations import Operations
from services.orchestrator.policies.schedule import TestSchedule
from services.orchestrator.policies.scheduler import TestScheduler
from services.orchestrator.policies.store import Policies, Policy
from services.orchestrator.protection import Protection
from services.orchestrator.settings import OrchestratorSettings

_TYPES = {types_pb2.REPLICATION_TYPE_ASYNC: ASYNC, types_pb2.REPLICATION_TYPE_SYNC: SYNC}
_TYPE_MESSAGES = {ASYNC: types_pb2.REPLICATION_TYPE_ASYNC, SYNC: types_pb2.REPLICATION_TYPE_SYNC}


class PoliciesServicer:
    """DR policies and scheduled tests."""

    _site: str
    _clients: Clients
    _records: GroupRecords
    _protection: Protection
    _operations: Operations
    _settings: OrchestratorSettings
    _monitor: Monitor
    _policies: Policies
    _scheduler: TestScheduler

    def CreatePolicy(
        self, request: pol.CreatePolicyRequest, context: grpc.ServicerContext
    ) -> pol.Policy:
        project = _required(request.project_id, "project_id")
        made = self._policies.create(project, policy_from(request.policy), request.publish)
        return self._policy_message(made, project)

    def GetPolicy(self, request: pol.GetPolicyRequest, context: grpc.ServicerContext) -> pol.Policy:
        project = _required(request.project_id, "project_id")
        return self._policy_message(self._policies.find(project, request.policy), project)

    def ListPolicies(
        self, request: pol.ListPoliciesRequest, context: grpc.ServicerContext
    ) -> pol.ListPoliciesResponse:
        project = _required(request.project_id, "project_id")
        groups = self._records.list(project)
        return pol.ListPoliciesResponse(
            policies=[policy_message(p, groups) for p in self._policies.list(project)]
        )

    def UpdatePolicy(
        self, request: pol.UpdatePolicyRequest, context: grpc.ServicerContext
    ) -> pol.UpdatePolicyResponse:
        project = _required(request.project_id, "project_id")
        changed = policy_from(request.changed)
        current = self._policies.find(project, request.policy)
        named = self._groups_naming(current.id)
        moved = [
            f"{name} {getattr(current, name)} -> {getattr(changed, name)}"
            for name in ("replication_type", "target_site")
            if getattr(current, name) != getattr(changed, name)
        ]
        if moved and named:
            raise FailedPrecondition(
                f"policy {current.name}: {'; '.join(moved)} cannot change in place, "
                f"{len(named)} group(s) are made from it "
                f"({', '.join(g.name for _, g in named[:5])}): make a new policy instead"
            )
        _, after = self._policies.update(project, request.policy, changed, request.as_admin)
        results = [self._apply(local, group, after) for local, group in named]
        groups = self._records.list(project)
        return pol.UpdatePolicyResponse(policy=policy_message(after, groups), groups=results)

    def DeletePolicy(
        self, request: pol.DeletePolicyRequest, context: grpc.ServicerContext
    ) -> pol.DeletePolicyResponse:
        project = _required(request.project_id, "project_id")
        policy = self._policies.find(project, request.policy)
        named = self._groups_naming(policy.id)
        if named:
            raise FailedPrecondition(
                f"policy {policy.name} is named by {len(named)} group(s) "
                f"({', '.join(g.name for _, g in named[:5])}): delete them or change them first"
            )
        self._policies.delete(project, request.policy, request.as_admin)
        return pol.DeletePolicyResponse()

    def GetTestSchedule(
        self, request: pol.GetTestScheduleRequest, context: grpc.ServicerContext
    ) -> pol.ScheduledTestState:
        project = _required(request.project_id, "project_id")
        group = self._records.get(project, _required(request.group_id, "group_id"))
        if group.target_site != self._site:
            forwarded = pol.GetTestScheduleRequest(
                project_id=group.projects.get(group.target_site, project), group_id=group.id
            )
            with mapped_errors():
                return self._clients.peer(group.target_site).GetTestSchedule(
                    forwarded, timeout=self._settings.dependency_timeout_seconds
                )
        state = self._scheduler.state(group, self._monitor.clock())
        return pol.ScheduledTestState(
            group_id=group.id,
            test_interval=duration(state.interval_seconds),
            test_schedule=views.schedule_message(state.schedule),
            last_success_at=views.timestamp(state.last_success_at)
            if state.last_success_at
            else None,
            last_scheduled_operation_id=state.last_operation_id,
            last_scheduled_at=views.timestamp(state.last_attempt_at)
            if state.last_attempt_at
            else None,
            next_due_at=views.timestamp(state.next_due_at) if state.next_due_at else None,
            next_run_at=views.timestamp(state.next_run_at) if state.next_run_at else None,
            last_problem=state.last_problem,
            site=self._site,
        )

    def RunScheduledTest(
        self, request: pol.RunScheduledTestRequest, context: grpc.ServicerContext
    ) -> opb.Operation:
        project = _required(request.project_id, "project_id")
        group = self._records.get(project, _required(request.group_id, "group_id"))
        if group.target_site != self._site:
            raise FailedPrecondition(
                f"the tests of group {group.name} run at its target site {group.target_site}, "
                f"not at {self._site}"
            )
        operation_id = self._scheduler.run_now(
            project, group, self._monitor.clock(), f"run-now-{uuid.uuid4().hex}"
        )
        return views.operation_message(self._operations.get(project, operation_id))

    def _groups_naming(self, policy_id: str) -> list[tuple[str, Group]]:
        return [(p, g) for p, g in self._records.list_every_project() if g.policy_id == policy_id]

    def _apply(self, project_id: str, group: Group, policy: Policy) -> pol.GroupChangeResult:
        result = pol.GroupChangeResult(group_id=group.id, group_name=group.name)
        wanted = {
            "rpo_target_seconds": policy.rpo_target_seconds,
            "rto_target_seconds": policy.rto_target_seconds,
            "test_interval_seconds": policy.test_interval_seconds,
        }
        changes = [
            f"{name.removesuffix('_seconds')} {getattr(group, name):g} s -> {value:g} s"
            for name, value in wanted.items()
            if getattr(group, name) != value
        ]
        if TestSchedule.from_body(group.test_schedule) != policy.test_schedule:
            changes.append("test_schedule")
        if checks.from_body(group.automation) != policy.automation:
            changes.append("hooks and checks")
        if not changes:
            return result
        if group.owner_site != self._site:
            result.refused = (
                f"it runs at {group.owner_site} now: it takes the change when it is back here"
            )
            return result
        try:
            self._protection.update(
                project_id,
                group.id,
                rpo_target_seconds=policy.rpo_target_seconds,
                rto_target_seconds=policy.rto_target_seconds,
                test_interval_seconds=policy.test_interval_seconds,
                test_schedule=policy.test_schedule,
                from_policy=True,
                automation=policy.automation,
            )
        except DraasError as error:
            result.refused = str(error)
            return result
        result.changes.extend(changes)
        return result

    def _policy_message(self, policy: Policy, project_id: str) -> pol.Policy:
        return policy_message(policy, self._records.list(project_id))


def policy_from(message: pol.Policy) -> Policy:
    """The domain policy of a request (checked by Policies.check when stored)."""
    replication = _TYPES.get(message.replication_type)
    if replication is None:
        raise InvalidArgument("replication_type", "must be ASYNC or SYNC")
    return Policy(
        name=message.name,
        description=message.description,
        replication_type=replication,
        target_site=message.target_site,
        rpo_target_seconds=_seconds(message.rpo_target, "rpo_target"),
        rto_target_seconds=_seconds(message.rto_target, "rto_target"),
        test_interval_seconds=_seconds(message.test_interval, "test_interval"),
        test_schedule=schedule_from(message.test_schedule),
        automation=automation_from(message.automation),
        default_tier=message.default_tier or 1,
    )


def schedule_from(message: pol.TestSchedule) -> TestSchedule:
    """:raises InvalidArgument: naming the field of the schedule that is wrong."""
    return TestSchedule.of(
        message.enabled,
        list(message.windows),
        message.timezone,
        _seconds(message.cleanup_after, "test_schedule.cleanup_after"),
    )


def policy_message(policy: Policy, groups: list[Group]) -> pol.Policy:
    return pol.Policy(
        id=policy.id,
        project_id=policy.project_id,
        name=policy.name,
        description=policy.description,
        replication_type=_TYPE_MESSAGES[policy.replication_type],
        target_site=policy.target_site,
        rpo_target=duration(policy.rpo_target_seconds),
        rto_target=duration(policy.rto_target_seconds),
        test_interval=duration(policy.test_interval_seconds),
        test_schedule=views.schedule_message(policy.test_schedule),
        automation=automation_message(policy.automation),
        default_tier=policy.default_tier,
        created_at=views.timestamp(policy.created_at) if policy.created_at else None,
        updated_at=views.timestamp(policy.updated_at) if policy.updated_at else None,
        group_ids=[g.id for g in groups if g.policy_id == policy.id],
    )


def _seconds(value: Any, field: str) -> float:
    seconds = float(value.ToTimedelta().total_seconds())
    if seconds < 0:
        raise InvalidArgument(field, "must not be negative")
    return seconds


def _required(value: str, field: str) -> str:
    if not value:
        raise InvalidArgument(field, "is required")
    return value
