"""Removing the network copies a failover made at this site once its group has gone elsewhere:
only what draas marked (what the tenant made is never touched), only what nothing uses, in the
order Neutron accepts (a router's interfaces and gateway, then the router; the unattached ports
draas made on the networks; subnets; networks; security groups). What stays is named with the
reason: the caller says another group needs it, or something uses it."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from typing import Any

from common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from draas.compute.v1 import compute_pb2 as pb
from services.compute import marks
from services.compute.cloud import Cloud, Conn, attr

Kind = pb.ResourceType
ROUTER, SUBNET, NETWORK = (
    Kind.RESOURCE_TYPE_ROUTER,
    Kind.RESOURCE_TYPE_SUBNET,
    Kind.RESOURCE_TYPE_NETWORK,
)
GROUP, PORT = Kind.RESOURCE_TYPE_SECURITY_GROUP, Kind.RESOURCE_TYPE_PORT
# The order they are removed in: each before what it holds on to.
KINDS = (ROUTER, SUBNET, NETWORK, GROUP)
_WHAT = {ROUTER: "router", SUBNET: "subnet", NETWORK: "network", GROUP: "security group"}
_DHCP = "network:dhcp"
_INTERFACES = (
    "network:router_interface",
    "network:router_interface_distributed",
    "network:ha_router_replicated_interface",
)
_GETTERS: dict[Kind, Callable[[Conn], Callable[[str], Any]]] = {
    ROUTER: lambda conn: conn.network.get_router,
    SUBNET: lambda conn: conn.network.get_subnet,
    NETWORK: lambda conn: conn.network.get_network,
    GROUP: lambda conn: conn.network.get_security_group,
}
_DELETERS: dict[Kind, Callable[[Conn], Callable[..., Any]]] = {
    SUBNET: lambda conn: conn.network.delete_subnet,
    NETWORK: lambda conn: conn.network.delete_network,
    GROUP: lambda conn: conn.network.delete_security_group,
    PORT: lambda conn: conn.network.delete_port,
}


def remove(cloud: Cloud, request: pb.RemoveNetworkCopiesRequest) -> pb.RemoveNetworkCopiesResponse:
    """Removes the listed copies that may go; a repeat finds the removed ones absent.

    :raises InvalidArgument: a resource that is not a router, subnet, network or security
        group, or has no id.
    """
    wanted: list[tuple[Kind, str]] = []
    for index, ref in enumerate(request.resources):
        if ref.type not in KINDS or not ref.id:
            raise InvalidArgument(
                f"resources[{index}]",
                "must be a router, subnet, network or security group, with its id",
            )
        if (ref.type, ref.id) not in wanted:
            wanted.append((ref.type, ref.id))
    copies = _Copies(cloud, cloud.connection(request.project_id), request.project_id)
    copies.load(wanted, dict(request.needed))
    copies.settle()
    return copies.remove()


class _Copies:
    """The copies asked about as they are now, what uses them, and which of them stay."""

    def __init__(self, cloud: Cloud, conn: Conn, project_id: str) -> None:
        self.cloud, self.conn, self.project_id = cloud, conn, project_id
        self.found: dict[str, tuple[Kind, Any]] = {}
        self.absent: list[pb.ResourceRef] = []
        # Id -> why it stays; and those the tenant made, which are no copies at all.
        self.stays: dict[str, str] = {}
        self.tenants: set[str] = set()
        self.ports: dict[str, Any] = {}
        self.subnets_on: dict[str, list[Any]] = {}
        self.interfaces: dict[str, list[Any]] = {}
        self.floating: dict[str, list[Any]] = {}
        self.project_ports: list[Any] = []
        self.groups: list[Any] = []

    # What there is -------------------------------------------------------------------------------

    def load(self, wanted: list[tuple[Kind, str]], needed: dict[str, str]) -> None:
        for kind, resource_id in wanted:
            getter = _GETTERS[kind](self.conn)
            try:
                found = self._call(
                    f"get {_WHAT[kind]} {resource_id}", functools.partial(getter, resource_id)
                )
            except NotFound:
                self.absent.append(pb.ResourceRef(type=kind, id=resource_id))
                continue
            self.found[resource_id] = (kind, found)
            owner = attr(found, "project_id", "")
            if not marks.marked(attr(found, "description", "")):
                self.stays[resource_id] = "the tenant made it, not draas"
                self.tenants.add(resource_id)
            elif owner and owner != self.project_id:
                self.stays[resource_id] = f"it belongs to project {owner}"
            elif resource_id in needed:
                self.stays[resource_id] = needed[resource_id]
        networks = {i for i, (k, _) in self.found.items() if k == NETWORK}
        networks |= {r.network_id for k, r in self.found.values() if k == SUBNET}
        for network_id in sorted(networks):
            listed = self._list("ports", self.conn.network.ports, network_id=network_id)
            self.ports.update({p.id: p for p in listed})
        for resource_id, (kind, _) in self.found.items():
            if kind == NETWORK:
                self.subnets_on[resource_id] = self._list(
                    "subnets", self.conn.network.subnets, network_id=resource_id
                )
            elif kind == ROUTER:
                owned = self._list("router ports", self.conn.network.ports, device_id=resource_id)
                self.interfaces[resource_id] = [
                    p for p in owned if attr(p, "device_owner", "") in _INTERFACES
                ]
                self.floating[resource_id] = self._list(
                    "floating IPs", self.conn.network.ips, router_id=resource_id
                )
        if any(k == GROUP for k, _ in self.found.values()):
            self.project_ports = self._list(
                "ports", self.conn.network.ports, project_id=self.project_id
            )
            self.groups = self._list(
                "security groups", self.conn.network.security_groups, project_id=self.project_id
            )

    def settle(self) -> None:
        """Keeps what something that stays needs, until nothing more has to stay."""
        changed = True
        while changed:
            changed = False
            for resource_id, (kind, resource) in self.found.items():
                if resource_id in self.stays:
                    continue
                reason = self._needed(kind, resource)
                if reason:
                    self.stays[resource_id] = reason
                    changed = True

    def _going(self, resource_id: str) -> bool:
        return resource_id in self.found and resource_id not in self.stays

    def _needed(self, kind: Kind, resource: Any) -> str:
        """Why something that stays needs the resource ("" when nothing does)."""
        return {
            ROUTER: self._router_needed,
            SUBNET: self._subnet_needed,
            NETWORK: self._network_needed,
            GROUP: self._group_needed,
        }[kind](resource)

    def _router_needed(self, router: Any) -> str:
        for ip in self.floating.get(router.id, []):
            if attr(ip, "port_id", ""):
                address = attr(ip, "floating_ip_address", ip.id)
                return f"floating IP {address} is in use through it"
        for port in self.interfaces.get(router.id, []):
            for subnet_id in _subnets_of(port):
                if not self._going(subnet_id):
                    return f"it routes subnet {subnet_id}, which stays"
        return ""

    def _subnet_needed(self, subnet: Any) -> str:
        return self._used_by(p for p in self.ports.values() if subnet.id in _subnets_of(p))

    def _network_needed(self, network: Any) -> str:
        for subnet in self.subnets_on.get(network.id, []):
            if not self._going(subnet.id):
                return f"its subnet {subnet.id} ({attr(subnet, 'name', '')}) stays"
        return self._used_by(p for p in self.ports.values() if p.network_id == network.id)

    def _used_by(self, ports: Iterable[Any]) -> str:
        """Why the ports hold what they are on: a device's or the tenant's port rather than a
        router's interface ("" when none does)."""
        uses = [(attr(p, "device_owner", "") in _INTERFACES, self._use(p)) for p in ports]
        held = sorted((interface, use) for interface, use in uses if use)
        return f"in use by {held[0][1]}" if held else ""

    def _group_needed(self, group: Any) -> str:
        for port in self.project_ports:
            used = group.id in (attr(port, "security_group_ids", []) or [])
            if used and not self._leftover(port):
                return f"in use by {_described(port)}"
        for other in self.groups:
            if other.id == group.id or self._going(other.id):
                continue
            for rule in attr(other, "security_group_rules", []) or []:
                if rule.get("remote_group_id") == group.id:
                    return (
                        f"a rule of security group {other.id} ({attr(other, 'name', '')}) "
                        "refers to it"
                    )
        return ""

    def _use(self, port: Any) -> str:
        """What a port on a copy uses it for ("" for one that does not hold it)."""
        owner = attr(port, "device_owner", "")
        if owner == _DHCP or self._stray(port):
            return ""
        if owner in _INTERFACES:
            router = attr(port, "device_id", "")
            return "" if self._going(router) else f"an interface of router {router}"
        return _described(port)

    def _stray(self, port: Any) -> bool:
        """A port draas made on one of the copies that no device uses: it holds nothing itself
        (it goes with its subnets, see `_leftover`)."""
        return (
            marks.marked(attr(port, "description", ""))
            and not attr(port, "device_id", "")
            and attr(port, "network_id", "") in self.found
        )

    def _leftover(self, port: Any) -> bool:
        """A stray port whose subnets (or, with no address, whose network) go: it goes first."""
        if not self._stray(port):
            return False
        subnets = _subnets_of(port)
        if not subnets:
            return self._going(attr(port, "network_id", ""))
        return all(self._going(s) for s in subnets)

    # Removing ------------------------------------------------------------------------------------

    def remove(self) -> pb.RemoveNetworkCopiesResponse:
        removed: list[pb.NamedResource] = []
        for router in self._going_of(ROUTER):
            self._attempt(ROUTER, router, removed, functools.partial(self._remove_router, router))
        for port in list(self.ports.values()):
            if self._leftover(port):
                self._attempt(PORT, port, removed, functools.partial(self._delete, PORT, port.id))
        for kind in (SUBNET, NETWORK, GROUP):
            for resource in self._going_of(kind):
                self._attempt(
                    kind, resource, removed, functools.partial(self._delete, kind, resource.id)
                )
        kept = [
            _named(*self.found[i], reason)
            for i, reason in self.stays.items()
            if i not in self.tenants
        ]
        return pb.RemoveNetworkCopiesResponse(
            removed=removed,
            kept=kept,
            absent=self.absent,
            not_copies=[_named(*self.found[i]) for i in self.tenants],
        )

    def _going_of(self, kind: Kind) -> list[Any]:
        return [r for i, (k, r) in self.found.items() if k == kind and self._going(i)]

    def _attempt(
        self, kind: Kind, resource: Any, removed: list[pb.NamedResource], action: Callable[[], None]
    ) -> None:
        """Runs a removal: done, gone already (absent), or refused (it stays, with Neutron's
        reason: something began to use it meanwhile, say). Whatever may pass was retried."""
        try:
            action()
        except NotFound:
            if kind != PORT:
                self.absent.append(pb.ResourceRef(type=kind, id=resource.id))
            return
        except (FailedPrecondition, PermissionDenied) as refused:
            if kind == PORT:
                return  # its subnet and network then stay, saying why
            self.stays[resource.id] = f"Neutron refused to remove it: {refused}"
            return
        removed.append(_named(kind, resource))

    def _remove_router(self, router: Any) -> None:
        """Its interfaces, its gateway (and the public address it holds), then the router."""
        for port in self.interfaces.get(router.id, []):
            with contextlib.suppress(NotFound):
                self._call(
                    f"remove interface {port.id} of router {router.id}",
                    functools.partial(
                        self.conn.network.remove_interface_from_router, router.id, port=port.id
                    ),
                )
        if attr(router, "external_gateway_info", None):
            self._call(
                f"clear the gateway of router {router.id}",
                lambda: self.conn.network.update_router(router.id, external_gateway_info={}),
            )
        self._call(
            f"delete router {router.id}",
            lambda: self.conn.network.delete_router(router.id, ignore_missing=False),
        )

    def _delete(self, kind: Kind, resource_id: str) -> None:
        remove = _DELETERS[kind](self.conn)
        what = "port" if kind == PORT else _WHAT[kind]
        self._call(
            f"delete {what} {resource_id}", lambda: remove(resource_id, ignore_missing=False)
        )

    def _call(self, what: str, action: Callable[[], Any]) -> Any:
        return self.cloud.call(what, action)

    def _list(self, what: str, lister: Callable[..., Iterable[Any]], **query: str) -> list[Any]:
        return list(self.cloud.call(f"list {what}", lambda: list(lister(**query))))


def _subnets_of(port: Any) -> list[str]:
    return [str(ip.get("subnet_id", "")) for ip in attr(port, "fixed_ips", []) or []]


def _described(port: Any) -> str:
    device = attr(port, "device_id", "")
    if not device:
        return f"port {port.id} (attached to nothing)"
    return f"port {port.id} ({attr(port, 'device_owner', '') or 'device'} {device})"


def _named(kind: Kind, resource: Any, reason: str = "") -> pb.NamedResource:
    return pb.NamedResource(
        type=kind, id=resource.id, name=attr(resource, "name", "") or "", reason=reason
    )
