"""The lab's two sites with draas's services in-process: a compute service per region, and
per site the storage, metadata and orchestrator services (each restartable on its port and
database), metadata replicating both ways, orchestrators that are each other's peers; with a
certificate `Authority`, every gRPC channel uses mutual TLS, each process with a certificate of
its own. The tests, the benchmarks and the demo build on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from common.grpc_client import raw_channel
from common.telemetry import create_tracer_provider
from common.tls import ClientTls
from draas.metadata.v1 import metadata_pb2_grpc
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from services.compute import server as compute_server
from services.compute.settings import CloudSettings, ComputeSettings
from services.metadata import server as metadata_server
from services.metadata.settings import MetadataSettings
from services.orchestrator import server as orchestrator_server
from services.orchestrator.settings import OrchestratorSettings
from services.storage import server as storage_server
from services.storage.settings import StorageSettings
from simulators.lab import ARRAYS, TOKENS, TwoSiteLab
from tools.certificates import Authority
from tools.launcher import free_port

SITES = ("site-a", "site-b")


def other(site: str) -> str:
    return SITES[1 - SITES.index(site)]


def tls_settings(tls: Authority | None, site: str, service: str) -> dict[str, Any]:
    """The TLS settings of a site's service: a certificate of its own from `tls`; none without."""
    if tls is None:
        return {}
    files = tls.issue(site, service)
    return {
        "tls_ca_file": files.ca_file,
        "tls_cert_file": files.cert_file,
        "tls_key_file": files.key_file,
    }


def client_tls(tls: Authority | None, site: str) -> ClientTls | None:
    """How a tool or a test calls a site's services: with a certificate of that site."""
    return None if tls is None else ClientTls(tls.issue(site, "client"), site)


def compute_settings(
    lab: TwoSiteLab, site: str, state_dir: Any, tls: Authority | None = None
) -> ComputeSettings:
    region = lab.regions[site]
    return ComputeSettings(
        **tls_settings(tls, site, "compute"),
        site=site,
        state_dir=state_dir,
        cloud=CloudSettings(
            auth_url=region.auth_url,
            username="admin",
            password=region.config.admin_password,
            project_name="admin",
            region_name=region.config.region,
        ),
        poll_interval_seconds=0.02,
        retry_base_delay_seconds=0.02,
        volume_timeout_seconds=20,
        boot_timeout_seconds=20,
        delete_timeout_seconds=20,
    )


@contextmanager
def running_compute(
    lab: TwoSiteLab, state: Path, tls: Authority | None = None
) -> Iterator[dict[str, str]]:
    """A compute service per site, in-process on port 0 (with mutual TLS, given `tls`): site ->
    address."""
    addresses, running = {}, []
    try:
        for site in SITES:
            settings = compute_settings(lab, site, state / f"compute-{site}", tls)
            deps = compute_server.build_deps(settings, create_tracer_provider("compute", site))
            server, port = compute_server.create_server(settings, deps)
            server.start()
            addresses[site] = f"127.0.0.1:{port}"
            running.append((server, deps))
        yield addresses
    finally:
        for server, deps in running:
            server.stop(None)
            deps.close()


class SiteStubs:
    """Stubs of a site's orchestrator and metadata, over its `channels`."""

    channels: dict[str, grpc.Channel]

    @property
    def orchestrator(self) -> orchestrator_pb2_grpc.OrchestratorServiceStub:
        return orchestrator_pb2_grpc.OrchestratorServiceStub(self.channels["orchestrator"])

    @property
    def metadata(self) -> metadata_pb2_grpc.MetadataServiceStub:
        return metadata_pb2_grpc.MetadataServiceStub(self.channels["metadata"])


@dataclass
class Site(SiteStubs):
    """One site's services; `stop_service`/`start_service` restart one on the same port and
    database. `client_tls`: how its channels authenticate (None: no TLS)."""

    name: str
    ports: dict[str, int]
    settings: dict[str, Any]
    running: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    channels: dict[str, grpc.Channel] = field(default_factory=dict)
    client_tls: ClientTls | None = None

    def start_service(self, name: str) -> None:
        module = {
            "storage": storage_server,
            "metadata": metadata_server,
            "orchestrator": orchestrator_server,
        }[name]
        settings = self.settings[name]
        deps = module.build_deps(settings, create_tracer_provider(name, self.name))
        server, port = module.create_server(settings, deps)
        server.start()
        self.ports[name] = port
        self.running[name] = (server, deps)
        if name not in self.channels:
            self.channels[name] = raw_channel(f"127.0.0.1:{port}", self.client_tls)

    def stop_service(self, name: str) -> None:
        server, deps = self.running.pop(name)
        server.stop(None)
        deps.close()

    def stop(self) -> None:
        for channel in self.channels.values():
            channel.close()
        for name in ("orchestrator", "metadata", "storage"):
            if name in self.running:
                self.stop_service(name)


