"""Both sites with mutual TLS on every gRPC channel (tools.stack with a certificate authority,
every process with a certificate of its own): a group is protected and test-failed-over with
every kind of channel in use, and every server refuses a client without a certificate of the
authority, or with one of a site that may not call it; a peer orchestrator whose certificate
names another site is refused both ways."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from common.grpc_client import check_health, raw_channel
from common.grpc_server import create_grpc_server
from common.telemetry import create_tracer_provider
from common.tls import ClientTls, TlsFiles
from draas.compute.v1 import compute_pb2, compute_pb2_grpc
from draas.metadata.v1 import metadata_pb2, metadata_pb2_grpc
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from gateway.orchestrator import Orchestrator
from gateway.settings import GatewaySettings
from services.orchestrator.clients import Clients
from services.storage.settings import StorageSettings
from simulators.lab import TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.functional.dr.conftest import served_gateway
from tests.functional.dr.gateway_client import token
from tests.functional.dr.twosite import TENANT, finished, key, make_vm, project, protect
from tools.certificates import Authority
from tools.stack import Site, running_compute, running_sites, tls_settings

SERVICES = ("compute", "storage", "metadata", "orchestrator")


@pytest.fixture(scope="module")
def authority(tmp_path_factory: Any) -> Authority:
    return Authority("draas", tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="module")
def tls_sites(
    lab: TwoSiteLab, authority: Authority, tmp_path_factory: Any
) -> Iterator[dict[str, Site]]:
    state = tmp_path_factory.mktemp("tls-sites")
    with (
        running_compute(lab, state / "compute", authority) as compute,
        mixed_site_databases(state) as databases,
        running_sites(lab, compute, state, databases, tls=authority) as made,
    ):
        yield made


def address(sites: dict[str, Site], site: str, service: str) -> str:
    if service == "compute":
        return str(sites[site].settings["metadata"].compute_address)
    return f"127.0.0.1:{sites[site].ports[service]}"


def client(authority: Authority, site: str, server_site: str | None = None) -> ClientTls:
    """A client with a certificate of `site`, to a server of `server_site` (default: the same)."""
    return ClientTls(authority.issue(site, "client"), server_site or site)


# A call to each service that any caller it lets in may make.
CALLS: dict[str, Callable[[grpc.Channel], Any]] = {
    "compute": lambda channel: compute_pb2_grpc.ComputeServiceStub(channel).GetServer(
        compute_pb2.GetServerRequest(), timeout=10
    ),
    "storage": lambda channel: storage_pb2_grpc.StorageServiceStub(channel).ListArrays(
        storage_pb2.ListArraysRequest(), timeout=10
    ),
    "metadata": lambda channel: metadata_pb2_grpc.MetadataServiceStub(channel).GetReplicationStatus(
        metadata_pb2.GetReplicationStatusRequest(), timeout=10
    ),
    "orchestrator": lambda channel: orchestrator_pb2_grpc.OrchestratorServiceStub(
        channel
    ).GetSystemStatus(opb.GetSystemStatusRequest(), timeout=10),
}


def refusal(call: Callable[[], Any]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    return refused.value


def test_a_test_failover_runs_over_mutual_tls_on_every_channel(
    tls_sites: dict[str, Site], lab: TwoSiteLab, tenant_network: Any, authority: Authority
) -> None:
    # Protecting uses A's orchestrator -> its metadata, storage and compute, and -> B's
    # orchestrator (the project link); A's metadata -> its compute (capture) -> B's metadata.
    vm = make_vm(lab, tenant_network, "async", volumes=1)
    group = protect(tls_sites, lab, "async", [vm])
    b = tls_sites["site-b"].orchestrator
    at_b = project(lab, "site-b")

    started = b.StartTestFailover(
        opb.StartTestFailoverRequest(project_id=at_b, group_id=group.id, idempotency_key=key())
    )
    test = finished(b, at_b, started.id)
    assert test.state == opb.OPERATION_STATE_SUCCEEDED, [
        test.error,
        *(s.error for v in test.vms for s in v.steps),
    ]
    cleanup = b.StartTestCleanup(
        opb.StartTestCleanupRequest(project_id=at_b, operation_id=test.id, idempotency_key=key())
    )
    assert finished(b, at_b, cleanup.id).state == opb.OPERATION_STATE_SUCCEEDED

    # The gateway's two channels: traced unary calls, and the asyncio one for event streams.
    gateway = Orchestrator(
        address(tls_sites, "site-b", "orchestrator"),
        10.0,
        create_tracer_provider("gateway", "site-b"),
        ClientTls(authority.issue("site-b", "gateway"), "site-b"),
    )
    try:
        seen = gateway.call(
            "GetOperation", opb.GetOperationRequest(project_id=at_b, operation_id=test.id)
        )
        assert seen.state == opb.OPERATION_STATE_SUCCEEDED
        watch = opb.WatchOperationRequest(project_id=at_b, operation_id=test.id)

        async def watched() -> list[opb.OperationEvent]:
            try:
                return [event async for event in gateway.events(watch)]
            finally:
                await gateway.aclose()

        events = asyncio.run(watched())
        assert events and events[-1].operation_id == test.id
    finally:
        gateway.close()
    for site in tls_sites.values():
        status = site.orchestrator.GetSystemStatus(opb.GetSystemStatusRequest())
        assert status.healthy, status
        peers = site.metadata.GetReplicationStatus(metadata_pb2.GetReplicationStatusRequest())
        assert [p.connected for p in peers.peers] == [True], peers


@pytest.mark.parametrize("service", SERVICES)
def test_every_server_refuses_a_client_without_a_certificate_of_the_authority(
    tls_sites: dict[str, Site], authority: Authority, tmp_path: Any, service: str
) -> None:
    target = address(tls_sites, "site-a", service)
    ours = authority.issue("site-a", "client")
    stranger = Authority("stranger", tmp_path).issue("site-a", "client")
    site_a = ClientTls(ours, "site-a").options()
    clients = {
        "plain": grpc.insecure_channel(target),
        "none": grpc.secure_channel(
            target, grpc.ssl_channel_credentials(ours.ca_file.read_bytes()), options=site_a
        ),
        "another authority's": raw_channel(
            target,
            ClientTls(
                TlsFiles(
                    cert_file=stranger.cert_file, key_file=stranger.key_file, ca_file=ours.ca_file
                ),
                "site-a",
            ),
        ),
    }
    for certificate, channel in clients.items():
        with channel:
            for refused in (
                refusal(partial(check_health, channel, timeout=5)),
                refusal(partial(CALLS[service], channel)),
            ):
                assert refused.code() == grpc.StatusCode.UNAVAILABLE, (certificate, refused)
    with raw_channel(target, ClientTls(ours, "site-a")) as channel:
        assert check_health(channel) == "SERVING"


def test_a_certificate_of_a_site_that_may_not_call_is_refused(
    tls_sites: dict[str, Site], authority: Authority
) -> None:
    # Site A's services take calls from site A; its metadata and orchestrator from site B too
    # (peers); nobody's from site C. Health checks take any certificate of the authority.
    may_call = {
        "site-b": {"metadata", "orchestrator"},
        "site-c": set(),
    }
    for caller, allowed in may_call.items():
        for service in SERVICES:
            target = address(tls_sites, "site-a", service)
            with raw_channel(target, client(authority, caller, "site-a")) as channel:
                assert check_health(channel) == "SERVING"
                if service in allowed:
                    CALLS[service](channel)
                    continue
                refused = refusal(partial(CALLS[service], channel))
                assert refused.code() == grpc.StatusCode.PERMISSION_DENIED, (caller, service)
                assert "certificate names none of the sites that may call" in refused.details()
    # A process of site B may not link a project in the name of site A.
    with raw_channel(
        address(tls_sites, "site-b", "orchestrator"), client(authority, "site-b")
    ) as channel:
        refused = refusal(
            lambda: orchestrator_pb2_grpc.OrchestratorServiceStub(channel).LinkProject(
                opb.LinkProjectRequest(
                    source_site="site-a", source_project_id="p", by_admin=True, project_name="x"
                ),
                timeout=10,
            )
        )
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert refused.details() == "the caller's certificate does not name site site-a"


def test_a_peer_orchestrator_whose_certificate_names_another_site_is_refused_both_ways(
    tls_sites: dict[str, Site], authority: Authority, tmp_path: Any
) -> None:
    provider = create_tracer_provider("test", "site-c")
    # An orchestrator standing where site A looks for site B, with a certificate of site C.
    impostor = StorageSettings(
        site="site-c", state_dir=tmp_path, **tls_settings(authority, "site-c", "orchestrator")
    )
    server, port = create_grpc_server(impostor, [], provider)
    server.start()
    a = tls_sites["site-a"].settings["orchestrator"]
    misled = a.model_copy(
        update={"peers": [a.peers[0].model_copy(update={"address": f"127.0.0.1:{port}"})]}
    )
    with ExitStack() as closing:
        closing.callback(server.stop, None)
        clients = Clients.open(misled, provider)
        closing.callback(clients.close)
        refused = refusal(lambda: clients.peer_health("site-b", timeout=5))
        assert refused.code() == grpc.StatusCode.UNAVAILABLE
        assert "Hostname Verification Check failed" in (refused.details() or "")
        real = Clients.open(a, provider)
        closing.callback(real.close)
        assert real.peer_health("site-b", timeout=5) == "SERVING"

        # The same certificate, calling site A's orchestrator as if it were a peer.
        impostor_tls = impostor.client_tls("site-a")
        assert impostor_tls is not None
        channel = closing.enter_context(
            raw_channel(address(tls_sites, "site-a", "orchestrator"), impostor_tls)
        )
        stub = orchestrator_pb2_grpc.OrchestratorServiceStub(channel)
        for call in (
            lambda: stub.StopSource(
                opb.StopSourceRequest(project_id="p", group_id="g", operation_id="o"), timeout=10
            ),
            lambda: stub.LinkProject(
                opb.LinkProjectRequest(source_site="site-c", source_project_id="p"), timeout=10
            ),
        ):
            refused = refusal(call)
            assert refused.code() == grpc.StatusCode.PERMISSION_DENIED, refused


def test_the_gateway_calls_its_orchestrator_over_mutual_tls(
    tls_sites: dict[str, Site], lab: TwoSiteLab, authority: Authority, tmp_path: Path
) -> None:
    settings = GatewaySettings(
        **tls_settings(authority, "site-b", "gateway"),
        site="site-b",
        state_dir=tmp_path,
        keystone_url=lab.regions["site-b"].auth_url,
        orchestrator_address=address(tls_sites, "site-b", "orchestrator"),
        port=0,
    )
    with served_gateway(settings) as url:
        listed = httpx.get(
            f"{url}/v1/failover-groups",
            headers={"X-Auth-Token": token(lab, "site-b", f"{TENANT}-user", TENANT)},
            timeout=30,
        )
    assert listed.status_code == 200, listed.text
