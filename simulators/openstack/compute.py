"""Nova v2.1 up to microversion 2.96: servers (boot from volume with block_device_mapping_v2,
on ports or networks), actions, metadata, volume attachments, flavors, key pairs, server groups,
availability zones, limits and usage (os-simple-tenant-usage). A server is BUILD until the
region's boot time has passed."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from simulators.openstack import block_storage, network
from simulators.openstack.errors import ApiError, bad_request, conflict, forbidden, not_found
from simulators.openstack.listing import next_query, page
from simulators.openstack.quotas import flag, update_quota
from simulators.openstack.routing import Call, Router, ok
from simulators.openstack.store import (
    AttachedVolume,
    Flavor,
    KeyPair,
    Server,
    ServerGroup,
    Store,
    iso_seconds,
    new_id,
)

router = Router()
MAX_MICROVERSION = (2, 96)
_STATUS = {
    "building": "BUILD",
    "active": "ACTIVE",
    "stopped": "SHUTOFF",
    "paused": "PAUSED",
    "suspended": "SUSPENDED",
    "error": "ERROR",
}
# action: (allowed vm states, resulting vm state, power state)
_ACTIONS = {
    "os-stop": ({"active", "error"}, "stopped", 4),
    "os-start": ({"stopped"}, "active", 1),
    "pause": ({"active"}, "paused", 3),
    "unpause": ({"paused"}, "active", 1),
    "suspend": ({"active"}, "suspended", 4),
    "resume": ({"suspended"}, "active", 1),
    "reboot": ({"active", "stopped", "error"}, "active", 1),
}


def version_document(base_url: str) -> dict[str, Any]:
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": "2.96",
        "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": f"{base_url}/compute/v2.1/"}],
        "media-types": [
            {
                "base": "application/json",
                "type": "application/vnd.openstack.compute+json;version=2.1",
            }
        ],
    }


def refresh(server: Server) -> None:
    """A server finishes booting once its time has come."""
    if server.vm_state == "building" and time.time() >= server.ready_at:
        server.set_state("active", 1, at=server.ready_at)


# Flavors -------------------------------------------------------------------------------------


def render_flavor(call: Call, flavor: Flavor, detail: bool = True) -> dict[str, Any]:
    links = [{"rel": "self", "href": f"{call.base_url}/compute/v2.1/flavors/{flavor.id}"}]
    if not detail:
        return {
            "id": flavor.id,
            "name": flavor.name,
            "description": flavor.description,
            "links": links,
        }
    body = {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "vcpus": flavor.vcpus,
        "disk": flavor.disk,
        "swap": flavor.swap or "",
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral,
        "os-flavor-access:is_public": flavor.is_public,
        "OS-FLV-DISABLED:disabled": False,
        "rxtx_factor": 1.0,
        "description": flavor.description,
        "links": links,
    }
    if call.at_least(2, 61):
        body["extra_specs"] = dict(flavor.extra_specs)
    return body


def _flavor(call: Call, key: str) -> Flavor:
    flavor = call.store.flavors.get(key)
    if flavor is None or (not flavor.is_public and not call.caller.is_admin):
        raise not_found("Flavor", key)
    return flavor


@router.add("GET", "/flavors")
def list_flavors(call: Call) -> Any:
    return ok({"flavors": [render_flavor(call, f, detail=False) for f in _flavors(call)]})


@router.add("GET", "/flavors/detail")
def list_flavors_detail(call: Call) -> Any:
    return ok({"flavors": [render_flavor(call, f) for f in _flavors(call)]})


def _flavors(call: Call) -> list[Flavor]:
    flavors = [f for f in call.store.flavors.values() if f.is_public or call.caller.is_admin]
    for key, field in (("minRam", "ram"), ("minDisk", "disk")):
        if call.query.get(key):
            flavors = [f for f in flavors if getattr(f, field) >= int(call.query[key])]
    ordered = sorted(flavors, key=lambda f: (f.ram, f.id))
    chunk, _ = page([{"id": f.id} for f in ordered], call.query)
    keep = {c["id"] for c in chunk}
    return [f for f in ordered if f.id in keep]


@router.add("GET", "/flavors/{id}")
def get_flavor(call: Call) -> Any:
    return ok({"flavor": render_flavor(call, _flavor(call, call.params["id"]))})


@router.add("POST", "/flavors")
def create_flavor(call: Call) -> Any:
    call.require_admin()
    spec = call.member("flavor")
    name = str(spec.get("name") or "")
    if not name or len(name) > 255:
        raise bad_request("Invalid input for field/attribute name.")
    flavor_id = str(spec.get("id") or new_id())
    if flavor_id == "auto":
        flavor_id = new_id()
    if flavor_id in call.store.flavors:
        raise conflict(f"Flavor with ID {flavor_id} already exists.")
    if any(f.name == name for f in call.store.flavors.values()):
        raise conflict(f"Flavor with name {name} already exists.")
    try:
        flavor = Flavor(
            flavor_id,
            name,
            int(spec["vcpus"]),
            int(spec["ram"]),
            int(spec.get("disk", 0)),
            swap=int(spec.get("swap") or 0),
            ephemeral=int(spec.get("OS-FLV-EXT-DATA:ephemeral") or 0),
            is_public=bool(spec.get("os-flavor-access:is_public", True)),
            description=spec.get("description"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise bad_request(f"Invalid input for flavor: {error}") from None
    if flavor.vcpus < 1 or flavor.ram < 1 or flavor.disk < 0:
        raise bad_request("Invalid input: vcpus and ram must be positive.")
    call.store.flavors[flavor.id] = flavor
    return ok({"flavor": render_flavor(call, flavor)})


@router.add("DELETE", "/flavors/{id}")
def delete_flavor(call: Call) -> Any:
    call.require_admin()
    flavor = _flavor(call, call.params["id"])
    del call.store.flavors[flavor.id]
    return ok(status=202)


@router.add("GET", "/flavors/{id}/os-extra_specs")
def get_extra_specs(call: Call) -> Any:
    return ok({"extra_specs": dict(_flavor(call, call.params["id"]).extra_specs)})


@router.add("POST", "/flavors/{id}/os-extra_specs")
def set_extra_specs(call: Call) -> Any:
    call.require_admin()
    flavor = _flavor(call, call.params["id"])
    specs = call.member("extra_specs")
    flavor.extra_specs.update({str(k): str(v) for k, v in specs.items()})
    return ok({"extra_specs": dict(flavor.extra_specs)})


# Key pairs -----------------------------------------------------------------------------------


def _fingerprint(public_key: str) -> str:
    try:
        raw = base64.b64decode(public_key.split()[1], validate=True)
    except (IndexError, ValueError):
        raise bad_request("Keypair data is invalid: failed to generate fingerprint") from None
    digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def render_keypair(pair: KeyPair, listing: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": pair.name,
        "public_key": pair.public_key,
        "fingerprint": pair.fingerprint,
        "type": pair.type,
    }
    if not listing:
        body.update(
            {
                "user_id": pair.user_id,
                "created_at": iso_seconds(pair.created_at),
                "deleted": False,
                "id": 1,
            }
        )
    return body


def _key_owner(call: Call) -> str:
    user_id = call.query.get("user_id")
    if user_id and user_id != call.caller.user_id:
        call.require_admin()
        return user_id
    return call.caller.user_id


@router.add("GET", "/os-keypairs")
def list_keypairs(call: Call) -> Any:
    owner = _key_owner(call)
    pairs = [p for (user, _), p in call.store.keypairs.items() if user == owner]
    return ok({"keypairs": [{"keypair": render_keypair(p, listing=True)} for p in pairs]})


@router.add("GET", "/os-keypairs/{name}")
def get_keypair(call: Call) -> Any:
    pair = call.store.keypairs.get((_key_owner(call), call.params["name"]))
    if pair is None:
        raise not_found("Keypair", call.params["name"])
    return ok({"keypair": render_keypair(pair)})


@router.add("POST", "/os-keypairs")
def create_keypair(call: Call) -> Any:
    call.require_write()
    spec = call.member("keypair")
    name = str(spec.get("name") or "")
    if not re.match(r"^[A-Za-z0-9 _.@-]{1,255}$", name):
        raise bad_request("Keypair data is invalid: Keypair name contains unsafe characters")
    owner = call.caller.user_id
    if spec.get("user_id") and spec["user_id"] != owner:
        call.require_admin()
        owner = spec["user_id"]
    if (owner, name) in call.store.keypairs:
        raise conflict(f"Key pair '{name}' already exists.")
    private_key = None
    public_key = spec.get("public_key")
    if not public_key:
        blob = base64.b64encode(
            b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + secrets.token_bytes(32)
        ).decode()
        public_key = f"ssh-ed25519 {blob} Generated-by-Nova"
        private_key = (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nsimulated\n-----END OPENSSH PRIVATE KEY-----\n"
        )
    pair = KeyPair(
        name, owner, public_key, _fingerprint(public_key), str(spec.get("type") or "ssh")
    )
    call.store.keypairs[(owner, name)] = pair
    body = render_keypair(pair)
    if private_key:
        body["private_key"] = private_key
    return ok({"keypair": body}, 201 if call.at_least(2, 2) else 200)


@router.add("DELETE", "/os-keypairs/{name}")
def delete_keypair(call: Call) -> Any:
    call.require_write()
    key = (_key_owner(call), call.params["name"])
    if key not in call.store.keypairs:
        raise not_found("Keypair", call.params["name"])
    del call.store.keypairs[key]
    return ok(status=202 if not call.at_least(2, 2) else 204)


# Server groups -------------------------------------------------------------------------------


def render_group(call: Call, group: ServerGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "members": list(group.members),
        "project_id": group.project_id,
        "user_id": group.user_id,
    }
    if call.at_least(2, 64):
        body.update({"policy": group.policy, "rules": dict(group.rules)})
    else:
        body.update({"policies": [group.policy], "metadata": {}})
    return body


def _group(call: Call, key: str) -> ServerGroup:
    group = call.store.server_groups.get(key)
    if group is None or (group.project_id != call.caller.project_id and not call.caller.is_admin):
        raise not_found("Instance group", key)
    return group


@router.add("GET", "/os-server-groups")
def list_groups(call: Call) -> Any:
    everyone = call.flag("all_projects") and call.caller.is_admin
    groups = [
        g
        for g in call.store.server_groups.values()
        if everyone or g.project_id == call.caller.project_id
    ]
    return ok({"server_groups": [render_group(call, g) for g in groups]})


@router.add("GET", "/os-server-groups/{id}")
def get_group(call: Call) -> Any:
    return ok({"server_group": render_group(call, _group(call, call.params["id"]))})


@router.add("POST", "/os-server-groups")
def create_group(call: Call) -> Any:
    call.require_write()
    spec = call.member("server_group")
    policy = spec.get("policy") or (spec.get("policies") or [None])[0]
    if policy not in ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"):
        raise bad_request(f"Invalid input for field/attribute policy. Value: {policy}.")
    name = str(spec.get("name") or "")
    if not name:
        raise bad_request("Invalid input for field/attribute name.")
    group = ServerGroup(
        new_id(), name, policy, call.project(), call.caller.user_id, dict(spec.get("rules") or {})
    )
    call.store.server_groups[group.id] = group
    return ok({"server_group": render_group(call, group)})


@router.add("DELETE", "/os-server-groups/{id}")
def delete_group(call: Call) -> Any:
    call.require_write()
    group = _group(call, call.params["id"])
    del call.store.server_groups[group.id]
    return ok(status=204)


# Servers -------------------------------------------------------------------------------------


def _server(call: Call, key: str) -> Server:
    server = call.store.servers.get(key)
    if server is None or (server.project_id != call.caller.project_id and not call.caller.is_admin):
        raise not_found("Instance", key)
    refresh(server)
    return server


def _addresses(store: Store, server: Server) -> dict[str, list[dict[str, Any]]]:
    addresses: dict[str, list[dict[str, Any]]] = {}
    for port_id in server.port_ids:
        port = store.ports.get(port_id)
        if port is None:
            continue
        net = store.networks.get(port.network_id)
        entries = addresses.setdefault(net.name if net else port.network_id, [])
        for ip in port.fixed_ips:
            entries.append(
                {
                    "addr": ip["ip_address"],
                    "version": 6 if ":" in ip["ip_address"] else 4,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                }
            )
        for fip in store.floating_ips.values():
            if fip.port_id == port.id:
                entries.append(
                    {
                        "addr": fip.address,
                        "version": 4,
                        "OS-EXT-IPS:type": "floating",
                        "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                    }
                )
    return addresses


def _security_group_names(store: Store, server: Server) -> list[dict[str, str]]:
    names: list[str] = []
    for port_id in server.port_ids:
        port = store.ports.get(port_id)
        for group_id in port.security_group_ids if port else []:
            group = store.security_groups.get(group_id)
            if group and group.name not in names:
                names.append(group.name)
    return [{"name": n} for n in names]


def render_server(call: Call, server: Server) -> dict[str, Any]:
    store = call.store
    flavor = server.flavor
    body: dict[str, Any] = {
        "id": server.id,
        "name": server.name,
        "status": _STATUS.get(server.vm_state, "ERROR"),
        "tenant_id": server.project_id,
        "user_id": server.user_id,
        "metadata": dict(server.metadata),
        "hostId": hashlib.sha224((server.project_id + server.host).encode()).hexdigest(),
        "image": "",
        "flavor": {
            "vcpus": flavor.vcpus,
            "ram": flavor.ram,
            "disk": flavor.disk,
            "ephemeral": flavor.ephemeral,
            "swap": flavor.swap,
            "original_name": flavor.name,
            "extra_specs": dict(flavor.extra_specs),
        },
        "created": iso_seconds(server.created_at),
        "updated": iso_seconds(server.updated_at),
        "addresses": _addresses(store, server),
        "accessIPv4": "",
        "accessIPv6": "",
        "links": [{"rel": "self", "href": f"{call.base_url}/compute/v2.1/servers/{server.id}"}],
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0 if server.vm_state == "building" else 100,
        "OS-EXT-AZ:availability_zone": server.availability_zone,
        "config_drive": "",
        "key_name": server.key_name,
        # When it first ran; a server that never did (still building, or failed) has none.
        "OS-SRV-USG:launched_at": iso_seconds(server.runs[0][0]) if server.runs else None,
        "OS-SRV-USG:terminated_at": None,
        "security_groups": _security_group_names(store, server),
        "OS-EXT-STS:task_state": server.task_state,
        "OS-EXT-STS:vm_state": server.vm_state,
        "OS-EXT-STS:power_state": server.power_state,
        "os-extended-volumes:volumes_attached": [
            {"id": v.volume_id, "delete_on_termination": v.delete_on_termination}
            for v in server.volumes
        ],
        "locked": False,
        "locked_reason": None,
        "description": None,
        "tags": [],
        "trusted_image_certificates": None,
        "host_status": "UP",
        "server_groups": [server.server_group_id] if server.server_group_id else [],
        "pinned_availability_zone": None,
    }
    if server.fault:
        body["fault"] = {
            "code": 500,
            "message": server.fault,
            "created": iso_seconds(server.updated_at),
        }
    if call.caller.is_admin:
        root = next((v.device for v in server.volumes if v.boot_index == 0), "/dev/vda")
        body.update(
            {
                "OS-EXT-SRV-ATTR:root_device_name": root,
                "OS-EXT-SRV-ATTR:host": server.host,
                "OS-EXT-SRV-ATTR:hypervisor_hostname": f"{server.host}.sim",
                "OS-EXT-SRV-ATTR:instance_name": f"instance-{server.id[:8]}",
            }
        )
    return body


def _listed(call: Call) -> list[Server]:
    everyone = call.flag("all_tenants") and call.caller.is_admin
    if call.query.get("all_tenants") and not call.caller.is_admin:
        raise forbidden(
            "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed."
        )
    servers = []
    for server in call.store.servers.values():
        refresh(server)
        if not everyone and server.project_id != call.caller.project_id:
            continue
        servers.append(server)
    query = call.query
    if query.get("project_id") or query.get("tenant_id"):
        servers = [
            s
            for s in servers
            if s.project_id == (query.get("project_id") or query.get("tenant_id"))
        ]
    if query.get("name"):
        pattern = re.compile(query["name"])
        servers = [s for s in servers if pattern.search(s.name)]
    if query.get("status"):
        servers = [s for s in servers if _STATUS.get(s.vm_state) == query["status"].upper()]
    for key in ("key_name", "availability_zone", "user_id"):
        if query.get(key):
            servers = [s for s in servers if str(getattr(s, key)) == query[key]]
    if query.get("uuid"):
        servers = [s for s in servers if s.id == query["uuid"]]
    return sorted(servers, key=lambda s: (s.created_at, s.id), reverse=True)


def _server_page(call: Call, detail: bool) -> Any:
    rendered = [
        render_server(call, s) if detail else {"id": s.id, "name": s.name, "links": []}
        for s in _listed(call)
    ]
    chunk, marker = page(rendered, call.query, call.store.max_limit)
    body: dict[str, Any] = {"servers": chunk}
    if marker:
        collection = f"{call.base_url}/compute/v2.1/servers{'/detail' if detail else ''}"
        query = next_query(call.query, marker)
        body["servers_links"] = [{"rel": "next", "href": f"{collection}?{query}"}]
    return ok(body)


@router.add("GET", "/servers")
def list_servers(call: Call) -> Any:
    return _server_page(call, detail=False)


@router.add("GET", "/servers/detail")
def list_servers_detail(call: Call) -> Any:
    return _server_page(call, detail=True)


@router.add("GET", "/servers/{id}")
def get_server(call: Call) -> Any:
    return ok({"server": render_server(call, _server(call, call.params["id"]))})


@router.add("POST", "/servers")
def create_server(call: Call) -> Any:
    call.require_write()
    spec = call.member("server")
    store = call.store
    project = call.project()
    name, key_name, zone, metadata = _boot_basics(call, spec)
    flavor = _boot_flavor(call, spec.get("flavorRef"))
    _check_quota(call, project, flavor)
    hints = call.body.get("OS-SCH-HNT:scheduler_hints") or spec.get("scheduler_hints") or {}
    group = _group(call, hints["group"]) if hints.get("group") else None
    volumes, from_images = _boot_volumes(call, spec)
    if not volumes and not spec.get("imageRef"):
        raise bad_request(
            "Block Device Mapping is Invalid: You specified "
            "more local devices than the limit allows"
        )
    if spec.get("imageRef") and spec["imageRef"] not in store.images:
        raise bad_request(f"Can not find requested image {spec['imageRef']}")
    requested_groups = [g.get("name") for g in spec.get("security_groups") or []]
    ports, owned = _boot_ports(call, spec.get("networks"), requested_groups)
    for attached, volume_spec, image in from_images:
        attached.volume_id = block_storage.create_boot_volume(call, volume_spec, image).id
    now = time.time()
    server = Server(
        id=new_id(),
        name=name,
        project_id=project,
        user_id=call.caller.user_id,
        flavor=flavor,
        key_name=key_name,
        metadata=dict(metadata),
        availability_zone=zone,
        created_at=now,
        ready_at=now + store.boot_seconds,
        port_ids=ports,
        owned_port_ids=owned,
        server_group_id=group.id if group else None,
        admin_pass=secrets.token_urlsafe(9),
    )
    for port_id in ports:
        port = store.ports[port_id]
        port.device_id, port.device_owner, port.binding_host_id = (
            server.id,
            "compute:nova",
            server.host,
        )
    for attached in volumes:
        block_storage.attach(store, store.volumes[attached.volume_id], server, attached.device)
    server.volumes = volumes
    if group:
        group.members.append(server.id)
    store.servers[server.id] = server
    _record(call, server, "create")
    body = {
        "server": {
            "id": server.id,
            "links": render_server(call, server)["links"],
            "OS-DCF:diskConfig": "MANUAL",
            "security_groups": _security_group_names(store, server),
            "adminPass": server.admin_pass,
        }
    }
    return ok(body, 202, {"Location": f"{call.base_url}/compute/v2.1/servers/{server.id}"})


def _boot_basics(call: Call, spec: dict[str, Any]) -> tuple[str, str | None, str, dict[str, str]]:
    name = str(spec.get("name") or "")
    if not name or len(name) > 255:
        raise bad_request("Invalid input for field/attribute name.")
    key_name = spec.get("key_name")
    if key_name and (call.caller.user_id, key_name) not in call.store.keypairs:
        raise bad_request(f"Invalid key_name provided: {key_name}")
    zone = spec.get("availability_zone") or call.store.availability_zone
    if zone != call.store.availability_zone:
        raise bad_request(f"The requested availability zone is not available: {zone}")
    metadata = spec.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad_request("Invalid input for field/attribute metadata: values must be strings.")
    return name, key_name, zone, metadata


def _boot_flavor(call: Call, reference: Any) -> Flavor:
    key = str(reference or "").rstrip("/").rsplit("/", 1)[-1]
    flavor = call.store.flavors.get(key)
    if flavor is None:
        raise bad_request(f"Flavor {key} could not be found.")
    return flavor


def _check_quota(call: Call, project: str, flavor: Flavor) -> None:
    quota = call.store.quota(project)
    mine = [s for s in call.store.servers.values() if s.project_id == project]
    for resource, used, wanted, limit in (
        ("instances", len(mine), 1, quota.instances),
        ("cores", sum(s.flavor.vcpus for s in mine), flavor.vcpus, quota.cores),
        ("ram", sum(s.flavor.ram for s in mine), flavor.ram, quota.ram),
    ):
        if limit >= 0 and used + wanted > limit:
            raise ApiError(
                403,
                f"Quota exceeded for {resource}: Requested {wanted}, but already used "
                f"{used} of {limit} {resource}",
            )


def _boot_volumes(
    call: Call, spec: dict[str, Any]
) -> tuple[list[AttachedVolume], list[tuple[AttachedVolume, dict[str, Any], Any]]]:
    """The server's volumes from its block device mappings, checked: existing volumes, and
    volumes Nova is to make from an image (source image, destination volume), which it makes
    only once the whole request is checked: for those, the spec of the volume and the image."""
    mappings = spec.get("block_device_mapping_v2") or []
    if not isinstance(mappings, list):
        raise bad_request("Invalid input for field/attribute block_device_mapping_v2.")
    chosen: list[AttachedVolume] = []
    from_images: list[tuple[AttachedVolume, dict[str, Any], Any]] = []
    for number, mapping in enumerate(
        sorted(mappings, key=lambda m: _boot_index(m) if _boot_index(m) >= 0 else 1000)
    ):
        index = _boot_index(mapping)
        device = mapping.get("device_name") or f"/dev/vd{chr(ord('a') + number)}"
        keep = bool(mapping.get("delete_on_termination", False))
        if (mapping.get("source_type"), mapping.get("destination_type")) == ("image", "volume"):
            earlier = sum(int(planned["size"]) for _, planned, _ in from_images)
            volume_spec, image = block_storage.boot_volume_spec(call, mapping, earlier)
            attached = AttachedVolume("", device, index if index >= 0 else None, keep)
            from_images.append((attached, volume_spec, image))
            chosen.append(attached)
            continue
        if (
            mapping.get("source_type") != "volume"
            or mapping.get("destination_type", "volume") != "volume"
        ):
            raise bad_request(
                "Block Device Mapping is Invalid: the simulator maps existing volumes, and "
                "volumes Nova makes from an image (source_type image, destination_type volume)."
            )
        volume = block_storage.visible_volume(call, str(mapping.get("uuid", "")), for_nova=True)
        if volume.status != "available":
            raise bad_request(
                f"Invalid volume: volume {volume.id} status must be 'available'. "
                f"Currently in '{volume.status}'"
            )
        if index == 0 and not volume.bootable:
            raise bad_request(f"Block Device {volume.id} is not bootable.")
        if any(c.volume_id == volume.id for c in chosen):
            raise bad_request(f"Block Device Mapping is Invalid: volume {volume.id} mapped twice.")
        chosen.append(AttachedVolume(volume.id, device, index if index >= 0 else None, keep))
    return chosen, from_images


def _boot_index(mapping: dict[str, Any]) -> int:
    value = mapping.get("boot_index")
    if value in (None, "", "none"):
        return -1
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid boot_index {value!r}.") from None


def _requested_groups(call: Call, names: list[Any]) -> list[str]:
    """Security groups by name, applied only to the ports Nova makes itself."""
    groups = []
    for name in [n for n in names if n]:
        match = [
            g
            for g in call.store.security_groups.values()
            if g.name == name and g.project_id == call.caller.project_id
        ]
        if not match:
            raise bad_request(f"Unable to find security_group with name or id '{name}'")
        groups.append(match[0].id)
    return groups


def _boot_ports(call: Call, networks: Any, group_names: list[Any]) -> tuple[list[str], list[str]]:
    store = call.store
    if networks in (None, "none", []):
        return [], []
    if networks == "auto":
        candidates = [
            n
            for n in store.networks.values()
            if n.project_id == call.caller.project_id and not n.external
        ]
        if not candidates:
            raise bad_request("Unable to automatically allocate a network for project")
        networks = [{"uuid": candidates[0].id}]
    if not isinstance(networks, list):
        raise bad_request("Invalid input for field/attribute networks.")
    groups = _requested_groups(call, group_names)
    ports: list[str] = []
    owned: list[str] = []
    for entry in networks:
        port_id, made = _boot_port(call, entry, groups)
        ports.append(port_id)
        if made:
            owned.append(port_id)
    return ports, owned


def _boot_port(call: Call, entry: dict[str, Any], groups: list[str]) -> tuple[str, bool]:
    """An existing port to bind, or a new one on a network; returns its id and whether Nova
    made it (and so deletes it with the server)."""
    if entry.get("port"):
        port = call.store.ports.get(entry["port"])
        if port is None or (port.project_id != call.caller.project_id and not call.caller.is_admin):
            raise bad_request(f"Port {entry['port']} could not be found.")
        if port.device_id:
            raise conflict(f"Port {port.id} is still in use.")
        return port.id, False
    if not entry.get("uuid"):
        raise bad_request(
            "Invalid input for field/attribute networks: each entry needs a port or uuid."
        )
    spec: dict[str, Any] = {"network_id": entry["uuid"]}
    if entry.get("fixed_ip"):
        spec["fixed_ips"] = [{"ip_address": entry["fixed_ip"]}]
    if groups:
        spec["security_groups"] = groups
    try:
        return network.make_port(call, spec).id, True
    except ApiError as error:
        raise bad_request(error.message) from None


@router.add("PUT", "/servers/{id}")
def update_server(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    spec = call.member("server")
    if "name" in spec:
        server.name = str(spec["name"])
    server.updated_at = time.time()
    return ok({"server": render_server(call, server)})


@router.add("DELETE", "/servers/{id}")
def delete_server(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    remove_server(call.store, server)
    return ok(status=204)


def remove_server(store: Store, server: Server) -> None:
    """Deletes a server: its own ports go, others are unbound; volumes are detached (and
    deleted when so mapped)."""
    for port_id in server.port_ids:
        port = store.ports.get(port_id)
        if port is None:
            continue
        if port_id in server.owned_port_ids:
            del store.ports[port_id]
        else:
            port.device_id, port.device_owner, port.binding_host_id = "", "", ""
    for attached in server.volumes:
        volume = store.volumes.get(attached.volume_id)
        if volume is not None:
            block_storage.detach(store, volume, server)
            # Nova's delete of a volume with snapshots fails, and it leaves the volume.
            if attached.delete_on_termination and not block_storage.snapshots_of(store, volume):
                block_storage.remove_volume(store, volume)
    for group in store.server_groups.values():
        if server.id in group.members:
            group.members.remove(server.id)
    server.set_state("deleted", 0)
    server.terminated_at = time.time()
    store.deleted_servers[server.id] = server
    del store.servers[server.id]


@router.add("POST", "/servers/{id}/action")
def server_action(call: Call) -> Any:
    server = _server(call, call.params["id"])
    if len(call.body) != 1:
        raise bad_request("There must be exactly one action in the request body.")
    action = next(iter(call.body))
    if action == "os-getConsoleOutput":
        return ok({"output": _console_log(server, call.body[action] or {})})
    call.require_write()
    if action in _GROUP_ACTIONS:
        _change_security_group(call, server, action, call.body[action] or {})
        _record(call, server, action)
        return ok(status=202)
    if action not in _ACTIONS:
        raise bad_request(f"The action {action} is not supported by the simulator.")
    allowed, state, power = _ACTIONS[action]
    if server.vm_state not in allowed:
        raise conflict(
            f"Cannot '{action.removeprefix('os-')}' instance {server.id} "
            f"while it is in vm_state {server.vm_state}"
        )
    if action == "reboot" and server.vm_state == "active":
        server.set_state("stopped", 4)  # its run ends, a new one begins
    server.set_state(state, power)
    _record(call, server, action.removeprefix("os-"))
    return ok(status=202)


# Security groups of a server are those of its ports (Nova's add/remove change all of them).
_GROUP_ACTIONS = ("addSecurityGroup", "removeSecurityGroup")


def _change_security_group(call: Call, server: Server, action: str, body: dict[str, Any]) -> None:
    """:raises ApiError: no such group of the project, or (remove) not on the server."""
    name = str(body.get("name") or "")
    found = [
        g
        for g in call.store.security_groups.values()
        if name in (g.name, g.id) and g.project_id == server.project_id
    ]
    if not found:
        raise not_found("Security group", name)
    group_id = found[0].id
    ports = [call.store.ports[p] for p in server.port_ids if p in call.store.ports]
    if action == "removeSecurityGroup":
        if not any(group_id in port.security_group_ids for port in ports):
            raise bad_request(f"Security group {name} not associated with the instance {server.id}")
        for port in ports:
            port.security_group_ids = [g for g in port.security_group_ids if g != group_id]
        return
    for port in ports:
        if group_id not in port.security_group_ids:
            port.security_group_ids.append(group_id)


def _console_log(server: Server, body: dict[str, Any]) -> str:
    """What a booted guest printed: a line per time it started, as far as the simulator knows."""
    lines = [f"[    0.000000] Linux version 6.1.0 ({server.name})"]
    for started, stopped in server.runs:
        lines.append(f"{iso_seconds(started)} login: {server.name} is up")
        if stopped is not None:
            lines.append(f"{iso_seconds(stopped)} reboot: Power down")
    wanted = body.get("length")
    return "\n".join(lines[-int(wanted) :] if wanted else lines) + "\n"


def _record(call: Call, server: Server, action: str) -> None:
    """Notes an instance action, as Nova does for every call that changes the server."""
    server.actions.append(
        {
            "action": action,
            "instance_uuid": server.id,
            "request_id": call.request.request_id or f"req-{uuid.uuid4()}",
            "user_id": call.caller.user_id,
            "project_id": server.project_id,
            "start_time": iso_seconds(time.time()),
            "updated_at": iso_seconds(time.time()),
            "message": None,
        }
    )


@router.add("GET", "/servers/{id}/os-instance-actions")
def instance_actions(call: Call) -> Any:
    server = _server(call, call.params["id"])
    return ok({"instanceActions": list(reversed(server.actions))})


@router.add("GET", "/servers/{id}/os-instance-actions/{request_id}")
def instance_action(call: Call) -> Any:
    server = _server(call, call.params["id"])
    for action in server.actions:
        if action["request_id"] == call.params["request_id"]:
            return ok({"instanceAction": {**action, "events": []}})
    raise not_found("Action", call.params["request_id"])


@router.add("GET", "/servers/{id}/metadata")
def get_metadata(call: Call) -> Any:
    return ok({"metadata": dict(_server(call, call.params["id"]).metadata)})


@router.add("POST", "/servers/{id}/metadata")
def update_metadata(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    server.metadata.update({str(k): str(v) for k, v in call.member("metadata").items()})
    return ok({"metadata": dict(server.metadata)})


@router.add("PUT", "/servers/{id}/metadata")
def replace_metadata(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    server.metadata = {str(k): str(v) for k, v in call.member("metadata").items()}
    return ok({"metadata": dict(server.metadata)})


@router.add("DELETE", "/servers/{id}/metadata/{key}")
def delete_metadata_item(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    if call.params["key"] not in server.metadata:
        raise not_found("Metadata item", call.params["key"])
    del server.metadata[call.params["key"]]
    return ok(status=204)


def _attachment(server: Server, attached: AttachedVolume) -> dict[str, Any]:
    return {
        "id": attached.volume_id,
        "volumeId": attached.volume_id,
        "serverId": server.id,
        "device": attached.device,
        "tag": None,
        "delete_on_termination": attached.delete_on_termination,
        "attachment_id": attached.volume_id,
        "bdm_uuid": attached.volume_id,
    }


@router.add("GET", "/servers/{id}/os-volume_attachments")
def list_attachments(call: Call) -> Any:
    server = _server(call, call.params["id"])
    return ok({"volumeAttachments": [_attachment(server, v) for v in server.volumes]})


@router.add("POST", "/servers/{id}/os-volume_attachments")
def attach_volume(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    spec = call.member("volumeAttachment")
    volume = block_storage.visible_volume(call, str(spec.get("volumeId", "")), for_nova=True)
    if volume.status != "available":
        raise bad_request(f"Invalid volume: volume {volume.id} status must be 'available'")
    device = spec.get("device") or f"/dev/vd{chr(ord('a') + len(server.volumes))}"
    attached = AttachedVolume(
        volume.id, device, None, bool(spec.get("delete_on_termination", False))
    )
    block_storage.attach(call.store, volume, server, device)
    server.volumes.append(attached)
    return ok({"volumeAttachment": _attachment(server, attached)})


@router.add("DELETE", "/servers/{id}/os-volume_attachments/{volume_id}")
def detach_volume(call: Call) -> Any:
    call.require_write()
    server = _server(call, call.params["id"])
    attached = next((v for v in server.volumes if v.volume_id == call.params["volume_id"]), None)
    if attached is None:
        raise not_found("Volume attachment", call.params["volume_id"])
    if attached.boot_index == 0:
        raise bad_request("Can't detach root device volume")
    block_storage.detach(call.store, call.store.volumes[attached.volume_id], server)
    server.volumes.remove(attached)
    return ok(status=202)


@router.add("GET", "/os-availability-zone")
def availability_zones(call: Call) -> Any:
    return ok(
        {
            "availabilityZoneInfo": [
                {
                    "zoneName": call.store.availability_zone,
                    "zoneState": {"available": True},
                    "hosts": None,
                }
            ]
        }
    )


@router.add("GET", "/os-availability-zone/detail")
def availability_zones_detail(call: Call) -> Any:
    return availability_zones(call)


@router.add("GET", "/limits")
def limits(call: Call) -> Any:
    project = call.query.get("tenant_id") or call.project()
    if project != call.caller.project_id:
        call.require_admin()
    quota = call.store.quota(project)
    mine = [s for s in call.store.servers.values() if s.project_id == project]
    groups = [g for g in call.store.server_groups.values() if g.project_id == project]
    return ok(
        {
            "limits": {
                "rate": [],
                "absolute": {
                    "maxTotalInstances": quota.instances,
                    "totalInstancesUsed": len(mine),
                    "maxTotalCores": quota.cores,
                    "totalCoresUsed": sum(s.flavor.vcpus for s in mine),
                    "maxTotalRAMSize": quota.ram,
                    "totalRAMUsed": sum(s.flavor.ram for s in mine),
                    "maxServerMeta": 128,
                    "maxImageMeta": 128,
                    "maxPersonality": 5,
                    "maxPersonalitySize": 10240,
                    "maxTotalKeypairs": 100,
                    "maxServerGroups": 10,
                    "totalServerGroupsUsed": len(groups),
                    "maxServerGroupMembers": 10,
                },
            }
        }
    )


# Usage (os-simple-tenant-usage) ----------------------------------------------------------------

_USAGE_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")
# Nova's [api] max_limit: the most servers one usage page counts.
MAX_LIMIT = 1000


def _usage_time(value: str | None, now: float) -> float:
    if not value:
        return now
    for layout in _USAGE_TIME_FORMATS:
        try:
            return datetime.strptime(value, layout).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise bad_request("Datetime is in invalid format")


def _usage_stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _usage_period(call: Call) -> tuple[float, float]:
    """[start, end) of the query (each now when missing), the end no later than now."""
    now = time.time()
    start = _usage_time(call.query.get("start"), now)
    end = _usage_time(call.query.get("end"), now)
    if not start < end:
        raise bad_request("Invalid start time. The start time cannot occur after the end time.")
    return start, min(end, now)


def _usage_servers(call: Call, start: float, end: float, project: str | None) -> list[Server]:
    """Nova's instances active in the window (launched before its end, not terminated before
    its start), oldest first; from 2.40 one page of them (limit, marker: an instance id)."""
    store = call.store
    for server in store.servers.values():
        refresh(server)
    every = list((store.deleted_servers | store.servers).values())
    chosen = sorted(
        (
            s
            for s in every
            if (project is None or s.project_id == project)
            and s.runs
            and (s.runs[0][0] or 0.0) < end
            and (s.terminated_at is None or s.terminated_at > start)
        ),
        key=lambda s: (s.created_at, s.id),
    )
    if not call.at_least(2, 40):
        return chosen
    marker = call.query.get("marker")
    if marker:
        found = next((s for s in every if s.id == marker), None)
        if found is None:
            raise bad_request(f"Marker {marker} could not be found.")
        chosen = [s for s in chosen if (s.created_at, s.id) > (found.created_at, found.id)]
    return chosen[: _usage_limit(call)]


def _usage_limit(call: Call) -> int:
    raw = call.query.get("limit")
    if raw in (None, ""):
        return MAX_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(f"limit must be an integer, not {raw!r}") from None
    if limit < 0:
        raise bad_request("limit must be >= 0")
    return min(limit, MAX_LIMIT)


def _server_usage(server: Server, start: float, end: float, now: float) -> dict[str, Any]:
    launched = server.runs[0][0] or 0.0
    stop = end if server.terminated_at is None else min(end, server.terminated_at)
    flavor = server.flavor
    return {
        "instance_id": server.id,
        "name": server.name,
        "tenant_id": server.project_id,
        "flavor": flavor.name,
        "hours": max(0.0, stop - max(launched, start)) / 3600.0,
        "vcpus": flavor.vcpus,
        "memory_mb": flavor.ram,
        "local_gb": flavor.disk + flavor.ephemeral,
        "started_at": _usage_stamp(launched),
        "ended_at": _usage_stamp(server.terminated_at) if server.terminated_at else None,
        "state": "terminated" if server.terminated_at else server.vm_state,
        "uptime": int((server.terminated_at or now) - launched),
    }


def _usages(
    call: Call, servers: list[Server], start: float, end: float, detailed: bool
) -> dict[str, dict[str, Any]]:
    """Per project: the totals over its servers (and, detailed, each server's usage)."""
    now = time.time()
    summaries: dict[str, dict[str, Any]] = {}
    for server in servers:
        usage = _server_usage(server, start, end, now)
        summary = summaries.setdefault(
            server.project_id,
            {
                "tenant_id": server.project_id,
                **({"server_usages": []} if detailed else {}),
                "total_local_gb_usage": 0.0,
                "total_vcpus_usage": 0.0,
                "total_memory_mb_usage": 0.0,
                "total_hours": 0.0,
                "start": _usage_stamp(start),
                "stop": _usage_stamp(end),
            },
        )
        summary["total_local_gb_usage"] += usage["local_gb"] * usage["hours"]
        summary["total_vcpus_usage"] += usage["vcpus"] * usage["hours"]
        summary["total_memory_mb_usage"] += usage["memory_mb"] * usage["hours"]
        summary["total_hours"] += usage["hours"]
        if detailed:
            summary["server_usages"].append(usage)
    return summaries


def _usage_links(call: Call, path: str, servers: list[Server]) -> list[dict[str, str]]:
    """From 2.40, a next link when the page is full."""
    if not call.at_least(2, 40) or not servers or len(servers) < _usage_limit(call):
        return []
    query = {k: v for k, v in call.query.items() if k != "marker"}
    query["marker"] = servers[-1].id
    href = f"{call.base_url}/compute/v2.1{path}?{urlencode(sorted(query.items()))}"
    return [{"rel": "next", "href": href}]


@router.add("GET", "/os-simple-tenant-usage")
def list_usage(call: Call) -> Any:
    """Every project's usage in the window: admin only, as Nova's policy says."""
    if not call.caller.is_admin:
        raise forbidden(
            "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed."
        )
    start, end = _usage_period(call)
    servers = _usage_servers(call, start, end, None)
    summaries = _usages(call, servers, start, end, call.flag("detailed"))
    body: dict[str, Any] = {"tenant_usages": list(summaries.values())}
    links = _usage_links(call, "/os-simple-tenant-usage", servers)
    if links:
        body["tenant_usages_links"] = links
    return ok(body)


@router.add("GET", "/os-simple-tenant-usage/{project}")
def show_usage(call: Call) -> Any:
    """One project's usage in the window, with each server's: the project's own users (a
    reader too) and admins; {} when none of its servers ran then."""
    project = call.params["project"]
    if project != call.caller.project_id and not call.caller.is_admin:
        raise forbidden(
            "Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed."
        )
    start, end = _usage_period(call)
    servers = _usage_servers(call, start, end, project)
    summary = _usages(call, servers, start, end, True).get(project, {})
    body: dict[str, Any] = {"tenant_usage": summary}
    links = _usage_links(call, f"/os-simple-tenant-usage/{project}", servers)
    if links:
        body["tenant_usage_links"] = links
    return ok(body)


# Quotas and what admins list (os-quota-sets, os-hypervisors, os-services, os-aggregates) -----

# Nova's defaults for the limits the simulator does not enforce.
_FIXED_LIMITS = {
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
}


def _quota_limits(call: Call, project: str) -> dict[str, int]:
    quota = call.store.quota(project)
    return {"instances": quota.instances, "cores": quota.cores, "ram": quota.ram} | _FIXED_LIMITS


def _quota_usage(call: Call, project: str) -> dict[str, int]:
    mine = [s for s in call.store.servers.values() if s.project_id == project]
    return {
        "instances": len(mine),
        "cores": sum(s.flavor.vcpus for s in mine),
        "ram": sum(s.flavor.ram for s in mine),
    }


@router.add("GET", "/os-quota-sets/{project}")
def quota_set(call: Call) -> Any:
    project = call.params["project"]
    if project != call.caller.project_id:
        call.require_admin()
    return ok({"quota_set": {"id": project, **_quota_limits(call, project)}})


@router.add("PUT", "/os-quota-sets/{project}")
def update_quota_set(call: Call) -> Any:
    """An admin's new limits for a project (instances, cores, ram)."""
    project = call.params["project"]
    names = {"instances": "instances", "cores": "cores", "ram": "ram"}
    asked = call.member("quota_set")
    in_use = None if flag(asked, "force", False) else _quota_usage(call, project)
    update_quota(call, project, asked, names, in_use)
    return ok({"quota_set": _quota_limits(call, project)})


@router.add("GET", "/os-quota-sets/{project}/detail")
def quota_set_detail(call: Call) -> Any:
    project = call.params["project"]
    if project != call.caller.project_id:
        call.require_admin()
    used = _quota_usage(call, project)
    limits = _quota_limits(call, project)
    detail = {k: {"limit": v, "in_use": used.get(k, 0), "reserved": 0} for k, v in limits.items()}
    return ok({"quota_set": {"id": project, **detail}})


@router.add("GET", "/os-quota-sets/{project}/defaults")
def quota_defaults(call: Call) -> Any:
    defaults = call.store.default_quota
    limits = {"instances": defaults.instances, "cores": defaults.cores, "ram": defaults.ram}
    return ok({"quota_set": {"id": call.params["project"], **limits, **_FIXED_LIMITS}})


def _hypervisor(call: Call, host: str, index: int) -> dict[str, Any]:
    running = [s for s in call.store.servers.values() if s.host == host]
    return {
        "id": f"{uuid.uuid5(uuid.NAMESPACE_DNS, host)}",
        "hypervisor_hostname": host,
        "hypervisor_type": "QEMU",
        "hypervisor_version": 8002000,
        "host_ip": f"192.0.2.{10 + index}",
        "state": "up",
        "status": "enabled",
        "running_vms": len(running),
        "service": {"host": host, "id": index + 1, "disabled_reason": None},
        "servers": [{"name": s.name, "uuid": s.id} for s in running],
    }


def _compute_hosts(call: Call) -> list[str]:
    return sorted({"cmp1"} | {s.host for s in call.store.servers.values()})


@router.add("GET", "/os-hypervisors")
def list_hypervisors(call: Call) -> Any:
    call.require_admin()
    found = [_hypervisor(call, h, i) for i, h in enumerate(_compute_hosts(call))]
    return ok(
        {
            "hypervisors": [
                {k: h[k] for k in ("id", "hypervisor_hostname", "state", "status")} for h in found
            ]
        }
    )


@router.add("GET", "/os-hypervisors/detail")
def list_hypervisors_detail(call: Call) -> Any:
    call.require_admin()
    return ok(
        {"hypervisors": [_hypervisor(call, h, i) for i, h in enumerate(_compute_hosts(call))]}
    )


@router.add("GET", "/os-services")
def list_compute_services(call: Call) -> Any:
    call.require_admin()
    now = iso_seconds(time.time())
    services = [("nova-scheduler", "ctl1", "internal"), ("nova-conductor", "ctl1", "internal")]
    services += [("nova-compute", host, "nova") for host in _compute_hosts(call)]
    return ok(
        {
            "services": [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{binary}@{host}")),
                    "binary": binary,
                    "host": host,
                    "zone": zone,
                    "status": "enabled",
                    "state": "up",
                    "updated_at": now,
                    "disabled_reason": None,
                    "forced_down": False,
                }
                for binary, host, zone in services
            ]
        }
    )


@router.add("GET", "/os-aggregates")
def list_aggregates(call: Call) -> Any:
    call.require_admin()
    return ok({"aggregates": []})
