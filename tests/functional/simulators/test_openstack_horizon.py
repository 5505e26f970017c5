"""What OpenStack Horizon 27 asks the simulated region, asked the way Horizon's libraries do
(openstack_auth through keystoneauth and keystoneclient; its pages through the services' own
clients): the login (unscoped token, a refused domain scope, the user's projects, a project
token whose catalog names the region of the auth URL), and the lists and figures its project
pages read (usage, Cinder's snapshots, groups, transfers and extensions, Neutron's quota
details, Glance's image schema), with Keystone's, Nova's and Cinder's refusals."""

from datetime import UTC, datetime, timedelta

import httpx
import jsonschema
import openstack
import pytest
from keystoneauth1 import exceptions as ks_errors
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as keystone_client

from simulators.lab import USER_PASSWORD, TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID

# The quotas Horizon's quota summaries read from Neutron (openstack_dashboard/usage/quotas.py).
HORIZON_NEUTRON_QUOTAS = {
    "network",
    "subnet",
    "port",
    "router",
    "floatingip",
    "security_group",
    "security_group_rule",
}


@pytest.fixture(scope="module")
def lab():
    with TwoSiteLab(tenants=["tenant1", "tenant2"], boot_seconds=0.05) as running:
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


def unscoped(region, user="tenant1-user", password=USER_PASSWORD):
    """openstack_auth's first step: a password, no scope."""
    plugin = v3.Password(
        auth_url=region.auth_url,
        username=user,
        password=password,
        user_domain_name="Default",
        unscoped=True,
    )
    session = ks_session.Session(auth=plugin)
    return plugin, session, plugin.get_access(session)


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize(("site", "region_name"), [("site-a", "RegionA"), ("site-b", "RegionB")])
def test_horizon_login_sequence_ends_in_a_project_token_of_the_auth_urls_region(
    lab, site, region_name
):
    region = lab.regions[site]
    plugin, session, access = unscoped(region)
    assert access.project_id is None and not access.has_service_catalog()
    # openstack_auth tries the user's domain first; nobody holds a role on a domain here.
    domain = v3.Token(auth_url=region.auth_url, token=access.auth_token, domain_name="Default")
    with pytest.raises(ks_errors.Unauthorized):
        domain.get_access(session)
    projects = keystone_client.Client(session=session, auth=plugin).projects.list(
        user=access.user_id
    )
    assert [(p.name, p.enabled, p.domain_id) for p in projects] == [("tenant1", True, "default")]
    scoped = v3.Token(auth_url=region.auth_url, token=access.auth_token, project_id=projects[0].id)
    project_access = scoped.get_access(session)
    # openstack_auth's choice of region: the identity endpoint equal to the URL it logged in at.
    identity = project_access.service_catalog.get_endpoints(service_type="identity")["identity"]
    chosen = next(e["region"] for e in identity if region.auth_url in e.values())
    assert chosen == region_name
    assert project_access.service_catalog.url_for(
        service_type="identity", interface="public", region_name=chosen
    ) == (region.auth_url)
    assert {
        e["region_id"] for s in project_access.service_catalog.catalog for e in s["endpoints"]
    } == {region_name}
    # Keystone's implied roles: member brings reader (Horizon's Cinder policies ask for it).
    assert sorted(project_access.role_names) == ["member", "reader"]


def test_implied_roles_go_down_from_admin_and_never_up_from_reader(region, admin):
    assert sorted(admin.session.auth.get_access(admin.session).role_names) == [
        "admin",
        "member",
        "reader",
    ]
    reader = connect(region, "tenant1-reader")
    assert reader.session.auth.get_access(reader.session).role_names == ["reader"]


def test_a_users_projects_own_and_as_admin_and_what_a_token_may_scope_to(region, admin):
    _, session, access = unscoped(region)
    base = region.auth_url
    own = session.get(f"{base}/users/{access.user_id}/projects", authenticated=True).json()
    assert [p["name"] for p in own["projects"]] == ["tenant1"]
    project = own["projects"][0]
    assert project["links"]["self"] == f"{base}/projects/{project['id']}"
    assert own["links"] == {
        "self": f"{base}/users/{access.user_id}/projects",
        "previous": None,
        "next": None,
    }
    filtered = session.get(
        f"{base}/users/{access.user_id}/projects?name=tenant2", authenticated=True
    ).json()
    assert filtered["projects"] == []
    # keystoneauth's own listings (GET /v3/auth/projects, /v3/auth/domains).
    assert [
        p["name"]
        for p in session.get(f"{base}/auth/projects", authenticated=True).json()["projects"]
    ] == ["tenant1"]
    assert session.get(f"{base}/auth/domains", authenticated=True).json()["domains"] == []
    # An admin lists anyone's.
    listed = keystone_client.Client(session=admin.session).projects.list(user=access.user_id)
    assert [p.name for p in listed] == ["tenant1"]
    assert admin.identity.get("/users/no-such-user/projects").status_code == 404


