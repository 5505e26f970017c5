"""Reprotect, at the site a group failed over to: the old source site removes the group's old
VMs first (never the same VM at both sites), then the network copies draas made there for
them (once no other group needs them), the recovered volumes get a replicated volume type
(a Cinder retype in place here; managed again under it, VM by VM, in remanage.py), then the
arrays replicate them back to the old source and the group is protected in its new direction.

Each step reads the group's record when it runs: in a failback it runs after the failover back
rewrote it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from common.errors import FailedPrecondition
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.engine.plan import VM, UnitState
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.groups import ASYNC, PROTECTED, SYNC, Group
from services.orchestrator.steps.base import OrchestratorStep, parallel


def reprotect_request(ctx: StepContext) -> dict[str, Any]:
    """What the tenant asked for: replication type, volume type, RPO target."""
    return dict(ctx.operation.request["reprotect"])


def running_here(step: OrchestratorStep, ctx: StepContext) -> Group:
    """The group's record, which must say that it runs at this site.

    :raises FailedPrecondition: it does not.
    """
    op = ctx.operation
    group = step.deps.records.get(op.project_id, op.group_id)
    if group.source_site != step.deps.site:
        raise FailedPrecondition(
            f"failover group {group.name} runs at {group.source_site}, not here: nothing to "
            "reprotect from this site"
        )
    return group


def recovered(group: Group) -> list[Any]:
    """The VMs recovered here (they remember the server they came from)."""
    return [vm for vm in group.vms if vm.origin_server_id]


class RetireOldSource(OrchestratorStep):
    """The old source site deletes the group's old servers, their ports and their volumes.

    :raises FailedPrecondition: the old site refuses (it still sees the group running there).
    :raises ServiceUnavailable: it cannot be reached; reprotect needs it.
    """

    name = "retire_old_source"
    # The old site may take a moment to see the group move (its metadata arrives by stream).
    attempts = 10

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op = ctx.operation
        group = running_here(self, ctx)
        old = group.target_site
        servers = [vm.origin_server_id for vm in recovered(group)]
        if not servers:
            return {"removed": [], "absent": []}
        with mapped_errors():
            retired = self.deps.clients.peer(old).RetireSource(
                opb.RetireSourceRequest(
                    project_id=group.projects.get(old, ""),
                    group_id=group.id,
                    server_ids=servers,
                    operation_id=op.id,
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )
        return {"removed": list(retired.removed), "absent": list(retired.absent)}


class RetireOldNetworks(OrchestratorStep):
    """The old source site removes the network copies draas made there for the group when it
    failed over there (routers with their gateways, subnets, networks, security groups), as
    far as no other group of the project there needs them and nothing uses them; what it keeps
    it names with the reason. After a first failover the old site has only the tenant's own
    networks, and nothing goes.

    :raises ServiceUnavailable: the old site cannot be reached, or has not seen the group move.
    """

    name = "retire_old_networks"
    # The old site may take a moment to see the group move (its metadata arrives by stream).
    attempts = 10

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        group = running_here(self, ctx)
        old = group.target_site
        with mapped_errors():
            retired = self.deps.clients.peer(old).RetireNetworks(
                opb.RetireNetworksRequest(
                    project_id=group.projects.get(old, ""),
                    group_id=group.id,
                    operation_id=ctx.operation.id,
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )
        return {
            "networks_removed": [_resource(r) for r in retired.removed],
            "networks_kept": [_resource(r) for r in retired.kept],
            "networks_absent": [_resource(r) for r in retired.absent],
        }


def _resource(found: opb.RetiredResource) -> dict[str, str]:
    named = {"kind": found.kind, "id": found.id, "name": found.name}
    return {**named, "reason": found.reason} if found.reason else named


class RetypeVolumes(OrchestratorStep):
    """Each recovered VM's volumes retyped to the replicated volume type, in place."""

    name = "retype_volumes"
    resource = "cinder"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op, compute = ctx.operation, self.deps.clients.compute
        group = running_here(self, ctx)
        vms = recovered(group)
        if not vms:
            raise FailedPrecondition(f"failover group {group.name} has no VM recovered here")
        new_type = str(reprotect_request(ctx)["volume_type"])
        with mapped_errors():
            inventory = compute.CaptureInventory(
                cpb.CaptureInventoryRequest(
                    project_id=op.project_id, server_ids=[vm.server_id for vm in vms]
                )
            )
        found = {s.id: s for s in inventory.servers}
        missing = [vm.name for vm in vms if vm.server_id not in found]
        if missing:
            raise FailedPrecondition(
                f"VMs {', '.join(missing)} of group {group.name} are gone from this site"
            )

        def retype(volume_id: str) -> tuple[str, str]:
            with mapped_errors():
                volume = compute.RetypeVolume(
                    cpb.RetypeVolumeRequest(
                        project_id=op.project_id,
                        volume_id=volume_id,
                        new_type=new_type,
                        migration_policy="never",
                    )
                )
            return volume_id, volume.array_volume_name

        devices = {
            vm.server_id: sorted(found[vm.server_id].block_devices, key=boot_order) for vm in vms
        }
        names = dict(parallel([d.volume_id for ds in devices.values() for d in ds], retype))
        return {
            "volume_type": new_type,
            "volumes": {s: [names[d.volume_id] for d in ds] for s, ds in devices.items()},
        }


