"""The orchestrator's gRPC surface (protobuf <-> domain).

Implemented: GetSystemStatus. Every other RPC answers UNIMPLEMENTED, naming itself.
"""

from __future__ import annotations

import grpc
from google.protobuf.duration_pb2 import Duration

from common.grpc_server import answers_unimplemented
from draas.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from services.orchestrator.system_status import (
    DependencyHealth,
    DependencyState,
    SystemStatusChecker,
)

SERVICE = orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"]

_STATES = {
    DependencyState.SERVING: orchestrator_pb2.DEPENDENCY_STATE_SERVING,
    DependencyState.NOT_SERVING: orchestrator_pb2.DEPENDENCY_STATE_NOT_SERVING,
    DependencyState.UNREACHABLE: orchestrator_pb2.DEPENDENCY_STATE_UNREACHABLE,
}


@answers_unimplemented(SERVICE)
class OrchestratorServicer(orchestrator_pb2_grpc.OrchestratorServiceServicer):
    """draas.orchestrator.v1.OrchestratorService."""

    def __init__(self, site: str, status: SystemStatusChecker) -> None:
        self._site = site
        self._status = status

    def GetSystemStatus(
        self, request: orchestrator_pb2.GetSystemStatusRequest, context: grpc.ServicerContext
    ) -> orchestrator_pb2.SystemStatus:
        results = self._status.check()
        return orchestrator_pb2.SystemStatus(
            site=self._site,
            healthy=all(r.state is DependencyState.SERVING for r in results),
            dependencies=[_dependency(r) for r in results],
        )


def _dependency(result: DependencyHealth) -> orchestrator_pb2.DependencyStatus:
    latency = Duration()
    latency.FromNanoseconds(int(result.latency_seconds * 1e9))
    return orchestrator_pb2.DependencyStatus(
        name=result.name,
        address=result.address,
        state=_STATES[result.state],
        detail=result.detail,
        latency=latency,
    )
