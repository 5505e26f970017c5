"""Wiring of the metadata service: store, capture, senders to peers, and the gRPC server (mutual
TLS when the site's TLS files are set; a mutual-TLS port for peers with [metadata.tls])."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_client import open_channel
from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from common.tls import Callers, server_credentials
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata.capture import Capturer
from services.metadata.metrics import watch_replication
from services.metadata.models import MIGRATIONS
from services.metadata.replication import PeerSender
from services.metadata.servicer import SERVICE, MetadataServicer
from services.metadata.settings import MetadataSettings
from services.metadata.store import MetadataStore


@dataclass
class MetadataDeps(ServiceDeps):
    """The store, capture (with its channel to the compute service), one sender per peer, and
    what takes the peers out of the metrics again."""

    store: MetadataStore
    capturer: Capturer
    senders: dict[str, PeerSender] = field(default_factory=dict)
    unwatch: Callable[[], None] | None = None

    def close(self) -> None:
        """Stops replication and capture, then closes the database."""
        if self.unwatch is not None:
            self.unwatch()
        for sender in self.senders.values():
            sender.stop()
        self.capturer.stop()
        super().close()


def build_deps(settings: MetadataSettings, tracer_provider: TracerProvider) -> MetadataDeps:
    """Opens (and migrates) the database and starts capture and replication."""
    database = open_database(settings, MIGRATIONS)
    store = MetadataStore(database, settings.site)
    channel = (
        open_channel(settings.compute_address, tracer_provider, tls=settings.client_tls())
        if settings.compute_address
        else None
    )
    deps = MetadataDeps(
        tracer_provider,
        database,
        store,
        Capturer(store, channel, settings.capture_interval_seconds),
    )
    for peer in settings.peers:
        deps.senders[peer.site] = PeerSender(store, peer, settings, tracer_provider)
        deps.senders[peer.site].start()
    deps.unwatch = watch_replication(store, deps.senders)
    deps.capturer.start()
    return deps


def create_server(settings: MetadataSettings, deps: MetadataDeps) -> tuple[ServiceServer, int]:
    """The metadata service's gRPC server, bound but not started, and its port."""
    servicer = MetadataServicer(deps.store, deps.capturer, deps.senders, settings)
    binding = ServiceBinding(
        SERVICE, servicer, metadata_pb2_grpc.add_MetadataServiceServicer_to_server
    )
    secure = (
        [(settings.peer_port, server_credentials(settings.tls))] if settings.tls is not None else []
    )
    # This site's services and the peers; a peer's replication stream names its site in its
    # first message, and is checked against the certificate then.
    callers = Callers(
        frozenset({settings.site, *(p.site for p in settings.peers)}),
        self_checked=frozenset({f"/{SERVICE.full_name}/Replicate"}),
    )
    server, port = create_grpc_server(settings, [binding], deps.tracer_provider, secure, callers)
    server.on_stop(servicer.end_streams)
    return server, port


SPEC = ServiceSpec("metadata", MetadataSettings, build_deps, create_server, MIGRATIONS)
