"""Neutron v2.0: networks, subnets with address allocation, ports with fixed IPs and MACs,
security groups and rules, routers with interfaces and gateways, floating IPs, tags, quotas."""

from __future__ import annotations

import ipaddress
import random
import time
import uuid
from typing import Any

from simulators.openstack.errors import ApiError, bad_request, conflict, not_found
from simulators.openstack.listing import filter_items, page
from simulators.openstack.quotas import flag, update_quota
from simulators.openstack.routing import Call, Router, ok
from simulators.openstack.store import (
    FloatingIp,
    Network,
    Port,
    Quota,
    SecurityGroup,
    SecurityGroupRule,
    Store,
    Subnet,
    iso_seconds,
    new_id,
)
from simulators.openstack.store import Router as NetRouter

router = Router()
EXTENSIONS = [
    "tag",
    "standard-attr-tag",
    "tag-creation",
    "router",
    "external-net",
    "security-group",
    "port-security",
    "binding",
    "quotas",
    "extra_dhcp_opt",
]


# Visibility ----------------------------------------------------------------------------------


def _visible(call: Call, project_id: str, shared: bool = False) -> bool:
    return call.caller.is_admin or shared or project_id == call.caller.project_id


def _owner(call: Call, body: dict[str, Any]) -> str:
    requested = body.get("project_id") or body.get("tenant_id")
    if requested and requested != call.caller.project_id:
        call.require_admin()
        return str(requested)
    return call.project()


def _network(call: Call, network_id: str) -> Network:
    net = call.store.networks.get(network_id)
    if net is None or not _visible(call, net.project_id, net.shared or net.external):
        raise not_found("Network", network_id, "NetworkNotFound")
    return net


def _get(call: Call, table: dict[str, Any], key: str, kind: str) -> Any:
    thing = table.get(key)
    if thing is None or not _visible(call, thing.project_id):
        raise not_found(kind, key, f"{kind.replace(' ', '')}NotFound")
    return thing


def _list(call: Call, plural: str, items: list[dict[str, Any]]) -> Any:
    chosen = filter_items(items, call.request.query_lists)
    chunk, marker = page(chosen, call.query)
    body: dict[str, Any] = {plural: chunk}
    if marker:
        body[f"{plural}_links"] = [
            {"rel": "next", "href": f"?limit={call.query['limit']}&marker={marker}"}
        ]
    return ok(body)


def _common(thing: Any) -> dict[str, Any]:
    return {
        "project_id": thing.project_id,
        "tenant_id": thing.project_id,
        "description": thing.description,
        "tags": list(thing.tags),
        "created_at": iso_seconds(thing.created_at),
        "updated_at": iso_seconds(thing.created_at),
        "revision_number": getattr(thing, "revision", 1),
    }


def _quota_check(call: Call, project_id: str, kind: str, table: dict[str, Any]) -> None:
    limit = getattr(call.store.quota(project_id), kind)
    used = sum(1 for t in table.values() if t.project_id == project_id)
    if limit >= 0 and used >= limit:
        raise ApiError(409, f"Quota exceeded for resources: ['{kind.rstrip('s')}'].", "OverQuota")


# Networks ------------------------------------------------------------------------------------


def render_network(store: Store, net: Network) -> dict[str, Any]:
    return {
        "id": net.id,
        "name": net.name,
        "status": "ACTIVE",
        "admin_state_up": net.admin_state_up,
        "shared": net.shared,
        "router:external": net.external,
        "mtu": net.mtu,
        "port_security_enabled": net.port_security_enabled,
        "subnets": [s.id for s in store.subnets.values() if s.network_id == net.id],
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "provider:network_type": "vxlan",
        "provider:physical_network": None,
        "provider:segmentation_id": 1000 + (int(net.id[:4], 16) % 8000),
        **_common(net),
    }


@router.add("GET", "/networks")
def list_networks(call: Call) -> Any:
    store = call.store
    items = [
        render_network(store, n)
        for n in store.networks.values()
        if _visible(call, n.project_id, n.shared or n.external)
    ]
    return _list(call, "networks", items)


@router.add("GET", "/networks/{id}")
def get_network(call: Call) -> Any:
    return ok({"network": render_network(call.store, _network(call, call.params["id"]))})


@router.add("POST", "/networks")
def create_network(call: Call) -> Any:
    call.require_write()
    spec = call.member("network")
    project = _owner(call, spec)
    store = call.store
    _quota_check(call, project, "networks", store.networks)
    if spec.get("router:external") or spec.get("shared"):
        call.require_admin()
    net = Network(
        id=new_id(),
        name=str(spec.get("name") or ""),
        project_id=project,
        created_at=time.time(),
        admin_state_up=bool(spec.get("admin_state_up", True)),
        shared=bool(spec.get("shared", False)),
        external=bool(spec.get("router:external", False)),
        mtu=int(spec.get("mtu") or 1450),
        description=str(spec.get("description") or ""),
        tags=list(spec.get("tags") or []),
        port_security_enabled=bool(spec.get("port_security_enabled", True)),
    )
    store.networks[net.id] = net
    return ok({"network": render_network(store, net)}, 201)


@router.add("PUT", "/networks/{id}")
def update_network(call: Call) -> Any:
    call.require_write()
    net = _network(call, call.params["id"])
    spec = call.member("network")
    for key in ("name", "description", "admin_state_up", "mtu"):
        if key in spec:
            setattr(net, key, spec[key])
    net.revision += 1
    return ok({"network": render_network(call.store, net)})


