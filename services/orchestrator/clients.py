"""The services an orchestrator calls: its own site's metadata, storage and compute, and the
orchestrators of peer sites (over mutual TLS when the settings name TLS files)."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from opentelemetry.sdk.trace import TracerProvider

from common.errors import FailedPrecondition
from common.grpc_client import check_health, open_channel
from draas.compute.v1 import compute_pb2_grpc
from draas.metadata.v1 import metadata_pb2_grpc
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2_grpc
from services.orchestrator.settings import OrchestratorSettings


@dataclass
class Clients:
    """Stubs on traced channels; `close` closes the channels."""

    metadata: metadata_pb2_grpc.MetadataServiceStub
    storage: storage_pb2_grpc.StorageServiceStub
    compute: compute_pb2_grpc.ComputeServiceStub
    peers: dict[str, orchestrator_pb2_grpc.OrchestratorServiceStub]
    channels: dict[str, grpc.Channel] = field(default_factory=dict)

    def peer(self, site: str) -> orchestrator_pb2_grpc.OrchestratorServiceStub:
        """:raises FailedPrecondition: the site is not a configured peer."""
        stub = self.peers.get(site)
        if stub is None:
            raise FailedPrecondition(f"site {site} is not a peer of this orchestrator")
        return stub

    def peer_health(self, site: str, timeout: float) -> str:
        """The peer orchestrator's standard health status (SERVING, NOT_SERVING, ...).

        :raises FailedPrecondition: the site is not a configured peer.
        :raises grpc.RpcError: it cannot be reached in time.
        """
        self.peer(site)
        return check_health(self.channels[f"peer:{site}"], timeout=timeout)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    @staticmethod
    def open(settings: OrchestratorSettings, tracer_provider: TracerProvider) -> Clients:
        """Channels (mutual TLS with the settings' TLS files: this site's services must
        present a certificate naming this site, a peer's one naming the peer's site)."""
        tls = settings.client_tls()
        channels = {
            "metadata": open_channel(settings.metadata_address, tracer_provider, tls=tls),
            "storage": open_channel(settings.storage_address, tracer_provider, tls=tls),
            "compute": open_channel(settings.compute_address, tracer_provider, tls=tls),
        }
        peers = {}
        for peer in settings.peers:
            channels[f"peer:{peer.site}"] = open_channel(
                peer.address, tracer_provider, tls=settings.client_tls(peer.site)
            )
            peers[peer.site] = orchestrator_pb2_grpc.OrchestratorServiceStub(
                channels[f"peer:{peer.site}"]
            )
        return Clients(
            metadata=metadata_pb2_grpc.MetadataServiceStub(channels["metadata"]),
            storage=storage_pb2_grpc.StorageServiceStub(channels["storage"]),
            compute=compute_pb2_grpc.ComputeServiceStub(channels["compute"]),
            peers=peers,
            channels=channels,
        )