def boot_order(device: cpb.BlockDevice) -> tuple[bool, int]:
    """Boot volume first, then the others in their order, volumes without one last."""
    return device.boot_index < 0, device.boot_index


def reprotected(ctx: StepContext) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """The VMs ready to be protected back, by the server id the group's record has for them:
    (their server now, their array volumes in boot order); and the names of the VMs whose
    remanage failed. A retype (in this unit) keeps the servers."""
    if "volumes" in ctx.outputs:
        retyped: dict[str, list[str]] = ctx.outputs["volumes"]
        return {s: (s, names) for s, names in retyped.items()}, []
    units = [u for u in ctx.units() if u.role == VM]
    ready = {
        u.key: (str(u.outputs["recovered_server_id"]), list(u.outputs["array_volumes"]))
        for u in units
        if u.state == UnitState.SUCCEEDED
    }
    return ready, [u.name or u.key for u in units if u.state != UnitState.SUCCEEDED]


class ProtectReverse(OrchestratorStep):
    """Stops the old direction's replication (async: the group's protection group on the old
    source array), protects the VMs' volumes towards the old source, takes a first point
    (async), and records the group as protected in its new direction. VMs that were not
    recovered here leave the group: they stay at the old site, untouched. Should a VM's
    remanage have failed, nothing is protected: the record takes the others' new servers and
    the group stays failed over, to be reprotected again.

    :raises FailedPrecondition: sync volumes that are not in one pod.
    """

    name = "protect_reverse"
    resource = "array"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op, storage = ctx.operation, self.deps.clients.storage
        group = running_here(self, ctx)
        wanted = reprotect_request(ctx)
        target, rpo = str(wanted["replication_type"]), float(wanted["rpo_target_seconds"])
        ready, failed = reprotected(ctx)
        if failed:
            self.deps.records.update(op.project_id, op.group_id, _moved(ready))
            return {"protected": False, "failed_vms": failed}
        volumes = {s: names for s, (_, names) in ready.items()}
        names = [n for listed in volumes.values() for n in listed]
        pods = {n.split("::", 1)[0] for n in names if "::" in n}
        if target == SYNC and (len(pods) != 1 or not all("::" in n for n in names)):
            raise FailedPrecondition(
                f"volume type {wanted['volume_type']} left the volumes outside one pod "
                f"({', '.join(sorted(names))}): it does not replicate them synchronously"
            )
        ref = replace(
            group, replication_type=target, pod_name=pods.pop() if target == SYNC else ""
        ).ref()
        removed: list[str] = []
        with mapped_errors():
            if group.state != PROTECTED and group.replication_type == ASYNC:
                # The old direction: from the old source's array to this site's.
                old = replace(
                    group, source_array=group.target_array, target_array=group.source_array
                ).ref()
                removed = list(storage.UnprotectGroup(spb.UnprotectGroupRequest(group=old)).removed)
            protection = storage.ProtectGroup(
                spb.ProtectGroupRequest(
                    group=ref,
                    rpo_target=duration(rpo) if target == ASYNC else None,
                    array_volume_names=names,
                )
            )
            if target == ASYNC:
                storage.ReplicateNow(spb.ReplicateNowRequest(group=ref))
        find = _finder(ready)
        dropped = [vm.name for vm in group.vms if find(vm.server_id) is None]

        def protected(current: Group) -> Group:
            current.vms = [vm for vm in current.vms if find(vm.server_id) is not None]
            for vm in current.vms:
                vm.server_id, vm.volumes = find(vm.server_id)
                vm.origin_server_id = ""
            current.replication_type, current.rpo_target_seconds = target, rpo
            current.pod_name, current.state = ref.pod_name, PROTECTED
            return current

        self.deps.records.update(op.project_id, op.group_id, protected)
        with mapped_errors():
            self.deps.clients.metadata.CaptureProject(
                mpb.CaptureProjectRequest(project_id=op.project_id)
            )
        return {
            "protected": True,
            "old_replication_removed": removed,
            "protection_group": protection.protection_group_name,
            "pod": ref.pod_name,
            "dropped_vms": dropped,
        }


def _finder(ready: dict[str, tuple[str, list[str]]]) -> Any:
    """Finds a VM's (server now, volumes) by the server id a record has: the one it had, or,
    when a repeat finds the record written already, the one it has now."""
    now = {server_id: found for server_id, found in ready.values()}

    def find(server_id: str) -> tuple[str, list[str]] | None:
        found = ready.get(server_id)
        if found is None and server_id in now:
            found = (server_id, now[server_id])
        return found

    return find


def _moved(ready: dict[str, tuple[str, list[str]]]) -> Any:
    """Record the VMs' new servers and volumes; they stay recovered VMs, still to protect."""
    find = _finder(ready)

    def update(current: Group) -> Group:
        for vm in current.vms:
            found = find(vm.server_id)
            if found is not None:
                vm.server_id, vm.volumes = found
        return current

    return update
