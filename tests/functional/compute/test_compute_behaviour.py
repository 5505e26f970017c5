"""The compute service's other calls, and how it reports faults and bad requests."""

import uuid

import grpc
import httpx
import pytest
from google.protobuf.duration_pb2 import Duration
from pypureclient import flasharray as fa

from draas.compute.v1 import compute_pb2 as pb
from simulators.openstack.store import Project
from tests.functional.lab import array_client, tenant_connection
from tools.tenant_vms import IMAGE


def rpc_error(call, request):
    with pytest.raises(grpc.RpcError) as raised:
        call(request)
    return raised.value


@pytest.fixture
def project_a(lab):
    return lab.regions["site-a"].project_id("tenant1")


def small_vm(lab, name):
    conn = tenant_connection(lab, "site-a")
    net = conn.network.find_network("app-net")
    volume = conn.block_storage.wait_for_status(
        conn.block_storage.create_volume(size=1, volume_type="tenant1-async", image_id=IMAGE),
        "available",
        interval=0.02,
        wait=20,
    )
    port = conn.network.create_port(network_id=net.id)
    server = conn.compute.create_server(
        name=name,
        flavor_id="1",
        networks=[{"port": port.id}],
        block_device_mapping=[
            {
                "boot_index": 0,
                "uuid": volume.id,
                "source_type": "volume",
                "destination_type": "volume",
            }
        ],
    )
    return conn.compute.wait_for_server(server, interval=0.02, wait=20)


def test_quiesce_and_thaw(compute, lab, source, project_a):
    server = small_vm(lab, f"q-{uuid.uuid4().hex[:6]}")
    stub = compute["site-a"]
    paused = stub.QuiesceServer(
        pb.QuiesceServerRequest(
            project_id=project_a, server_id=server.id, mode=pb.QUIESCE_MODE_PAUSE
        )
    )
    assert paused.status == "PAUSED"
    assert (
        stub.QuiesceServer(
            pb.QuiesceServerRequest(
                project_id=project_a, server_id=server.id, mode=pb.QUIESCE_MODE_PAUSE
            )
        ).status
        == "PAUSED"
    )
    assert (
        stub.ThawServer(pb.ThawServerRequest(project_id=project_a, server_id=server.id)).status
        == "ACTIVE"
    )
    stopped = stub.QuiesceServer(
        pb.QuiesceServerRequest(
            project_id=project_a, server_id=server.id, mode=pb.QUIESCE_MODE_STOP
        )
    )
    assert stopped.status == "SHUTOFF"
    assert (
        stub.ThawServer(pb.ThawServerRequest(project_id=project_a, server_id=server.id)).status
        == "ACTIVE"
    )
    no_mode = rpc_error(
        stub.QuiesceServer, pb.QuiesceServerRequest(project_id=project_a, server_id=server.id)
    )
    assert (no_mode.code(), no_mode.details()) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "mode: must be PAUSE or STOP",
    )


def test_get_server_is_the_captured_record_and_unknown_ones_are_not_found(
    compute, source, project_a
):
    record = compute["site-a"].GetServer(
        pb.GetServerRequest(project_id=project_a, server_id=source.servers["vm-web"].id)
    )
    assert record.name == "vm-web" and record.flavor_id == "2"
    assert [d.boot_index for d in record.block_devices] == [0, -1]
    missing = rpc_error(
        compute["site-a"].GetServer,
        pb.GetServerRequest(project_id=project_a, server_id=str(uuid.uuid4())),
    )
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert missing.details().startswith(f"project {project_a} has no server")


