"""Wiring of the metadata service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata.models import MIGRATIONS
from services.metadata.servicer import SERVICE, MetadataServicer
from services.metadata.settings import MetadataSettings


def build_deps(settings: MetadataSettings, tracer_provider: TracerProvider) -> ServiceDeps:
    """Opens (and migrates) the service's database."""
    return ServiceDeps(tracer_provider, open_database(settings, MIGRATIONS))


def create_server(settings: MetadataSettings, deps: ServiceDeps) -> tuple[ServiceServer, int]:
    """The metadata service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, MetadataServicer(), metadata_pb2_grpc.add_MetadataServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


SPEC = ServiceSpec("metadata", MetadataSettings, build_deps, create_server, MIGRATIONS)
