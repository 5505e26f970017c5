"""Capturing a tenant's project through the compute service (on the shared lab), replicating it,
and asking the peer site for everything needed to rebuild a group there."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from draas.metadata.v1 import metadata_pb2 as pb
from tests.functional.lab import PUBLIC_KEY, tenant_connection
from tests.functional.metadata.conftest import all_entities, entity, status
from tests.waiting import wait_until
from tools.tenant_vms import IMAGE

TENANT = "tenant3"


@dataclass
class Project:
    """tenant3 in site A: `app` (in group g1) and `loner` (in no group) on one network, behind
    a router; app's port in security group app3, whose rule names admin3."""

    project_id: str
    conn: Any
    resources: dict[str, Any] = field(default_factory=dict)


def _boot(conn: Any, name: str, network: Any, groups: list[str], key: str | None) -> Any:
    volume = conn.block_storage.create_volume(
        size=1, volume_type=f"{TENANT}-async", image_id=IMAGE, name=f"{name}-vol"
    )
    volume = conn.block_storage.wait_for_status(volume, "available", interval=0.02, wait=20)
    port = conn.network.create_port(network_id=network.id, security_group_ids=groups)
    server = conn.compute.create_server(
        name=name,
        flavor_id="2",
        networks=[{"port": port.id}],
        key_name=key,
        block_device_mapping=[
            {
                "boot_index": 0,
                "uuid": volume.id,
                "source_type": "volume",
                "destination_type": "volume",
                "delete_on_termination": False,
            }
        ],
    )
    return conn.compute.wait_for_server(server, interval=0.02, wait=20), volume, port


@pytest.fixture(scope="module")
def project(lab: Any) -> Project:
    conn = tenant_connection(lab, "site-a", TENANT)
    made = Project(lab.regions["site-a"].project_id(TENANT), conn)
    network = conn.network.create_network(name="net3")
    subnet = conn.network.create_subnet(
        network_id=network.id, cidr="10.30.0.0/24", ip_version=4, name="net3-subnet"
    )
    router = conn.network.create_router(name="edge3")
    conn.network.add_interface_to_router(router, subnet=subnet.id)
    admin = conn.network.create_security_group(name="admin3", description="bastion")
    app = conn.network.create_security_group(name="app3", description="application")
    conn.network.create_security_group_rule(
        security_group_id=app.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
        ethertype="IPv4",
        remote_group_id=admin.id,
    )
    conn.compute.create_keypair(name="key3", public_key=PUBLIC_KEY)
    server, volume, port = _boot(conn, "app", network, [app.id], "key3")
    loner, loner_volume, loner_port = _boot(conn, "loner", network, [app.id], None)
    made.resources = {
        "network": network,
        "subnet": subnet,
        "router": router,
        "admin": admin,
        "app": app,
        "server": server,
        "volume": volume,
        "port": port,
        "loner": loner,
        "loner_volume": loner_volume,
        "loner_port": loner_port,
    }
    return made


def group_record(project: Project, server_ids: list[str]) -> pb.Entity:
    record = entity("site-a", pb.ENTITY_KIND_FAILOVER_GROUP, "g1", project.project_id, name="g1")
    record.body.update({"vms": [{"server_id": i} for i in server_ids]})
    return record


def capture(service: Any, project: Project) -> tuple[int, int, int, int]:
    counts = service.stub.CaptureProject(pb.CaptureProjectRequest(project_id=project.project_id))
    return counts.created, counts.updated, counts.deleted, counts.unchanged


def kinds_and_ids(entities: Any) -> set[tuple[str, str]]:
    return {
        (pb.EntityKind.Name(e.key.kind).removeprefix("ENTITY_KIND_"), e.key.id) for e in entities
    }


