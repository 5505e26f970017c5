"""Wiring of the compute service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from draas.compute.v1 import compute_pb2_grpc
from services.compute.models import MIGRATIONS
from services.compute.servicer import SERVICE, ComputeServicer
from services.compute.settings import ComputeSettings


def build_deps(settings: ComputeSettings, tracer_provider: TracerProvider) -> ServiceDeps:
    """Opens (and migrates) the service's database."""
    return ServiceDeps(tracer_provider, open_database(settings, MIGRATIONS))


def create_server(settings: ComputeSettings, deps: ServiceDeps) -> tuple[ServiceServer, int]:
    """The compute service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, ComputeServicer(), compute_pb2_grpc.add_ComputeServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


SPEC = ServiceSpec("compute", ComputeSettings, build_deps, create_server, MIGRATIONS)
