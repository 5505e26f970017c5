"""Settings of the metadata service (environment prefix DRAAS_METADATA_).

Peers are the other sites' metadata services this one replicates its changes to:

    [[metadata.peers]]
    site = "site-b"
    address = "metadata.site-b:50061"

With the site's TLS files set (tls_ca_file, tls_cert_file, tls_key_file: common.tls), every
port serves mutual TLS and peers replicate on the service's port, each certificate naming its
site. [metadata.tls] (with peer_port) serves peers on a port of their own, with certificates of
their own (e.g. from a CA of the sites only); the service's port then refuses replication unless
the site's TLS files are set too.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, model_validator

from common.settings import GrpcAddress, ServiceSettings
from common.tls import TlsFiles


class PeerSettings(BaseModel):
    """Another site's metadata service."""

    model_config = {"extra": "forbid", "frozen": True}

    site: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    address: GrpcAddress


# Mutual TLS between sites ([metadata.tls]): this site's certificate and key, and the CA that
# signed the peers' certificates.
TlsSettings = TlsFiles


class MetadataSettings(ServiceSettings):
    """The common service settings, peers, capture and replication tuning."""

    service_name: ClassVar[str] = "metadata"

    peers: list[PeerSettings] = Field(default_factory=list)
    peer_port: int = Field(
        0, ge=0, le=65535, description="Port for peers, with mutual TLS (set with tls)."
    )
    tls: TlsSettings | None = None
    compute_address: GrpcAddress | None = Field(None, description="This site's compute service.")
    capture_interval_seconds: float = Field(0.0, ge=0, description="0: capture only on demand.")
    batch_size: int = Field(500, ge=1, le=10000, description="Changes per replication batch.")
    reconnect_delay_seconds: float = Field(1.0, gt=0, le=300)
    idle_poll_seconds: float = Field(
        0.5, gt=0, le=60, description="How often an idle sender looks."
    )

    @model_validator(mode="after")
    def _peers_are_other_sites(self) -> MetadataSettings:
        sites = [p.site for p in self.peers]
        if self.site in sites:
            raise ValueError("peers must be other sites, not this one")
        if len(set(sites)) != len(sites):
            raise ValueError("a peer site is listed twice")
        if bool(self.peer_port) != (self.tls is not None):
            raise ValueError(
                "peer_port and tls go together: peers are served with mutual TLS on peer_port"
            )
        return self