@router.add("DELETE", "/networks/{id}")
def delete_network(call: Call) -> Any:
    call.require_write()
    store = call.store
    net = _network(call, call.params["id"])
    if any(
        p.network_id == net.id and p.device_owner != "network:dhcp" for p in store.ports.values()
    ):
        raise conflict(
            f"Unable to complete operation on network {net.id}. There are one or more "
            "ports still in use on the network.",
            "NetworkInUse",
        )
    for subnet in [s for s in store.subnets.values() if s.network_id == net.id]:
        del store.subnets[subnet.id]
    del store.networks[net.id]
    return ok(status=204)


# Subnets -------------------------------------------------------------------------------------


def render_subnet(subnet: Subnet) -> dict[str, Any]:
    return {
        "id": subnet.id,
        "name": subnet.name,
        "network_id": subnet.network_id,
        "cidr": subnet.cidr,
        "ip_version": subnet.ip_version,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": [dict(p) for p in subnet.allocation_pools],
        "enable_dhcp": subnet.enable_dhcp,
        "dns_nameservers": list(subnet.dns_nameservers),
        "host_routes": [dict(r) for r in subnet.host_routes],
        "ipv6_address_mode": None,
        "ipv6_ra_mode": None,
        "subnetpool_id": None,
        "segment_id": None,
        "service_types": [],
        **_common(subnet),
    }


@router.add("GET", "/subnets")
def list_subnets(call: Call) -> Any:
    store = call.store
    items = [render_subnet(s) for s in store.subnets.values() if _subnet_visible(call, s)]
    return _list(call, "subnets", items)


def _subnet_visible(call: Call, subnet: Subnet) -> bool:
    net = call.store.networks.get(subnet.network_id)
    shared = net is not None and (net.shared or net.external)
    return _visible(call, subnet.project_id, shared)


def _subnet(call: Call, subnet_id: str) -> Subnet:
    subnet = call.store.subnets.get(subnet_id)
    if subnet is None or not _subnet_visible(call, subnet):
        raise not_found("Subnet", subnet_id, "SubnetNotFound")
    return subnet


@router.add("GET", "/subnets/{id}")
def get_subnet(call: Call) -> Any:
    return ok({"subnet": render_subnet(_subnet(call, call.params["id"]))})


@router.add("POST", "/subnets")
def create_subnet(call: Call) -> Any:
    call.require_write()
    spec = call.member("subnet")
    store = call.store
    net = _network(call, str(spec.get("network_id", "")))
    project = _owner(call, spec) if not net.external else net.project_id
    _quota_check(call, project, "subnets", store.subnets)
    try:
        cidr = ipaddress.ip_network(str(spec.get("cidr", "")), strict=True)
    except ValueError:
        raise bad_request(
            f"Invalid input for cidr. Reason: '{spec.get('cidr')}' is not a valid IP subnet."
        ) from None
    version = int(spec.get("ip_version") or cidr.version)
    if version != cidr.version:
        raise bad_request("ip_version does not match the cidr.")
    for other in store.subnets.values():
        if other.network_id == net.id and ipaddress.ip_network(other.cidr).overlaps(cidr):
            raise bad_request(
                f"Invalid input for operation: Requested subnet with cidr: {cidr} "
                f"for network: {net.id} overlaps with another subnet."
            )
    hosts = list(cidr.hosts()) if cidr.num_addresses <= 65536 else [cidr[1], cidr[-2]]
    gateway = spec["gateway_ip"] if "gateway_ip" in spec else str(hosts[0])
    if gateway is not None and ipaddress.ip_address(gateway) not in cidr:
        raise bad_request(f"Gateway IP {gateway} is not in subnet {cidr}.")
    pools = spec.get("allocation_pools") or [
        {"start": str(hosts[1] if gateway == str(hosts[0]) else hosts[0]), "end": str(hosts[-1])}
    ]
    for pool in pools:
        for end in ("start", "end"):
            if ipaddress.ip_address(pool[end]) not in cidr:
                raise bad_request(
                    f"The allocation pool {pool['start']}-{pool['end']} spans beyond "
                    f"the subnet cidr {cidr}."
                )
    subnet = Subnet(
        id=new_id(),
        name=str(spec.get("name") or ""),
        network_id=net.id,
        project_id=project,
        cidr=str(cidr),
        ip_version=version,
        gateway_ip=gateway,
        allocation_pools=[{"start": p["start"], "end": p["end"]} for p in pools],
        created_at=time.time(),
        enable_dhcp=bool(spec.get("enable_dhcp", True)),
        dns_nameservers=list(spec.get("dns_nameservers") or []),
        host_routes=list(spec.get("host_routes") or []),
        description=str(spec.get("description") or ""),
        tags=list(spec.get("tags") or []),
    )
    store.subnets[subnet.id] = subnet
    return ok({"subnet": render_subnet(subnet)}, 201)


@router.add("PUT", "/subnets/{id}")
def update_subnet(call: Call) -> Any:
    call.require_write()
    subnet = _subnet(call, call.params["id"])
    spec = call.member("subnet")
    for key in (
        "name",
        "description",
        "enable_dhcp",
        "dns_nameservers",
        "host_routes",
        "gateway_ip",
    ):
        if key in spec:
            setattr(subnet, key, spec[key])
    subnet.revision += 1
    return ok({"subnet": render_subnet(subnet)})