def test_another_projects_server_is_neither_read_nor_stopped_nor_started(
    compute, lab, source, project_a
):
    """The service user may read (and stop) every project's servers by id: each request about
    a server answers only for the project it names."""
    web = source.servers["vm-web"]
    other = lab.regions["site-a"].project_id("tenant2")
    for method, message in (
        ("GetServer", pb.GetServerRequest(project_id=other, server_id=web.id)),
        (
            "QuiesceServer",
            pb.QuiesceServerRequest(project_id=other, server_id=web.id, mode=pb.QUIESCE_MODE_STOP),
        ),
        ("ThawServer", pb.ThawServerRequest(project_id=other, server_id=web.id)),
        ("VerifyServer", pb.VerifyServerRequest(project_id=other, server_id=web.id)),
    ):
        refused = rpc_error(getattr(compute["site-a"], method), message)
        assert refused.code() == grpc.StatusCode.NOT_FOUND, method
        assert refused.details() == f"project {other} has no server {web.id}", method
    still = compute["site-a"].GetServer(pb.GetServerRequest(project_id=project_a, server_id=web.id))
    assert still.status == "ACTIVE"


def test_a_capture_of_named_servers_takes_only_the_projects_own(compute, lab, source, project_a):
    web = source.servers["vm-web"].id
    named = compute["site-a"].CaptureInventory(
        pb.CaptureInventoryRequest(project_id=project_a, server_ids=[web])
    )
    assert [s.name for s in named.servers] == ["vm-web"]
    # The service user can read every project's servers by id; another tenant cannot.
    other = lab.regions["site-a"].project_id("tenant2")
    for project_id, server_id in ((other, web), (project_a, str(uuid.uuid4()))):
        refused = rpc_error(
            compute["site-a"].CaptureInventory,
            pb.CaptureInventoryRequest(project_id=project_id, server_ids=[server_id]),
        )
        assert refused.code() == grpc.StatusCode.NOT_FOUND
        assert refused.details() == f"project {project_id} has no server {server_id}"


def test_managing_is_repeatable_and_a_failure_says_why_and_leaves_nothing(compute, lab):
    project_b = lab.regions["site-b"].project_id("tenant1")
    array_client(lab, "array-b").post_volumes(
        names=["loose-copy"], volume=fa.VolumePost(provisioned=2**30)
    )
    request = pb.ManageVolumeRequest(
        project_id=project_b,
        host="cinder@tenant1-async#tenant1-async",
        source_name="loose-copy",
        volume_type="tenant1-async",
        request_id="manage-once",
    )
    first = compute["site-b"].ManageVolume(request)
    assert compute["site-b"].ManageVolume(request).id == first.id
    assert first.array_volume_name == f"volume-{first.id}-cinder"
    conn = tenant_connection(lab, "site-b")
    before = sorted(v.id for v in conn.block_storage.volumes())
    failed = rpc_error(
        compute["site-b"].ManageVolume,
        pb.ManageVolumeRequest(
            project_id=project_b,
            host="cinder@tenant1-async#tenant1-async",
            source_name="not-on-the-array",
            volume_type="tenant1-async",
            request_id="manage-missing",
        ),
    )
    assert failed.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "Cinder could not manage array volume not-on-the-array" in failed.details()
    assert "invalid backend reference" in failed.details()
    lab.regions["site-b"].settle()
    assert sorted(v.id for v in conn.block_storage.volumes()) == before


def test_retype_moves_a_volume_into_the_sync_pod_and_refuses_a_migration(compute, lab):
    project_b = lab.regions["site-b"].project_id("tenant1")
    conn = tenant_connection(lab, "site-b")
    volume = conn.block_storage.wait_for_status(
        conn.block_storage.create_volume(size=1, volume_type="tenant1-async"),
        "available",
        interval=0.02,
        wait=20,
    )
    retyped = compute["site-b"].RetypeVolume(
        pb.RetypeVolumeRequest(project_id=project_b, volume_id=volume.id, new_type="tenant1-sync")
    )
    assert retyped.volume_type == "tenant1-sync"
    assert retyped.array_volume_name == f"tenant1-pod::volume-{volume.id}-cinder"
    repeated = compute["site-b"].RetypeVolume(
        pb.RetypeVolumeRequest(project_id=project_b, volume_id=volume.id, new_type="tenant1-sync")
    )
    assert repeated.array_volume_name == retyped.array_volume_name
    refused = rpc_error(
        compute["site-b"].RetypeVolume,
        pb.RetypeVolumeRequest(project_id=project_b, volume_id=volume.id, new_type="standard"),
    )
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "migration" in refused.details()


