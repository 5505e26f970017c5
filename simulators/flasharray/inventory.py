"""What every array answers that the lab configures nothing of: the array's settings (one item
each, as a freshly installed array has them) and the collections it has none of (file systems,
policies, virtual machines, alerts, offloads, ...): empty lists, never 404, so that tools that
read an array whole (Pure's Ansible collection, `purefa_info`) see a plain array."""

from __future__ import annotations

from typing import Any

from simulators.flasharray import arrays
from simulators.flasharray.fabric import Fabric, SimArray
from simulators.flasharray.objects import ref
from simulators.flasharray.rest import Items, Request, route, select

# Collections a lab array has nothing in.
EMPTY = (
    "/active-directory",
    "/alerts",
    "/api-clients",
    "/apps",
    "/apps/nodes",
    "/alert-watchers",
    "/directories",
    "/directory-exports",
    "/directory-services/roles",
    "/directory-snapshots",
    "/file-systems",
    "/fleets",
    "/host-groups/performance",
    "/host-groups/protection-groups",
    "/host-groups/volumes",
    "/hosts/performance/balance",
    "/kmip",
    "/maintenance-windows",
    "/network-interfaces/neighbors",
    "/offloads",
    "/pod-replica-links",
    "/policies",
    "/policies/nfs",
    "/policies/password",
    "/policies/quota",
    "/policies/smb",
    "/policies/snapshot",
    "/remote-protection-groups",
    "/snmp-managers",
    "/sso/saml2/idps",
    "/subnets",
    "/subscription-assets",
    "/syslog-servers",
    "/virtual-machine-snapshots",
    "/virtual-machines",
    "/volume-groups",
    "/volume-groups/performance",
    "/volume-groups/tags",
    "/volume-groups/volumes",
)


def _empty(fabric: Fabric, array: SimArray, request: Request) -> Items:
    """Nothing; an object asked for by its exact name does not exist (a 400, as arrays say)."""
    return select({}, request.names("names"), _kind(request.path))


def _kind(path: str) -> str:
    """What an object of a collection is called: "/remote-protection-groups" -> "Remote
    protection group"."""
    words = path.rsplit("/", 1)[-1].replace("-", " ")
    return words.removesuffix("s").capitalize()


for _path in EMPTY:
    route("GET", _path)(_empty)


def _settings(render: Any) -> Any:
    """A route answering one item, as `render(array)` makes it."""

    def answer(fabric: Fabric, array: SimArray, request: Request) -> Items:
        return [render(array)]

    return answer


SETTINGS: dict[str, Any] = {
    "/admins/settings": lambda array: {
        "lockout_duration": 0,
        "max_login_attempts": 0,
        "min_password_length": 1,
        "single_sign_on_enabled": False,
    },
    "/container-default-protections": lambda array: {
        "id": array.id,
        "name": array.name,
        "type": "array",
        "default_protections": [],
    },
    "/directory-services": lambda array: {
        "name": "management",
        "enabled": False,
        "services": ["management"],
        "uris": [],
        "base_dn": "",
        "bind_user": "",
        "check_peer": False,
    },
    "/dns": lambda array: {
        "name": "management",
        "domain": "",
        "nameservers": [],
        "services": ["management"],
        "source": ref(None),
    },
    "/smi-s": lambda array: {"name": array.name, "slp_enabled": False, "wbem_https_enabled": False},
    "/smtp-servers": lambda array: {
        "name": array.name,
        "relay_host": "",
        "sender_domain": "",
        "user_name": "",
        "encryption_mode": "none",
    },
    "/admins": lambda array: {
        "name": "pureuser",
        "is_local": True,
        "locked": False,
        "role": {"name": "array_admin"},
    },
    "/subscriptions": lambda array: {
        "id": array.id,
        "name": array.name,
        "service": "Evergreen//Forever",
    },
    "/support": lambda array: {
        "name": array.name,
        "phonehome_enabled": False,
        "proxy": "",
        "remote_assist_active": False,
        "remote_assist_status": "disconnected",
        "remote_assist_duration": 14400000,
        "remote_assist_expires": 0,
        "remote_assist_opened": 0,
        "remote_assist_paths": [],
    },
    "/snmp-agents": lambda array: {
        "name": array.name,
        "engine_id": f"80000{array.id.replace('-', '')[:20]}",
        "version": "v2c",
        "v2c": {"community": None},
        "v3": {"auth_protocol": None, "privacy_protocol": None, "user": None},
    },
}
for _path, _render in SETTINGS.items():
    route("GET", _path)(_settings(_render))


@route("GET", "/array-connections/path")
def _connection_paths(fabric: Fabric, array: SimArray, request: Request) -> Items:
    """One replication path per connected array, as its array connection says."""
    return [
        {
            "name": remote,
            "local_address": None,
            "local_port": None,
            "remote_address": None,
            "remote_port": None,
            "status": "connected" if link.up else "connecting",
            "replication_transport": "ip",
            "encryption": "unencrypted",
            "encryption_mode": None,
        }
        for remote, link in arrays.connections_of(fabric, array)
    ]


