"""After a failover's VMs: this site becomes the group's owner, and its record says where the
group runs now, with the recovered servers and their volumes."""

from __future__ import annotations

from typing import Any

from common.errors import FailedPrecondition, NotFound
from common.grpc_client import mapped_errors
from draas.metadata.v1 import metadata_pb2 as mpb
from services.orchestrator.engine.plan import VM, UnitState
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.groups import FAILED_OVER, Group
from services.orchestrator.steps.base import OrchestratorStep


class TakeOwnership(OrchestratorStep):
    """Moves the group's ownership here, rewrites its record (source and target swapped, the
    recovered VMs in place of the old ones) and captures the project here.

    :raises FailedPrecondition: no VM was recovered; the operation then compensates, which
        restarts the source's VMs after a planned failover.
    """

    name = "take_ownership"
    resource = "metadata"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        op, site = ctx.operation, self.deps.site
        recovered = {
            u.key: u.outputs for u in ctx.units() if u.role == VM and u.state == UnitState.SUCCEEDED
        }
        if not recovered:
            raise FailedPrecondition("no VM was recovered, so the group stays where it ran")
        try:
            with mapped_errors():
                moved = self.deps.clients.metadata.TransferOwnership(
                    mpb.TransferOwnershipRequest(
                        project_id=op.request["record_project_id"],
                        group_id=op.group_id,
                        new_owner_site=site,
                    )
                ).entities_transferred
        except NotFound:
            # A repeat after the record moved here and was filed under this site's project.
            if self.deps.records.get(op.project_id, op.group_id).owner_site != site:
                raise
            moved = 0

        def swap(group: Group) -> Group:
            if group.source_site == site:
                return group  # a repeat after a crash: done already
            for vm in group.vms:
                outputs = recovered.get(vm.server_id)
                if outputs is None:
                    continue
                vm.origin_server_id, vm.server_id = vm.server_id, outputs["recovered_server_id"]
                vm.volumes = [v["array_volume_name"] for v in outputs["volumes"].values()]
            # Filed under the tenant's project here from now on.
            group.project_id = op.project_id
            group.source_site, group.target_site = site, group.source_site
            group.source_array, group.target_array = group.target_array, group.source_array
            group.pod_name, group.state = "", FAILED_OVER
            return group

        self.deps.records.update(op.project_id, op.group_id, swap)
        with mapped_errors():
            self.deps.clients.metadata.CaptureProject(
                mpb.CaptureProjectRequest(project_id=op.project_id)
            )
        return {"entities_transferred": moved, "recovered": len(recovered)}
