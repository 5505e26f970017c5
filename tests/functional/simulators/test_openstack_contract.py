"""The OpenStack simulator against the rules of shared/reference/openstack-api.md, through the
real openstacksdk (and raw HTTP where the wire matters), with Cinder backends on simulated
FlashArrays."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openstack
import pytest
from openstack import exceptions as sdk_errors
from pypureclient import flasharray as fa
from pypureclient.configuration import Configuration

from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TOKENS, USER_PASSWORD, TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID
from tests.waiting import wait_until

IMAGE = CIRROS_IMAGE_ID


@pytest.fixture(scope="module")
def lab():
    with TwoSiteLab(tenants=["tenant1", "tenant2"], boot_seconds=0.1) as running:
        yield running


@pytest.fixture(scope="module")
def region(lab):
    return lab.regions["site-a"]


def connect(region, user="tenant1-user", project="tenant1"):
    password = USER_PASSWORD if user != "admin" else None
    return openstack.connect(
        load_yaml_config=False, load_envvars=False, **region.cloud(user, password, project)
    )


@pytest.fixture(scope="module")
def tenant(region):
    return connect(region)


@pytest.fixture(scope="module")
def admin(region):
    return connect(region, "admin", "admin")


def volume(conn, size=1, vtype="tenant1-async", **kwargs):
    made = conn.block_storage.create_volume(size=size, volume_type=vtype, **kwargs)
    return conn.block_storage.wait_for_status(made, "available", interval=0.02, wait=10)


def network(conn, cidr="10.1.0.0/24", name="net"):
    net = conn.network.create_network(name=name)
    subnet = conn.network.create_subnet(
        network_id=net.id, cidr=cidr, ip_version=4, name=f"{name}-subnet"
    )
    return net, subnet


def boot(conn, name, vol, port):
    server = conn.compute.create_server(
        name=name,
        flavor_id="2",
        networks=[{"port": port.id}],
        block_device_mapping=[
            {
                "boot_index": 0,
                "uuid": vol.id,
                "source_type": "volume",
                "destination_type": "volume",
                "delete_on_termination": False,
            }
        ],
    )
    return conn.compute.wait_for_server(server, interval=0.02, wait=10)


def test_version_documents_carry_self_links(region):
    for path, status in (
        ("/identity", 300),
        ("/identity/v3", 200),
        ("/compute", 200),
        ("/compute/v2.1", 200),
        ("/volume/", 300),
        ("/volume/v3/", 200),
        ("/network/", 200),
        ("/image/", 300),
    ):
        response = httpx.get(region.url + path)
        assert response.status_code == status, path
        document = response.json()
        versions = document.get("versions", document.get("version"))
        entries = (
            versions.get("values", versions)
            if isinstance(versions, dict) and "values" in versions
            else versions
        )
        entries = entries if isinstance(entries, list) else [entries]
        assert all(any(link["rel"] == "self" for link in e["links"]) for e in entries), path


def test_password_authentication_and_the_catalog(region):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "tenant1-user",
                        "password": USER_PASSWORD,
                        "domain": {"name": "Default"},
                    }
                },
            },
            "scope": {"project": {"name": "tenant1", "domain": {"name": "Default"}}},
        }
    }
    issued = httpx.post(region.auth_url + "/auth/tokens", json=body)
    assert issued.status_code == 201
    token = issued.headers["X-Subject-Token"]
    catalog = {s["type"]: s["endpoints"] for s in issued.json()["token"]["catalog"]}
    project_id = issued.json()["token"]["project"]["id"]
    assert any(e["url"].endswith(f"/volume/v3/{project_id}") for e in catalog["block-storage"])
    assert all(e["region_id"] == "RegionA" for e in catalog["compute"])
    wrong = httpx.post(
        region.auth_url + "/auth/tokens",
        json={
            **body,
            "auth": {
                **body["auth"],
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "tenant1-user",
                            "password": "nope",
                            "domain": {"name": "Default"},
                        }
                    },
                },
            },
        },
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == 401
    checked = httpx.get(
        region.auth_url + "/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
    )
    assert checked.status_code == 200 and checked.json()["token"]["user"]["name"] == "tenant1-user"
    unknown = httpx.get(
        region.auth_url + "/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": "nope"}
    )
    assert unknown.status_code == 404


def test_a_service_registered_through_the_control_api_is_in_the_catalog(lab):
    region = lab.regions["site-b"]
    url = "http://127.0.0.1:9/dr"
    refused = httpx.put(f"{region.control_url}/_sim/catalog/disaster-recovery", json={"url": "x"})
    assert refused.status_code == 400
    httpx.put(
        f"{region.control_url}/_sim/catalog/disaster-recovery", json={"name": "draas", "url": url}
    ).raise_for_status()
    conn = connect(region)
    found = conn.session.get_endpoint(
        service_type="disaster-recovery", interface="public", region_name="RegionB"
    )
    assert found == url


def test_unknown_names_are_404_and_find_returns_none(tenant):
    assert tenant.compute.find_server("no-such-server") is None
    assert tenant.compute.find_flavor("m1.small").id == "2"
    assert tenant.network.find_network("no-such-network") is None
    assert tenant.block_storage.find_volume("no-such-volume") is None
    with pytest.raises(sdk_errors.NotFoundException):
        tenant.compute.get_server("00000000-0000-0000-0000-000000000000")


def test_microversions_are_echoed_and_bounded(region, tenant):
    token = tenant.auth_token
    ok = httpx.get(
        region.url + "/compute/v2.1/servers",
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.96"},
    )
    assert ok.headers["OpenStack-API-Version"] == "compute 2.96"
    assert ok.headers["X-OpenStack-Nova-API-Version"] == "2.96"
    too_new = httpx.get(
        region.url + "/compute/v2.1/servers",
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.200"},
    )
    assert too_new.status_code == 406


def test_a_project_sees_only_its_own_servers_and_volumes(region, tenant, admin):
    other = connect(region, "tenant2-user", "tenant2")
    net, _ = network(other, "10.9.0.0/24", "other-net")
    port = other.network.create_port(network_id=net.id)
    theirs = boot(other, "theirs", volume(other, vtype="tenant2-async", image_id=IMAGE), port)
    their_volume = next(other.block_storage.volumes())
    assert "theirs" not in [s.name for s in tenant.compute.servers()]
    assert their_volume.id not in [v.id for v in tenant.block_storage.volumes()]
    assert tenant.compute.find_server(theirs.id) is None
    with pytest.raises(sdk_errors.NotFoundException):
        tenant.block_storage.get_volume(their_volume.id)
    assert theirs.id in [s.id for s in admin.compute.servers(all_projects=True)]
    assert theirs.id not in [s.id for s in admin.compute.servers()]
    with pytest.raises(sdk_errors.ForbiddenException):
        tenant.compute.servers(all_projects=True).__next__()


def test_nova_and_cinder_cap_a_page_and_link_the_rest(region):
    """As max_limit does: a list asked without a limit (or over the cap) gets the cap's worth
    and a next link that keeps the request's filters; the SDK follows it to the end."""
    other = connect(region, "tenant2-user", "tenant2")
    net, _ = network(other, "10.8.0.0/24", "paged-net")
    for name in ("paged-1", "paged-2", "paged-3"):
        port = other.network.create_port(network_id=net.id)
        boot(other, name, volume(other, vtype="tenant2-async", image_id=IMAGE), port)
    every_server = sorted(s.id for s in other.compute.servers())
    every_volume = sorted(v.id for v in other.block_storage.volumes())
    kept, region.store.max_limit = region.store.max_limit, 2
    try:
        first = other.compute.get("/servers/detail", params={"name": "paged"}).json()
        assert len(first["servers"]) == 2
        (link,) = first["servers_links"]
        assert link["rel"] == "next" and "name=paged" in link["href"]
        assert "marker=" in link["href"]
        over = other.block_storage.get("/volumes/detail", params={"limit": 50}).json()
        assert len(over["volumes"]) == 2 and over["volumes_links"][0]["rel"] == "next"
        assert sorted(s.id for s in other.compute.servers()) == every_server
        assert sorted(v.id for v in other.block_storage.volumes()) == every_volume
    finally:
        region.store.max_limit = kept


