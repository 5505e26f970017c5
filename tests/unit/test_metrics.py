"""The metrics catalogue, sampled gauges, how a backend request is named and counted, and the
metrics port setting, read back through Prometheus's own text format."""

from pathlib import Path

import pytest
from prometheus_client import generate_latest

from common.metrics import (
    GROUP_LABELS,
    REGISTRY,
    BackendError,
    metrics_port_file,
    record_backend_request,
    sampled_gauge,
)
from common.settings import SettingsError, load_settings
from services.compute.metering import Endpoints
from services.metadata.settings import MetadataSettings
from tests.scraping import Scrape


def scraped() -> Scrape:
    """The process's registry, read back as Prometheus would read it."""
    return Scrape(generate_latest(REGISTRY).decode())


def samples(name: str, **labels: str) -> list:
    return scraped().samples(name, **labels)


def value(name: str, **labels: str) -> float:
    return scraped().value(name, **labels)


def test_every_metric_of_the_catalogue_is_exposed_with_help_and_the_process_metrics():
    families = scraped().families
    for name in (
        "draas_grpc_server_handled",
        "draas_grpc_server_handling_seconds",
        "draas_backend_request_duration_seconds",
        "draas_backend_errors",
        "draas_operations",
        "draas_operation_duration_seconds",
        "draas_operation_rto_seconds",
        "draas_step_duration_seconds",
        "draas_gateway_requests",
        "draas_gateway_request_duration_seconds",
    ):
        assert name in families, name
        assert families[name].documentation, f"{name} says what it measures"
    assert "process_resident_memory_bytes" in families
    assert families["draas_operations"].type == "counter"
    assert families["draas_operation_rto_seconds"].type == "histogram"


def test_a_sampled_gauge_reads_every_source_at_each_scrape_and_forgets_a_removed_one():
    gauge = sampled_gauge("draas_test_sampled", "A gauge of this test.", ("peer",))
    assert sampled_gauge("draas_test_sampled", "A gauge of this test.", ("peer",)) is gauge
    readings = {"site-b": 3.0}
    remove_one = gauge.add_source(lambda: [((peer,), v) for peer, v in readings.items()])
    remove_two = gauge.add_source(lambda: [(("site-c",), 7), (("site-b",), 99.0)])
    try:
        assert value("draas_test_sampled", peer="site-b") == 3.0
        assert value("draas_test_sampled", peer="site-c") == 7.0
        readings["site-b"] = 4.5
        assert value("draas_test_sampled", peer="site-b") == 4.5, "read again at each scrape"
    finally:
        remove_one()
    assert value("draas_test_sampled", peer="site-b") == 99.0, "the other source is left"
    remove_two()
    assert samples("draas_test_sampled") == []


def test_a_failing_source_is_left_out_of_the_scrape_not_the_others(caplog):
    gauge = sampled_gauge("draas_test_failing", "A gauge of this test.", GROUP_LABELS)

    def broken() -> list:
        raise RuntimeError("the database is away")

    group = ("p1", "g1", "web", "async", "site-a", "site-b")
    removers = [gauge.add_source(broken), gauge.add_source(lambda: [(group, 30.0)])]
    try:
        assert value("draas_test_failing", project="p1", group="g1") == 30.0
        assert "a source failed" in caplog.text
    finally:
        for remove in removers:
            remove()


def test_backend_requests_and_their_errors_are_counted_by_api_operation_and_reason():
    before = value("draas_backend_errors_total", api="flasharray", operation="get_volumes")
    requests = value("draas_backend_request_duration_seconds_count", api="flasharray")
    record_backend_request("flasharray", "get_volumes", 0.02, None)
    record_backend_request("flasharray", "get_volumes", 0.5, BackendError.SERVER_ERROR)
    assert value("draas_backend_request_duration_seconds_count", api="flasharray") == requests + 2
    assert (
        value(
            "draas_backend_errors_total",
            api="flasharray",
            operation="get_volumes",
            reason="server_error",
        )
        == before + 1
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (200, None),
        (404, None),
        (409, None),
        (401, "unauthorized"),
        (429, "throttled"),
        (500, "server_error"),
        (503, "server_error"),
    ],
)
def test_only_failures_of_the_backend_count_as_errors(status, reason):
    assert BackendError.of_status(status) == reason


def test_a_request_is_named_by_its_api_from_the_catalog_and_its_collection_never_an_id():
    endpoints = Endpoints("http://region:5000/identity/v3")
    project = "0f6d3c1e9a7b4c2d8e5f1a2b3c4d5e6f"
    endpoints.learn(
        [
            {"type": "compute", "endpoints": [{"url": "http://region:5000/compute/v2.1"}]},
            {
                "type": "block-storage",
                "endpoints": [{"url": f"http://region:5000/volume/v3/{project}"}],
            },
            {"type": "network", "endpoints": [{"url": "http://neutron:9696"}]},
            {"type": "image", "endpoints": [{"url": "http://region:5000/image"}]},
            {"type": "disaster-recovery", "endpoints": [{"url": "http://draas:8080"}]},
        ]
    )
    server = "6a1f8a0e-3c55-4c8e-9d0b-0b8f7f1f2a11"
    assert endpoints.classify("POST", "http://region:5000/identity/v3/auth/tokens") == (
        "keystone",
        "POST auth",
    )
    assert endpoints.classify(
        "POST", f"http://region:5000/compute/v2.1/servers/{server}/action"
    ) == ("nova", "POST servers")
    assert endpoints.classify("GET", "http://region:5000/compute/") == ("nova", "GET /")
    assert endpoints.classify(
        "GET", f"http://region:5000/volume/v3/{project}/volumes/detail?all_tenants=1"
    ) == ("cinder", "GET volumes")
    assert endpoints.classify("DELETE", f"http://neutron:9696/v2.0/ports/{server}") == (
        "neutron",
        "DELETE ports",
    )
    assert endpoints.classify("GET", "http://region:5000/image/v2/images") == (
        "glance",
        "GET images",
    )
    assert endpoints.classify("GET", "http://draas:8080/v1/groups") == ("other", "GET")
    assert endpoints.classify("GET", "http://region:5000/computer/x") == ("other", "GET")


def test_the_metrics_port_file_sits_beside_the_port_file():
    assert metrics_port_file(Path("var/site-a/compute.port")) == Path(
        "var/site-a/compute.metrics-port"
    )


def test_metrics_are_off_unless_a_metrics_port_is_set(monkeypatch):
    monkeypatch.setenv("DRAAS_SITE", "site-a")
    assert load_settings(MetadataSettings).metrics_port is None
    monkeypatch.setenv("DRAAS_METADATA_METRICS_PORT", "0")
    assert load_settings(MetadataSettings).metrics_port == 0
    monkeypatch.setenv("DRAAS_METADATA_METRICS_PORT", "70000")
    with pytest.raises(SettingsError) as raised:
        load_settings(MetadataSettings)
    assert "DRAAS_METADATA_METRICS_PORT" in str(raised.value)