def test_capture_records_changes_only_and_the_peer_can_rebuild_the_group(
    start: Any, compute_addresses: dict[str, str], project: Project
) -> None:
    a = start("site-a", peers=["site-b"], compute_address=compute_addresses["site-a"])
    b = start("site-b", peers=["site-a"])
    made, conn = project.resources, project.conn
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[group_record(project, [made["server"].id])]))

    # Two servers, volumes, ports and security groups, and one each of the rest: 15.
    assert capture(a, project) == (15, 0, 0, 0)
    assert capture(a, project) == (0, 0, 0, 15)
    first = datetime.now(UTC)
    time.sleep(0.05)

    conn.network.update_security_group(made["app"], description="application tier")
    conn.compute.delete_server(made["loner"])
    conn.compute.wait_for_delete(made["loner"], interval=0.02, wait=20)
    # The loner, its volume and its port leave the capture; the security group changed.
    assert capture(a, project) == (0, 1, 3, 11)
    # Only the app server and what it uses; what the project lacks is not marked deleted.
    partial = a.stub.CaptureProject(
        pb.CaptureProjectRequest(project_id=project.project_id, server_ids=[made["server"].id])
    )
    assert (partial.created, partial.updated, partial.deleted, partial.unchanged) == (0, 0, 0, 12)

    grouped = a.stub.ListEntities(
        pb.ListEntitiesRequest(project_id=project.project_id, group_id="g1")
    ).entities
    assert kinds_and_ids(grouped) == {
        ("SERVER", made["server"].id),
        ("VOLUME", made["volume"].id),
        ("PORT", made["port"].id),
    }

    wait_until(lambda: status(a).peers[0].changes_behind == 0 and status(a).local_sequence > 0)
    assert all_entities(b, project.project_id) == all_entities(a, project.project_id)

    bundle = b.stub.GetRecoveryBundle(
        pb.GetRecoveryBundleRequest(project_id=project.project_id, group_id="g1")
    )
    assert bundle.group.key.id == "g1"
    assert bundle.applied_sequence == status(a).local_sequence
    server_body = next(e.body for e in bundle.entities if e.key.kind == pb.ENTITY_KIND_SERVER)
    volume_type = conn.block_storage.find_type(f"{TENANT}-async")
    assert kinds_and_ids(bundle.entities) == {
        ("SERVER", made["server"].id),
        ("FLAVOR", server_body["flavor_id"]),
        ("IMAGE", IMAGE),
        ("KEY_PAIR", "key3"),
        ("VOLUME", made["volume"].id),
        ("VOLUME_TYPE", volume_type.id),
        ("PORT", made["port"].id),
        ("NETWORK", made["network"].id),
        ("SUBNET", made["subnet"].id),
        ("ROUTER", made["router"].id),
        ("SECURITY_GROUP", made["app"].id),
        ("SECURITY_GROUP", made["admin"].id),
    }
    assert server_body["name"] == "app"
    groups = {e.key.id: e for e in bundle.entities if e.key.kind == pb.ENTITY_KIND_SECURITY_GROUP}
    assert groups[made["app"].id].body["description"] == "application tier"

    # As it was before the changes: the old description, and the loner still there.
    as_of = Timestamp()
    as_of.FromDatetime(first)
    earlier = b.stub.GetRecoveryBundle(
        pb.GetRecoveryBundleRequest(project_id=project.project_id, group_id="g1", as_of=as_of)
    )
    groups = {e.key.id: e for e in earlier.entities if e.key.kind == pb.ENTITY_KIND_SECURITY_GROUP}
    assert groups[made["app"].id].body["description"] == "application"
    then = b.stub.ListEntities(
        pb.ListEntitiesRequest(project_id=project.project_id, as_of=as_of)
    ).entities
    assert ("SERVER", made["loner"].id) in kinds_and_ids(then)
    now = b.stub.ListEntities(pb.ListEntitiesRequest(project_id=project.project_id)).entities
    assert ("SERVER", made["loner"].id) not in kinds_and_ids(now)


def test_periodic_capture_covers_projects_with_a_group_this_site_owns(
    start: Any, compute_addresses: dict[str, str], project: Project
) -> None:
    a = start("site-a", compute_address=compute_addresses["site-a"], capture_interval_seconds=0.2)
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[group_record(project, [made_id(project)])]))
    wait_until(
        lambda: any(
            e.key.kind == pb.ENTITY_KIND_SERVER
            for e in a.stub.ListEntities(
                pb.ListEntitiesRequest(project_id=project.project_id)
            ).entities
        ),
        timeout=20,
    )
    servers = a.stub.ListEntities(
        pb.ListEntitiesRequest(project_id=project.project_id, kinds=[pb.ENTITY_KIND_SERVER])
    ).entities
    assert {s.key.id: s.group_id for s in servers}[made_id(project)] == "g1"


def made_id(project: Project) -> str:
    return str(project.resources["server"].id)


def test_capture_without_a_compute_service_or_a_project_is_refused(start: Any) -> None:
    a = start("site-a")
    with pytest.raises(grpc.RpcError) as refused:
        a.stub.CaptureProject(pb.CaptureProjectRequest(project_id="p1"))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no compute_address" in refused.value.details()
    with pytest.raises(grpc.RpcError) as missing:
        a.stub.GetRecoveryBundle(pb.GetRecoveryBundleRequest(project_id="p1", group_id="nope"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