def test_a_reader_cannot_change_anything(region):
    reader = connect(region, "tenant1-reader", "tenant1")
    assert list(reader.compute.servers()) is not None
    with pytest.raises(sdk_errors.ForbiddenException):
        reader.network.create_network(name="nope")
    with pytest.raises(sdk_errors.ForbiddenException):
        reader.block_storage.create_volume(size=1)


def test_boot_from_volume_binds_ports_attaches_volumes_and_connects_on_the_array(
    lab, region, tenant
):
    net, subnet = network(tenant, "10.2.0.0/24", "boot-net")
    port = tenant.network.create_port(
        network_id=net.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.2.0.50"}]
    )
    root = volume(tenant, image_id=IMAGE)
    data = volume(tenant, vtype="tenant1-async")
    server = tenant.compute.create_server(
        name="vm-boot",
        flavor_id="2",
        networks=[{"port": port.id}],
        block_device_mapping=[
            {
                "boot_index": 0,
                "uuid": root.id,
                "source_type": "volume",
                "destination_type": "volume",
            },
            {
                "boot_index": -1,
                "uuid": data.id,
                "source_type": "volume",
                "destination_type": "volume",
            },
        ],
    )
    assert tenant.compute.get_server(server.id).status == "BUILD"
    server = tenant.compute.wait_for_server(server, interval=0.02, wait=10)
    assert server.addresses["boot-net"][0]["addr"] == "10.2.0.50"
    assert [v.id for v in server.attached_volumes] == [root.id, data.id]
    assert tenant.network.get_port(port.id).device_id == server.id
    assert tenant.block_storage.get_volume(root.id).status == "in-use"
    connections = lab.flasharrays.fabric.arrays["array-a"].host_connections
    assert {c.volume.name for c in connections} >= {
        root.metadata["array_volume_name"],
        data.metadata["array_volume_name"],
    }

    tenant.compute.delete_server(server)
    tenant.compute.wait_for_delete(server, interval=0.02, wait=10)
    region.settle()
    assert tenant.block_storage.get_volume(root.id).status == "available"
    assert tenant.network.get_port(port.id).device_id == ""
    assert not {
        c.volume.name for c in lab.flasharrays.fabric.arrays["array-a"].host_connections
    } & {root.metadata["array_volume_name"]}