@router.add("DELETE", "/subnets/{id}")
def delete_subnet(call: Call) -> Any:
    call.require_write()
    store = call.store
    subnet = _subnet(call, call.params["id"])
    for port in store.ports.values():
        if (
            any(ip["subnet_id"] == subnet.id for ip in port.fixed_ips)
            and port.device_owner != "network:dhcp"
        ):
            raise conflict(
                f"Unable to complete operation on subnet {subnet.id}: One or more ports "
                "have an IP allocation from this subnet.",
                "SubnetInUse",
            )
    del store.subnets[subnet.id]
    return ok(status=204)


def _allocate_ip(store: Store, subnet: Subnet) -> str:
    used = _used_ips(store, subnet)
    for pool in subnet.allocation_pools:
        version = ipaddress.ip_address(pool["start"]).version
        start, end = (
            int(ipaddress.ip_address(pool["start"])),
            int(ipaddress.ip_address(pool["end"])),
        )
        for number in range(start, end + 1):
            address = str(
                ipaddress.ip_address(number) if version == 4 else ipaddress.IPv6Address(number)
            )
            if address not in used:
                return address
    raise conflict(
        f"No more IP addresses available on network {subnet.network_id}.",
        "IpAddressGenerationFailure",
    )


def _used_ips(store: Store, subnet: Subnet) -> set[str]:
    used = {
        ip["ip_address"]
        for p in store.ports.values()
        for ip in p.fixed_ips
        if ip["subnet_id"] == subnet.id
    }
    if subnet.gateway_ip:
        used.add(subnet.gateway_ip)
    # Floating IPs have no port of their own, yet take their address.
    used |= {f.address for f in store.floating_ips.values() if f.network_id == subnet.network_id}
    return used


# Ports ---------------------------------------------------------------------------------------


def render_port(port: Port) -> dict[str, Any]:
    bound = bool(port.device_id) and port.device_owner.startswith(("compute:", "network:"))
    return {
        "id": port.id,
        "name": port.name,
        "network_id": port.network_id,
        "mac_address": port.mac_address,
        "admin_state_up": port.admin_state_up,
        "fixed_ips": [dict(ip) for ip in port.fixed_ips],
        "security_groups": list(port.security_group_ids),
        "device_id": port.device_id,
        "device_owner": port.device_owner,
        "status": "ACTIVE" if bound else "DOWN",
        "binding:host_id": port.binding_host_id,
        "binding:vnic_type": "normal",
        "binding:vif_type": "ovs" if port.binding_host_id else "unbound",
        "binding:profile": {},
        "binding:vif_details": {},
        "allowed_address_pairs": [],
        "extra_dhcp_opts": [],
        "port_security_enabled": port.port_security_enabled,
        "dns_name": "",
        "dns_assignment": [],
        **_common(port),
    }


def _mac(store: Store, network_id: str) -> str:
    taken = {p.mac_address for p in store.ports.values() if p.network_id == network_id}
    while True:
        mac = "fa:16:3e:" + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))  # noqa: S311
        if mac not in taken:
            return mac


def default_security_group(store: Store, project_id: str) -> SecurityGroup:
    """Each project's "default" group, made on first need as Neutron does."""
    for group in store.security_groups.values():
        if group.project_id == project_id and group.name == "default":
            return group
    group = _new_group(store, project_id, "default", "Default security group")
    for ethertype in ("IPv4", "IPv6"):
        group.rules.append(
            SecurityGroupRule(
                new_id(), group.id, project_id, "ingress", ethertype, remote_group_id=group.id
            )
        )
    return group


# Port filters that read a port's own field as it is rendered.
_PORT_KEYS = ("device_id", "network_id", "device_owner")


@router.add("GET", "/ports")
def list_ports(call: Call) -> Any:
    store = call.store
    # A port is looked up by its device or network in every capture of a server: rendering
    # every port before filtering made each of those lookups cost all the region's ports.
    query = call.request.query_lists
    ports = [
        p
        for p in store.ports.values()
        if all(getattr(p, key) in query[key] for key in _PORT_KEYS if key in query)
    ]
    items = [render_port(p) for p in ports if _visible(call, p.project_id)]
    ips = query.pop("fixed_ips", [])
    items = [i for i in items if all(_fixed_ip_matches(i, f) for f in ips)]
    return _list(call, "ports", items)


def _fixed_ip_matches(item: dict[str, Any], expression: str) -> bool:
    key, _, value = expression.partition("=")
    return any(ip.get(key) == value for ip in item["fixed_ips"])


@router.add("GET", "/ports/{id}")
def get_port(call: Call) -> Any:
    return ok({"port": render_port(_get(call, call.store.ports, call.params["id"], "Port"))})


@router.add("POST", "/ports")
def create_port(call: Call) -> Any:
    call.require_write()
    spec = call.member("port")
    port = make_port(call, spec)
    return ok({"port": render_port(port)}, 201)


