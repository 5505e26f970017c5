"""One VM's chain: its recovered volumes managed into Cinder, its ports made (same MACs and IPs
where free), the server booted from them, and verified."""

from __future__ import annotations

import logging
from typing import Any

from common.errors import FailedPrecondition, NotFound
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.compute.v1 import compute_pb2 as cpb
from services.orchestrator.bundle import message
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.steps.base import OrchestratorStep, now_iso, request_id

log = logging.getLogger(__name__)

# Builds of one recovered server before its VM fails: Nova's own default for reschedules.
BUILD_ATTEMPTS = 3
# Metadata the Pure driver and draas write themselves; the rest is the tenant's and is kept.
OWN_METADATA = ("array_", "draas_")


def vm_parts(ctx: StepContext) -> dict[str, Any]:
    """The VM's part of the recovery bundle, handed over by the prepare unit.

    :raises FailedPrecondition: this site's metadata cannot rebuild the VM.
    """
    parts = ctx.unit.inputs.get("vm") or {"missing": "the prepare unit handed over nothing"}
    if "missing" in parts:
        raise FailedPrecondition(str(parts["missing"]))
    return dict(parts)


class ManageVolumes(OrchestratorStep):
    """Each recovered array volume of the VM, managed into Cinder with its type, bootable flag,
    metadata and image metadata."""

    name = "manage_volumes"
    resource = "cinder"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        parts, shared = vm_parts(ctx), ctx.shared
        managed = {}
        for body in parts["volumes"]:
            volume = message(body, cpb.Volume())
            vtype = self.recovery_type(volume.volume_type)
            host = shared["hosts"].get(vtype)
            if host is None:
                raise FailedPrecondition(
                    f"volume type {vtype} (for volume {volume.id}) does not exist at site "
                    f"{self.deps.site} (or no Cinder pool serves it)"
                )
            source = shared["recovered"][volume.array_volume_name]
            made = manage_volume(self, ctx, volume, vtype, host, source)
            managed[volume.id] = {"id": made.id, "array_volume_name": made.array_volume_name}
        return {"volumes": managed}

    def recovery_type(self, source_type: str) -> str:
        """The type a recovered volume is managed as here (see the settings)."""
        settings = self.deps.settings
        mapped = settings.recovery_volume_types.get(source_type)
        return mapped or settings.default_recovery_volume_type or source_type

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        volumes = (ctx.unit.inputs.get("vm") or {}).get("volumes", [])
        made_by = [cpb.MadeBy(request_id=request_id(ctx, str(v["id"]))) for v in volumes]
        if made_by:
            _delete(self, ctx, made_by=made_by)


def manage_volume(
    step: OrchestratorStep,
    ctx: StepContext,
    volume: cpb.Volume,
    vtype: str,
    host: str,
    source: str,
) -> cpb.Volume:
    """The array volume `source` managed into Cinder as `volume` was (name, bootable flag, the
    tenant's metadata, image metadata), with type `vtype` on `host`; a repeat finds it."""
    with mapped_errors():
        return step.deps.clients.compute.ManageVolume(
            cpb.ManageVolumeRequest(
                project_id=ctx.operation.project_id,
                host=host,
                source_name=source,
                name=volume.name,
                volume_type=vtype,
                bootable=volume.bootable,
                metadata={
                    k: v for k, v in volume.metadata.items() if not k.startswith(OWN_METADATA)
                },
                image_metadata=dict(volume.image_metadata),
                request_id=request_id(ctx, volume.id),
                operation_id=ctx.operation.id,
            )
        )


class EnsurePorts(OrchestratorStep):
    """The VM's ports on the rebuilt networks, in its rebuilt security groups."""

    name = "ensure_ports"
    resource = "neutron"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        parts, shared = vm_parts(ctx), ctx.shared
        ports, addresses, kept = {}, [], {}
        for body in parts["ports"]:
            port = message(body, cpb.Port())
            with mapped_errors():
                made = self.deps.clients.compute.EnsurePort(
                    cpb.EnsurePortRequest(
                        project_id=ctx.operation.project_id,
                        source=port,
                        network_id=shared["networks"][port.network_id],
                        subnet_ids=shared["subnets"],
                        security_group_ids=[
                            shared["security_groups"][g]
                            for g in port.security_group_ids
                            if g in shared["security_groups"]
                        ],
                        operation_id=ctx.operation.id,
                    )
                )
            ports[port.id] = made.port.id
            addresses += [ip.ip_address for ip in made.port.fixed_ips]
            kept[port.id] = {"mac": made.mac_kept, "fixed_ips": made.fixed_ips_kept}
        return {"ports": ports, "ip_addresses": addresses, "kept": kept}

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        sources = [str(p["id"]) for p in (ctx.unit.inputs.get("vm") or {}).get("ports", [])]
        if sources:
            _delete(
                self,
                ctx,
                made_by=[cpb.MadeBy(operation_id=ctx.operation.id, source_id=s) for s in sources],
            )


