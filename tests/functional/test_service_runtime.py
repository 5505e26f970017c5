"""Every service's gRPC server: health, reflection, UNIMPLEMENTED answers and error mapping."""

import grpc
import pytest
from google.protobuf import message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from common.errors import InvalidArgument, NotFound, ServiceUnavailable
from common.grpc_client import mapped_errors
from common.grpc_server import ServiceBinding, answers_unimplemented, create_grpc_server
from common.telemetry import create_tracer_provider
from draas.compute.v1 import compute_pb2
from draas.metadata.v1 import metadata_pb2, metadata_pb2_grpc
from draas.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2
from services.metadata.settings import MetadataSettings

SERVICES = {
    "metadata": metadata_pb2.DESCRIPTOR.services_by_name["MetadataService"],
    "storage": storage_pb2.DESCRIPTOR.services_by_name["StorageService"],
    "compute": compute_pb2.DESCRIPTOR.services_by_name["ComputeService"],
    "orchestrator": orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"],
}
STORAGE_RPCS = {m.full_name for m in SERVICES["storage"].methods}
COMPUTE_RPCS = {m.full_name for m in SERVICES["compute"].methods}
METADATA_RPCS = {m.full_name for m in SERVICES["metadata"].methods}
ORCHESTRATOR_RPCS = {m.full_name for m in SERVICES["orchestrator"].methods}
IMPLEMENTED = STORAGE_RPCS | COMPUTE_RPCS | METADATA_RPCS | ORCHESTRATOR_RPCS
# Implemented RPCs whose empty request is a valid question.
ANSWER_AN_EMPTY_REQUEST = {
    "draas.storage.v1.StorageService.ListArrays",
    "draas.metadata.v1.MetadataService.ListChanges",
    "draas.metadata.v1.MetadataService.GetReplicationStatus",
    "draas.orchestrator.v1.OrchestratorService.GetSystemStatus",
}


@pytest.fixture
def site(start_site):
    return start_site()


@pytest.mark.parametrize("name", SERVICES)
def test_health_is_serving_for_the_server_and_its_service(site, name):
    stub = health_pb2_grpc.HealthStub(site.channel(name))
    for service in ("", SERVICES[name].full_name):
        response = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("name", SERVICES)
def test_reflection_lists_the_services(site, name):
    database = ProtoReflectionDescriptorDatabase(site.channel(name))
    services = set(database.get_services())
    assert {SERVICES[name].full_name, "grpc.health.v1.Health"} <= services


def _call(channel, method, request):
    path = f"/{method.containing_service.full_name}/{method.name}"
    response_type = message_factory.GetMessageClass(method.output_type)
    codec = {
        "request_serializer": type(request).SerializeToString,
        "response_deserializer": response_type.FromString,
    }
    if method.client_streaming and method.server_streaming:
        return list(channel.stream_stream(path, **codec)(iter([request]), timeout=5))
    if method.client_streaming:
        return channel.stream_unary(path, **codec)(iter([request]), timeout=5)
    if method.server_streaming:
        return list(channel.unary_stream(path, **codec)(request, timeout=5))
    return channel.unary_unary(path, **codec)(request, timeout=5)


def test_a_reprotect_without_a_method_is_refused_naming_the_methods(site):
    stub = orchestrator_pb2_grpc.OrchestratorServiceStub(site.channel("orchestrator"))
    with pytest.raises(grpc.RpcError) as raised:
        stub.StartReprotect(orchestrator_pb2.StartReprotectRequest(project_id="p1", group_id="g1"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "method" in raised.value.details() and "VOLUME_TYPE" in raised.value.details()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        (name, m)
        for name in ("storage", "compute", "metadata", "orchestrator")
        for m in SERVICES[name].methods
        if m.full_name in IMPLEMENTED and m.full_name not in ANSWER_AN_EMPTY_REQUEST
    ],
    ids=lambda m: getattr(m, "full_name", m),
)
def test_implemented_rpcs_refuse_an_empty_request_naming_the_field(site, name, method):
    request = message_factory.GetMessageClass(method.input_type)()
    with pytest.raises(grpc.RpcError) as raised:
        _call(site.channel(name), method, request)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    field = raised.value.details().split(":")[0].split(".")[0].split("[")[0]
    assert field in method.input_type.fields_by_name, f"{raised.value.details()!r} names no field"


