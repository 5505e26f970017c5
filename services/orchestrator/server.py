"""Wiring of the orchestrator: dependencies, servicer and gRPC server."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from opentelemetry.sdk.trace import TracerProvider

from common.grpc_client import open_channel
from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from draas.compute.v1 import compute_pb2
from draas.metadata.v1 import metadata_pb2
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2
from services.orchestrator.models import MIGRATIONS
from services.orchestrator.servicer import SERVICE, OrchestratorServicer
from services.orchestrator.settings import OrchestratorSettings
from services.orchestrator.system_status import ServiceDependency, SystemStatusChecker


@dataclass
class OrchestratorDeps(ServiceDeps):
    """The database and channels to this site's metadata, storage and compute services."""

    metadata: grpc.Channel
    storage: grpc.Channel
    compute: grpc.Channel

    def close(self) -> None:
        """Closes the channels and the database."""
        for channel in (self.metadata, self.storage, self.compute):
            channel.close()
        super().close()


def build_deps(settings: OrchestratorSettings, tracer_provider: TracerProvider) -> OrchestratorDeps:
    """Opens (and migrates) the database and opens traced channels to the other services."""
    return OrchestratorDeps(
        tracer_provider=tracer_provider,
        database=open_database(settings, MIGRATIONS),
        metadata=open_channel(settings.metadata_address, tracer_provider),
        storage=open_channel(settings.storage_address, tracer_provider),
        compute=open_channel(settings.compute_address, tracer_provider),
    )


def create_server(
    settings: OrchestratorSettings, deps: OrchestratorDeps
) -> tuple[ServiceServer, int]:
    """The orchestrator's gRPC server, bound but not started, and its port."""
    status = SystemStatusChecker(
        deps.database,
        [
            ServiceDependency(
                "metadata",
                settings.metadata_address,
                deps.metadata,
                metadata_pb2.DESCRIPTOR.services_by_name["MetadataService"].full_name,
            ),
            ServiceDependency(
                "storage",
                settings.storage_address,
                deps.storage,
                storage_pb2.DESCRIPTOR.services_by_name["StorageService"].full_name,
            ),
            ServiceDependency(
                "compute",
                settings.compute_address,
                deps.compute,
                compute_pb2.DESCRIPTOR.services_by_name["ComputeService"].full_name,
            ),
        ],
        settings.dependency_timeout_seconds,
    )
    binding = ServiceBinding(
        SERVICE,
        OrchestratorServicer(settings.site, status),
        orchestrator_pb2_grpc.add_OrchestratorServiceServicer_to_server,
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


SPEC = ServiceSpec("orchestrator", OrchestratorSettings, build_deps, create_server, MIGRATIONS)