def test_boot_validation(tenant):
    net, _ = network(tenant, "10.3.0.0/24", "val-net")
    port = tenant.network.create_port(network_id=net.id)
    not_bootable = volume(tenant)
    with pytest.raises(sdk_errors.BadRequestException, match="is not bootable"):
        tenant.compute.create_server(
            name="x",
            flavor_id="2",
            networks=[{"port": port.id}],
            block_device_mapping=[
                {
                    "boot_index": 0,
                    "uuid": not_bootable.id,
                    "source_type": "volume",
                    "destination_type": "volume",
                }
            ],
        )
    with pytest.raises(sdk_errors.BadRequestException, match="Flavor"):
        tenant.compute.create_server(name="x", flavor_id="nope", networks="none", image_id=IMAGE)


def test_actions_follow_nova_states(tenant):
    net, _ = network(tenant, "10.4.0.0/24", "act-net")
    server = boot(
        tenant,
        "vm-act",
        volume(tenant, image_id=IMAGE),
        tenant.network.create_port(network_id=net.id),
    )
    for action, status in (
        ("pause_server", "PAUSED"),
        ("unpause_server", "ACTIVE"),
        ("stop_server", "SHUTOFF"),
        ("start_server", "ACTIVE"),
        ("suspend_server", "SUSPENDED"),
        ("resume_server", "ACTIVE"),
    ):
        getattr(tenant.compute, action)(server)
        assert tenant.compute.get_server(server.id).status == status
    tenant.compute.pause_server(server)
    with pytest.raises(sdk_errors.ConflictException):
        tenant.compute.stop_server(server)


def test_ports_keep_fixed_ips_and_macs_or_conflict(tenant):
    net, subnet = network(tenant, "10.5.0.0/24", "port-net")
    first = tenant.network.create_port(
        network_id=net.id,
        mac_address="fa:16:3e:00:00:01",
        fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.5.0.20"}],
    )
    assert (first.mac_address, first.fixed_ips[0]["ip_address"]) == (
        "fa:16:3e:00:00:01",
        "10.5.0.20",
    )
    with pytest.raises(sdk_errors.ConflictException, match="already allocated"):
        tenant.network.create_port(
            network_id=net.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.5.0.20"}]
        )
    with pytest.raises(sdk_errors.ConflictException, match="mac address"):
        tenant.network.create_port(network_id=net.id, mac_address="fa:16:3e:00:00:01")
    assert tenant.network.create_port(network_id=net.id).fixed_ips[0]["ip_address"] == "10.5.0.2"
    with pytest.raises(sdk_errors.ConflictException):
        tenant.network.delete_network(net)


def test_security_groups_routers_and_tags(tenant):
    group = tenant.network.create_security_group(name="web", tags=["draas-op-1"])
    assert {
        (r.direction, r.ether_type)
        for r in tenant.network.security_group_rules(security_group_id=group.id)
    } == {("egress", "IPv4"), ("egress", "IPv6")}
    rule = dict(
        security_group_id=group.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=443,
        port_range_max=443,
        ethertype="IPv4",
    )
    tenant.network.create_security_group_rule(**rule)
    with pytest.raises(sdk_errors.ConflictException):
        tenant.network.create_security_group_rule(**rule)
    assert [g.id for g in tenant.network.security_groups(tags="draas-op-1")] == [group.id]
    _, subnet = network(tenant, "10.6.0.0/24", "rt-net")
    public = tenant.network.find_network("public")
    router = tenant.network.create_router(
        name="rt", external_gateway_info={"network_id": public.id}
    )
    tenant.network.add_interface_to_router(router, subnet=subnet.id)
    interface = next(
        tenant.network.ports(device_id=router.id, device_owner="network:router_interface")
    )
    assert interface.fixed_ips[0]["ip_address"] == subnet.gateway_ip
    with pytest.raises(sdk_errors.ConflictException):
        tenant.network.delete_router(router)


def array_client(lab, name="array-a"):
    return fa.Client(
        target=lab.flasharrays.address(name),
        api_token=TOKENS[name],
        verify_ssl=True,
        configuration=Configuration(ssl_ca_cert=str(lab.flasharrays.ca_file)),
    )


