"""The metadata service's replication to its peers, as gauges read when Prometheus scrapes
(common.metrics), measured at this, the sending, site."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from common.metrics import Sample, sampled_gauge
from services.metadata import replication
from services.metadata.replication import PeerSender
from services.metadata.store import MetadataStore

LAG = sampled_gauge(
    "draas_metadata_replication_lag_seconds",
    "Per peer site: how old the oldest change of this site is that the peer has not yet "
    "acknowledged as applied, i.e. how far behind the peer's copy of this site's metadata is "
    "(0 when it has every change); it grows while the peer or the link is down.",
    ("peer",),
)
CONNECTED = sampled_gauge(
    "draas_metadata_replication_connected",
    "Per peer site: 1 while this site's replication stream to the peer is open, else 0.",
    ("peer",),
)


def watch_replication(
    store: MetadataStore, senders: Mapping[str, PeerSender]
) -> Callable[[], None]:
    """Adds this service's peers to the gauges; returns the function that takes them out."""

    def lags() -> list[Sample]:
        return [((peer,), replication.lag(store, peer)[2]) for peer in senders]

    def connected() -> list[Sample]:
        return [((peer,), float(sender.state.connected)) for peer, sender in senders.items()]

    removers = [LAG.add_source(lags), CONNECTED.add_source(connected)]

    def remove() -> None:
        for remover in removers:
            remover()

    return remove
