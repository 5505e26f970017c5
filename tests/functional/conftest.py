"""In-process services on port 0, each with its own tracer provider, all exporting to one
in-memory exporter so a test can follow a trace across them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from common.grpc_server import ServiceServer
from common.telemetry import create_tracer_provider
from services.compute import server as compute_server
from services.compute.settings import ComputeSettings
from services.metadata import server as metadata_server
from services.metadata.settings import MetadataSettings
from services.orchestrator import server as orchestrator_server
from services.orchestrator.settings import OrchestratorSettings
from services.storage import server as storage_server
from services.storage.settings import StorageSettings
from tests.functional.lab import compute, compute_addresses, lab  # noqa: F401  (shared fixtures)

BACKENDS = {
    "metadata": (metadata_server, MetadataSettings),
    "storage": (storage_server, StorageSettings),
    "compute": (compute_server, ComputeSettings),
}


@dataclass
class RunningService:
    name: str
    server: ServiceServer
    port: int
    deps: Any
    stopped: bool = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if not self.stopped:
            self.server.stop(None)
            self.deps.close()
            self.stopped = True


@dataclass
class InProcessSite:
    services: dict[str, RunningService] = field(default_factory=dict)
    channels: list[grpc.Channel] = field(default_factory=list)

    def channel(self, name: str) -> grpc.Channel:
        channel = grpc.insecure_channel(self.services[name].address)
        self.channels.append(channel)
        return channel

    def close(self) -> None:
        for channel in self.channels:
            channel.close()
        for service in reversed(self.services.values()):
            service.stop()


def start(module: Any, settings: Any, exporter: InMemorySpanExporter) -> RunningService:
    provider = create_tracer_provider(settings.service_name, settings.site, exporter)
    deps = module.build_deps(settings, provider)
    server, port = module.create_server(settings, deps)
    server.start()
    return RunningService(settings.service_name, server, port, deps)


@pytest.fixture
def span_exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def start_site(
    tmp_path: Path, span_exporter: InMemorySpanExporter
) -> Iterator[Callable[..., InProcessSite]]:
    """Starts a site's four services; keyword arguments override the orchestrator's addresses."""
    sites: list[InProcessSite] = []

    def starter(**orchestrator_overrides: str) -> InProcessSite:
        site = InProcessSite()
        sites.append(site)
        for name, (module, settings_cls) in BACKENDS.items():
            settings = settings_cls(site="site-a", state_dir=tmp_path)
            site.services[name] = start(module, settings, span_exporter)
        addresses = {
            f"{name}_address": site.services[name].address for name in BACKENDS
        } | orchestrator_overrides
        settings = OrchestratorSettings(site="site-a", state_dir=tmp_path, **addresses)
        site.services["orchestrator"] = start(orchestrator_server, settings, span_exporter)
        return site

    yield starter
    for site in sites:
        site.close()
