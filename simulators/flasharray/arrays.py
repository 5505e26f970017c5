"""What an array says about itself (arrays, space, controllers, hardware) and its connections
to other arrays."""

from __future__ import annotations

from typing import Any

from simulators.flasharray.errors import ArrayApiError
from simulators.flasharray.fabric import ASYNC, SYNC, Fabric, Link, SimArray


def render_array(fabric: Fabric, array: SimArray) -> dict[str, Any]:
    return {
        "id": array.id,
        "name": array.name,
        "os": "Purity//FA",
        "version": array.version,
        "capacity": array.capacity,
        "parity": 1.0,
        "banner": "",
        "console_lock_enabled": False,
        "idle_timeout": 0,
        "scsi_timeout": 60000,
        "ntp_servers": [],
        "time_zone": "UTC",
        "encryption": {
            "data_at_rest": {"enabled": True, "algorithm": "AES-256-CTR"},
            "module_version": "FA-1.3",
        },
        "eradication_config": {
            "eradication_delay": 86400000,
            "disabled_delay": 86400000,
            "enabled_delay": 86400000,
            "manual_eradication": "enabled",
        },
        "space": render_space(fabric, array)["space"],
        "as_of": int(fabric.now() * 1000),
    }


def render_space(fabric: Fabric, array: SimArray) -> dict[str, Any]:
    used = sum(fabric.volume_point(array, v).written_bytes for v in array.volumes.values())
    provisioned = sum(v.provisioned for v in array.volumes.values())
    return {
        "id": array.id,
        "name": array.name,
        "capacity": array.capacity,
        "parity": 1.0,
        "time": int(fabric.now() * 1000),
        "space": {
            "data_reduction": 1.0,
            "shared": 0,
            "snapshots": 0,
            "system": 0,
            "thin_provisioning": 0.0,
            "total_physical": used,
            "total_provisioned": provisioned,
            "total_reduction": 1.0,
            "total_used": used,
            "unique": used,
            "virtual": used,
        },
    }


def render_controllers(array: SimArray) -> list[dict[str, Any]]:
    return [
        {
            "name": f"CT{i}",
            "mode": "primary" if i == 0 else "secondary",
            "model": "FA-X70R4",
            "status": "ready",
            "type": "array_controller",
            "version": array.version,
            "mode_since": 0,
        }
        for i in range(2)
    ]


def render_hardware(array: SimArray) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "details": None,
            "identify_enabled": False,
            "index": i,
            "model": "FA-X70R4",
            "serial": f"{array.id[:8]}{i}",
            "slot": None,
            "speed": None,
            "status": "ok",
            "temperature": None,
            "type": kind,
            "voltage": None,
        }
        for i, (name, kind) in enumerate(
            [("CH0", "chassis"), ("CT0", "controller"), ("CT1", "controller")]
        )
    ]


def connections_of(fabric: Fabric, array: SimArray) -> list[tuple[str, Link]]:
    return [
        (next(iter(link.arrays - {array.name})), link)
        for link in fabric.links.values()
        if array.name in link.arrays
    ]


def connect_arrays(fabric: Fabric, array: SimArray, body: dict[str, Any]) -> tuple[str, Link]:
    """POST /array-connections: the array at management_address, given its connection key."""
    address = body.get("management_address")
    other = next((a for a in fabric.arrays.values() if a.management_address == address), None)
    if other is None:
        raise ArrayApiError("Could not reach an array at that management address.", str(address))
    if body.get("connection_key") != other.connection_key:
        raise ArrayApiError("Invalid connection key.", other.name)
    link_type = connection_type(body.get("type") or ASYNC)
    if fabric.link(array.name, other.name) is not None:
        raise ArrayApiError("Array connection already exists.", other.name)
    return other.name, fabric.connect(array.name, other.name, link_type)


def connection_type(given: str) -> str:
    """A connection's type as arrays take it: in full, or as Pure's tools write it ("async").

    :raises ArrayApiError: for any other.
    """
    link_type = {"async": ASYNC, "sync": SYNC}.get(given, given)
    if link_type not in (ASYNC, SYNC):
        raise ArrayApiError("Connection type must be async-replication or sync-replication.")
    return link_type


def patch_array_connections(
    fabric: Fabric, array: SimArray, names: list[str], body: dict[str, Any]
) -> list[tuple[str, Link]]:
    """PATCH /array-connections: a connection's type (encryption, refresh and key renewal
    change nothing the lab models)."""
    found = dict(connections_of(fabric, array))
    if not names:
        raise ArrayApiError("names is required.", "names")
    for name in names:
        if name not in found:
            raise ArrayApiError("Array connection does not exist.", name)
    link_type = connection_type(body["type"]) if body.get("type") else None
    for name in names:
        if link_type is not None:
            found[name].type = link_type
    return [(name, found[name]) for name in names]


def render_array_connection(
    fabric: Fabric, array: SimArray, remote: str, link: Link
) -> dict[str, Any]:
    other = fabric.arrays[remote]
    return {
        "id": other.id,
        "name": remote,
        # With its port: the lab's arrays share one address (a connection is made to, and
        # tools match a connection by, the address as given).
        "management_address": other.management_address,
        "replication_addresses": [other.management_address.split(":")[0]],
        "replication_transport": "ip",
        "status": "connected" if fabric.reachable(array.name, remote) else "connecting",
        "type": link.type,
        "version": other.version,
        "encryption": "disabled",
        "encryption_mode": None,
        "throttle": {"default_limit": None, "window_limit": None},
    }
