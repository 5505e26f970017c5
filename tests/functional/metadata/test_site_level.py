"""Public and shared resources are the site's, private ones their project's (issue 14): two
tenants of site A whose servers use the same public flavor and image both capture and both
can be rebuilt at site B, while a private flavor and image of one never reach the other's
bundle, and a tenant that stops using a public flavor does not take it from the other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import grpc
import openstack
import pytest

from draas.metadata.v1 import metadata_pb2 as pb
from tests.functional.lab import tenant_connection
from tests.functional.metadata.conftest import entity, status
from tests.waiting import wait_until
from tools.tenant_vms import IMAGE

OWNER, OTHER = "tenant2", "tenant5"
PUBLIC_FLAVOR = "2"
FLAVOR, IMAGE_KIND = pb.ENTITY_KIND_FLAVOR, pb.ENTITY_KIND_IMAGE
WAIT = 30


@dataclass
class Tenant:
    """A tenant of site A: its project, its member's connection, the admin's connection scoped
    to its project, a network (subnet, router, security group) and the VMs made on it."""

    name: str
    project_id: str
    conn: Any
    admin: Any
    network: Any = None
    security_group: Any = None
    servers: dict[str, Any] = field(default_factory=dict)

    def boot(self, name: str, flavor: str, image: str = IMAGE, conn: Any = None) -> Any:
        """A VM booted from a volume of the tenant's async type made from `image`, by the
        tenant's member (or by `conn`: the admin, for a flavor members cannot see)."""
        volume = self.conn.block_storage.create_volume(
            size=1, volume_type=f"{self.name}-async", image_id=image, name=f"{name}-vol"
        )
        volume = self.conn.block_storage.wait_for_status(
            volume, "available", interval=0.02, wait=WAIT
        )
        port = self.conn.network.create_port(
            network_id=self.network.id, security_group_ids=[self.security_group.id]
        )
        server = (conn or self.conn).compute.create_server(
            name=name,
            flavor_id=flavor,
            networks=[{"port": port.id}],
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
        server = self.conn.compute.wait_for_server(server, interval=0.02, wait=WAIT)
        self.servers[name] = server
        return server


def _tenant(lab: Any, name: str, cidr: str) -> Tenant:
    region = lab.regions["site-a"]
    made = Tenant(
        name,
        region.project_id(name),
        tenant_connection(lab, "site-a", name),
        openstack.connect(load_yaml_config=False, load_envvars=False, **region.cloud(project=name)),
    )
    conn = made.conn
    made.network = conn.network.create_network(name=f"{name}-shared-net")
    subnet = conn.network.create_subnet(
        network_id=made.network.id, cidr=cidr, ip_version=4, name=f"{name}-shared-subnet"
    )
    router = conn.network.create_router(name=f"{name}-shared-edge")
    conn.network.add_interface_to_router(router, subnet=subnet.id)
    made.security_group = conn.network.create_security_group(name=f"{name}-shared-app")
    return made


@dataclass
class Tenants:
    owner: Tenant
    other: Tenant
    private_flavor: Any
    private_image: Any


@pytest.fixture(scope="module")
def tenants(lab: Any) -> Tenants:
    """Both tenants run a VM on the public flavor 2 from the public image; the owner runs
    another on a private flavor (only the admin can use it) from its own private image."""
    owner, other = _tenant(lab, OWNER, "10.52.0.0/24"), _tenant(lab, OTHER, "10.55.0.0/24")
    suffix = uuid.uuid4().hex[:6]
    flavor = owner.admin.compute.create_flavor(
        name=f"private-{suffix}", vcpus=1, ram=1024, disk=10, is_public=False
    )
    image = owner.conn.image.create_image(
        name=f"private-{suffix}",
        disk_format="qcow2",
        container_format="bare",
        visibility="private",
        allow_duplicates=True,
    )
    owner.boot("public-vm", PUBLIC_FLAVOR)
    owner.boot("private-vm", flavor.id, image=image.id, conn=owner.admin)
    other.boot("public-vm", PUBLIC_FLAVOR)
    return Tenants(owner, other, flavor, image)


def group(tenant: Tenant, group_id: str, server_ids: list[str]) -> pb.Entity:
    record = entity("site-a", pb.ENTITY_KIND_FAILOVER_GROUP, group_id, tenant.project_id)
    record.body.update({"name": group_id, "vms": [{"server_id": i} for i in server_ids]})
    return record


def capture(service: Any, tenant: Tenant) -> tuple[int, int, int, int]:
    counts = service.stub.CaptureProject(pb.CaptureProjectRequest(project_id=tenant.project_id))
    return counts.created, counts.updated, counts.deleted, counts.unchanged


def bundle(service: Any, tenant: Tenant, group_id: str) -> dict[tuple[int, str], pb.Entity]:
    found = service.stub.GetRecoveryBundle(
        pb.GetRecoveryBundleRequest(project_id=tenant.project_id, group_id=group_id)
    )
    return {(e.key.kind, e.key.id): e for e in found.entities}


def stored(service: Any, kind: int, entity_id: str) -> pb.Entity:
    return service.stub.GetEntity(
        pb.GetEntityRequest(key=pb.EntityKey(site="site-a", kind=kind, id=entity_id))
    )


def site_level(service: Any) -> set[tuple[int, str]]:
    listed = service.stub.ListEntities(pb.ListEntitiesRequest(site_level=True)).entities
    assert {e.project_id for e in listed} <= {""}
    return {(e.key.kind, e.key.id) for e in listed if not e.deleted}


def replicated(a: Any) -> None:
    wait_until(lambda: status(a).peers[0].changes_behind == 0, timeout=WAIT)


def refused(call: Any, request: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        call(request)
    return raised.value.code(), raised.value.details()


def test_both_tenants_recover_with_the_public_flavor_and_image_and_only_the_owner_its_private_ones(
    start: Any, compute_addresses: dict[str, str], tenants: Tenants
) -> None:
    a = start("site-a", peers=["site-b"], compute_address=compute_addresses["site-a"])
    b = start("site-b", peers=["site-a"])
    owner, other = tenants.owner, tenants.other
    private = {(FLAVOR, tenants.private_flavor.id), (IMAGE_KIND, tenants.private_image.id)}
    public = {(FLAVOR, PUBLIC_FLAVOR), (IMAGE_KIND, IMAGE)}
    a.stub.PutEntities(
        pb.PutEntitiesRequest(
            entities=[
                group(owner, "g-owner", [s.id for s in owner.servers.values()]),
                group(other, "g-other", [other.servers["public-vm"].id]),
            ]
        )
    )

    # Two servers, volumes, ports, flavors and images, one type, network, subnet, router and
    # security group.
    assert capture(a, owner) == (15, 0, 0, 0)
    # The other tenant's server, volume, port, type, network, subnet, router and security
    # group: the public flavor and image it uses too are kept once, as the site's, neither
    # taken from the owner nor duplicated (made the site's now, or already, when compute
    # reports them public).
    created, updated, deleted, unchanged = capture(a, other)
    assert (created, deleted, updated + unchanged) == (8, 0, 2)
    assert site_level(a) == public
    assert capture(a, owner) == (0, 0, 0, 15)
    assert capture(a, other) == (0, 0, 0, 10)
    assert {stored(a, kind, i).project_id for kind, i in private} == {owner.project_id}

    replicated(a)
    assert site_level(b) == public
    owners = bundle(b, owner, "g-owner")
    others = bundle(b, other, "g-other")
    assert public | private <= set(owners)
    assert public <= set(others)
    assert not private & set(others)
    assert {others[k].project_id for k in public} == {""}
    assert {e.project_id for k, e in others.items() if k not in public} == {other.project_id}
    # Each rebuilt from its own site-level copy of the flavor: the same record in both.
    assert owners[(FLAVOR, PUBLIC_FLAVOR)] == others[(FLAVOR, PUBLIC_FLAVOR)]


def test_a_tenant_cannot_get_another_tenants_private_resources_into_its_bundle(
    start: Any, compute_addresses: dict[str, str], tenants: Tenants
) -> None:
    a = start("site-a", compute_address=compute_addresses["site-a"])
    owner, other = tenants.owner, tenants.other
    theirs = owner.servers["private-vm"]
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[group(owner, "g-owner", [theirs.id])]))
    capture(a, owner)
    capture(a, other)
    port = next(
        e.key.id
        for e in a.stub.ListEntities(
            pb.ListEntitiesRequest(project_id=owner.project_id, kinds=[pb.ENTITY_KIND_PORT])
        ).entities
        if e.group_id == "g-owner"
    )
    # The other tenant's group names the owner's server, and a server record of its own names
    # the owner's private flavor, image and port.
    forged = entity(
        "site-a",
        pb.ENTITY_KIND_SERVER,
        "forged",
        other.project_id,
        flavor_id=tenants.private_flavor.id,
        image_id=tenants.private_image.id,
        port_ids=[port],
    )
    a.stub.PutEntities(
        pb.PutEntitiesRequest(
            entities=[group(other, "g-other", [theirs.id, "forged"]), forged],
        )
    )

    got = bundle(a, other, "g-other")
    assert set(got) == {(pb.ENTITY_KIND_SERVER, "forged")}
    assert (pb.ENTITY_KIND_SERVER, theirs.id) in bundle(a, owner, "g-owner")

    # Nor can it file the owner's private flavor, or the site's public one, under itself.
    for flavor, reason in (
        (tenants.private_flavor.id, "is filed under another project"),
        (PUBLIC_FLAVOR, "is a site-level resource (every project's): only a capture changes it"),
    ):
        code, details = refused(
            a.stub.PutEntities,
            pb.PutEntitiesRequest(entities=[entity("site-a", FLAVOR, flavor, other.project_id)]),
        )
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert f"FLAVOR {flavor} of site-a {reason}" in details
    assert stored(a, FLAVOR, tenants.private_flavor.id).project_id == owner.project_id
    assert stored(a, FLAVOR, PUBLIC_FLAVOR).project_id == ""


