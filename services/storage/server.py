"""Wiring of the storage service: dependencies, servicer and gRPC server."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceSpec, StatelessDeps
from draas.storage.v1 import storage_pb2_grpc
from services.storage.drivers.base import StorageDriver
from services.storage.drivers.flasharray.driver import FlashArrayDriver
from services.storage.servicer import SERVICE, StorageServicer
from services.storage.settings import StorageSettings


@dataclass
class StorageDeps(StatelessDeps):
    """The storage driver."""

    driver: StorageDriver

    def close(self) -> None:
        """Logs out of the arrays."""
        self.driver.close()


def build_deps(settings: StorageSettings, tracer_provider: TracerProvider) -> StorageDeps:
    """Sets up the FlashArray driver."""
    driver = FlashArrayDriver(settings, tracer_provider.get_tracer("draas.storage"))
    return StorageDeps(tracer_provider, driver)


def create_server(settings: StorageSettings, deps: StorageDeps) -> tuple[ServiceServer, int]:
    """The storage service's gRPC server, bound but not started, and its port."""
    binding = ServiceBinding(
        SERVICE, StorageServicer(deps.driver), storage_pb2_grpc.add_StorageServiceServicer_to_server
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider)


# It keeps no state: no database.
SPEC = ServiceSpec("storage", StorageSettings, build_deps, create_server, None)
