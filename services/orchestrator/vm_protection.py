"""Every VM of a project at this site and its protection: in which group (and tier), or for
which replication types it could join one, or every reason it could join none. What a tenant
sees first, before making a group: the same eligibility check AddVm makes, for each
replication type towards each peer site."""

from __future__ import annotations

from common.grpc_client import mapped_errors
from draas.common.v1 import types_pb2
from draas.compute.v1 import compute_pb2 as cpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator import eligibility
from services.orchestrator.clients import Clients
from services.orchestrator.groups import ASYNC, SYNC, Group, GroupRecords
from services.orchestrator.settings import OrchestratorSettings

_TYPES = {ASYNC: types_pb2.REPLICATION_TYPE_ASYNC, SYNC: types_pb2.REPLICATION_TYPE_SYNC}


def list_vms(
    settings: OrchestratorSettings, clients: Clients, records: GroupRecords, project_id: str
) -> list[opb.VmProtection]:
    """The project's servers here, by name, each with its protection."""
    with mapped_errors():
        inventory = clients.compute.CaptureInventory(
            cpb.CaptureInventoryRequest(project_id=project_id, volumes_only=True)
        )
    protecting = {
        vm.server_id: (group, vm.tier)
        for group in records.list(project_id)
        if group.source_site == settings.site
        for vm in group.vms
    }
    volumes = {v.id: v for v in inventory.volumes}
    found = []
    for server in sorted(inventory.servers, key=lambda s: (s.name, s.id)):
        shown = opb.VmProtection(server_id=server.id, name=server.name, status=server.status)
        if server.id in protecting:
            group, tier = protecting[server.id]
            shown.state = opb.VM_PROTECTION_STATE_PROTECTED
            shown.group_id, shown.group_name, shown.tier = group.id, group.name, tier
        else:
            # The check reads one server's part of the inventory, not all of it.
            own = cpb.Inventory(
                servers=[server],
                volumes=[
                    volumes[d.volume_id] for d in server.block_devices if d.volume_id in volumes
                ],
                volume_types=inventory.volume_types,
            )
            eligible_for, reasons = _eligibility(settings, own, server)
            shown.eligible_for.extend(_TYPES[t] for t in eligible_for)
            if eligible_for:
                shown.state = opb.VM_PROTECTION_STATE_ELIGIBLE
            else:
                shown.state = opb.VM_PROTECTION_STATE_NOT_ELIGIBLE
                shown.reasons.extend(reasons)
        found.append(shown)
    return found


def _eligibility(
    settings: OrchestratorSettings, inventory: cpb.Inventory, server: cpb.Server
) -> tuple[list[str], list[str]]:
    """The replication types a group towards some peer could protect the server with, and
    (when none) every distinct reason, as AddVm would give them."""
    eligible: list[str] = []
    reasons: dict[str, None] = {}
    if not settings.peers:
        return [], ["this site has no peer site to fail over to"]
    for replication_type in (ASYNC, SYNC):
        for peer in settings.peers:
            group = _would_be(settings.site, peer.site, replication_type)
            placement, refusals = eligibility.check(
                group, inventory, server.id, dict(peer.array_pairs), {}
            )
            if placement is not None:
                eligible.append(replication_type)
                break
            for refusal in refusals:
                reasons.setdefault(_reason(refusal, replication_type), None)
    return eligible, list(reasons)


def _would_be(site: str, target_site: str, replication_type: str) -> Group:
    """A group the server could join: new, so any array or pod of the right kind will do."""
    return Group(
        id="",
        project_id="",
        name=f"a new {replication_type} group",
        description="",
        replication_type=replication_type,
        source_site=site,
        target_site=target_site,
        rpo_target_seconds=0.0,
        state="",
        created_at="",
        updated_at="",
    )


def _reason(refusal: eligibility.Refusal, replication_type: str) -> str:
    volume = f"volume {refusal.volume_id}: " if refusal.volume_id else ""
    return f"{replication_type}: {volume}{refusal.reason}"