def test_a_tenant_that_stops_using_a_public_flavor_leaves_it_to_the_others(
    start: Any, compute_addresses: dict[str, str], tenants: Tenants, lab: Any
) -> None:
    """Only a resource gone from the cloud is marked deleted at the site: here a public image
    the admin deletes while a volume made from it still names it."""
    a = start("site-a", peers=["site-b"], compute_address=compute_addresses["site-a"])
    b = start("site-b", peers=["site-a"])
    owner, other = tenants.owner, tenants.other
    admin = openstack.connect(
        load_yaml_config=False, load_envvars=False, **lab.regions["site-a"].cloud()
    )
    image = admin.image.create_image(
        name=f"public-{uuid.uuid4().hex[:6]}",
        disk_format="qcow2",
        container_format="bare",
        visibility="public",
        allow_duplicates=True,
    )
    stayer = owner.boot("stayer", "3", image=image.id)
    leaver = other.boot("leaver", "3", image=image.id)
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[group(owner, "g-stay", [stayer.id])]))
    capture(a, owner)
    capture(a, other)
    shared = {(FLAVOR, "3"), (IMAGE_KIND, image.id)}
    assert shared <= site_level(a)

    other.conn.compute.delete_server(leaver)
    other.conn.compute.wait_for_delete(leaver, interval=0.02, wait=WAIT)
    # Its server, volume and port leave the capture; the flavor and image it no longer uses
    # stay the site's, for the owner.
    assert capture(a, other)[2] == 3
    assert shared <= site_level(a)

    admin.image.delete_image(image)
    capture(a, other)
    assert (IMAGE_KIND, image.id) in site_level(a)
    # The owner's volume still names the image, which the cloud no longer has.
    assert capture(a, owner)[2] == 1
    gone = stored(a, IMAGE_KIND, image.id)
    assert (gone.deleted, gone.project_id) == (True, "")
    assert stored(a, FLAVOR, "3").deleted is False

    replicated(a)
    got = bundle(b, owner, "g-stay")
    assert (FLAVOR, "3") in got and (IMAGE_KIND, image.id) not in got
    assert (pb.ENTITY_KIND_SERVER, stayer.id) in got
