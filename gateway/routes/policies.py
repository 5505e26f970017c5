"""/v1/policies: DR policies (templates groups are made from), and a group's scheduled tests
(/v1/failover-groups/{id}/test-schedule)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from common.protobuf import duration
from draas.orchestrator.v1 import policies_pb2 as pol
from gateway import bodies
from gateway.access import Reader, Writer
from gateway.routes.common import REPLICATION_TYPES, orchestrator, started
from gateway.views import as_json

router = APIRouter(prefix="/v1", tags=["policies"])

PolicyRef = Annotated[
    str,
    Path(
        min_length=1, max_length=255, pattern=r"^[^/\x00-\x1f\x7f]+$", description="Its id or name."
    ),
]
Publish = Annotated[
    bool, Query(description="Admins only: publish it for every project of the site.")
]


@router.get("/policies")
def list_policies(
    request: Request, who: Reader, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """The project's own policies and those published for every project, by name."""
    found = orchestrator(request).call(
        "ListPolicies", pol.ListPoliciesRequest(project_id=who.acting_in(project_id))
    )
    return {"policies": [as_json(p) for p in found.policies]}


@router.post("/policies", status_code=201)
def create_policy(
    request: Request,
    who: Writer,
    body: bodies.NewPolicy,
    publish: Publish = False,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """A policy of the project (or, by an admin, published for every project): replication,
    target site, targets, when its groups' tests run by themselves. Groups made from it (or
    servers tagged `draas:policy=<name>`) take them, and its changes."""
    if publish:
        who.require_admin("publish")
    message = pol.CreatePolicyRequest(
        project_id=who.acting_in(project_id), policy=_policy(body), publish=publish
    )
    return as_json(orchestrator(request).call("CreatePolicy", message))


@router.get("/policies/{policy}")
def show_policy(
    request: Request, who: Reader, policy: PolicyRef, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    return as_json(
        orchestrator(request).call(
            "GetPolicy", pol.GetPolicyRequest(project_id=who.acting_in(project_id), policy=policy)
        )
    )


@router.put("/policies/{policy}")
def update_policy(
    request: Request,
    who: Writer,
    policy: PolicyRef,
    body: bodies.NewPolicy,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """Replaces what the policy says; the groups made from it here take the change, and the
    answer says what changed in each (or why it could not). Its replication type and target
    site cannot change while groups are made from it. A published policy: admins only."""
    message = pol.UpdatePolicyRequest(
        project_id=who.acting_in(project_id),
        policy=policy,
        changed=_policy(body),
        as_admin=who.is_admin,
    )
    answer = orchestrator(request).call("UpdatePolicy", message)
    return {"policy": as_json(answer.policy), "groups": [as_json(g) for g in answer.groups]}


@router.delete("/policies/{policy}", status_code=204)
def delete_policy(
    request: Request, who: Writer, policy: PolicyRef, project_id: bodies.ProjectId = None
) -> Response:
    """Refused while groups are made from it."""
    orchestrator(request).call(
        "DeletePolicy",
        pol.DeletePolicyRequest(
            project_id=who.acting_in(project_id), policy=policy, as_admin=who.is_admin
        ),
    )
    return Response(status_code=204)


@router.get("/failover-groups/{group_id}/test-schedule", tags=["failover groups"])
def test_schedule(
    request: Request, who: Reader, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """The group's scheduled tests, as its target site runs them: the schedule, the last
    successful test, the last one the schedule started, when the next is due and when it
    would start (inside a window), and why the last attempt could not start."""
    message = pol.GetTestScheduleRequest(project_id=who.acting_in(project_id), group_id=group_id)
    return as_json(orchestrator(request).call("GetTestSchedule", message))


@router.post("/failover-groups/{group_id}/test-schedule/run", status_code=202, tags=["operations"])
def run_scheduled_test(
    request: Request, who: Writer, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> JSONResponse:
    """At the group's target site: a test failover now, as the schedule runs it (cleaned up
    after the schedule's cleanup time)."""
    message = pol.RunScheduledTestRequest(project_id=who.acting_in(project_id), group_id=group_id)
    return started(orchestrator(request).call("RunScheduledTest", message))


def _policy(body: bodies.NewPolicy) -> pol.Policy:
    schedule = body.test_schedule or bodies.TestScheduleBody()
    return pol.Policy(
        name=body.name,
        description=body.description,
        replication_type=REPLICATION_TYPES[body.replication_type],
        target_site=body.target_site,
        rpo_target=duration(body.rpo_target_seconds or 0),
        rto_target=duration(body.rto_target_seconds),
        test_interval=duration(body.test_interval_seconds),
        test_schedule=schedule_message(schedule),
        automation=automation_message(body.automation or bodies.AutomationBody()),
        default_tier=body.default_tier,
    )


def schedule_message(schedule: bodies.TestScheduleBody) -> pol.TestSchedule:
    return pol.TestSchedule(
        enabled=schedule.enabled,
        windows=schedule.windows,
        timezone=schedule.timezone,
        cleanup_after=duration(schedule.cleanup_after_seconds),
    )


def automation_message(body: bodies.AutomationBody) -> pol.Automation:
    return pol.Automation(
        hooks=[
            pol.Hook(
                name=h.name,
                url=h.url,
                when=h.when,
                kinds=list(h.kinds),
                timeout=duration(h.timeout_seconds),
                retries=h.retries,
                on_failure=h.on_failure,
                vms=h.vms,
                tiers=h.tiers,
            )
            for h in body.hooks
        ],
        checks=[
            pol.AppCheck(
                name=c.name,
                type=c.type,
                port=c.port,
                path=c.path,
                expect_status=c.expect_status,
                expect_text=c.expect_text,
                url=c.url,
                timeout=duration(c.timeout_seconds),
                in_failovers=c.in_failovers,
                on_failure=c.on_failure,
                vms=c.vms,
                tiers=c.tiers,
            )
            for c in body.checks
        ],
    )
