"""Prometheus metrics of the in-process sites, scraped over HTTP as Prometheus scrapes them and
parsed by prometheus-client's own parser: gRPC calls, a test failover from its request through
its steps and backend requests to its end, backend errors injected by the simulators, metadata
replication per peer, and the gateway's requests by route template."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest

from common.metrics import metrics_port_file, start_metrics
from draas.compute.v1 import compute_pb2, compute_pb2_grpc
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from services.storage.settings import StorageSettings
from simulators.lab import ARRAYS, TOKENS, USER_PASSWORD
from tests.functional.dr.twosite import (
    finished,
    key,
    make_vm,
    project,
    protect,
    region_control,
)
from tests.scraping import Scrape, scrape
from tests.waiting import wait_until

ORCHESTRATOR = "draas.orchestrator.v1.OrchestratorService"
# An OpenStack operation is a method and a collection, a FlashArray one a py-pure-client method.
OPERATION = re.compile(r"^((GET|POST|PUT|PATCH|DELETE|HEAD) ([a-z0-9_.-]+|/)|[a-z_]+|GET|POST)$")


@pytest.fixture(scope="module")
def metrics_url(tmp_path_factory) -> Iterator[str]:
    """This process's metrics (both in-process sites share it), served as a service process
    serves them: from its settings, with the bound port in the file beside its port file."""
    state = tmp_path_factory.mktemp("metrics")
    settings = StorageSettings(
        site="site-a", state_dir=state, metrics_port=0, port_file=state / "storage.port"
    )
    written = metrics_port_file(state / "storage.port")
    with start_metrics(settings) as server:
        assert server is not None
        assert int(written.read_text()) == server.port
        yield server.url
    assert not written.exists(), "the metrics port file goes when the process stops"


def grew(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


def test_a_grpc_call_is_counted_by_service_method_and_status(sites, lab, metrics_url):
    before = scrape(metrics_url)
    orchestrator = sites["site-a"].orchestrator
    orchestrator.ListFailoverGroups(opb.ListFailoverGroupsRequest(project_id=project(lab)))
    with pytest.raises(grpc.RpcError) as refused:
        orchestrator.GetFailoverGroup(
            opb.GetFailoverGroupRequest(project_id=project(lab), group_id=str(uuid.uuid4()))
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND

    after = scrape(metrics_url)
    handled = "draas_grpc_server_handled_total"
    listed = {"service": ORCHESTRATOR, "method": "ListFailoverGroups", "code": "OK"}
    assert grew(before, after, handled, **listed) == 1
    missing = {"service": ORCHESTRATOR, "method": "GetFailoverGroup", "code": "NOT_FOUND"}
    assert grew(before, after, handled, **missing) == 1
    timed = {"service": ORCHESTRATOR, "method": "ListFailoverGroups"}
    assert grew(before, after, "draas_grpc_server_handling_seconds_count", **timed) == 1
    assert after.families["draas_grpc_server_handling_seconds"].type == "histogram"


def test_a_test_failover_is_measured_from_its_steps_and_backend_requests_to_its_end(
    sites, lab, tenant_network, metrics_url
):
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(sites, lab, "async", [vm])
    b, at_b = sites["site-b"].orchestrator, project(lab, "site-b")
    before = scrape(metrics_url)

    started = b.StartTestFailover(
        opb.StartTestFailoverRequest(project_id=at_b, group_id=group.id, idempotency_key=key())
    )
    test = finished(b, at_b, started.id)
    assert test.state == opb.OPERATION_STATE_SUCCEEDED, test.error
    cleanup = b.StartTestCleanup(
        opb.StartTestCleanupRequest(project_id=at_b, operation_id=test.id, idempotency_key=key())
    )
    assert finished(b, at_b, cleanup.id).state == opb.OPERATION_STATE_SUCCEEDED
    report = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=test.id))
    after = scrape(metrics_url)

    succeeded = {"kind": "test_failover", "result": "succeeded"}
    assert grew(before, after, "draas_operations_total", **succeeded) == 1
    cleaned = {"kind": "test_cleanup", "result": "succeeded"}
    assert grew(before, after, "draas_operations_total", **cleaned) == 1
    assert grew(before, after, "draas_operation_duration_seconds_count", **succeeded) == 1
    assert grew(before, after, "draas_operation_rto_seconds_count", **succeeded) == 1
    rto = grew(before, after, "draas_operation_rto_seconds_sum", **succeeded)
    assert rto == pytest.approx(report.rto.ToTimedelta().total_seconds(), abs=0.01)
    assert grew(before, after, "draas_operation_rto_seconds_count", **cleaned) == 0, (
        "a cleanup verifies no VM: it has no RTO"
    )
    for step, api in (
        ("recover_volumes", "array"),
        ("manage_volumes", "cinder"),
        ("boot_server", "nova"),
    ):
        attempt = {"step": step, "api": api, "action": "execute", "result": "succeeded"}
        assert grew(before, after, "draas_step_duration_seconds_count", **attempt) >= 1, step

    requested = after.label_values("draas_backend_request_duration_seconds_count", "api")
    assert {"keystone", "nova", "cinder", "neutron", "flasharray"} <= requested
    for api in ("nova", "cinder", "neutron", "flasharray"):
        count = "draas_backend_request_duration_seconds_count"
        assert grew(before, after, count, api=api) > 0, api
    operations = after.label_values("draas_backend_request_duration_seconds_count", "operation")
    assert {"POST servers", "get_volumes"} <= operations
    unbounded = [o for o in operations if not OPERATION.match(o)]
    assert not unbounded, f"operations carry no id: {unbounded}"


def test_backend_errors_injected_by_the_simulators_are_counted_by_api_and_reason(
    sites, lab, compute_addresses, control, metrics_url
):
    before = scrape(metrics_url)
    region_control(lab, "site-a", "PUT", "errors", service="volume", status=503, count=1)
    try:
        with grpc.insecure_channel(compute_addresses["site-a"]) as channel:
            compute_pb2_grpc.ComputeServiceStub(channel).ListVolumeTypes(
                compute_pb2.ListVolumeTypesRequest(project_id=project(lab))
            )
    finally:
        region_control(lab, "site-a", "DELETE", "errors?service=volume")
    control.inject_errors(ARRAYS["site-a"], status=500, count=1)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{sites['site-a'].ports['storage']}") as channel:
            storage_pb2_grpc.StorageServiceStub(channel).ListArrays(storage_pb2.ListArraysRequest())
    finally:
        control.clear_errors(ARRAYS["site-a"])
    after = scrape(metrics_url)

    errors = "draas_backend_errors_total"
    assert grew(before, after, errors, api="cinder", reason="server_error") == 1
    assert grew(before, after, errors, api="flasharray", reason="server_error") == 1
    assert grew(before, after, errors, api="nova") == 0
    failed = after.samples(errors, api="cinder", reason="server_error")
    assert {s.labels["operation"] for s in failed} >= {"GET types"}


def test_metadata_replication_is_measured_per_peer(sites, metrics_url):
    def connected() -> dict[str, float]:
        samples = scrape(metrics_url).samples("draas_metadata_replication_connected")
        found = {s.labels["peer"]: s.value for s in samples}
        return found if found.get("site-a") == found.get("site-b") == 1.0 else {}

    assert wait_until(connected, timeout=30), "each site's metadata service streams to its peer"
    lags = scrape(metrics_url).samples("draas_metadata_replication_lag_seconds")
    by_peer = {s.labels["peer"]: s.value for s in lags}
    assert {"site-a", "site-b"} <= set(by_peer)
    assert all(lag >= 0 for lag in by_peer.values())


def test_the_gateway_counts_requests_by_route_template_and_exposes_nothing_secret(
    gateways, metrics_url
):
    gateway = gateways["site-a"]
    group_id = str(uuid.uuid4())
    secret = f"token-{uuid.uuid4().hex}"
    before = scrape(f"{gateway}/metrics")
    with httpx.Client(base_url=gateway) as client:
        assert client.get("/v1/health").status_code == 200
        refused = client.get(f"/v1/failover-groups/{group_id}", headers={"X-Auth-Token": secret})
        assert refused.status_code == 401
        assert client.get(f"/v1/no-such-thing/{group_id}").status_code == 404
        paths = client.get("/v1/openapi.json").json()["paths"]
        text = client.get("/metrics").text
    after = Scrape(text)

    requests = "draas_gateway_requests_total"
    health = {"method": "GET", "route": "/v1/health", "status": "200"}
    assert grew(before, after, requests, **health) == 1
    one_group = {"method": "GET", "route": "/v1/failover-groups/{group_id}", "status": "401"}
    assert grew(before, after, requests, **one_group) == 1
    assert grew(before, after, requests, method="GET", route="unmatched", status="404") == 1
    timed = {"method": "GET", "route": "/v1/health"}
    assert grew(before, after, "draas_gateway_request_duration_seconds_count", **timed) == 1
    assert "/metrics" not in paths, "/metrics stays out of the API's document"
    for hidden in (group_id, secret, USER_PASSWORD, *TOKENS.values()):
        assert hidden not in text
    assert scrape(metrics_url).samples(requests, route="/v1/health"), "one registry per process"
