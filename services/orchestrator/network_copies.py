"""The network copies this site rebuilt for a group that failed over here, and who else still
needs them. Asked by the site the group went back to, during its reprotect (a failback's too),
once the group's old VMs here are gone: the copies the failovers here made or took for the
group go, except those another group of the project uses here (one that failed over here, or
a test or failover under way here). The compute service then keeps whatever is still in use,
and anything the tenant made."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from common.db import Database
from draas.compute.v1 import compute_pb2 as cpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator import flows
from services.orchestrator.engine.plan import PREPARE, OperationState
from services.orchestrator.groups import Group
from services.orchestrator.models import GroupLockRecord, OperationRecord, UnitRecord

# What ensure_networks provides (source id -> the resource here), by the resource's type.
_PROVIDED: dict[str, cpb.ResourceType] = {
    "routers": cpb.RESOURCE_TYPE_ROUTER,
    "subnets": cpb.RESOURCE_TYPE_SUBNET,
    "networks": cpb.RESOURCE_TYPE_NETWORK,
    "security_groups": cpb.RESOURCE_TYPE_SECURITY_GROUP,
}
# Operations whose prepare unit rebuilds networks here, and those that leave a group running
# here.
REBUILDING = (flows.TEST_FAILOVER, *flows.FAILOVERS, flows.FAILBACK, flows.MOVE)
ARRIVING = (*flows.FAILOVERS, flows.FAILBACK, flows.MOVE)
KINDS: dict[cpb.ResourceType, str] = {
    cpb.RESOURCE_TYPE_ROUTER: "router",
    cpb.RESOURCE_TYPE_SUBNET: "subnet",
    cpb.RESOURCE_TYPE_NETWORK: "network",
    cpb.RESOURCE_TYPE_PORT: "port",
    cpb.RESOURCE_TYPE_SECURITY_GROUP: "security group",
}


def to_retire(
    database: Database, site: str, project_id: str, group: Group, others: Iterable[Group]
) -> tuple[dict[str, cpb.ResourceType], dict[str, str]]:
    """The group's copies here (id -> resource type), and those of them that other groups of
    the project (`others`, their records at this site) need (id -> why).

    `project_id` is the tenant's project here, which this site's operations are filed under.
    """
    peers = {g.id: g for g in others if g.id != group.id}
    running_here = [g.id for g in peers.values() if g.source_site == site]
    with database.transaction() as session:
        ended = list(
            session.scalars(
                select(OperationRecord).where(
                    OperationRecord.project_id == project_id,
                    OperationRecord.group_id.in_([group.id, *running_here]),
                    OperationRecord.kind.in_(ARRIVING),
                    OperationRecord.state.not_in(OperationState.ACTIVE),
                )
            )
        )
        held = select(GroupLockRecord.operation_id).where(GroupLockRecord.project_id == project_id)
        under_way = list(
            session.scalars(
                select(OperationRecord).where(
                    OperationRecord.project_id == project_id,
                    OperationRecord.group_id != group.id,
                    OperationRecord.kind.in_(REBUILDING),
                    or_(
                        OperationRecord.state.in_(OperationState.ACTIVE),
                        OperationRecord.id.in_(held),
                    ),
                )
            )
        )
        used = _rebuilt(session, [op.id for op in [*ended, *under_way]])
    copies: dict[str, cpb.ResourceType] = {}
    for op in ended:
        if op.group_id == group.id:
            copies.update(used.get(op.id, {}))
    needed: dict[str, str] = {}
    for op in ended:
        if op.group_id != group.id:
            for resource_id in used.get(op.id, {}):
                needed.setdefault(
                    resource_id, f"failover group {peers[op.group_id].name} runs here and uses it"
                )
    for op in under_way:
        name = peers[op.group_id].name if op.group_id in peers else op.group_id
        what = f"{op.kind.replace('_', ' ')} {op.id} of failover group {name}"
        if op.id in used:
            for resource_id in used[op.id]:
                needed.setdefault(resource_id, f"{what} uses it")
        elif op.state in OperationState.ACTIVE:
            # Not rebuilt yet: it may take any copy of the project's networks.
            for resource_id in copies:
                needed.setdefault(resource_id, f"{what} is under way here and may use it")
    return copies, {i: why for i, why in needed.items() if i in copies}


def _rebuilt(session: Session, operation_ids: list[str]) -> dict[str, dict[str, cpb.ResourceType]]:
    """Per operation: what its ensure_networks step gave (id here -> resource type); operations
    that have not rebuilt networks (yet) are left out."""
    if not operation_ids:
        return {}
    units = session.scalars(
        select(UnitRecord).where(
            UnitRecord.operation_id.in_(operation_ids), UnitRecord.role == PREPARE
        )
    )
    found: dict[str, dict[str, cpb.ResourceType]] = {}
    for unit in units:
        outputs = unit.outputs or {}
        if "networks" not in outputs:
            continue
        found[unit.operation_id] = {
            str(made): kind
            for key, kind in _PROVIDED.items()
            for made in (outputs.get(key) or {}).values()
        }
    return found


def response(done: cpb.RemoveNetworkCopiesResponse) -> opb.RetireNetworksResponse:
    """The compute service's account of the copies, for the site that asked."""

    def retired(
        kind: cpb.ResourceType, resource_id: str, name: str = "", reason: str = ""
    ) -> opb.RetiredResource:
        return opb.RetiredResource(
            kind=KINDS.get(kind, "resource"), id=resource_id, name=name, reason=reason
        )

    return opb.RetireNetworksResponse(
        removed=[retired(r.type, r.id, r.name) for r in done.removed],
        kept=[retired(r.type, r.id, r.name, r.reason) for r in done.kept],
        absent=[retired(r.type, r.id) for r in done.absent],
    )