def make_port(call: Call, spec: dict[str, Any]) -> Port:
    """Creates a port (also for Nova's {"uuid": network} boots).

    :raises ApiError: 409 IpAddressAlreadyAllocated / MacAddressInUse on conflicts.
    """
    store = call.store
    net = _network(call, str(spec.get("network_id", "")))
    project = _owner(call, spec)
    _quota_check(call, project, "ports", store.ports)
    mac = spec.get("mac_address")
    if mac:
        if any(p.mac_address == mac and p.network_id == net.id for p in store.ports.values()):
            raise conflict(
                f"Unable to complete operation for network {net.id}. "
                f"The mac address {mac} is in use.",
                "MacAddressInUse",
            )
    else:
        mac = _mac(store, net.id)
    fixed_ips = _fixed_ips(store, net, spec.get("fixed_ips"))
    groups = spec.get("security_groups")
    if groups is None:
        groups = [default_security_group(store, project).id] if net.port_security_enabled else []
    for group_id in groups:
        _get(call, store.security_groups, group_id, "Security group")
    port = Port(
        id=new_id(),
        name=str(spec.get("name") or ""),
        network_id=net.id,
        project_id=project,
        mac_address=str(mac),
        fixed_ips=fixed_ips,
        security_group_ids=list(groups),
        created_at=time.time(),
        device_id=str(spec.get("device_id") or ""),
        device_owner=str(spec.get("device_owner") or ""),
        admin_state_up=bool(spec.get("admin_state_up", True)),
        description=str(spec.get("description") or ""),
        tags=list(spec.get("tags") or []),
        port_security_enabled=bool(spec.get("port_security_enabled", net.port_security_enabled)),
    )
    store.ports[port.id] = port
    return port


def _fixed_ips(store: Store, net: Network, requested: Any) -> list[dict[str, str]]:
    subnets = [s for s in store.subnets.values() if s.network_id == net.id]
    if requested is None:
        return [{"subnet_id": s.id, "ip_address": _allocate_ip(store, s)} for s in subnets[:1]]
    chosen: list[dict[str, str]] = []
    for entry in requested:
        subnet = None
        if entry.get("subnet_id"):
            subnet = next((s for s in subnets if s.id == entry["subnet_id"]), None)
            if subnet is None:
                raise bad_request(
                    f"Invalid input for operation: Failed to create port on network {net.id}, "
                    f"because fixed_ips included "
                    f"invalid subnet {entry['subnet_id']}."
                )
        address = entry.get("ip_address")
        if address:
            if subnet is None:
                subnet = next(
                    (
                        s
                        for s in subnets
                        if ipaddress.ip_address(address) in ipaddress.ip_network(s.cidr)
                    ),
                    None,
                )
            if subnet is None or ipaddress.ip_address(address) not in ipaddress.ip_network(
                subnet.cidr
            ):
                raise bad_request(
                    f"IP address {address} is not a valid IP for the specified subnet."
                )
            if address in _used_ips(store, subnet) or any(
                address == c["ip_address"] for c in chosen
            ):
                raise conflict(
                    f"IP address {address} already allocated in subnet {subnet.id}",
                    "IpAddressAlreadyAllocated",
                )
            chosen.append({"subnet_id": subnet.id, "ip_address": address})
        elif subnet is not None:
            chosen.append({"subnet_id": subnet.id, "ip_address": _allocate_ip(store, subnet)})
    return chosen


@router.add("PUT", "/ports/{id}")
def update_port(call: Call) -> Any:
    call.require_write()
    store = call.store
    port = _get(call, store.ports, call.params["id"], "Port")
    spec = call.member("port")
    for key in ("name", "description", "admin_state_up", "device_id", "device_owner"):
        if key in spec:
            setattr(port, key, spec[key])
    if "security_groups" in spec:
        for group_id in spec["security_groups"]:
            _get(call, store.security_groups, group_id, "Security group")
        port.security_group_ids = list(spec["security_groups"])
    if "binding:host_id" in spec:
        port.binding_host_id = spec["binding:host_id"]
    port.revision += 1
    return ok({"port": render_port(port)})


@router.add("DELETE", "/ports/{id}")
def delete_port(call: Call) -> Any:
    call.require_write()
    store = call.store
    port = _get(call, store.ports, call.params["id"], "Port")
    if port.device_owner == "network:router_interface":
        raise conflict(
            f"Port {port.id} cannot be deleted directly via the port API: "
            f"has device owner network:router_interface.",
            "L3PortInUse",
        )
    for fip in store.floating_ips.values():
        if fip.port_id == port.id:
            fip.port_id = fip.fixed_ip_address = fip.router_id = None
    del store.ports[port.id]
    return ok(status=204)


# Security groups -----------------------------------------------------------------------------


def _new_group(
    store: Store, project_id: str, name: str, description: str, tags: list[str] | None = None
) -> SecurityGroup:
    group = SecurityGroup(
        new_id(), name, project_id, time.time(), description, tags=list(tags or [])
    )
    for ethertype in ("IPv4", "IPv6"):
        group.rules.append(SecurityGroupRule(new_id(), group.id, project_id, "egress", ethertype))
    store.security_groups[group.id] = group
    return group


def render_rule(rule: SecurityGroupRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "security_group_id": rule.security_group_id,
        "project_id": rule.project_id,
        "tenant_id": rule.project_id,
        "direction": rule.direction,
        "ethertype": rule.ethertype,
        "protocol": rule.protocol,
        "port_range_min": rule.port_range_min,
        "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix,
        "remote_group_id": rule.remote_group_id,
        "remote_address_group_id": None,
        "normalized_cidr": rule.remote_ip_prefix,
        "description": rule.description,
        "tags": [],
        "revision_number": 1,
    }


def render_group(group: SecurityGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "stateful": True,
        "shared": False,
        "security_group_rules": [render_rule(r) for r in group.rules],
        **_common(group),
    }


@router.add("GET", "/security-groups")
def list_groups(call: Call) -> Any:
    store = call.store
    if call.caller.project_id:
        default_security_group(store, call.caller.project_id)
    items = [
        render_group(g) for g in store.security_groups.values() if _visible(call, g.project_id)
    ]
    return _list(call, "security_groups", items)