class BootServer(OrchestratorStep):
    """The server, from its recovered volumes in the source's boot order, on its new ports;
    its flavor, key pair and server group found at this site or made from the captured ones."""

    name = "boot_server"
    resource = "nova"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        booted = boot(self, ctx)
        return {
            "recovered_server_id": booted.server.id,
            "created": [
                {"type": cpb.ResourceType.Name(r.type), "id": r.id} for r in booted.created
            ],
        }

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        _delete(
            self,
            ctx,
            made_by=[cpb.MadeBy(request_id=request_id(ctx, ctx.unit.server_id or ctx.unit.key))],
            resources=[
                cpb.ResourceRef(type=str(r["type"]), id=str(r["id"]))
                for r in outputs.get("created", [])
            ],
        )


def boot(step: OrchestratorStep, ctx: StepContext) -> cpb.BootServerResponse:
    """Asks compute for the VM's recovered server: the one this unit booted before, or (when
    there is none, or its build failed) a new one."""
    parts, outputs = vm_parts(ctx), ctx.outputs
    server = message(parts["server"], cpb.Server())
    devices = []
    for body in parts["devices"]:
        device = message(body, cpb.BlockDevice())
        devices.append(
            cpb.BlockDevice(
                volume_id=outputs["volumes"][device.volume_id]["id"],
                boot_index=device.boot_index,
                device_name=device.device_name,
            )
        )
    request = cpb.BootServerRequest(
        project_id=ctx.operation.project_id,
        source=server,
        name=server.name,
        block_devices=devices,
        port_ids=[outputs["ports"][p] for p in server.port_ids if p in outputs["ports"]],
        key_name=server.key_name,
        metadata=dict(server.metadata),
        request_id=request_id(ctx, server.id),
        operation_id=ctx.operation.id,
    )
    for field, kind in (
        ("flavor", cpb.Flavor),
        ("key_pair", cpb.KeyPair),
        ("server_group", cpb.ServerGroup),
    ):
        if parts.get(field):
            getattr(request, "source_flavor" if field == "flavor" else field).CopyFrom(
                message(parts[field], kind())
            )
    with mapped_errors():
        booted: cpb.BootServerResponse = step.deps.clients.compute.BootServer(
            request, timeout=step.deps.settings.boot_timeout_seconds
        )
    return booted


class VerifyServer(OrchestratorStep):
    """ACTIVE, its volumes attached, its ports bound, its addresses as at the source. A server
    whose build failed (ERROR: a volume that did not connect, a host that failed) is booted
    again, as Nova reschedules a build, up to BUILD_ATTEMPTS builds in all."""

    name = "verify_server"
    resource = "verify"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        server_id = ctx.outputs["recovered_server_id"]
        # A server this unit did not boot (a reprotect by volume type keeps a VM that never
        # stopped) is never booted again in its place.
        builds = BUILD_ATTEMPTS if ctx.outputs.get("released", True) else 1
        for build in range(1, builds + 1):
            try:
                verified = self._verify(ctx, server_id)
            except NotFound:
                if builds == 1:
                    raise
                # A repeat after this step booted the server again: that one is found.
                server_id = boot(self, ctx).server.id
                verified = self._verify(ctx, server_id)
            if verified.verified:
                return {
                    "verified_at": now_iso(),
                    "status": verified.server.status,
                    "recovered_server_id": server_id,
                    "builds": build,
                }
            if verified.server.status != "ERROR" or build == builds:
                break
            log.warning(
                "server %s failed its build (%s); booting it again",
                server_id,
                "; ".join(verified.problems),
            )
            server_id = boot(self, ctx).server.id
        raise FailedPrecondition(
            f"server {verified.server.id} did not verify: {'; '.join(verified.problems)}"
            + (f" (after {build} builds)" if build > 1 else "")
        )

    def _verify(self, ctx: StepContext, server_id: str) -> cpb.VerifyServerResponse:
        outputs, timeout = ctx.outputs, self.deps.settings.boot_timeout_seconds
        with mapped_errors():
            verified: cpb.VerifyServerResponse = self.deps.clients.compute.VerifyServer(
                cpb.VerifyServerRequest(
                    project_id=ctx.operation.project_id,
                    server_id=server_id,
                    timeout=duration(timeout),
                    volume_ids=[v["id"] for v in outputs["volumes"].values()],
                    port_ids=list(outputs["ports"].values()),
                    ip_addresses=outputs["ip_addresses"],
                ),
                timeout=timeout + 30,
            )
        return verified


def _delete(
    step: OrchestratorStep,
    ctx: StepContext,
    made_by: list[cpb.MadeBy],
    resources: list[cpb.ResourceRef] | None = None,
) -> None:
    with mapped_errors():
        step.deps.clients.compute.DeleteResources(
            cpb.DeleteResourcesRequest(
                project_id=ctx.operation.project_id, made_by=made_by, resources=resources or []
            )
        )
