"""Reprotect by volume type: each recovered VM is stopped, its server deleted (its ports and
volumes kept), its volumes unmanaged from Cinder and managed again under the replicated
volume type, and the server booted again on the same ports and verified. An outage per VM,
in the group's tiers; for clouds where a retype in place would need a migration.

Each VM's chain repeats safely: a server already gone is released, a volume already gone from
Cinder is managed again from the array, a volume already of the replicated type is kept, and a
VM whose volumes all have that type already (a repeated reprotect) keeps running untouched.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from common.errors import FailedPrecondition, NotFound
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from services.orchestrator.bundle import message
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.steps.base import OrchestratorStep, parallel
from services.orchestrator.steps.reprotect import (
    boot_order,
    recovered,
    reprotect_request,
    running_here,
)
from services.orchestrator.steps.vm import BootServer, manage_volume, vm_parts

# What the Pure Cinder driver renames an array volume to when Cinder unmanages it.
UNMANAGED_SUFFIX = "-unmanaged"


def _body(found: Any) -> dict[str, Any]:
    return json_format.MessageToDict(found, preserving_proto_field_name=True)


class CaptureRecovered(OrchestratorStep):
    """Reads the recovered VMs as they run here (server, flavor, key pair, server group,
    volumes in boot order, ports) and hands each VM unit its part, in the shape a failover's
    units get from the recovery bundle.

    :raises FailedPrecondition: none of the group's recovered VMs is here.
    """

    name = "capture_recovered"
    resource = "nova"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op = ctx.operation
        group = running_here(self, ctx)
        vms = recovered(group)
        with mapped_errors():
            inventory = self.deps.clients.compute.CaptureInventory(
                cpb.CaptureInventoryRequest(
                    project_id=op.project_id, server_ids=[vm.server_id for vm in vms]
                )
            )
        servers = {s.id: s for s in inventory.servers}
        if not servers:
            raise FailedPrecondition(f"no VM of failover group {group.name} runs at this site")
        kinds = {
            kind: {getattr(m, key): m for m in getattr(inventory, kind)}
            for kind, key in (
                ("flavors", "id"),
                ("key_pairs", "name"),
                ("server_groups", "id"),
                ("volumes", "id"),
                ("ports", "id"),
            )
        }
        parts: dict[str, dict[str, Any]] = {}
        for vm in vms:
            server = servers.get(vm.server_id)
            if server is None:
                parts[vm.server_id] = {
                    "missing": f"VM {vm.name} (server {vm.server_id}) is gone from this site"
                }
                continue
            devices = [d for d in server.block_devices if d.volume_id in kinds["volumes"]]
            devices.sort(key=boot_order)
            parts[vm.server_id] = {
                "server": _body(server),
                "flavor": _optional(kinds["flavors"].get(server.flavor_id)),
                "key_pair": _optional(kinds["key_pairs"].get(server.key_name)),
                "server_group": _optional(kinds["server_groups"].get(server.server_group_id)),
                "devices": [_body(d) for d in devices],
                "volumes": [_body(kinds["volumes"][d.volume_id]) for d in devices],
                "ports": [_body(kinds["ports"][p]) for p in server.port_ids if p in kinds["ports"]],
            }
        ctx.deliver({server_id: {"vm": part} for server_id, part in parts.items()})
        return {"captured": sorted(servers)}


def _optional(found: Any) -> dict[str, Any] | None:
    return _body(found) if found is not None else None


def _already_replicated(parts: dict[str, Any], new_type: str) -> bool:
    return all(v.get("volume_type") == new_type for v in parts["volumes"])


class ReleaseServer(OrchestratorStep):
    """Stops the VM's server and deletes it; its ports and volumes stay (the ports were made
    apart from the server, the volumes are not deleted on termination). A VM whose volumes have
    the replicated type already is left running."""

    name = "release_server"
    resource = "nova"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        parts, compute = vm_parts(ctx), self.deps.clients.compute
        project, server_id = ctx.operation.project_id, str(parts["server"]["id"])
        ports = {str(p): str(p) for p in parts["server"].get("port_ids", [])}
        addresses = [
            str(ip["ip_address"]) for port in parts["ports"] for ip in port.get("fixed_ips", [])
        ]
        kept = {"ports": ports, "ip_addresses": addresses}
        if _already_replicated(parts, str(reprotect_request(ctx)["volume_type"])):
            return {**kept, "released": False}
        try:
            with mapped_errors():
                # Stopped first: the guest flushes its writes before its volumes go.
                compute.QuiesceServer(
                    cpb.QuiesceServerRequest(
                        project_id=project, server_id=server_id, mode=cpb.QUIESCE_MODE_STOP
                    ),
                    timeout=self.deps.settings.boot_timeout_seconds,
                )
        except NotFound:
            pass  # released before (a repeat)
        with mapped_errors():
            compute.DeleteResources(
                cpb.DeleteResourcesRequest(
                    project_id=project,
                    resources=[
                        cpb.ResourceRef(type=cpb.RESOURCE_TYPE_SERVER, id=server_id),
                    ],
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )
        return {**kept, "released": True}


class RemanageVolumes(OrchestratorStep):
    """The VM's volumes unmanaged from Cinder and managed again, from the same array volumes,
    under the replicated type (whose backend puts them in its protection group or pod), with
    their names, bootable flags, metadata and image metadata."""

    name = "remanage_volumes"
    resource = "cinder"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        parts, compute = vm_parts(ctx), self.deps.clients.compute
        new_type = str(reprotect_request(ctx)["volume_type"])
        host = ctx.shared["hosts"].get(new_type)
        if host is None:
            raise FailedPrecondition(
                f"no Cinder pool at site {self.deps.site} serves volume type {new_type}"
            )

        def remanage(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
            volume = message(body, cpb.Volume())
            if volume.volume_type == new_type:
                return volume.id, {"id": volume.id, "array_volume_name": volume.array_volume_name}
            with mapped_errors():
                compute.UnmanageVolume(
                    cpb.UnmanageVolumeRequest(
                        project_id=ctx.operation.project_id, volume_id=volume.id
                    )
                )
            source = volume.array_volume_name + UNMANAGED_SUFFIX
            made = manage_volume(self, ctx, volume, new_type, host, source)
            return volume.id, {"id": made.id, "array_volume_name": made.array_volume_name}

        volumes = dict(parallel(parts["volumes"], remanage))
        return {
            "volumes": volumes,
            # In boot order, as the group's record keeps them.
            "array_volumes": [
                volumes[str(d["volume_id"])]["array_volume_name"] for d in parts["devices"]
            ],
        }


class BootAgain(BootServer):
    """The server booted again from its remanaged volumes on its own ports (a VM left running
    keeps its server). Never undone: a VM that fails to verify keeps the server it has."""

    name = "boot_again"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        if not ctx.outputs.get("released"):
            return {"recovered_server_id": str(vm_parts(ctx)["server"]["id"]), "created": []}
        return super().execute(ctx)

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        """Keeps the server: deleting it would leave the VM with none."""
