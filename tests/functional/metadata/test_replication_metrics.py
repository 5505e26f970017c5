"""The replication gauges of the metadata service, scraped over HTTP: per peer, how far behind
the peer's copy is and whether the stream to it is open, while the peer is away and after it
has caught up; a stopped service's peers leave the metrics."""

from collections.abc import Iterator

import pytest

from common.metrics import serve_metrics
from draas.metadata.v1 import metadata_pb2 as pb
from tests.functional.metadata.conftest import entity, status
from tests.scraping import scrape
from tests.waiting import wait_until

LAG = "draas_metadata_replication_lag_seconds"
CONNECTED = "draas_metadata_replication_connected"


@pytest.fixture
def metrics_url() -> Iterator[str]:
    server = serve_metrics("127.0.0.1", 0)
    yield server.url
    server.stop()


def gauges(url: str, peer: str) -> tuple[float, float] | None:
    """(lag, connected) of a peer, or None when the metrics do not name it."""
    scraped = scrape(url)
    lag, connected = scraped.samples(LAG, peer=peer), scraped.samples(CONNECTED, peer=peer)
    return (lag[0].value, connected[0].value) if lag and connected else None


def test_the_lag_to_a_peer_grows_while_it_is_away_and_is_zero_once_it_has_caught_up(
    start, metrics_url
):
    sender = start("site-a", peers=["site-b"])
    sender.stub.PutEntities(
        pb.PutEntitiesRequest(
            entities=[entity("site-a", pb.ENTITY_KIND_SERVER, f"vm-{i}") for i in range(20)]
        )
    )
    wait_until(lambda: status(sender).peers[0].last_error)

    first = gauges(metrics_url, "site-b")
    assert first is not None and first[1] == 0.0, "the peer is away: no stream"

    def grown() -> tuple[float, float] | None:
        found = gauges(metrics_url, "site-b")
        return found if found is not None and found[0] > first[0] else None

    later = wait_until(grown)
    assert later[0] <= status(sender).peers[0].seconds_behind + 1.0, "as the status says"

    start("site-b", peers=["site-a"])
    assert wait_until(lambda: gauges(metrics_url, "site-b") == (0.0, 1.0), timeout=30)
    assert gauges(metrics_url, "site-a") == (0.0, 1.0), "site-b has nothing to send"

    sender.stop()
    assert gauges(metrics_url, "site-b") is None, "a stopped service's peers leave the metrics"
