"""/v1/failover-groups: groups, their VMs, readiness, recovery points and replication health,
and the operations started on a group (test failover, failover, reprotect, failback)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from common.errors import InvalidArgument
from common.protobuf import duration
from draas.orchestrator.v1 import monitoring_pb2 as mon
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway import bodies
from gateway.access import Reader, Writer
from gateway.routes.common import REPLICATION_TYPES, key_or_new, orchestrator, page, started
from gateway.routes.policies import automation_message, schedule_message
from gateway.views import as_json

router = APIRouter(prefix="/v1/failover-groups", tags=["failover groups"])

_MODES = {"planned": opb.FAILOVER_MODE_PLANNED, "unplanned": opb.FAILOVER_MODE_UNPLANNED}
_METHODS = {
    "volume-type": opb.REPROTECT_METHOD_VOLUME_TYPE,
    "retype": opb.REPROTECT_METHOD_RETYPE,
}


@router.get("")
def list_groups(
    request: Request,
    who: Reader,
    limit: bodies.Limit = 50,
    page_token: bodies.PageToken = "",
    all_projects: bodies.AllProjects = False,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The project's failover groups at this site (an admin: every project's, or one's)."""
    found = orchestrator(request).call(
        "ListFailoverGroups",
        opb.ListFailoverGroupsRequest(
            project_id=who.listing(all_projects, project_id),
            page=page(limit, page_token),
            all_projects=all_projects,
        ),
    )
    return {
        "failover_groups": [as_json(g) for g in found.groups],
        "next_page_token": found.next_page_token,
    }


@router.post("", status_code=201)
def create_group(
    request: Request,
    who: Writer,
    body: bodies.NewGroup,
    project_id: bodies.ProjectId = None,
    target_token: bodies.TargetToken = None,
) -> dict[str, Any]:
    """A failover group at this site (its source), replicating to `target_site`.

    The group's project is linked to the tenant's project at the target site the first time:
    prove you hold it with `X-Target-Auth-Token` (a token of the target site's Keystone scoped
    to it), unless both sites share one Keystone or an admin links them. A link is never
    replaced."""
    if body.policy is None:
        for name in ("replication_type", "target_site"):
            if getattr(body, name) is None:
                raise InvalidArgument(name, "is required (or name a policy)")
    message = opb.CreateFailoverGroupRequest(
        project_id=who.acting_in(project_id),
        name=body.name,
        description=body.description,
        replication_type=REPLICATION_TYPES[body.replication_type]
        if body.replication_type
        else None,
        target_site=body.target_site or "",
        target_project_id=body.target_project_id,
        target_token=target_token or "",
        link_as_admin=who.is_admin,
        policy=body.policy or "",
    )
    if body.rpo_target_seconds is not None:
        message.rpo_target.CopyFrom(duration(body.rpo_target_seconds))
    if body.policy is None:
        message.rto_target.CopyFrom(duration(body.rto_target_seconds))
        message.test_interval.CopyFrom(duration(body.test_interval_seconds))
    if body.test_schedule is not None:
        message.test_schedule.CopyFrom(schedule_message(body.test_schedule))
    if body.automation is not None:
        # Present even when empty: an empty one removes the group's hooks and checks.
        message.automation.SetInParent()
        message.automation.MergeFrom(automation_message(body.automation))
    return as_json(orchestrator(request).call("CreateFailoverGroup", message))