def test_manage_and_unmanage_rename_on_the_array(lab, region, admin, tenant):
    array = lab.flasharrays.fabric.arrays["array-a"]
    client = array_client(lab)
    client.post_volumes(names=["recovered-copy"], volume=fa.VolumePost(provisioned=3 * 2**30))
    scoped = admin.connect_as_project(
        {"id": region.project_id("tenant1"), "name": "tenant1", "domain_id": "default"}
    )
    managed = scoped.block_storage.manage_volume(
        host="cinder@tenant1-async#tenant1-async",
        ref={"source-name": "recovered-copy"},
        name="managed",
        volume_type="tenant1-async",
        bootable=True,
    )
    managed = scoped.block_storage.wait_for_status(managed, "available", interval=0.02, wait=10)
    assert managed.size == 3 and managed.is_bootable
    assert managed.metadata["array_volume_name"] == f"volume-{managed.id}-cinder"
    assert f"volume-{managed.id}-cinder" in array.volumes and "recovered-copy" not in array.volumes
    assert managed.id in [v.id for v in tenant.block_storage.volumes()]
    scoped.block_storage.unmanage_volume(managed)
    wait_until(lambda: scoped.block_storage.find_volume(managed.id, ignore_missing=True) is None)
    # Cinder's record goes only once its driver has let the array volume go.
    assert f"volume-{managed.id}-cinder-unmanaged" in array.volumes


def test_managing_a_missing_array_volume_fails_with_a_message(region, admin):
    scoped = admin.connect_as_project(
        {"id": region.project_id("tenant1"), "name": "tenant1", "domain_id": "default"}
    )
    made = scoped.block_storage.manage_volume(
        host="cinder@tenant1-async#tenant1-async",
        ref={"source-name": "missing"},
        volume_type="tenant1-async",
    )
    failed = scoped.block_storage.wait_for_status(
        made, "error", failures=[], interval=0.02, wait=10
    )
    assert failed.status == "error"
    messages = scoped.block_storage.get("/messages", params={"resource_uuid": made.id}).json()[
        "messages"
    ]
    assert "invalid backend reference {'source-name': 'missing'}" in messages[0]["user_message"]


def test_a_volume_on_an_unreachable_array_goes_to_error_with_a_message(lab, region, tenant):
    control = SimulatorControl(lab.flasharrays.control_url)
    control.set_online("array-a", False)
    try:
        made = tenant.block_storage.create_volume(size=1, volume_type="tenant1-async")
        failed = tenant.block_storage.wait_for_status(
            made, "error", failures=[], interval=0.02, wait=30
        )
    finally:
        control.set_online("array-a", True)
    assert failed.status == "error"
    messages = tenant.block_storage.get("/messages", params={"resource_uuid": made.id}).json()[
        "messages"
    ]
    assert "Unable to reach the FlashArray" in messages[0]["user_message"]


def scoped_admin(region, admin, project="tenant1"):
    return admin.connect_as_project(
        {"id": region.project_id(project), "name": project, "domain_id": "default"}
    )


def messages(conn, volume_id):
    listed = conn.block_storage.get("/messages", params={"resource_uuid": volume_id}).json()
    return [m["user_message"] for m in listed["messages"]]


def test_a_delete_the_array_fails_leaves_the_volume_error_deleting(lab, region, tenant, admin):
    made = volume(tenant)
    name = made.metadata["array_volume_name"]
    array = lab.flasharrays.fabric.arrays["array-a"]
    control = SimulatorControl(lab.flasharrays.control_url)
    control.inject_errors("array-a", count=1, path_contains="/volumes")
    try:
        tenant.block_storage.delete_volume(made)
        failed = tenant.block_storage.wait_for_status(
            made, "error_deleting", failures=[], interval=0.02, wait=10
        )
    finally:
        control.clear_errors("array-a")
    # As Cinder's volume manager leaves it: the record stays while its array volume lives on.
    assert failed.status == "error_deleting"
    assert not array.volumes[name].destroyed
    assert messages(tenant, made.id) == [
        f"delete volume failed: FlashArray error while trying to destroy volume {name} "
        "(HTTP 500): Injected failure."
    ]
    with pytest.raises(sdk_errors.BadRequestException) as refused:
        tenant.block_storage.delete_volume(made)
    assert "current status: error_deleting" in str(refused.value)
    # An admin resets it, and the delete goes through.
    scoped_admin(region, admin).block_storage.reset_volume_status(made, status="error")
    tenant.block_storage.delete_volume(made)
    tenant.block_storage.wait_for_delete(made, interval=0.02, wait=10)
    assert array.volumes[name].destroyed


def test_an_admin_force_deletes_a_volume_in_any_status(lab, region, tenant, admin):
    made = volume(tenant, vtype="pure")
    scoped = scoped_admin(region, admin)
    scoped.block_storage.reset_volume_status(made, status="error_deleting")
    with pytest.raises(sdk_errors.ForbiddenException):
        tenant.block_storage.delete_volume(made, force=True)
    scoped.block_storage.delete_volume(made, force=True)
    scoped.block_storage.wait_for_delete(made, interval=0.02, wait=10)
    name = made.metadata["array_volume_name"]
    assert lab.flasharrays.fabric.arrays["array-a"].volumes[name].destroyed