def site_settings(
    lab: TwoSiteLab,
    site: str,
    state: Path,
    ports: dict[str, dict[str, int]],
    databases: dict[str, str],
    compute: str,
    tls: Authority | None = None,
) -> dict[str, Any]:
    """Each service's settings (the orchestrator's as a function of the storage service's port
    and overrides); with `tls`, each with a certificate of its own."""
    assert lab.flasharrays is not None
    peer = other(site)
    arrays = [
        {
            "name": name,
            "address": lab.flasharrays.address(name),
            "api_token": TOKENS[name],
            "ca_file": str(lab.flasharrays.ca_file),
        }
        for name in TOKENS
    ]
    return {
        "storage": StorageSettings(
            **tls_settings(tls, site, "storage"),
            site=site,
            state_dir=state,
            arrays=arrays,
            min_replication_interval_seconds=1.0,
            poll_interval_seconds=0.02,
            retry_base_delay_seconds=0.02,
            target_ready_timeout_seconds=5.0,
        ),
        "metadata": MetadataSettings(
            **tls_settings(tls, site, "metadata"),
            site=site,
            state_dir=state,
            port=ports[site]["metadata"],
            database_url=databases[f"{site}-metadata"],
            peers=[{"site": peer, "address": f"127.0.0.1:{ports[peer]['metadata']}"}],
            compute_address=compute,
            reconnect_delay_seconds=0.1,
            idle_poll_seconds=0.05,
        ),
        "orchestrator": lambda storage_port, **overrides: OrchestratorSettings(
            **{
                **tls_settings(tls, site, "orchestrator"),
                "site": site,
                "state_dir": state,
                "port": ports[site]["orchestrator"],
                "database_url": databases[f"{site}-orchestrator"],
                "metadata_address": f"127.0.0.1:{ports[site]['metadata']}",
                "storage_address": f"127.0.0.1:{storage_port}",
                "compute_address": compute,
                "peers": [
                    {
                        "site": peer,
                        "address": f"127.0.0.1:{ports[peer]['orchestrator']}",
                        "array_pairs": {ARRAYS[site]: ARRAYS[peer]},
                    }
                ],
                "worker_threads": 16,
                "lease_seconds": 5.0,
                "poll_seconds": 0.05,
                "retry_delay_seconds": 0.05,
                "cleanup_retry_seconds": 1.0,
                "boot_timeout_seconds": 30.0,
                "replication_timeout_seconds": 30.0,
                "metadata_timeout_seconds": 30.0,
                # Recovered volumes stay local until the group is reprotected.
                "default_recovery_volume_type": "pure",
            }
            | overrides
        ),
    }


@contextmanager
def running_sites(
    lab: TwoSiteLab,
    compute_addresses: dict[str, str],
    state: Path,
    databases: dict[str, str],
    orchestrated: tuple[str, ...] = SITES,
    tls: Authority | None = None,
    **orchestrator_settings: Any,
) -> Iterator[dict[str, Site]]:
    """Both sites' services on ports the sites know of each other; an orchestrator only for
    the sites in `orchestrated` (another may run as a process on its port and settings).
    `databases` has "<site>-metadata" and "<site>-orchestrator" URLs. With `tls`, every
    channel uses mutual TLS (the sites' `channels` too, with a certificate of the site)."""
    ports = {s: {"metadata": free_port(), "orchestrator": free_port()} for s in SITES}
    made: dict[str, Site] = {}
    try:
        for name in SITES:
            settings = site_settings(
                lab, name, state / name, ports, databases, compute_addresses[name], tls
            )
            site = made[name] = Site(
                name, dict(ports[name]), settings, client_tls=client_tls(tls, name)
            )
            site.start_service("storage")
            settings["orchestrator"] = settings["orchestrator"](
                site.ports["storage"], **orchestrator_settings
            )
            site.start_service("metadata")
            if name in orchestrated:
                site.start_service("orchestrator")
            else:
                site.channels["orchestrator"] = raw_channel(
                    f"127.0.0.1:{ports[name]['orchestrator']}", site.client_tls
                )
        yield made
    finally:
        for site in made.values():
            site.stop()
