"""Wiring of the compute service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceSpec, StatelessDeps
from draas.compute.v1 import compute_pb2_grpc
from services.compute.cloud import Cloud
from services.compute.servicer import SERVICE, ComputeServicer
from services.compute.settings import ComputeSettings


@dataclass
class ComputeDeps(StatelessDeps):
    """The region."""

    cloud: Cloud

    def close(self) -> None:
        """Closes the region's connections."""
        self.cloud.close()


def build_deps(settings: ComputeSettings, tracer_provider: TracerProvider) -> ComputeDeps:
    """The region, whose connections open on first use."""
    return ComputeDeps(tracer_provider, Cloud(settings))


def create_server(settings: ComputeSettings, deps: ComputeDeps) -> tuple[ServiceServer, int]:
    """The compute service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, ComputeServicer(deps.cloud), compute_pb2_grpc.add_ComputeServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


# It keeps no state: no database.
SPEC = ServiceSpec("compute", ComputeSettings, build_deps, create_server, None)
