"""Cleaning up a test failover: what it made in the cloud (everything it tagged, and what its
boots made), then its copies on the array. What was already gone is not an error."""

from __future__ import annotations

from typing import Any

from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.engine.steps import StepContext
from services.orchestrator.steps.base import OrchestratorStep

_TYPES = {
    cpb.RESOURCE_TYPE_SERVER: "server",
    cpb.RESOURCE_TYPE_VOLUME: "volume",
    cpb.RESOURCE_TYPE_PORT: "port",
    cpb.RESOURCE_TYPE_ROUTER: "router",
    cpb.RESOURCE_TYPE_SUBNET: "subnet",
    cpb.RESOURCE_TYPE_NETWORK: "network",
    cpb.RESOURCE_TYPE_SECURITY_GROUP: "security group",
    cpb.RESOURCE_TYPE_SERVER_GROUP: "server group",
    cpb.RESOURCE_TYPE_KEY_PAIR: "key pair",
    cpb.RESOURCE_TYPE_FLAVOR: "flavor",
}


class RemoveTestResources(OrchestratorStep):
    name = "remove_test_resources"
    resource = "nova"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        request = ctx.operation.request
        with mapped_errors():
            removed = self.deps.clients.compute.DeleteResources(
                cpb.DeleteResourcesRequest(
                    project_id=ctx.operation.project_id,
                    operation_id=request["test_operation_id"],
                    resources=[
                        cpb.ResourceRef(type=str(r["type"]), id=str(r["id"]))
                        for r in request.get("created", [])
                    ],
                ),
                timeout=self.deps.settings.boot_timeout_seconds,
            )
        return {
            "removed": [f"{_TYPES.get(r.type, 'resource')} {r.id}" for r in removed.deleted],
            "absent": [f"{_TYPES.get(r.type, 'resource')} {r.id}" for r in removed.absent],
        }


class DestroyTestCopies(OrchestratorStep):
    name = "destroy_test_copies"
    resource = "array"

    def execute(self, ctx: StepContext) -> dict[str, Any]:
        request = ctx.operation.request
        if not request.get("target_array"):
            return {"destroyed": []}
        with mapped_errors():
            destroyed = self.deps.clients.storage.DestroyVolumes(
                spb.DestroyVolumesRequest(
                    array_name=request["target_array"],
                    request_id=request["test_operation_id"],
                    eradicate=True,
                )
            )
        array = request["target_array"]
        return {"destroyed": [f"array volume {array}:{name}" for name in destroyed.destroyed]}
