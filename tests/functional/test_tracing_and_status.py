"""One call into the orchestrator that reaches the other services is one trace, and the
orchestrator reports its dependencies truthfully."""

from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.trace import SpanKind

from draas.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc

SERVING = orchestrator_pb2.DEPENDENCY_STATE_SERVING
NOT_SERVING = orchestrator_pb2.DEPENDENCY_STATE_NOT_SERVING
UNREACHABLE = orchestrator_pb2.DEPENDENCY_STATE_UNREACHABLE


def system_status(site):
    stub = orchestrator_pb2_grpc.OrchestratorServiceStub(site.channel("orchestrator"))
    return stub.GetSystemStatus(orchestrator_pb2.GetSystemStatusRequest(), timeout=10)


def by_name(status):
    return {d.name: d for d in status.dependencies}


def test_a_call_across_services_is_one_trace(start_site, span_exporter):
    site = start_site()
    span_exporter.clear()

    system_status(site)

    spans = span_exporter.get_finished_spans()
    service = {span.context.span_id: span.resource.attributes["service.name"] for span in spans}
    root = next(
        s for s in spans if s.name == "/draas.orchestrator.v1.OrchestratorService/GetSystemStatus"
    )
    assert root.kind == SpanKind.SERVER
    assert {span.context.trace_id for span in spans} == {root.context.trace_id}

    client_spans = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert len(client_spans) == 3
    assert all(service[s.context.span_id] == "draas-orchestrator" for s in client_spans)
    assert all(s.parent.span_id == root.context.span_id for s in client_spans)

    health_servers = [s for s in spans if s.kind == SpanKind.SERVER and s is not root]
    assert sorted(service[s.context.span_id] for s in health_servers) == [
        "draas-compute",
        "draas-metadata",
        "draas-storage",
    ]
    client_ids = {s.context.span_id for s in client_spans}
    assert all(s.parent.span_id in client_ids for s in health_servers)
    assert all(s.resource.attributes["draas.site"] == "site-a" for s in spans)


def test_status_is_healthy_when_everything_answers(start_site):
    status = system_status(start_site())
    assert status.site == "site-a"
    assert status.healthy
    assert [d.name for d in status.dependencies] == ["database", "metadata", "storage", "compute"]
    assert all(d.state == SERVING for d in status.dependencies)
    assert by_name(status)["database"].address.startswith("sqlite:///")


def test_a_stopped_dependency_is_reported_unreachable(start_site):
    site = start_site()
    site.services["storage"].stop()
    status = system_status(site)
    assert not status.healthy
    states = {d.name: d.state for d in status.dependencies}
    assert states == {
        "database": SERVING,
        "metadata": SERVING,
        "storage": UNREACHABLE,
        "compute": SERVING,
    }
    assert "UNAVAILABLE" in by_name(status)["storage"].detail


def test_the_wrong_service_at_an_address_is_not_serving(start_site):
    probe = start_site()
    metadata_address = probe.services["metadata"].address
    site = start_site(compute_address=metadata_address)
    compute = by_name(system_status(site))["compute"]
    assert compute.state == NOT_SERVING
    assert "does not serve draas.compute.v1.ComputeService" in compute.detail


def test_the_orchestrator_answers_health_while_a_dependency_is_down(start_site):
    site = start_site()
    site.services["metadata"].stop()
    assert not system_status(site).healthy
    stub = health_pb2_grpc.HealthStub(site.channel("orchestrator"))
    response = stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert response.status == health_pb2.HealthCheckResponse.SERVING