@answers_unimplemented(SERVICES["metadata"])
class FailingMetadata(metadata_pb2_grpc.MetadataServiceServicer):
    """Raises what the tests need, through the real server plumbing; the RPCs it does not
    define answer UNIMPLEMENTED."""

    def GetEntity(self, request, context):
        raise NotFound(f"no entity {request.key.id}")

    def PutEntities(self, request, context):
        raise InvalidArgument("entities[0].key.kind", "must be set")

    def ListChanges(self, request, context):
        raise RuntimeError("driver exploded with password=Hidden-Value-123")

    def CaptureProject(self, request, context):
        context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "aborted by the servicer itself")

    def Replicate(self, request_iterator, context):
        for _ in request_iterator:
            yield metadata_pb2.ReplicationAck(last_applied_sequence=7)
            raise InvalidArgument("batch.checksum", "does not match the changes")


@pytest.fixture
def failing(tmp_path):
    settings = MetadataSettings(site="site-a", state_dir=tmp_path)
    binding = ServiceBinding(
        SERVICES["metadata"],
        FailingMetadata(),
        metadata_pb2_grpc.add_MetadataServiceServicer_to_server,
    )
    server, port = create_grpc_server(settings, [binding], create_tracer_provider("metadata", "a"))
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield metadata_pb2_grpc.MetadataServiceStub(channel)
    channel.close()
    server.stop(None)


def test_domain_errors_keep_their_code_and_message(failing):
    with pytest.raises(grpc.RpcError) as raised:
        failing.GetEntity(metadata_pb2.GetEntityRequest(key=metadata_pb2.EntityKey(id="e1")))
    assert (raised.value.code(), raised.value.details()) == (
        grpc.StatusCode.NOT_FOUND,
        "no entity e1",
    )


def test_client_gets_the_same_error_class_back(failing):
    with pytest.raises(InvalidArgument) as raised, mapped_errors():
        failing.PutEntities(metadata_pb2.PutEntitiesRequest())
    assert raised.value.field == "entities[0].key.kind"


def test_unexpected_errors_are_internal_and_reveal_nothing(failing):
    with pytest.raises(grpc.RpcError) as raised:
        failing.ListChanges(metadata_pb2.ListChangesRequest())
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert "Hidden-Value-123" not in raised.value.details()
    assert "exploded" not in raised.value.details()
    assert "ListChanges" in raised.value.details()


def test_an_rpc_a_servicer_does_not_define_answers_unimplemented_naming_itself(failing):
    with pytest.raises(grpc.RpcError) as raised:
        failing.GetRecoveryBundle(metadata_pb2.GetRecoveryBundleRequest())
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "draas.metadata.v1.MetadataService/GetRecoveryBundle" in raised.value.details()
    assert "not implemented yet" in raised.value.details()


def test_a_servicer_abort_stands(failing):
    with pytest.raises(grpc.RpcError) as raised:
        failing.CaptureProject(metadata_pb2.CaptureProjectRequest())
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert raised.value.details() == "aborted by the servicer itself"


def test_errors_in_streams_are_mapped_after_what_was_sent(failing):
    hello = metadata_pb2.ReplicationMessage(hello=metadata_pb2.ReplicationHello(origin_site="b"))
    received = []
    with pytest.raises(grpc.RpcError) as raised:
        received.extend(failing.Replicate(iter([hello])))
    assert [ack.last_applied_sequence for ack in received] == [7]
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == "batch.checksum: does not match the changes"


def test_a_port_taken_by_another_server_is_refused_not_shared(tmp_path):
    provider = create_tracer_provider("metadata", "a")
    first, port = create_grpc_server(MetadataSettings(site="a", state_dir=tmp_path), [], provider)
    first.start()
    try:
        settings = MetadataSettings(site="a", state_dir=tmp_path, port=port)
        with pytest.raises(ServiceUnavailable, match=f"127.0.0.1:{port}"):
            create_grpc_server(settings, [], provider)
    finally:
        first.stop(None)