@router.patch("/{group_id}")
def update_group(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.GroupChange,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """At the group's source site: changes its description or targets (RPO, RTO, test
    interval); what the body leaves out stays. A new RPO target of an async group reschedules
    its replication at once."""
    message = mon.UpdateFailoverGroupRequest(
        project_id=who.acting_in(project_id), group_id=group_id
    )
    if body.description is not None:
        message.description = body.description
    for name, value in (
        ("rpo_target", body.rpo_target_seconds),
        ("rto_target", body.rto_target_seconds),
        ("test_interval", body.test_interval_seconds),
    ):
        if value is not None:
            getattr(message, name).CopyFrom(duration(value))
    if body.test_schedule is not None:
        message.test_schedule.CopyFrom(schedule_message(body.test_schedule))
    if body.automation is not None:
        # Present even when empty: an empty one removes the group's hooks and checks.
        message.automation.SetInParent()
        message.automation.MergeFrom(automation_message(body.automation))
    return as_json(orchestrator(request).call("UpdateFailoverGroup", message))


@router.get("/{group_id}")
def show_group(
    request: Request, who: Reader, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    return as_json(
        orchestrator(request).call(
            "GetFailoverGroup",
            opb.GetFailoverGroupRequest(project_id=who.acting_in(project_id), group_id=group_id),
        )
    )


@router.delete("/{group_id}", status_code=204)
def delete_group(
    request: Request, who: Writer, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> Response:
    """Stops protecting the group's VMs (they keep running) and forgets the group."""
    orchestrator(request).call(
        "DeleteFailoverGroup",
        opb.DeleteFailoverGroupRequest(project_id=who.acting_in(project_id), group_id=group_id),
    )
    return Response(status_code=204)


@router.post("/{group_id}/vms")
def add_vm(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.NewVm,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """Protects a VM in the group; refused, naming the volume and why, if it is not eligible."""
    return as_json(
        orchestrator(request).call(
            "AddVm",
            opb.AddVmRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                server_id=body.server_id,
                tier=body.tier,
            ),
        )
    )


@router.post("/{group_id}/split", status_code=201)
def split(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.Split,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """At the group's source site, while it is protected: moves the VMs `server_ids` names
    into a new group of their own, made like this one (`split_from` names it), which then
    fails over, is reprotected and fails back without the others. Returns the new group."""
    return as_json(
        orchestrator(request).call(
            "SplitFailoverGroup",
            opb.SplitFailoverGroupRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                server_ids=body.server_ids,
                name=body.name,
                description=body.description,
            ),
        )
    )


@router.delete("/{group_id}/vms/{server_id}")
def remove_vm(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    server_id: bodies.Identifier,
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    return as_json(
        orchestrator(request).call(
            "RemoveVm",
            opb.RemoveVmRequest(
                project_id=who.acting_in(project_id), group_id=group_id, server_id=server_id
            ),
        )
    )


@router.get("/{group_id}/readiness")
def readiness(
    request: Request, who: Reader, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """A dry run: what a failover would miss now, per VM and for the group."""
    return as_json(
        orchestrator(request).call(
            "GetReadiness",
            opb.GetReadinessRequest(project_id=who.acting_in(project_id), group_id=group_id),
        )
    )


@router.get("/{group_id}/recovery-points")
def recovery_points(
    request: Request,
    who: Reader,
    group_id: bodies.Identifier,
    limit: bodies.Limit = 50,
    page_token: bodies.PageToken = "",
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """The points this site could recover the group from, newest first (each names the VMs it
    holds: a page of them at a time)."""
    found = orchestrator(request).call(
        "ListRecoveryPoints",
        opb.ListRecoveryPointsRequest(
            project_id=who.acting_in(project_id),
            group_id=group_id,
            page=page(limit, page_token),
        ),
    )
    return {
        "recovery_points": [as_json(p) for p in found.recovery_points],
        "next_page_token": found.next_page_token,
    }


@router.get("/{group_id}/replication-health")
def replication_health(
    request: Request, who: Reader, group_id: bodies.Identifier, project_id: bodies.ProjectId = None
) -> dict[str, Any]:
    """The replication link, the newest point's age against the RPO target, and how far the
    target site's copy of the metadata is behind."""
    return as_json(
        orchestrator(request).call(
            "GetReplicationHealth",
            opb.GetReplicationHealthRequest(
                project_id=who.acting_in(project_id), group_id=group_id
            ),
        )
    )


@router.post("/{group_id}/test-failover", status_code=202, tags=["operations"])
def test_failover(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.TestFailover,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """At the target site: recover the group (or the VMs `server_ids` names) into isolated
    networks, boot and verify it, leaving production alone; cleaned up on request or after
    `cleanup_after_seconds`."""
    message = opb.StartTestFailoverRequest(
        project_id=who.acting_in(project_id),
        group_id=group_id,
        idempotency_key=key_or_new(idempotency_key),
        recovery_point_id=body.recovery_point_id or "",
        stop_on_vm_failure=body.stop_on_vm_failure,
        server_ids=body.server_ids,
    )
    if body.cleanup_after_seconds is not None:
        message.cleanup_after.CopyFrom(duration(body.cleanup_after_seconds))
    return started(orchestrator(request).call("StartTestFailover", message))


@router.post("/{group_id}/failover", status_code=202, tags=["operations"])
def failover(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.Failover,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """At the target site: planned (the source is up: stop, last copy, no loss) or unplanned
    (the source is gone: the newest or a chosen recovery point)."""
    return started(
        orchestrator(request).call(
            "StartFailover",
            opb.StartFailoverRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                idempotency_key=key_or_new(idempotency_key),
                mode=_MODES[body.mode],
                recovery_point_id=body.recovery_point_id or "",
                quiesce=body.quiesce,
                stop_on_vm_failure=body.stop_on_vm_failure,
            ),
        )
    )


@router.post("/{group_id}/reprotect", status_code=202, tags=["operations"])
def reprotect(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.Reprotect,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """At the site the group failed over to: replicate its volumes back to the old source."""
    message = opb.StartReprotectRequest(
        project_id=who.acting_in(project_id),
        group_id=group_id,
        idempotency_key=key_or_new(idempotency_key),
        method=_METHODS[body.method],
        target_replication_type=REPLICATION_TYPES[body.target_replication_type],
        volume_type=body.volume_type,
    )
    if body.rpo_target_seconds is not None:
        message.rpo_target.CopyFrom(duration(body.rpo_target_seconds))
    return started(orchestrator(request).call("StartReprotect", message))


@router.post("/{group_id}/failback", status_code=202, tags=["operations"])
def failback(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.Failback | None = None,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """At the group's home site: a planned failover back, then a reprotect the original way."""
    return started(
        orchestrator(request).call(
            "StartFailback",
            opb.StartFailbackRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                idempotency_key=key_or_new(idempotency_key),
            ),
        )
    )


@router.post("/{group_id}/move", status_code=202, tags=["operations"])
def move(
    request: Request,
    who: Writer,
    group_id: bodies.Identifier,
    body: bodies.Failback | None = None,
    idempotency_key: bodies.IdempotencyKey = None,
    project_id: bodies.ProjectId = None,
) -> JSONResponse:
    """At the group's target site, while it is protected: a planned failover here (no write
    lost), then a reprotect back towards the site it came from — a migration in one
    operation."""
    return started(
        orchestrator(request).call(
            "StartMove",
            opb.StartMoveRequest(
                project_id=who.acting_in(project_id),
                group_id=group_id,
                idempotency_key=key_or_new(idempotency_key),
            ),
        )
    )