@router.add("GET", "/security-groups/{id}")
def get_group(call: Call) -> Any:
    return ok(
        {
            "security_group": render_group(
                _get(call, call.store.security_groups, call.params["id"], "Security group")
            )
        }
    )


@router.add("POST", "/security-groups")
def create_group(call: Call) -> Any:
    call.require_write()
    spec = call.member("security_group")
    project = _owner(call, spec)
    store = call.store
    _quota_check(call, project, "security_groups", store.security_groups)
    if spec.get("name") == "default" and any(
        g.project_id == project and g.name == "default" for g in store.security_groups.values()
    ):
        raise conflict(
            "Default security group already exists.", "SecurityGroupDefaultAlreadyExists"
        )
    group = _new_group(
        store,
        project,
        str(spec.get("name") or ""),
        str(spec.get("description") or ""),
        spec.get("tags"),
    )
    return ok({"security_group": render_group(group)}, 201)


@router.add("PUT", "/security-groups/{id}")
def update_group(call: Call) -> Any:
    call.require_write()
    group = _get(call, call.store.security_groups, call.params["id"], "Security group")
    spec = call.member("security_group")
    for key in ("name", "description"):
        if key in spec:
            setattr(group, key, spec[key])
    return ok({"security_group": render_group(group)})


@router.add("DELETE", "/security-groups/{id}")
def delete_group(call: Call) -> Any:
    call.require_write()
    store = call.store
    group = _get(call, store.security_groups, call.params["id"], "Security group")
    if any(group.id in p.security_group_ids for p in store.ports.values()):
        raise conflict(f"Security Group {group.id} in use.", "SecurityGroupInUse")
    for other in store.security_groups.values():
        other.rules = [r for r in other.rules if r.remote_group_id != group.id or other is group]
    del store.security_groups[group.id]
    return ok(status=204)


@router.add("GET", "/security-group-rules")
def list_rules(call: Call) -> Any:
    store = call.store
    items = [
        render_rule(r)
        for g in store.security_groups.values()
        if _visible(call, g.project_id)
        for r in g.rules
    ]
    return _list(call, "security_group_rules", items)


@router.add("GET", "/security-group-rules/{id}")
def get_rule(call: Call) -> Any:
    for group in call.store.security_groups.values():
        for rule in group.rules:
            if rule.id == call.params["id"] and _visible(call, group.project_id):
                return ok({"security_group_rule": render_rule(rule)})
    raise not_found("Security group rule", call.params["id"], "SecurityGroupRuleNotFound")


@router.add("POST", "/security-group-rules")
def create_rule(call: Call) -> Any:
    call.require_write()
    spec = call.member("security_group_rule")
    store = call.store
    group = _get(
        call, store.security_groups, str(spec.get("security_group_id", "")), "Security group"
    )
    direction = spec.get("direction")
    if direction not in ("ingress", "egress"):
        raise bad_request(
            f"Invalid input for direction. Reason: {direction!r} is not in ['ingress', 'egress']."
        )
    ethertype = spec.get("ethertype", "IPv4")
    if ethertype not in ("IPv4", "IPv6"):
        raise bad_request(
            f"Invalid input for ethertype. Reason: {ethertype!r} is not in ['IPv4', 'IPv6']."
        )
    if spec.get("remote_ip_prefix") and spec.get("remote_group_id"):
        raise bad_request("Only remote_ip_prefix or remote_group_id may be provided.")
    low, high = spec.get("port_range_min"), spec.get("port_range_max")
    if low is not None and high is not None and int(low) > int(high):
        raise bad_request("For TCP/UDP protocols, port_range_min must be <= port_range_max")
    if spec.get("remote_group_id"):
        _get(call, store.security_groups, spec["remote_group_id"], "Security group")
    rule = SecurityGroupRule(
        id=new_id(),
        security_group_id=group.id,
        project_id=group.project_id,
        direction=direction,
        ethertype=ethertype,
        protocol=spec.get("protocol"),
        port_range_min=int(low) if low is not None else None,
        port_range_max=int(high) if high is not None else None,
        remote_ip_prefix=spec.get("remote_ip_prefix"),
        remote_group_id=spec.get("remote_group_id"),
        description=str(spec.get("description") or ""),
    )
    same = (
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_ip_prefix",
        "remote_group_id",
    )
    for existing in group.rules:
        if all(getattr(existing, k) == getattr(rule, k) for k in same):
            raise conflict(
                f"Security group rule already exists. Rule id is {existing.id}.",
                "SecurityGroupRuleExists",
            )
    group.rules.append(rule)
    return ok({"security_group_rule": render_rule(rule)}, 201)


@router.add("DELETE", "/security-group-rules/{id}")
def delete_rule(call: Call) -> Any:
    call.require_write()
    for group in call.store.security_groups.values():
        for rule in group.rules:
            if rule.id == call.params["id"] and _visible(call, group.project_id):
                group.rules.remove(rule)
                return ok(status=204)
    raise not_found("Security group rule", call.params["id"], "SecurityGroupRuleNotFound")


# Routers -------------------------------------------------------------------------------------