def test_a_taken_ip_gives_a_port_with_a_new_address(compute, lab, inventory_b_project):
    project_b, net, subnet = inventory_b_project
    conn = tenant_connection(lab, "site-b")
    conn.network.create_port(
        network_id=net.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.77.0.20"}]
    )
    source = pb.Port(
        id=str(uuid.uuid4()),
        network_id="src-net",
        mac_address="fa:16:3e:77:77:77",
        fixed_ips=[pb.FixedIp(subnet_id="src-subnet", ip_address="10.77.0.20")],
    )
    response = compute["site-b"].EnsurePort(
        pb.EnsurePortRequest(
            project_id=project_b,
            source=source,
            network_id=net.id,
            subnet_ids={"src-subnet": subnet.id},
            operation_id="op-ports",
        )
    )
    assert response.mac_kept and not response.fixed_ips_kept
    assert (
        response.port.fixed_ips[0].subnet_id == subnet.id
        and response.port.fixed_ips[0].ip_address != "10.77.0.20"
    )
    again = compute["site-b"].EnsurePort(
        pb.EnsurePortRequest(
            project_id=project_b,
            source=source,
            network_id=net.id,
            subnet_ids={"src-subnet": subnet.id},
            operation_id="op-ports",
        )
    )
    assert again.port.id == response.port.id


@pytest.fixture
def inventory_b_project(lab):
    conn = tenant_connection(lab, "site-b")
    net = conn.network.create_network(name=f"ports-{uuid.uuid4().hex[:6]}")
    subnet = conn.network.create_subnet(network_id=net.id, cidr="10.77.0.0/24", ip_version=4)
    return lab.regions["site-b"].project_id("tenant1"), net, subnet


def test_quota_headroom_and_a_boot_beyond_it(compute, lab, source):
    project_b = lab.regions["site-b"].project_id("tenant2")
    headroom = compute["site-b"].GetQuotaHeadroom(pb.GetQuotaHeadroomRequest(project_id=project_b))
    assert headroom.instances == 50 and headroom.volumes == 100 and headroom.networks == 100
    httpx.put(
        lab.regions["site-b"].control_url + f"/_sim/quotas/{project_b}", json={"instances": 0}
    ).raise_for_status()
    try:
        assert (
            compute["site-b"]
            .GetQuotaHeadroom(pb.GetQuotaHeadroomRequest(project_id=project_b))
            .instances
            == 0
        )
        conn = tenant_connection(lab, "site-b", "tenant2")
        volume = conn.block_storage.wait_for_status(
            conn.block_storage.create_volume(size=1, volume_type="tenant2-async", image_id=IMAGE),
            "available",
            interval=0.02,
            wait=20,
        )
        refused = rpc_error(
            compute["site-b"].BootServer,
            pb.BootServerRequest(
                project_id=project_b,
                name="over-quota",
                source_flavor=pb.Flavor(name="m1.tiny", vcpus=1, ram_mb=512, disk_gb=1),
                block_devices=[pb.BlockDevice(volume_id=volume.id, boot_index=0)],
                request_id="over-quota",
            ),
        )
        assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "Quota exceeded for instances" in refused.details()
    finally:
        httpx.put(
            lab.regions["site-b"].control_url + f"/_sim/quotas/{project_b}", json={}
        ).raise_for_status()


