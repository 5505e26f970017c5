"""The group's work before its VMs: stop the source (planned failover), load what this site
holds of the group, replicate a last time, recover the volumes at one point, rebuild the
networks, find where Cinder takes each volume type."""

from __future__ import annotations

import time
from datetime import UTC
from typing import Any

from common.errors import FailedPrecondition
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.bundle import Bundle, message
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.flows import PARTIAL, TEST_FAILOVER
from services.orchestrator.steps.base import (
    OrchestratorStep,
    group_ref,
    now_iso,
    parallel,
    point_dict,
)


def source_project(ctx: StepContext) -> str:
    """The tenant's project at the group's source site."""
    request = ctx.operation.request
    return str(request["projects"].get(request["source_site"], ctx.operation.project_id))


class StopSource(OrchestratorStep):
    """Planned failover: the source site stops the group's VMs and captures them a last time."""

    name = "stop_source"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op = ctx.operation
        peer = self.deps.clients.peer(op.request["source_site"])
        with mapped_errors():
            stopped = peer.StopSource(
                opb.StopSourceRequest(
                    project_id=source_project(ctx), group_id=op.group_id, operation_id=op.id
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )
        return {
            "stopped": list(stopped.stopped_server_ids),
            "source_sequence": stopped.metadata_sequence,
            "stopped_at": stopped.stopped_at.ToDatetime(tzinfo=UTC).isoformat(),
        }

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        op = ctx.operation
        # Without outputs (it failed midway) every VM of the group: the source restarts those
        # that are stopped.
        servers = outputs.get("stopped", op.request.get("server_ids", []))
        with mapped_errors():
            self.deps.clients.peer(op.request["source_site"]).RestartSource(
                opb.RestartSourceRequest(
                    project_id=source_project(ctx), group_id=op.group_id, server_ids=servers
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )


class LoadGroup(OrchestratorStep):
    """Reads the group's recovery bundle from this site's metadata (after the source's last
    changes arrived, when it stopped), hands each VM unit its part, and keeps the group's
    networks and volumes for the steps after it."""

    name = "load_group"
    resource = "metadata"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op = ctx.operation
        metadata = self.deps.clients.metadata
        wanted = int(ctx.outputs.get("source_sequence", 0))
        if wanted:
            self._await(op.request["source_site"], wanted)
        with mapped_errors():
            found = metadata.GetRecoveryBundle(
                mpb.GetRecoveryBundleRequest(
                    project_id=op.request["record_project_id"], group_id=op.group_id
                )
            )
        bundle = Bundle.from_message(found)
        group = bundle.group
        if group.target_site != self.deps.site:
            raise FailedPrecondition(
                f"failover group {group.name} fails over to {group.target_site}, not here"
            )
        vms = group.vms
        if op.request.get(PARTIAL):
            # Only the VMs the test names (each VM's volumes are its own).
            vms = [vm for vm in vms if vm.server_id in op.request["server_ids"]]
        ctx.deliver({vm.server_id: {"vm": bundle.vm(vm.server_id)} for vm in vms})
        return {
            "group": {
                "id": group.id,
                "name": group.name,
                "replication_type": group.replication_type,
                "source_site": group.source_site,
                "target_site": group.target_site,
                "source_array": group.source_array,
                "target_array": group.target_array,
                "pod_name": group.pod_name,
            },
            "network": bundle.networks(),
            "volumes": sorted({v for vm in vms for v in vm.volumes}),
            "metadata_applied": bundle.applied_sequence,
            "loaded_at": now_iso(),
        }

    def _await(self, source: str, sequence: int) -> None:
        deadline = time.monotonic() + self.deps.settings.metadata_timeout_seconds
        while True:
            with mapped_errors():
                arrived = self.deps.clients.metadata.ListChanges(
                    mpb.ListChangesRequest(origin_site=source, after_sequence=sequence - 1, limit=1)
                ).changes
            if arrived:
                return
            if time.monotonic() > deadline:
                raise FailedPrecondition(
                    f"site {source}'s last metadata (change {sequence}) did not arrive in "
                    f"{self.deps.settings.metadata_timeout_seconds:.0f} s"
                )
            time.sleep(0.1)


class FinalReplication(OrchestratorStep):
    """Planned async failover: a last snapshot, replicated now, waited for."""

    name = "final_replication"
    resource = "array"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        group = self.deps.records.get(ctx.operation.project_id, ctx.operation.group_id)
        timeout = self.deps.settings.replication_timeout_seconds
        with mapped_errors():
            made = self.deps.clients.storage.ReplicateNow(
                spb.ReplicateNowRequest(
                    group=group.ref(),
                    wait=True,
                    timeout=duration(timeout),
                    suffix=f"dr{ctx.operation.id.replace('-', '')[:12]}",
                ),
                timeout=timeout + 30,
            )
        return {"final_point": point_dict(made.recovery_point)}


class RecoverVolumes(OrchestratorStep):
    """Every volume of the group from one recovery point, on this site's array."""

    name = "recover_volumes"
    resource = "array"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op = ctx.operation
        point = (ctx.outputs.get("final_point") or {}).get("id") or op.request.get(
            "recovery_point_id", ""
        )
        with mapped_errors():
            recovered = self.deps.clients.storage.RecoverVolumes(
                spb.RecoverVolumesRequest(
                    group=group_ref(ctx.outputs),
                    recovery_point_id=point,
                    purpose=spb.RECOVERY_PURPOSE_TEST
                    if op.kind == TEST_FAILOVER
                    else spb.RECOVERY_PURPOSE_FAILOVER,
                    source_volume_names=ctx.outputs["volumes"],
                    request_id=op.id,
                ),
                timeout=self.deps.settings.replication_timeout_seconds,
            )
        return {
            "point": point_dict(recovered.recovery_point),
            "recovered": {v.source_volume_name: v.array_volume_name for v in recovered.volumes},
        }

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        with mapped_errors():
            self.deps.clients.storage.DestroyVolumes(
                spb.DestroyVolumesRequest(
                    array_name=ctx.outputs["group"]["target_array"],
                    request_id=ctx.operation.id,
                    eradicate=True,
                )
            )


class EnsureNetworks(OrchestratorStep):
    """The group's networks, subnets, routers and security groups, rebuilt once for all its
    VMs: isolated for a test (no way out), with gateways to this site's external networks for
    a failover."""

    name = "ensure_networks"
    resource = "neutron"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op, parts = ctx.operation, ctx.outputs["network"]
        compute = self.deps.clients.compute
        isolated = op.kind == TEST_FAILOVER

        def network(body: dict[str, Any]) -> tuple[str, str]:
            with mapped_errors():
                made = compute.EnsureNetwork(
                    cpb.EnsureNetworkRequest(
                        project_id=op.project_id,
                        source=message(body, cpb.Network()),
                        isolated=isolated,
                        operation_id=op.id,
                    )
                )
            return str(body["id"]), made.id

        networks = dict(parallel(parts["networks"], network))

        def subnet(body: dict[str, Any]) -> tuple[str, str]:
            with mapped_errors():
                made = compute.EnsureSubnet(
                    cpb.EnsureSubnetRequest(
                        project_id=op.project_id,
                        source=message(body, cpb.Subnet()),
                        network_id=networks[str(body["network_id"])],
                        operation_id=op.id,
                    )
                )
            return str(body["id"]), made.id

        subnets = dict(parallel(parts["subnets"], subnet))
        routers = dict(parallel(parts["routers"], lambda b: self._router(ctx, b, subnets)))
        return {
            "networks": networks,
            "subnets": subnets,
            "routers": routers,
            "security_groups": self._security_groups(ctx, parts["security_groups"]),
        }

    def _router(
        self, ctx: StepContext, body: dict[str, Any], subnets: dict[str, str]
    ) -> tuple[str, str]:
        source = message(body, cpb.Router())
        external = ""
        if ctx.operation.kind != TEST_FAILOVER and source.external_network_name:
            names = self.deps.settings.external_networks
            external = names.get(source.external_network_name, source.external_network_name)
        with mapped_errors():
            made = self.deps.clients.compute.EnsureRouter(
                cpb.EnsureRouterRequest(
                    project_id=ctx.operation.project_id,
                    source=source,
                    subnet_ids=subnets,
                    external_network_name=external,
                    operation_id=ctx.operation.id,
                )
            )
        return source.id, made.id

    def _security_groups(self, ctx: StepContext, bodies: list[dict[str, Any]]) -> dict[str, str]:
        """Two passes: a rule naming another group waits until that group exists."""
        made: dict[str, str] = {}
        for _ in range(2):

            def ensure(body: dict[str, Any]) -> tuple[str, str, int]:
                with mapped_errors():
                    found = self.deps.clients.compute.EnsureSecurityGroup(
                        cpb.EnsureSecurityGroupRequest(
                            project_id=ctx.operation.project_id,
                            source=message(body, cpb.SecurityGroup()),
                            group_ids=dict(made),
                            operation_id=ctx.operation.id,
                        )
                    )
                return str(body["id"]), found.group.id, found.deferred_rules

            results = parallel(bodies, ensure)
            made.update({source: target for source, target, _ in results})
            if not any(deferred for _, _, deferred in results):
                break
        return made

    def revert(self, ctx: StepContext, outputs: dict[str, Any]) -> None:
        parts = ctx.outputs["network"]
        sources = [str(b["id"]) for kind in parts.values() for b in kind]
        with mapped_errors():
            self.deps.clients.compute.DeleteResources(
                cpb.DeleteResourcesRequest(
                    project_id=ctx.operation.project_id,
                    made_by=[
                        cpb.MadeBy(operation_id=ctx.operation.id, source_id=s) for s in sources
                    ],
                )
            )


class VolumeHosts(OrchestratorStep):
    """Where this site's Cinder takes each volume type (its first pool)."""

    name = "volume_hosts"
    resource = "cinder"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        with mapped_errors():
            types = self.deps.clients.compute.ListVolumeTypes(
                cpb.ListVolumeTypesRequest(project_id=ctx.operation.project_id)
            ).volume_types
        return {"hosts": {t.name: t.hosts[0] for t in types if t.hosts}}
