"""Rebuilding a VM's network from captured metadata: networks, subnets, routers, security
groups and ports, each found again (by its description mark) when the request is repeated."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from common.errors import AlreadyExists, FailedPrecondition
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks, records
from services.compute.cloud import Cloud, Conn, attr

ISOLATED_SUFFIX = "-drtest"


def _existing(cloud: Cloud, what: str, lister: Callable[..., Any], mark: str) -> Any:
    found = cloud.call(f"find {what}", lambda: list(lister(description=mark)))
    return found[0] if found else None


def _kept(
    cloud: Cloud,
    what: str,
    lister: Callable[..., Any],
    project_id: str,
    source: Any,
    fits: Callable[[Any], bool] = lambda _: True,
) -> Any:
    """A resource this site kept from an earlier trip of the group, so that a group going back
    and forth uses the same networks each time rather than a copy per trip: the one the source
    was made from (a failover back home), or one an earlier failover made from the source."""
    origin = marks.source_of(source.description)
    for found in cloud.call(f"list {what}s", lambda: list(lister(project_id=project_id))):
        if (found.id == origin or marks.source_of(found.description) == source.id) and fits(found):
            return found
    return None


def ensure_network(
    cloud: Cloud, project_id: str, source: pb.Network, isolated: bool, operation_id: str
) -> pb.Network:
    """The network for `source`: its name (with -drtest for an isolated test copy), MTU and
    state; never shared or external. Not isolated, a network kept here from the group's
    earlier trips is used again (see `_kept`), as are its subnets, routers and security
    groups."""
    marks.require(operation_id, "operation_id")
    conn = cloud.connection(project_id)
    mark = marks.description(operation_id, source.id)
    found = _existing(cloud, "network", conn.network.networks, mark)
    if found is None and not isolated:
        found = _kept(
            cloud,
            "network",
            conn.network.networks,
            project_id,
            source,
            lambda n: not str(n.name).endswith(ISOLATED_SUFFIX),
        )
    if found is None:
        found = cloud.made_once(
            "create network",
            lambda: _existing(cloud, "network", conn.network.networks, mark),
            lambda: conn.network.create_network(
                name=source.name + (ISOLATED_SUFFIX if isolated else ""),
                description=mark,
                mtu=source.mtu or None,
                is_admin_state_up=source.admin_state_up,
                tags=marks.tags(operation_id),
            ),
        )
    return records.network(found)


def ensure_subnet(
    cloud: Cloud, project_id: str, source: pb.Subnet, network_id: str, operation_id: str
) -> pb.Subnet:
    """The subnet for `source` on `network_id`: same CIDR, gateway, pools, DHCP, DNS and routes,
    so ports can keep their addresses."""
    marks.require(operation_id, "operation_id")
    marks.require(network_id, "network_id")
    conn = cloud.connection(project_id)
    mark = marks.description(operation_id, source.id)
    found = _existing(cloud, "subnet", conn.network.subnets, mark)
    if found is None:
        found = _kept(
            cloud,
            "subnet",
            conn.network.subnets,
            project_id,
            source,
            lambda s: s.network_id == network_id and s.cidr == source.cidr,
        )
    if found is None:
        found = cloud.made_once(
            "create subnet",
            lambda: _existing(cloud, "subnet", conn.network.subnets, mark),
            lambda: conn.network.create_subnet(
                network_id=network_id,
                name=source.name,
                cidr=source.cidr,
                ip_version=source.ip_version or 4,
                gateway_ip=source.gateway_ip or None,
                is_dhcp_enabled=source.enable_dhcp,
                allocation_pools=[{"start": p.start, "end": p.end} for p in source.allocation_pools]
                or None,
                dns_nameservers=list(source.dns_nameservers),
                host_routes=[
                    {"destination": r.destination, "nexthop": r.nexthop} for r in source.host_routes
                ],
                description=mark,
                tags=marks.tags(operation_id),
            ),
        )
    return records.subnet(found)


def ensure_router(
    cloud: Cloud,
    project_id: str,
    source: pb.Router,
    subnet_ids: dict[str, str],
    external_network_id: str,
    operation_id: str,
    external_network_name: str = "",
) -> pb.Router:
    """The router for `source`, with interfaces on the rebuilt subnets, and an external gateway
    only when one is given, by id or by `external_network_name` (a test's isolated networks get
    none: no route out).

    :raises FailedPrecondition: no external network of that name at this site.
    """
    marks.require(operation_id, "operation_id")
    conn = cloud.connection(project_id)
    if not external_network_id and external_network_name:
        external_network_id = _external_network(cloud, conn, external_network_name)
    mark = marks.description(operation_id, source.id)
    router = _existing(cloud, "router", conn.network.routers, mark)
    if router is None and external_network_id:
        # Only a router with a way out (never a test's isolated one).
        router = _kept(
            cloud,
            "router",
            conn.network.routers,
            project_id,
            source,
            lambda r: bool((attr(r, "external_gateway_info", {}) or {}).get("network_id")),
        )
    if router is None:
        gateway = {"network_id": external_network_id} if external_network_id else None
        router = cloud.made_once(
            "create router",
            lambda: _existing(cloud, "router", conn.network.routers, mark),
            lambda: conn.network.create_router(
                name=source.name,
                description=mark,
                external_gateway_info=gateway,
                tags=marks.tags(operation_id),
            ),
        )
    attached = {ip["subnet_id"] for p in _interfaces(cloud, conn, router.id) for ip in p.fixed_ips}
    for interface in source.interfaces:
        subnet_id = subnet_ids.get(interface.subnet_id)
        if subnet_id and subnet_id not in attached:
            add = functools.partial(conn.network.add_interface_to_router, router, subnet=subnet_id)
            cloud.call("add router interface", add)
    interfaces = [
        pb.RouterInterface(subnet_id=ip["subnet_id"], port_id=p.id)
        for p in _interfaces(cloud, conn, router.id)
        for ip in p.fixed_ips
    ]
    return records.router(router, interfaces)


def external_networks(cloud: Cloud, project_id: str) -> list[pb.Network]:
    conn = cloud.connection(project_id)
    found = cloud.call(
        "list external networks", lambda: list(conn.network.networks(is_router_external=True))
    )
    return [records.network(n) for n in found]


def _external_network(cloud: Cloud, conn: Conn, name: str) -> str:
    found = cloud.call(
        f"find external network {name}",
        lambda: list(conn.network.networks(name=name, is_router_external=True)),
    )
    if not found:
        raise FailedPrecondition(f"this site has no external network named {name}")
    return str(found[0].id)


def _interfaces(cloud: Cloud, conn: Conn, router_id: str) -> list[Any]:
    return cloud.call(
        "list router interfaces",
        lambda: list(
            conn.network.ports(device_id=router_id, device_owner="network:router_interface")
        ),
    )


def _rule_key(rule: Any) -> tuple[Any, ...]:
    return (
        rule.get("direction"),
        rule.get("ethertype"),
        rule.get("protocol") or None,
        rule.get("port_range_min") or None,
        rule.get("port_range_max") or None,
        rule.get("remote_ip_prefix") or None,
        rule.get("remote_group_id") or None,
    )


def ensure_security_group(
    cloud: Cloud,
    project_id: str,
    source: pb.SecurityGroup,
    group_ids: dict[str, str],
    operation_id: str,
) -> tuple[pb.SecurityGroup, int]:
    """The group for `source` (the project's own "default" for a source "default") with every
    rule whose remote group is known; returns it and how many rules wait for a remote group."""
    marks.require(operation_id, "operation_id")
    conn = cloud.connection(project_id)
    if source.name == "default":
        found = cloud.call(
            "find default security group",
            lambda: list(conn.network.security_groups(name="default", project_id=project_id)),
        )
        group = found[0] if found else None
    else:
        group = _existing(
            cloud,
            "security group",
            conn.network.security_groups,
            marks.description(operation_id, source.id),
        )
        if group is None:
            group = _kept(cloud, "security group", conn.network.security_groups, project_id, source)
    if group is None:
        mark = marks.description(operation_id, source.id)
        group = cloud.made_once(
            "create security group",
            lambda: _existing(cloud, "security group", conn.network.security_groups, mark),
            lambda: conn.network.create_security_group(
                name=source.name, description=mark, tags=marks.tags(operation_id)
            ),
        )
    have = {_rule_key(r) for r in attr(group, "security_group_rules", [])}
    deferred = 0
    for rule in source.rules:
        remote = None
        if rule.remote_group_id:
            remote = (
                group.id
                if rule.remote_group_id == source.id
                else group_ids.get(rule.remote_group_id)
            )
            if remote is None:
                deferred += 1
                continue
        spec = {
            "direction": rule.direction,
            "ethertype": rule.ethertype,
            "protocol": rule.protocol or None,
            "port_range_min": rule.port_range_min or None,
            "port_range_max": rule.port_range_max or None,
            "remote_ip_prefix": rule.remote_ip_prefix or None,
            "remote_group_id": remote,
        }
        if _rule_key(spec) in have:
            continue
        create = functools.partial(
            conn.network.create_security_group_rule, security_group_id=group.id, **spec
        )
        # Safe to try again: Neutron refuses a rule the group already has (409, suppressed).
        with contextlib.suppress(AlreadyExists):
            cloud.call("create security group rule", create)
        have.add(_rule_key(spec))
    refreshed = cloud.call("get security group", lambda: conn.network.get_security_group(group.id))
    return records.security_group(refreshed), deferred


def ensure_port(
    cloud: Cloud,
    project_id: str,
    source: pb.Port,
    network_id: str,
    subnet_ids: dict[str, str],
    security_group_ids: list[str],
    operation_id: str,
) -> tuple[pb.Port, bool, bool]:
    """The port for `source` on the rebuilt network, keeping its MAC and fixed IPs where they
    are free (else new ones); returns it and whether the MAC and the IPs were kept."""
    marks.require(operation_id, "operation_id")
    marks.require(network_id, "network_id")
    conn = cloud.connection(project_id)
    mark = marks.description(operation_id, source.id)
    wanted = [
        {"subnet_id": subnet_ids[ip.subnet_id], "ip_address": ip.ip_address}
        for ip in source.fixed_ips
        if ip.subnet_id in subnet_ids
    ]
    port = _existing(cloud, "port", conn.network.ports, mark)
    mac: str | None = source.mac_address or None
    fixed: list[dict[str, str]] = wanted
    while port is None:
        create = functools.partial(
            conn.network.create_port,
            network_id=network_id,
            name=source.name,
            description=mark,
            mac_address=mac,
            fixed_ips=fixed or None,
            security_group_ids=list(security_group_ids),
            tags=marks.tags(operation_id),
        )
        try:
            port = cloud.made_once(
                "create port", lambda: _existing(cloud, "port", conn.network.ports, mark), create
            )
        except (FailedPrecondition, AlreadyExists) as error:
            text = str(error).lower()
            if "mac address" in text and mac is not None:
                mac = None
            elif "already allocated" in text and any("ip_address" in f for f in fixed):
                fixed = [{"subnet_id": f["subnet_id"]} for f in fixed]
            else:
                raise
    record = records.port(port)
    kept_ips = sorted(ip.ip_address for ip in record.fixed_ips) == sorted(
        f["ip_address"] for f in wanted
    )
    return record, bool(source.mac_address) and record.mac_address == source.mac_address, kept_ips