def test_a_manage_the_array_fails_after_the_rename_keeps_the_array_volume(lab, region, admin):
    array = lab.flasharrays.fabric.arrays["array-a"]
    array_client(lab).post_volumes(names=["half-managed"], volume=fa.VolumePost(provisioned=2**30))
    scoped = scoped_admin(region, admin)
    control = SimulatorControl(lab.flasharrays.control_url)
    control.inject_errors("array-a", count=1, path_contains="protection-groups/volumes")
    try:
        made = scoped.block_storage.manage_volume(
            host="cinder@tenant1-async#tenant1-async",
            ref={"source-name": "half-managed"},
            volume_type="tenant1-async",
        )
        failed = scoped.block_storage.wait_for_status(
            made, "error", failures=[], interval=0.02, wait=10
        )
    finally:
        control.clear_errors("array-a")
    # error_managing, shown as error; as with the Pure driver, the array volume has Cinder's
    # name already, and the volume says so (to an admin).
    renamed = f"volume-{made.id}-cinder"
    assert failed.status == "error"
    assert failed.provider_id == renamed
    assert renamed in array.volumes and "half-managed" not in array.volumes
    assert messages(scoped, made.id) == [
        f"manage existing volume failed: FlashArray error while trying to add volume {renamed} "
        "to protection group tenant1-pg (HTTP 500): Injected failure."
    ]
    # An unmanage that fails on the array leaves it error_unmanaging; reset, it goes through
    # and the array volume keeps its data under the Pure driver's "-unmanaged" name.
    control.inject_errors("array-a", count=1, path_contains="/volumes")
    try:
        scoped.block_storage.unmanage_volume(made)
        scoped.block_storage.wait_for_status(
            made, "error_unmanaging", failures=[], interval=0.02, wait=10
        )
    finally:
        control.clear_errors("array-a")
    assert renamed in array.volumes
    scoped.block_storage.reset_volume_status(made, status="error")
    scoped.block_storage.unmanage_volume(made)
    wait_until(lambda: scoped.block_storage.find_volume(made.id, ignore_missing=True) is None)
    assert not array.volumes[f"{renamed}-unmanaged"].destroyed


def test_a_manage_the_array_fails_before_changing_anything_leaves_the_source(lab, region, admin):
    array = lab.flasharrays.fabric.arrays["array-a"]
    array_client(lab).post_volumes(names=["untouched"], volume=fa.VolumePost(provisioned=2**30))
    scoped = scoped_admin(region, admin)
    control = SimulatorControl(lab.flasharrays.control_url)
    control.inject_errors("array-a", count=1, status=500, path_contains="/volumes")
    try:
        made = scoped.block_storage.manage_volume(
            host="cinder@tenant1-async#tenant1-async",
            ref={"source-name": "untouched"},
            volume_type="tenant1-async",
        )
        failed = scoped.block_storage.wait_for_status(
            made, "error", failures=[], interval=0.02, wait=10
        )
    finally:
        control.clear_errors("array-a")
    assert failed.provider_id is None and "untouched" in array.volumes
    # Deleting a failed manage is allowed (error_managing), shown as deleting until it is gone.
    scoped.block_storage.delete_volume(made)
    scoped.block_storage.wait_for_delete(made, interval=0.02, wait=10)
    assert not array.volumes["untouched"].destroyed


def test_running_servers_write_and_paused_ones_do_not(lab, region, tenant):
    net, _ = network(tenant, "10.7.0.0/24", "wl-net")
    root = volume(tenant, image_id=IMAGE)
    server = boot(tenant, "vm-write", root, tenant.network.create_port(network_id=net.id))
    control = SimulatorControl(lab.flasharrays.control_url)
    httpx.put(
        region.control_url + "/_sim/write_rate", json={"writes_per_second": 50}
    ).raise_for_status()
    try:

        def count():
            return control.volume_data("array-a", root.metadata["array_volume_name"])["count"]

        deadline = time.monotonic() + 5
        while count() < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count() >= 5
        tenant.compute.pause_server(server)
        time.sleep(0.2)
        paused = count()
        time.sleep(0.4)
        assert count() == paused
    finally:
        httpx.put(region.control_url + "/_sim/write_rate", json={"writes_per_second": 0})


def test_region_down_refuses_connections_and_errors_can_be_injected(lab, region, tenant):
    host, port = region.api.address.split(":")
    httpx.post(region.control_url + "/_sim/down").raise_for_status()
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, int(port)), timeout=2).close()
    finally:
        httpx.post(region.control_url + "/_sim/up").raise_for_status()
    httpx.put(
        region.control_url + "/_sim/errors", json={"service": "compute", "status": 503, "count": 1}
    ).raise_for_status()
    with pytest.raises(sdk_errors.HttpException) as raised:
        tenant.compute.get_server("anything")
    assert raised.value.status_code == 503
    assert tenant.compute.find_server("anything") is None


def test_clouds_yaml_is_readable_by_its_owner_only(region, tmp_path):
    """It holds passwords: 0600, also when it replaces a file anyone could read."""
    path = tmp_path / "clouds.yaml"
    path.write_text("old")
    path.chmod(0o644)
    region.write_clouds_yaml(path, {"site": region.cloud("tenant1-user", USER_PASSWORD, "tenant1")})
    assert path.stat().st_mode & 0o777 == 0o600
    assert "tenant1-user" in path.read_text()