def test_a_region_that_is_down_is_unavailable_and_said_so(compute, lab, project_a):
    control = lab.regions["site-a"].control_url
    httpx.post(control + "/_sim/down").raise_for_status()
    try:
        down = rpc_error(
            compute["site-a"].ListVolumeTypes, pb.ListVolumeTypesRequest(project_id=project_a)
        )
    finally:
        httpx.post(control + "/_sim/up").raise_for_status()
    assert down.code() == grpc.StatusCode.UNAVAILABLE
    assert "the region does not answer" in down.details()
    assert "tenant1-async" in [
        t.name
        for t in compute["site-a"]
        .ListVolumeTypes(pb.ListVolumeTypesRequest(project_id=project_a))
        .volume_types
    ]


def test_transient_errors_are_retried(compute, lab, project_a):
    control = lab.regions["site-a"].control_url
    httpx.put(
        control + "/_sim/errors", json={"service": "volume", "status": 503, "count": 2}
    ).raise_for_status()
    types = (
        compute["site-a"]
        .ListVolumeTypes(pb.ListVolumeTypesRequest(project_id=project_a))
        .volume_types
    )
    assert {t.name for t in types} >= {"tenant1-async", "tenant1-sync", "standard"}
    hosts = {t.name: list(t.hosts) for t in types}
    assert hosts["tenant1-async"] == ["cinder@tenant1-async#tenant1-async"]
    assert hosts["standard"] == ["cinder@lvm#lvm"]


BAD = [
    ("CaptureInventory", pb.CaptureInventoryRequest(), "project_id: is required"),
    (
        "EnsureNetwork",
        pb.EnsureNetworkRequest(project_id="p"),
        "source: is required: the resource as captured at the source site",
    ),
    (
        "EnsureNetwork",
        pb.EnsureNetworkRequest(project_id="p", source=pb.Network(id="n")),
        "operation_id: is required: it names what the request makes",
    ),
    (
        "BootServer",
        pb.BootServerRequest(project_id="p", name="x"),
        "request_id: is required: it names what the request makes",
    ),
    (
        "BootServer",
        pb.BootServerRequest(project_id="p", name="x", request_id="r"),
        "block_devices: need one volume with boot_index 0",
    ),
    ("ManageVolume", pb.ManageVolumeRequest(project_id="p", request_id="r"), "host: is required"),
    (
        "DeleteResources",
        pb.DeleteResourcesRequest(project_id="p"),
        "resources: name resources, an operation_id or made_by",
    ),
    (
        "RetypeVolume",
        pb.RetypeVolumeRequest(
            project_id="p", volume_id="v", new_type="t", migration_policy="sometimes"
        ),
        "migration_policy: must be never or on-demand",
    ),
]


@pytest.mark.parametrize(
    ("method", "request_message", "message"),
    BAD,
    ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(BAD)],
)
def test_bad_requests_name_the_field(compute, method, request_message, message):
    error = rpc_error(getattr(compute["site-a"], method), request_message)
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, message)


def test_verify_reports_what_is_wrong(compute, lab, source, project_a):
    response = compute["site-a"].VerifyServer(
        pb.VerifyServerRequest(
            project_id=project_a,
            server_id=source.servers["vm-app"].id,
            volume_ids=["not-attached"],
            ip_addresses=["10.10.0.12", "192.0.2.1"],
            timeout=Duration(seconds=5),
        )
    )
    assert not response.verified
    assert list(response.problems) == [
        "volume not-attached is not attached",
        "address 192.0.2.1 is missing",
    ]


def test_a_router_names_an_external_network_the_site_does_not_have(compute, lab):
    project_b = lab.regions["site-b"].project_id("tenant1")
    before = sorted(r.id for r in tenant_connection(lab, "site-b").network.routers())
    refused = rpc_error(
        compute["site-b"].EnsureRouter,
        pb.EnsureRouterRequest(
            project_id=project_b,
            source=pb.Router(id="r-src", name="edge-2"),
            external_network_name="internet",
            operation_id=f"op-{uuid.uuid4().hex[:8]}",
        ),
    )
    assert (refused.code(), refused.details()) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "this site has no external network named internet",
    )
    external = compute["site-b"].ListExternalNetworks(
        pb.ListExternalNetworksRequest(project_id=project_b)
    )
    assert [(n.name, n.external) for n in external.networks] == [("public", True)]
    assert sorted(r.id for r in tenant_connection(lab, "site-b").network.routers()) == before