def render_router(store: Store, r: NetRouter) -> dict[str, Any]:
    gateway = None
    if r.external_network_id:
        gateway = {
            "network_id": r.external_network_id,
            "enable_snat": r.enable_snat,
            "external_fixed_ips": [dict(ip) for ip in r.external_fixed_ips],
        }
    return {
        "id": r.id,
        "name": r.name,
        "status": "ACTIVE",
        "admin_state_up": r.admin_state_up,
        "external_gateway_info": gateway,
        "routes": [dict(x) for x in r.routes],
        "distributed": False,
        "ha": False,
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "flavor_id": None,
        **_common(r),
    }


def _set_gateway(call: Call, r: NetRouter, info: dict[str, Any] | None) -> None:
    store = call.store
    for port in [
        p
        for p in store.ports.values()
        if p.device_id == r.id and p.device_owner == "network:router_gateway"
    ]:
        del store.ports[port.id]
    r.external_network_id, r.external_fixed_ips = None, []
    if not info or not info.get("network_id"):
        return
    net = _network(call, info["network_id"])
    if not net.external:
        raise bad_request(f"Bad router request: Network {net.id} is not an external network.")
    port = _gateway_port(store, net, r)
    r.external_network_id = net.id
    r.external_fixed_ips = [dict(ip) for ip in port.fixed_ips]
    r.enable_snat = bool(info.get("enable_snat", True))


def _gateway_port(store: Store, net: Network, r: NetRouter) -> Port:
    """Gateway ports belong to no tenant; made directly so a member may set a gateway."""
    subnet = next((s for s in store.subnets.values() if s.network_id == net.id), None)
    fixed = [{"subnet_id": subnet.id, "ip_address": _allocate_ip(store, subnet)}] if subnet else []
    port = Port(
        new_id(),
        "",
        net.id,
        net.project_id,
        _mac(store, net.id),
        fixed,
        [],
        time.time(),
        device_id=r.id,
        device_owner="network:router_gateway",
        port_security_enabled=False,
    )
    store.ports[port.id] = port
    return port


@router.add("GET", "/routers")
def list_routers(call: Call) -> Any:
    store = call.store
    items = [
        render_router(store, r) for r in store.routers.values() if _visible(call, r.project_id)
    ]
    return _list(call, "routers", items)


@router.add("GET", "/routers/{id}")
def get_router(call: Call) -> Any:
    return ok(
        {
            "router": render_router(
                call.store, _get(call, call.store.routers, call.params["id"], "Router")
            )
        }
    )


@router.add("POST", "/routers")
def create_router(call: Call) -> Any:
    call.require_write()
    spec = call.member("router")
    project = _owner(call, spec)
    store = call.store
    _quota_check(call, project, "routers", store.routers)
    r = NetRouter(
        new_id(),
        str(spec.get("name") or ""),
        project,
        time.time(),
        description=str(spec.get("description") or ""),
        tags=list(spec.get("tags") or []),
    )
    _set_gateway(call, r, spec.get("external_gateway_info"))
    store.routers[r.id] = r
    return ok({"router": render_router(store, r)}, 201)


@router.add("PUT", "/routers/{id}")
def update_router(call: Call) -> Any:
    call.require_write()
    store = call.store
    r = _get(call, store.routers, call.params["id"], "Router")
    spec = call.member("router")
    for key in ("name", "description", "admin_state_up"):
        if key in spec:
            setattr(r, key, spec[key])
    if "external_gateway_info" in spec:
        _set_gateway(call, r, spec["external_gateway_info"])
    if "routes" in spec:
        r.routes = list(spec["routes"] or [])
    return ok({"router": render_router(store, r)})


@router.add("DELETE", "/routers/{id}")
def delete_router(call: Call) -> Any:
    call.require_write()
    store = call.store
    r = _get(call, store.routers, call.params["id"], "Router")
    if any(
        p.device_id == r.id and p.device_owner == "network:router_interface"
        for p in store.ports.values()
    ):
        raise conflict(f"Router {r.id} still has ports", "RouterInUse")
    _set_gateway(call, r, None)
    del store.routers[r.id]
    return ok(status=204)