def test_the_openstack_command_works(region, tmp_path):
    clouds = region.write_clouds_yaml(
        tmp_path / "clouds.yaml",
        {"sim": region.cloud(), "tenant": region.cloud("tenant1-user", USER_PASSWORD, "tenant1")},
    )
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
    for cloud, command in (
        ("sim", ["server", "list"]),
        ("tenant", ["volume", "list"]),
        ("tenant", ["network", "list"]),
        ("sim", ["volume", "type", "list"]),
    ):
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "openstack"),
                "--os-cloud",
                cloud,
                *command,
                "-f",
                "json",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_the_openstack_command_does_a_tenants_and_an_admins_everyday_work(region, tenant, tmp_path):
    net, _ = network(tenant, "10.7.0.0/24", "cli-net")
    server = boot(
        tenant,
        "vm-cli",
        volume(tenant, image_id=IMAGE),
        tenant.network.create_port(network_id=net.id),
    )
    clouds = region.write_clouds_yaml(
        tmp_path / "clouds.yaml",
        {"admin": region.cloud(), "tenant": region.cloud("tenant1-user", USER_PASSWORD, "tenant1")},
    )
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}

    def openstack(cloud, *command):
        ran = subprocess.run(
            [str(Path(sys.executable).parent / "openstack"), "--os-cloud", cloud, *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, f"{command}: {ran.stderr}"
        return ran.stdout

    openstack("tenant", "server", "reboot", server.id)
    openstack("tenant", "server", "add", "security", "group", server.id, "default")
    assert "default" in openstack("tenant", "server", "show", server.id, "-c", "security_groups")
    openstack("tenant", "server", "remove", "security", "group", server.id, "default")
    assert "vm-cli" in openstack("tenant", "console", "log", "show", server.id)
    events = json.loads(openstack("tenant", "server", "event", "list", server.id, "-f", "json"))
    assert [e["Action"] for e in events][:4] == [
        "removeSecurityGroup",
        "addSecurityGroup",
        "reboot",
        "create",
    ]
    assert "instances" in openstack("tenant", "quota", "show")
    for admin_list in (
        ["hypervisor", "list"],
        ["compute", "service", "list"],
        ["aggregate", "list"],
        ["network", "agent", "list"],
        ["endpoint", "list"],
        ["service", "list"],
        ["role", "assignment", "list"],
        ["volume", "qos", "list"],
        ["volume", "snapshot", "list"],
        ["volume", "backup", "list"],
        ["quota", "list", "--compute"],
        ["quota", "list", "--volume"],
        ["quota", "list", "--network"],
        ["usage", "list"],
    ):
        openstack("admin", *admin_list, "-f", "json")
    assert "nova-compute" in openstack("admin", "compute", "service", "list")
    assert "keystone" in openstack("admin", "endpoint", "list")

    # Snapshots and copies, a backend's capabilities and manageable volumes, private types.
    made = volume(tenant)
    snap = json.loads(
        openstack(
            "tenant", "volume", "snapshot", "create", "--volume", made.id, "cli-snap", "-f", "json"
        )
    )
    wait_until(lambda: tenant.block_storage.get_snapshot(snap["id"]).status == "available")
    copied = json.loads(
        openstack(
            "tenant",
            "volume",
            "create",
            "--snapshot",
            snap["id"],
            "--size",
            "2",
            "cli-copy",
            "-f",
            "json",
        )
    )
    wait_until(lambda: tenant.block_storage.get_volume(copied["id"]).status == "available")
    assert "cli-snap" in openstack("tenant", "volume", "snapshot", "list")
    capability = openstack(
        "admin", "volume", "backend", "capability", "show", "cinder@tenant1-async"
    )
    assert "thin_provisioning" in capability
    manageable = openstack(
        "admin",
        "--os-volume-api-version",
        "3.8",
        "block",
        "storage",
        "volume",
        "manageable",
        "list",
        "cinder@tenant1-async#tenant1-async",
        "-f",
        "json",
    )
    assert f"volume-{made.id}-cinder" in manageable
    types = openstack("tenant", "volume", "type", "list", "-f", "value", "-c", "Name")
    assert {"tenant1-async", "tenant1-sync"} <= set(types.split())
    assert "tenant2-async" not in types
    openstack("tenant", "volume", "delete", copied["id"])
    openstack("tenant", "volume", "snapshot", "delete", snap["id"])


def test_an_external_subnet_is_found_by_its_id(admin):
    public = admin.network.find_network("public", ignore_missing=False)
    subnet = next(iter(admin.network.subnets(network_id=public.id)))
    assert admin.network.get_subnet(subnet.id).network_id == public.id


def test_extending_a_volume_at_the_volume_count_quota_is_allowed(lab, region, tenant):
    made = volume(tenant, size=1, vtype="pure")
    count = len(list(tenant.block_storage.volumes()))
    limits = {"volumes": count, "gigabytes": 1000}
    project = region.project_id("tenant1")
    url = f"{region.control_url}/_sim/quotas/{project}"
    httpx.put(url, json=limits).raise_for_status()
    try:
        tenant.block_storage.extend_volume(made, 2)
        wait_until(lambda: tenant.block_storage.get_volume(made.id).size == 2)
        with pytest.raises(openstack.exceptions.HttpException) as refused:
            volume(tenant, size=1, vtype="pure")
        assert refused.value.status_code == 413
    finally:
        httpx.put(url, json={}).raise_for_status()  # the defaults again
        tenant.block_storage.delete_volume(made)


def test_snapshots_are_array_snapshots_and_volumes_made_from_them_array_copies(lab, region, tenant):
    array = lab.flasharrays.fabric.arrays["array-a"]
    source = volume(tenant, size=2, image_id=IMAGE)
    snapshot = tenant.block_storage.create_snapshot(volume_id=source.id, name="before-upgrade")
    snapshot = tenant.block_storage.wait_for_status(snapshot, "available", interval=0.02, wait=10)
    on_array = f"volume-{source.id}-cinder.snapshot-{snapshot.id}"
    assert array.volume_snapshots[on_array].source == f"volume-{source.id}-cinder"
    assert snapshot.size == 2 and snapshot.project_id == region.project_id("tenant1")
    assert snapshot.id in [s.id for s in tenant.block_storage.snapshots(volume_id=source.id)]

    copy = volume(tenant, size=3, snapshot_id=snapshot.id)
    assert (copy.snapshot_id, copy.is_bootable, copy.volume_type) == (
        snapshot.id,
        True,
        "tenant1-async",
    )
    copied = array.volumes[f"volume-{copy.id}-cinder"]
    assert copied.provisioned == 3 * 2**30
    group = array.protection_groups["tenant1-pg"]
    assert copied in group.volumes
    clone = volume(tenant, size=None, source_volume_id=source.id)
    assert (clone.size, clone.source_volume_id) == (2, source.id)
    assert f"volume-{clone.id}-cinder" in array.volumes

    with pytest.raises(sdk_errors.BadRequestException, match="cannot be smaller than the snapshot"):
        tenant.block_storage.create_volume(snapshot_id=snapshot.id, size=1)
    with pytest.raises(sdk_errors.BadRequestException, match="have snapshots"):
        tenant.block_storage.delete_volume(source)
    other = connect(region, "tenant2-user", "tenant2")
    with pytest.raises(sdk_errors.NotFoundException):
        other.block_storage.get_snapshot(snapshot.id)
    assert other.block_storage.find_snapshot(snapshot.id, ignore_missing=True) is None
    limits = tenant.block_storage.get_limits().absolute
    assert limits.total_snapshots_used >= 1

    tenant.block_storage.delete_snapshot(snapshot)
    tenant.block_storage.wait_for_delete(snapshot, interval=0.02, wait=10)
    assert on_array not in array.volume_snapshots or array.volume_snapshots[on_array].destroyed
    second = tenant.block_storage.create_snapshot(volume_id=source.id)
    tenant.block_storage.wait_for_status(second, "available", interval=0.02, wait=10)
    tenant.block_storage.delete_volume(source, cascade=True)
    tenant.block_storage.wait_for_delete(source, interval=0.02, wait=10)
    assert tenant.block_storage.find_snapshot(second.id, ignore_missing=True) is None
    for made in (copy, clone):
        tenant.block_storage.delete_volume(made)


def test_a_snapshot_of_an_in_use_volume_needs_force_before_3_66(lab, region, tenant):
    net, _ = network(tenant, "10.8.0.0/24", "snap-net")
    server = boot(
        tenant,
        "vm-snap",
        volume(tenant, image_id=IMAGE),
        tenant.network.create_port(network_id=net.id),
    )
    attached = server.attached_volumes[0]["id"]

    def snapshot(microversion, **asked):
        body = {"snapshot": {"volume_id": attached, **asked}}
        return tenant.block_storage.post(
            "/snapshots", json=body, microversion=microversion, raise_exc=False
        )

    refused = snapshot("3.60")
    assert refused.status_code == 400 and "must be available, but" in refused.text
    assert snapshot("3.60", force=True).status_code == 202
    assert snapshot("3.66").status_code == 202


def test_the_manageable_volumes_are_the_arrays_with_why_some_are_not_safe(
    lab, region, admin, tenant
):
    client = array_client(lab)
    client.post_volumes(names=["left-behind"], volume=fa.VolumePost(provisioned=2 * 2**30))
    made = volume(tenant)
    host = "cinder@tenant1-async#tenant1-async"

    def manageable(path, microversion="3.8", conn=admin):
        return conn.block_storage.get(path, microversion=microversion, raise_exc=False)

    listed = manageable(f"/manageable_volumes/detail?host={host}").json()["manageable-volumes"]
    by_name = {e["reference"]["name"]: e for e in listed}
    assert by_name["left-behind"]["safe_to_manage"] and by_name["left-behind"]["size"] == 2
    managed = by_name[f"volume-{made.id}-cinder"]
    assert (managed["safe_to_manage"], managed["cinder_id"]) == (False, made.id)
    summary = manageable(f"/manageable_volumes?host={host}").json()["manageable-volumes"]
    assert set(summary[0]) == {"reference", "size", "safe_to_manage"}
    assert manageable(f"/manageable_volumes?host={host}", "3.7").status_code == 404
    assert manageable("/manageable_volumes").status_code == 400
    assert manageable("/manageable_volumes?host=cinder@nowhere").status_code == 404
    assert manageable(f"/manageable_volumes?host={host}", conn=tenant).status_code == 403


def test_nova_makes_the_boot_volume_from_an_image_and_deletes_it_with_the_server(
    lab, region, tenant
):
    array = lab.flasharrays.fabric.arrays["array-a"]
    net, _ = network(tenant, "10.9.0.0/24", "image-net")
    server = tenant.compute.create_server(
        name="vm-from-image",
        flavor_id="2",
        networks=[{"uuid": net.id}],
        block_device_mapping=[
            {
                "boot_index": 0,
                "uuid": IMAGE,
                "source_type": "image",
                "destination_type": "volume",
                "volume_size": 2,
                "volume_type": "tenant1-async",
                "delete_on_termination": True,
            }
        ],
    )
    server = tenant.compute.wait_for_server(server, interval=0.02, wait=10)
    made = tenant.block_storage.get_volume(server.attached_volumes[0]["id"])
    assert (made.status, made.size, made.is_bootable) == ("in-use", 2, True)
    assert made.volume_image_metadata["image_id"] == IMAGE
    assert f"volume-{made.id}-cinder" in array.volumes
    tenant.compute.delete_server(server)
    tenant.compute.wait_for_delete(server, interval=0.02, wait=10)
    tenant.block_storage.wait_for_delete(made, interval=0.02, wait=10)

    for mapping, says in (
        ({"volume_size": 0}, "non-zero size"),
        ({"uuid": "no-such-image"}, "could not be found"),
        ({"volume_type": "tenant2-async"}, "Volume type tenant2-async could not be found"),
    ):
        before = {v.id for v in tenant.block_storage.volumes()}
        with pytest.raises(sdk_errors.BadRequestException, match=says):
            tenant.compute.create_server(
                name="refused",
                flavor_id="2",
                networks="none",
                block_device_mapping=[
                    {
                        "boot_index": 0,
                        "uuid": IMAGE,
                        "source_type": "image",
                        "destination_type": "volume",
                        "volume_size": 1,
                        **mapping,
                    }
                ],
            )
        assert {v.id for v in tenant.block_storage.volumes()} == before


def test_a_backends_capabilities_and_a_tenants_private_types(region, admin, tenant):
    shown = admin.block_storage.get("/capabilities/cinder@tenant1-async", raise_exc=False).json()
    assert (shown["vendor_name"], shown["volume_backend_name"]) == ("Pure Storage", "tenant1-async")
    assert "thin_provisioning" in shown["properties"]
    refused = tenant.block_storage.get("/capabilities/cinder@tenant1-async", raise_exc=False)
    assert refused.status_code == 403
    names = {t.name for t in tenant.block_storage.types()}
    assert {"tenant1-async", "tenant1-sync", "standard"} <= names
    assert not {"tenant2-async", "tenant2-sync"} & names


def test_an_admin_sets_a_projects_quotas_in_each_service(region, admin, tmp_path):
    clouds = region.write_clouds_yaml(tmp_path / "clouds.yaml", {"admin": region.cloud()})
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
    project = region.project_id("tenant2")
    other = connect(region, "tenant2-user", "tenant2")
    other.network.create_network(name="counted")
    try:
        quota = [str(Path(sys.executable).parent / "openstack"), "--os-cloud", "admin", "quota"]
        limits = ["--instances", "7", "--volumes", "9", "--snapshots", "4", "--networks", "11"]
        subprocess.run([*quota, "set", *limits, "tenant2"], env=env, check=True, timeout=120)
        shown = subprocess.run(
            [*quota, "show", "tenant2", "-f", "json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        listed = {r["Resource"]: r["Limit"] for r in json.loads(shown.stdout)}
        assert (listed["instances"], listed["volumes"], listed["snapshots"]) == (7, 9, 4)
        assert listed["networks"] == 11

        def refused(proxy, path, body):
            answer = proxy.put(path, json=body, raise_exc=False)
            assert answer.status_code == 400, answer.text
            return answer.json()

        below = refused(
            admin.network, f"/quotas/{project}", {"quota": {"network": 0, "check_limit": True}}
        )
        assert "greater than or equal to already used" in json.dumps(below)
        refused(admin.compute, f"/os-quota-sets/{project}", {"quota_set": {"cores": -2}})
        refused(admin.block_storage, f"/os-quota-sets/{project}", {"quota_set": {"disks": 1}})
        assert (
            other.compute.put(
                f"/os-quota-sets/{project}", json={"quota_set": {"cores": 1}}, raise_exc=False
            ).status_code
            == 403
        )
        assert admin.network.get_quota(project).networks == 11
    finally:
        httpx.put(f"{region.control_url}/_sim/quotas/{project}", json={}).raise_for_status()