def test_deleting_what_single_requests_made_leaves_the_rest_of_the_operation(compute, lab):
    project_b = lab.regions["site-b"].project_id("tenant1")
    stub, operation = compute["site-b"], f"op-{uuid.uuid4().hex[:8]}"
    network = stub.EnsureNetwork(
        pb.EnsureNetworkRequest(
            project_id=project_b,
            source=pb.Network(id="net-src", name="made-by"),
            operation_id=operation,
        )
    )
    stub.EnsureSubnet(
        pb.EnsureSubnetRequest(
            project_id=project_b,
            source=pb.Subnet(id="sub-src", cidr="10.77.0.0/24", ip_version=4, enable_dhcp=True),
            network_id=network.id,
            operation_id=operation,
        )
    )
    ports = {
        source: stub.EnsurePort(
            pb.EnsurePortRequest(
                project_id=project_b,
                source=pb.Port(id=source),
                network_id=network.id,
                operation_id=operation,
            )
        ).port.id
        for source in ("port-src-1", "port-src-2")
    }

    removed = stub.DeleteResources(
        pb.DeleteResourcesRequest(
            project_id=project_b,
            made_by=[
                pb.MadeBy(operation_id=operation, source_id="port-src-1"),
                pb.MadeBy(request_id="a-request-that-made-nothing"),
            ],
        )
    )

    assert [(r.type, r.id) for r in removed.deleted] == [
        (pb.RESOURCE_TYPE_PORT, ports["port-src-1"])
    ]
    remaining = {p.id for p in tenant_connection(lab, "site-b").network.ports()}
    assert ports["port-src-2"] in remaining and ports["port-src-1"] not in remaining
    stub.DeleteResources(pb.DeleteResourcesRequest(project_id=project_b, operation_id=operation))
    refused = rpc_error(
        stub.DeleteResources,
        pb.DeleteResourcesRequest(project_id=project_b, made_by=[pb.MadeBy(source_id="x")]),
    )
    assert refused.details() == "made_by[0].operation_id: is required with source_id"


def test_a_tenant_is_found_by_name_under_each_sites_own_project_id(compute, lab):
    at_a = compute["site-a"].FindProject(pb.FindProjectRequest(name="tenant2"))
    at_b = compute["site-b"].FindProject(pb.FindProjectRequest(name="tenant2"))
    assert (at_a.id, at_b.id) == (
        lab.regions["site-a"].project_id("tenant2"),
        lab.regions["site-b"].project_id("tenant2"),
    )
    assert at_a.id != at_b.id
    assert (
        compute["site-b"].FindProject(pb.FindProjectRequest(project_id=at_b.id)).name == "tenant2"
    )
    missing = rpc_error(compute["site-b"].FindProject, pb.FindProjectRequest(name="nobody"))
    assert (missing.code(), missing.details()) == (
        grpc.StatusCode.NOT_FOUND,
        "this site has no project named nobody",
    )


def test_a_project_named_like_another_projects_id_is_not_found_by_that_id(compute, lab):
    # An id proves a link when one Keystone serves both sites: a name must never pass for it.
    id_at_a = lab.regions["site-a"].project_id("tenant2")
    region = lab.regions["site-b"]
    with region.store.lock:
        region.store.projects["lookalike"] = Project("lookalike", id_at_a, "default")
    try:
        missing = rpc_error(
            compute["site-b"].FindProject, pb.FindProjectRequest(project_id=id_at_a)
        )
        assert (missing.code(), missing.details()) == (
            grpc.StatusCode.NOT_FOUND,
            f"this site has no project {id_at_a}",
        )
    finally:
        with region.store.lock:
            del region.store.projects["lookalike"]


