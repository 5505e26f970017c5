"""Wiring of the compute service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from draas.compute.v1 import compute_pb2_grpc
from services.compute.cloud import Cloud
from services.compute.models import MIGRATIONS
from services.compute.servicer import SERVICE, ComputeServicer
from services.compute.settings import ComputeSettings


@dataclass
class ComputeDeps(ServiceDeps):
    """The database and the region."""

    cloud: Cloud

    def close(self) -> None:
        """Closes the region's connections and the database."""
        self.cloud.close()
        super().close()


def build_deps(settings: ComputeSettings, tracer_provider: TracerProvider) -> ComputeDeps:
    """Opens (and migrates) the database; connections to the region open on first use."""
    return ComputeDeps(tracer_provider, open_database(settings, MIGRATIONS), Cloud(settings))


def create_server(settings: ComputeSettings, deps: ComputeDeps) -> tuple[ServiceServer, int]:
    """The compute service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, ComputeServicer(deps.cloud), compute_pb2_grpc.add_ComputeServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


SPEC = ServiceSpec("compute", ComputeSettings, build_deps, create_server, MIGRATIONS)