@router.add("PUT", "/routers/{id}/add_router_interface")
def add_interface(call: Call) -> Any:
    call.require_write()
    store = call.store
    r = _get(call, store.routers, call.params["id"], "Router")
    body = call.body
    if body.get("subnet_id"):
        subnet = _subnet(call, body["subnet_id"])
        if any(
            p.device_id == r.id and any(ip["subnet_id"] == subnet.id for ip in p.fixed_ips)
            for p in store.ports.values()
        ):
            raise bad_request(f"Router already has a port on subnet {subnet.id}.")
        if not subnet.gateway_ip:
            raise bad_request(f"Bad router request: Subnet {subnet.id} does not have a gateway IP.")
        port = Port(
            new_id(),
            "",
            subnet.network_id,
            r.project_id,
            _mac(store, subnet.network_id),
            [{"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}],
            [],
            time.time(),
            device_id=r.id,
            device_owner="network:router_interface",
            port_security_enabled=False,
        )
        store.ports[port.id] = port
    elif body.get("port_id"):
        port = _get(call, store.ports, body["port_id"], "Port")
        if port.device_id:
            raise conflict(f"Port {port.id} is in use.", "PortInUse")
        port.device_id, port.device_owner = r.id, "network:router_interface"
        subnet = store.subnets[port.fixed_ips[0]["subnet_id"]]
    else:
        raise bad_request("Bad router request: Either subnet_id or port_id must be specified.")
    return ok(
        {
            "id": r.id,
            "subnet_id": subnet.id,
            "subnet_ids": [subnet.id],
            "port_id": port.id,
            "network_id": subnet.network_id,
            "project_id": r.project_id,
            "tenant_id": r.project_id,
        }
    )


@router.add("PUT", "/routers/{id}/remove_router_interface")
def remove_interface(call: Call) -> Any:
    call.require_write()
    store = call.store
    r = _get(call, store.routers, call.params["id"], "Router")
    body = call.body
    for port in list(store.ports.values()):
        if port.device_id != r.id or port.device_owner != "network:router_interface":
            continue
        if port.id == body.get("port_id") or any(
            ip["subnet_id"] == body.get("subnet_id") for ip in port.fixed_ips
        ):
            subnet_id = port.fixed_ips[0]["subnet_id"]
            del store.ports[port.id]
            return ok(
                {
                    "id": r.id,
                    "subnet_id": subnet_id,
                    "subnet_ids": [subnet_id],
                    "port_id": port.id,
                    "network_id": port.network_id,
                    "project_id": r.project_id,
                    "tenant_id": r.project_id,
                }
            )
    raise not_found("Router interface", f"for router {r.id}", "RouterInterfaceNotFoundForSubnet")


# Floating IPs --------------------------------------------------------------------------------


def render_fip(fip: FloatingIp) -> dict[str, Any]:
    return {
        "id": fip.id,
        "floating_ip_address": fip.address,
        "floating_network_id": fip.network_id,
        "fixed_ip_address": fip.fixed_ip_address,
        "port_id": fip.port_id,
        "router_id": fip.router_id,
        "status": "ACTIVE" if fip.port_id else "DOWN",
        "port_details": None,
        "dns_domain": "",
        "dns_name": "",
        **_common(fip),
    }


@router.add("GET", "/floatingips")
def list_fips(call: Call) -> Any:
    store = call.store
    items = [render_fip(f) for f in store.floating_ips.values() if _visible(call, f.project_id)]
    return _list(call, "floatingips", items)


@router.add("GET", "/floatingips/{id}")
def get_fip(call: Call) -> Any:
    return ok(
        {
            "floatingip": render_fip(
                _get(call, call.store.floating_ips, call.params["id"], "Floating IP")
            )
        }
    )


@router.add("POST", "/floatingips")
def create_fip(call: Call) -> Any:
    call.require_write()
    spec = call.member("floatingip")
    project = _owner(call, spec)
    store = call.store
    _quota_check(call, project, "floatingips", store.floating_ips)
    net = _network(call, str(spec.get("floating_network_id", "")))
    if not net.external:
        raise bad_request(f"Network {net.id} is not a valid external network.")
    subnet = next((s for s in store.subnets.values() if s.network_id == net.id), None)
    if subnet is None:
        raise conflict(
            f"No more IP addresses available on network {net.id}.", "IpAddressGenerationFailure"
        )
    used = _used_ips(store, subnet)
    address = spec.get("floating_ip_address") or next(
        (str(a) for a in ipaddress.ip_network(subnet.cidr).hosts() if str(a) not in used), None
    )
    if address is None or address in used:
        raise conflict(
            f"IP address {address} already allocated in subnet {subnet.id}",
            "IpAddressAlreadyAllocated",
        )
    fip = FloatingIp(
        new_id(),
        address,
        net.id,
        project,
        time.time(),
        description=str(spec.get("description") or ""),
    )
    _associate(call, fip, spec.get("port_id"), spec.get("fixed_ip_address"))
    store.floating_ips[fip.id] = fip
    return ok({"floatingip": render_fip(fip)}, 201)


def _associate(call: Call, fip: FloatingIp, port_id: str | None, fixed: str | None) -> None:
    if not port_id:
        fip.port_id = fip.fixed_ip_address = fip.router_id = None
        return
    store = call.store
    port = _get(call, store.ports, port_id, "Port")
    fip.port_id = port.id
    fip.fixed_ip_address = fixed or port.fixed_ips[0]["ip_address"]
    subnet_ids = {ip["subnet_id"] for ip in port.fixed_ips}
    fip.router_id = next(
        (
            r.id
            for r in store.routers.values()
            if r.external_network_id == fip.network_id
            and any(
                p.device_id == r.id
                and p.device_owner == "network:router_interface"
                and {ip["subnet_id"] for ip in p.fixed_ips} & subnet_ids
                for p in store.ports.values()
            )
        ),
        None,
    )
    if fip.router_id is None:
        raise ApiError(
            404,
            f"External network {fip.network_id} is not reachable "
            f"from subnet {next(iter(subnet_ids))}.",
            "ExternalGatewayForFloatingIPNotFound",
        )


@router.add("PUT", "/floatingips/{id}")
def update_fip(call: Call) -> Any:
    call.require_write()
    fip = _get(call, call.store.floating_ips, call.params["id"], "Floating IP")
    spec = call.member("floatingip")
    if "port_id" in spec:
        _associate(call, fip, spec.get("port_id"), spec.get("fixed_ip_address"))
    return ok({"floatingip": render_fip(fip)})


@router.add("DELETE", "/floatingips/{id}")
def delete_fip(call: Call) -> Any:
    call.require_write()
    fip = _get(call, call.store.floating_ips, call.params["id"], "Floating IP")
    del call.store.floating_ips[fip.id]
    return ok(status=204)


# Tags, extensions, quotas --------------------------------------------------------------------

_TAGGABLE = {
    "networks": "networks",
    "subnets": "subnets",
    "ports": "ports",
    "routers": "routers",
    "security-groups": "security_groups",
    "floatingips": "floating_ips",
}


def _taggable(call: Call) -> Any:
    table = getattr(call.store, _TAGGABLE.get(call.params["kind"], ""), None)
    if table is None:
        raise not_found("Resource type", call.params["kind"])
    return _get(call, table, call.params["id"], "Resource")


@router.add("GET", "/{kind}/{id}/tags")
def get_tags(call: Call) -> Any:
    return ok({"tags": list(_taggable(call).tags)})


@router.add("PUT", "/{kind}/{id}/tags")
def set_tags(call: Call) -> Any:
    call.require_write()
    thing = _taggable(call)
    thing.tags = list(call.body.get("tags") or [])
    return ok({"tags": list(thing.tags)})


@router.add("PUT", "/{kind}/{id}/tags/{tag}")
def add_tag(call: Call) -> Any:
    call.require_write()
    thing = _taggable(call)
    if call.params["tag"] not in thing.tags:
        thing.tags.append(call.params["tag"])
    return ok(status=201)


@router.add("DELETE", "/{kind}/{id}/tags/{tag}")
def remove_tag(call: Call) -> Any:
    call.require_write()
    thing = _taggable(call)
    if call.params["tag"] not in thing.tags:
        raise not_found("Tag", call.params["tag"], "TagNotFound")
    thing.tags.remove(call.params["tag"])
    return ok(status=204)


@router.add("GET", "/extensions")
def extensions(call: Call) -> Any:
    return ok(
        {
            "extensions": [
                {
                    "alias": a,
                    "name": a,
                    "description": "",
                    "links": [],
                    "updated": "2023-01-01T00:00:00-00:00",
                }
                for a in EXTENSIONS
            ]
        }
    )


def _quota_limits(quota: Quota) -> dict[str, int]:
    return {
        "network": quota.networks,
        "subnet": quota.subnets,
        "subnetpool": -1,
        "port": quota.ports,
        "router": quota.routers,
        "floatingip": quota.floatingips,
        "security_group": quota.security_groups,
        "security_group_rule": quota.security_group_rules,
        "rbac_policy": 10,
    }


def _quota_project(call: Call) -> str:
    project = call.params["project_id"]
    if project != call.caller.project_id:
        call.require_admin()
    return project


@router.add("GET", "/quotas/{project_id}")
def quota_show(call: Call) -> Any:
    return ok({"quota": _quota_limits(call.store.quota(_quota_project(call)))})


# Neutron's quota resources, and the region's quota fields they are.
QUOTA_NAMES = {
    "network": "networks",
    "subnet": "subnets",
    "port": "ports",
    "router": "routers",
    "floatingip": "floatingips",
    "security_group": "security_groups",
    "security_group_rule": "security_group_rules",
}


@router.add("PUT", "/quotas/{project_id}")
def quota_update(call: Call) -> Any:
    """An admin's new limits for a project."""
    project, asked = call.params["project_id"], call.member("quota")
    in_use = _quota_used(call.store, project) if flag(asked, "check_limit", False) else None
    quota = update_quota(call, project, asked, QUOTA_NAMES, in_use)
    return ok({"quota": _quota_limits(quota)})


@router.add("GET", "/quotas/{project_id}/default")
def quota_default(call: Call) -> Any:
    _quota_project(call)
    return ok({"quota": _quota_limits(call.store.default_quota)})


@router.add("GET", "/quotas/{project_id}/details")
def quota_details(call: Call) -> Any:
    """Limit, use and reservations per resource, as Horizon's quota summaries read them."""
    project = _quota_project(call)
    used = _quota_used(call.store, project)
    limits = _quota_limits(call.store.quota(project))
    return ok({"quota": {k: {"limit": limits[k], "used": used[k], "reserved": 0} for k in limits}})


def _quota_used(store: Store, project: str) -> dict[str, int]:
    groups = [g for g in store.security_groups.values() if g.project_id == project]
    return {
        "network": sum(1 for n in store.networks.values() if n.project_id == project),
        "subnet": sum(1 for s in store.subnets.values() if s.project_id == project),
        "subnetpool": 0,
        "port": sum(1 for p in store.ports.values() if p.project_id == project),
        "router": sum(1 for r in store.routers.values() if r.project_id == project),
        "floatingip": sum(1 for f in store.floating_ips.values() if f.project_id == project),
        "security_group": len(groups),
        "security_group_rule": sum(
            1 for g in store.security_groups.values() for r in g.rules if r.project_id == project
        ),
        "rbac_policy": 0,
    }


# What admins list of Neutron's own workers -------------------------------------------------

_AGENTS = (
    ("DHCP agent", "neutron-dhcp-agent", "net1", "dhcp"),
    ("L3 agent", "neutron-l3-agent", "net1", "l3_agent"),
    ("Open vSwitch agent", "neutron-openvswitch-agent", "net1", "ovs"),
    ("Open vSwitch agent", "neutron-openvswitch-agent", "cmp1", "ovs"),
    ("Metadata agent", "neutron-metadata-agent", "net1", "metadata"),
)


@router.add("GET", "/agents")
def list_agents(call: Call) -> Any:
    call.require_admin()
    return ok(
        {
            "agents": [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{binary}@{host}")),
                    "agent_type": kind,
                    "binary": binary,
                    "host": host,
                    "topic": topic,
                    "availability_zone": "nova" if topic in ("dhcp", "l3_agent") else None,
                    "alive": True,
                    "admin_state_up": True,
                    "description": None,
                }
                for kind, binary, host, topic in _AGENTS
            ]
        }
    )