def test_another_users_projects_are_refused_whether_or_not_it_exists(region):
    _, _, victim = unscoped(region, "tenant1-user")
    plugin, session, _ = unscoped(region, "tenant2-user")
    client = keystone_client.Client(session=session, auth=plugin)
    for user_id in (victim.user_id, "no-such-user"):
        with pytest.raises(ks_errors.Forbidden) as refused:
            client.projects.list(user=user_id)
        assert "identity:list_user_projects" in str(refused.value)


def test_a_user_reads_itself_its_project_and_its_domain_and_nothing_else(region, tenant, admin):
    access = tenant.session.auth.get_access(tenant.session)
    identity = tenant.identity
    assert identity.get(f"/users/{access.user_id}").json()["user"]["name"] == "tenant1-user"
    assert identity.get(f"/projects/{access.project_id}").json()["project"]["name"] == "tenant1"
    assert identity.get("/domains/default").json()["domain"]["name"] == "Default"
    other = admin.session.auth.get_access(admin.session)
    for path in (f"/users/{other.user_id}", f"/projects/{other.project_id}", "/users"):
        assert identity.get(path).status_code == 403, path


def test_a_domain_or_system_scope_is_refused(region):
    _, session, access = unscoped(region)
    for scope in ({"domain_id": "default"}, {"domain_name": "nope"}, {"system_scope": "all"}):
        with pytest.raises(ks_errors.Unauthorized):
            v3.Token(auth_url=region.auth_url, token=access.auth_token, **scope).get_access(session)


def boot(conn, name):
    server = conn.compute.create_server(
        name=name, flavor_id="1", image_id=CIRROS_IMAGE_ID, networks="none"
    )
    return conn.compute.wait_for_server(server, interval=0.02, wait=10)


def usage(conn, project_id, start, end, microversion="2.40", **query):
    response = conn.compute.get(
        f"/os-simple-tenant-usage/{project_id}",
        params={"start": stamp(start), "end": stamp(end), **query},
        microversion=microversion,
    )
    return response


def test_simple_tenant_usage_of_a_project_from_its_servers(region, tenant, admin):
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    server = boot(tenant, "usage-vm")
    project_id = tenant.current_project_id
    # Horizon asks from the start of the day to its end (in the future: Nova stops at now).
    later = before + timedelta(days=1)
    answer = usage(tenant, project_id, before, later)
    assert answer.status_code == 200, answer.text
    summary = answer.json()["tenant_usage"]
    assert summary["tenant_id"] == project_id
    assert summary["start"].startswith(stamp(before))
    assert datetime.fromisoformat(summary["stop"]) < later
    mine = {u["instance_id"]: u for u in summary["server_usages"]}
    entry = mine[server.id]
    assert entry["name"] == "usage-vm" and entry["flavor"] == "m1.tiny"
    assert (entry["vcpus"], entry["memory_mb"], entry["local_gb"]) == (1, 512, 1)
    assert entry["state"] == "active" and entry["ended_at"] is None
    assert entry["hours"] > 0 and entry["uptime"] >= 0
    hours = sum(u["hours"] for u in summary["server_usages"])
    assert summary["total_hours"] == pytest.approx(hours)
    assert summary["total_vcpus_usage"] == pytest.approx(
        sum(u["hours"] * u["vcpus"] for u in summary["server_usages"])
    )
    assert summary["total_memory_mb_usage"] == pytest.approx(
        sum(u["hours"] * u["memory_mb"] for u in summary["server_usages"])
    )
    # Horizon pages on (2.40): after the last server there is nothing.
    last = summary["server_usages"][-1]["instance_id"]
    assert usage(tenant, project_id, before, later, marker=last).json()["tenant_usage"] == {}
    # A window before the server ran has no usage at all.
    assert usage(tenant, project_id, before - timedelta(days=2), before).json() == {
        "tenant_usage": {}
    }
    # A deleted server stays in the usage of the time it ran, terminated.
    tenant.compute.delete_server(server)
    gone = usage(tenant, project_id, before, later).json()["tenant_usage"]["server_usages"]
    ended = next(u for u in gone if u["instance_id"] == server.id)
    assert ended["state"] == "terminated" and ended["ended_at"] is not None
    # The control API's record of when servers ran keeps deleted ones too.
    runs = httpx.get(f"{region.control_url}/_sim/server_runs").json()[server.id]
    assert runs["name"] == "usage-vm" and runs["runs"][0][1] is not None