def test_deleting_or_changing_by_id_touches_nothing_of_another_project(
    compute, lab, source, project_a
):
    """The service user may delete and change any project's resources by id: a request deletes
    only its own project's (another project's are reported absent), and unmanaging or retyping
    another project's volume is not found."""
    other = lab.regions["site-a"].project_id("tenant2")
    victim = tenant_connection(lab, "site-a")
    network = victim.network.create_network(name="not-yours")
    volume = victim.block_storage.create_volume(size=1, name="not-yours")
    web = source.servers["vm-web"].id
    wanted = [
        pb.ResourceRef(type=pb.RESOURCE_TYPE_SERVER, id=web),
        pb.ResourceRef(type=pb.RESOURCE_TYPE_VOLUME, id=volume.id),
        pb.ResourceRef(type=pb.RESOURCE_TYPE_NETWORK, id=network.id),
    ]
    removed = compute["site-a"].DeleteResources(
        pb.DeleteResourcesRequest(project_id=other, resources=wanted)
    )
    assert list(removed.deleted) == [] and {r.id for r in removed.absent} == {
        web,
        volume.id,
        network.id,
    }
    victim.block_storage.wait_for_status(volume, "available", interval=0.05, wait=10)
    for method, message in (
        ("UnmanageVolume", pb.UnmanageVolumeRequest(project_id=other, volume_id=volume.id)),
        (
            "RetypeVolume",
            pb.RetypeVolumeRequest(project_id=other, volume_id=volume.id, new_type="pure"),
        ),
    ):
        refused = rpc_error(getattr(compute["site-a"], method), message)
        assert refused.code() == grpc.StatusCode.NOT_FOUND, method
        assert refused.details() == f"project {other} has no volume {volume.id}", method
    assert victim.compute.get_server(web).status == "ACTIVE"
    kept = victim.block_storage.get_volume(volume.id)
    assert (kept.status, kept.volume_type) == ("available", volume.volume_type)
    assert victim.network.get_network(network.id).id == network.id
    victim.network.delete_network(network)
    victim.block_storage.delete_volume(volume)


def test_a_boot_with_another_projects_volume_or_port_is_refused_and_makes_nothing(
    compute, lab, source
):
    """With the service user's admin role, Nova would attach another project's volume or port
    to the new server: a boot names only its own project's."""
    other = lab.regions["site-a"].project_id("tenant2")
    victim = tenant_connection(lab, "site-a")
    volume = victim.block_storage.create_volume(size=1, name="not-yours", image_id=IMAGE)
    victim.block_storage.wait_for_status(volume, "available", interval=0.05, wait=10)
    port = source.ports["vm-web"][0]
    asked = {
        "project_id": other,
        "name": "thief",
        "source_flavor": pb.Flavor(name="m1.small", vcpus=1, ram_mb=2048, disk_gb=20),
        "request_id": f"boot-{uuid.uuid4().hex[:8]}",
    }
    for devices, ports, named in (
        ([pb.BlockDevice(volume_id=volume.id, boot_index=0)], [], f"volume {volume.id}"),
        ([], [port.id], f"port {port.id}"),
    ):
        request = pb.BootServerRequest(**asked, block_devices=devices, port_ids=ports)
        if not devices:
            own = tenant_connection(lab, "site-a", "tenant2").block_storage.create_volume(
                size=1, image_id=IMAGE
            )
            request.block_devices.append(pb.BlockDevice(volume_id=own.id, boot_index=0))
        refused = rpc_error(compute["site-a"].BootServer, request)
        assert refused.code() == grpc.StatusCode.NOT_FOUND
        assert refused.details() == f"project {other} has no {named}"
    assert victim.block_storage.get_volume(volume.id).status == "available"
    assert not list(tenant_connection(lab, "site-a", "tenant2").compute.servers(name="thief"))
    victim.block_storage.delete_volume(volume)
