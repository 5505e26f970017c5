"""Wiring of the storage service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from draas.storage.v1 import storage_pb2_grpc
from services.storage.models import MIGRATIONS
from services.storage.servicer import SERVICE, StorageServicer
from services.storage.settings import StorageSettings


def build_deps(settings: StorageSettings, tracer_provider: TracerProvider) -> ServiceDeps:
    """Opens (and migrates) the service's database."""
    return ServiceDeps(tracer_provider, open_database(settings, MIGRATIONS))


def create_server(settings: StorageSettings, deps: ServiceDeps) -> tuple[ServiceServer, int]:
    """The storage service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, StorageServicer(), storage_pb2_grpc.add_StorageServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


SPEC = ServiceSpec("storage", StorageSettings, build_deps, create_server, MIGRATIONS)