_PERFORMANCE = [
    "bytes_per_mirrored_write",
    "bytes_per_op",
    "bytes_per_read",
    "bytes_per_write",
    "local_queue_usec_per_op",
    "mirrored_write_bytes_per_sec",
    "mirrored_writes_per_sec",
    "others_per_sec",
    "qos_rate_limit_usec_per_mirrored_write_op",
    "qos_rate_limit_usec_per_read_op",
    "qos_rate_limit_usec_per_write_op",
    "queue_usec_per_mirrored_write_op",
    "queue_usec_per_read_op",
    "queue_usec_per_write_op",
    "read_bytes_per_sec",
    "reads_per_sec",
    "san_usec_per_mirrored_write_op",
    "san_usec_per_read_op",
    "san_usec_per_write_op",
    "service_usec_per_mirrored_write_op",
    "service_usec_per_read_op",
    "service_usec_per_write_op",
    "usec_per_mirrored_write_op",
    "usec_per_other_op",
    "usec_per_read_op",
    "usec_per_write_op",
    "write_bytes_per_sec",
    "writes_per_sec",
]


def _idle(fabric: Fabric, item_id: str, name: str) -> dict[str, Any]:
    """I/O figures of an object: the lab moves no host I/O, so all are zero."""
    figures: dict[str, Any] = dict.fromkeys(_PERFORMANCE, 0)
    return {"id": item_id, "name": name, "time": int(fabric.now() * 1000), **figures}


@route("GET", "/arrays/performance")
def _array_performance(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [_idle(fabric, array.id, array.name)]


@route("GET", "/hosts/performance")
def _hosts_performance(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.hosts, request.names("names"), "Host")
    return [_idle(fabric, host.id, host.name) for host in found]


@route("GET", "/pods/performance")
def _pods_performance(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.pods, request.names("names"), "Pod")
    return [_idle(fabric, pod.id, pod.name) for pod in found]


@route("GET", "/volumes/performance")
def _volumes_performance(fabric: Fabric, array: SimArray, request: Request) -> Items:
    found = select(array.volumes, request.names("names"), "Volume")
    return [_idle(fabric, volume.id, volume.name) for volume in found]


# The lab's arrays have their management ports and their replication ports, on no real network.
_INTERFACES = [
    (f"ct{c}.eth{n}", service)
    for n, service in ((0, "management"), (2, "replication"))
    for c in (0, 1)
]


def _interfaces(array: SimArray) -> Items:
    return [
        {
            "name": name,
            "enabled": True,
            "interface_type": "eth",
            "services": [service],
            "speed": 10_000_000_000,
            "eth": {
                "address": None,
                "gateway": None,
                "mac_address": f"24:a9:37:00:{index:02x}:{len(array.name) % 256:02x}",
                "mtu": 1500,
                "netmask": None,
                "subinterfaces": [],
                "subnet": ref(None),
                "subtype": "physical",
                "vlan": 0,
            },
        }
        for index, (name, service) in enumerate(_INTERFACES)
    ]


@route("GET", "/network-interfaces")
def _network_interfaces(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return select_named(_interfaces(array), request, "Network interface")


@route("GET", "/network-interfaces/performance")
def _network_interfaces_performance(fabric: Fabric, array: SimArray, request: Request) -> Items:
    return [
        {
            "name": interface["name"],
            "interface_type": "eth",
            "time": int(fabric.now() * 1000),
            "eth": {"received_bytes_per_sec": 0, "transmitted_bytes_per_sec": 0},
        }
        for interface in _interfaces(array)
    ]


def select_named(items: Items, request: Request, kind: str) -> Items:
    """Items by the names asked for (all without names).

    :raises ArrayApiError: for a name no item has.
    """
    by_name = {item["name"]: item for item in items}
    return select(by_name, request.names("names"), kind)


@route("GET", "/ports")
def _ports(fabric: Fabric, array: SimArray, request: Request) -> Items:
    """The array's iSCSI target ports, one per controller (the lab's hosts reach no portal)."""
    iqn = f"iqn.2010-06.com.purestorage:flasharray.{array.id.replace('-', '')[:16]}"
    return [
        {
            "name": f"ct{i}.eth4",
            "iqn": iqn,
            "nqn": None,
            "portal": None,
            "wwn": None,
            "failover": None,
        }
        for i in range(2)
    ]


@route("GET", "/certificates")
def _certificates(fabric: Fabric, array: SimArray, request: Request) -> Items:
    """The array's management certificate, self-signed as an array is installed with."""
    installed = int(fabric.now() * 1000)
    return [
        {
            "name": "management",
            "status": "self-signed",
            "certificate_type": "array",
            "common_name": array.name,
            "issued_by": array.name,
            "issued_to": array.name,
            "key_algorithm": "rsa",
            "key_size": 2048,
            "valid_from": installed,
            "valid_to": installed + 10 * 365 * 86_400_000,
        }
    ]


def _no_members(fabric: Fabric, array: SimArray, request: Request) -> Items:
    """The hosts or host groups of protection groups: the lab's groups protect volumes only."""
    select(array.protection_groups, request.names("group_names"), "Protection group")
    return []


route("GET", "/protection-groups/hosts")(_no_members)
route("GET", "/protection-groups/host-groups")(_no_members)