def test_usage_pages_limits_and_refusals(region, tenant, admin):
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    first, second = boot(tenant, "page-1"), boot(tenant, "page-2")
    end = start + timedelta(hours=1)
    project_id = tenant.current_project_id
    whole = usage(tenant, project_id, start, end).json()["tenant_usage"]["server_usages"]
    order = [u["instance_id"] for u in whole]
    assert order[-2:] == [first.id, second.id]
    paged = usage(tenant, project_id, start, end, limit=1).json()
    assert [u["instance_id"] for u in paged["tenant_usage"]["server_usages"]] == order[:1]
    assert paged["tenant_usage_links"][0]["rel"] == "next"
    assert f"marker={order[0]}" in paged["tenant_usage_links"][0]["href"]
    following = usage(tenant, project_id, start, end, limit=1, marker=order[0]).json()
    assert [u["instance_id"] for u in following["tenant_usage"]["server_usages"]] == order[1:2]
    # Before 2.40 there is no paging: every server at once.
    unpaged = usage(tenant, project_id, start, end, microversion="2.1", limit=1).json()
    assert [u["instance_id"] for u in unpaged["tenant_usage"]["server_usages"]] == order
    assert "tenant_usage_links" not in unpaged
    assert usage(tenant, project_id, start, end, marker="nope").status_code == 400
    assert usage(tenant, project_id, end, start).status_code == 400
    bad_date = tenant.compute.get(
        f"/os-simple-tenant-usage/{project_id}", params={"start": "yesterday", "end": stamp(end)}
    )
    assert bad_date.status_code == 400
    # Another project's usage and the list of every project's are an admin's only.
    other = connect(region, "tenant2-user", "tenant2")
    assert usage(other, project_id, start, end).status_code == 403
    listing = {"start": stamp(start), "end": stamp(end), "detailed": "1"}
    assert tenant.compute.get("/os-simple-tenant-usage", params=listing).status_code == 403
    assert usage(admin, project_id, start, end).json()["tenant_usage"]["tenant_id"] == project_id
    everyone = admin.compute.get("/os-simple-tenant-usage", params=listing).json()
    summary = next(u for u in everyone["tenant_usages"] if u["tenant_id"] == project_id)
    assert {first.id, second.id} <= {u["instance_id"] for u in summary["server_usages"]}
    brief = admin.compute.get(
        "/os-simple-tenant-usage", params={"start": stamp(start), "end": stamp(end)}
    ).json()
    assert all("server_usages" not in u for u in brief["tenant_usages"])
    # A reader reads its project's usage (Nova: project reader or admin).
    reader = connect(region, "tenant1-reader")
    assert usage(reader, project_id, start, end).status_code == 200
    for server in (first, second):
        tenant.compute.delete_server(server)


def test_cinder_answers_what_horizons_volume_pages_list(region, tenant):
    storage = tenant.block_storage
    for path, key in (
        ("/snapshots/detail", "snapshots"),
        ("/backups/detail", "backups"),
        ("/os-volume-transfer/detail", "transfers"),
    ):
        answer = storage.get(path)
        assert answer.status_code == 200 and answer.json() == {key: []}, path
    for path, key, since in (
        ("/groups/detail", "groups", "3.13"),
        ("/group_snapshots/detail", "group_snapshots", "3.14"),
        ("/volume-transfers/detail", "transfers", "3.55"),
    ):
        assert storage.get(path, microversion="3.0").status_code == 404, path
        assert storage.get(path, microversion=since).json() == {key: []}, path
    zones = storage.get("/os-availability-zone").json()["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}}]
    names = {e["name"] for e in storage.get("/extensions").json()["extensions"]}
    assert {"AvailabilityZones", "VolumeTypeEncryption", "Services"} <= names
    # Another project's URL is refused, as before.
    other = connect(region, "tenant2-user", "tenant2")
    url = storage.get_endpoint().replace(tenant.current_project_id, other.current_project_id)
    assert storage.get(f"{url}/snapshots/detail").status_code == 403


def test_neutron_quota_details_carry_every_quota_horizon_reads(region, tenant, admin):
    project_id = tenant.current_project_id
    group = tenant.network.create_security_group(name="quota-sg")
    tenant.network.create_security_group_rule(
        security_group_id=group.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
        remote_ip_prefix="0.0.0.0/0",
        ethertype="IPv4",
    )
    groups = list(tenant.network.security_groups(project_id=project_id))
    rules = list(tenant.network.security_group_rules(project_id=project_id))
    details = tenant.network.get(f"/quotas/{project_id}/details").json()["quota"]
    assert set(details) >= HORIZON_NEUTRON_QUOTAS
    assert all(set(v) == {"limit", "used", "reserved"} for v in details.values())
    assert details["security_group_rule"]["used"] == len(rules) > 0
    assert details["security_group"]["used"] == len(groups)
    limits = tenant.network.get(f"/quotas/{project_id}").json()["quota"]
    assert limits["security_group_rule"] == details["security_group_rule"]["limit"]
    defaults = tenant.network.get(f"/quotas/{project_id}/default").json()["quota"]
    assert set(defaults) >= HORIZON_NEUTRON_QUOTAS
    other = connect(region, "tenant2-user", "tenant2")
    assert other.network.get(f"/quotas/{project_id}/details").status_code == 403
    assert admin.network.get(f"/quotas/{project_id}/details").status_code == 200
    tenant.network.delete_security_group(group)


def test_glances_image_schema_accepts_every_listed_image(tenant):
    schema = tenant.image.get("/schemas/image").json()
    assert schema["name"] == "image"
    images = tenant.image.get("/images").json()["images"]
    assert images
    for image in images:
        jsonschema.validate(image, schema)
    collection = tenant.image.get("/schemas/images").json()
    assert collection["properties"]["images"]["items"] == schema
