"""A project's servers and volumes read as the APIs' JSON, for lists of every VM.

openstacksdk makes a resource of each item it lists, which costs about 2 ms a server: listing
500 servers and their volumes that way took 1.1 s of CPU, all of a VM list's time. A list of
every VM needs a few fields of each, so it reads the JSON through the same SDK connection
(same session, token, endpoint and microversion negotiation) and wraps each item in `Listed`,
which answers by the resources' attribute names: `records.server` and `records.volume` read
it as they read a resource."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openstack.utils import maximum_supported_microversion

from services.compute.cloud import Cloud, Conn

# What openstacksdk's Server and Volume ask for; the server's own maximum if lower.
SERVER_MICROVERSION = "2.100"
VOLUME_MICROVERSION = "3.71"

# The resources' attribute names that differ from the JSON's keys.
_SERVER_KEYS = {
    "project_id": "tenant_id",
    "availability_zone": "OS-EXT-AZ:availability_zone",
    "created_at": "created",
    "root_device_name": "OS-EXT-SRV-ATTR:root_device_name",
}
_VOLUME_KEYS = {
    "project_id": "os-vol-tenant-attr:tenant_id",
    "is_bootable": "bootable",
    "is_encrypted": "encrypted",
}
# Cinder answers these as "true"/"false" text; the resources make them booleans.
_VOLUME_FLAGS = frozenset({"is_bootable", "is_encrypted"})


class Listed:
    """One listed item, read by its resource's attribute names (None when absent)."""

    __slots__ = ("_body", "_flags", "_keys")

    def __init__(
        self, body: dict[str, Any], keys: dict[str, str], flags: frozenset[str] = frozenset()
    ) -> None:
        self._body = body
        self._keys = keys
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        value = self._body.get(self._keys.get(name, name))
        if name in self._flags and isinstance(value, str):
            return value.strip().lower() == "true"
        return value


def servers(cloud: Cloud, conn: Conn) -> list[Listed]:
    """Every server of the connection's project, with details."""
    version = maximum_supported_microversion(conn.compute, SERVER_MICROVERSION)
    found = _every_page(cloud, "list servers", conn.compute, "/servers/detail", "servers", version)
    return [Listed(body, _SERVER_KEYS) for body in found]


def volumes(cloud: Cloud, conn: Conn) -> list[Listed]:
    """Every volume of the connection's project, with details."""
    version = maximum_supported_microversion(conn.block_storage, VOLUME_MICROVERSION)
    found = _every_page(
        cloud, "list volumes", conn.block_storage, "/volumes/detail", "volumes", version
    )
    return [Listed(body, _VOLUME_KEYS, _VOLUME_FLAGS) for body in found]


def _every_page(
    cloud: Cloud, what: str, proxy: Any, path: str, key: str, microversion: str | None
) -> list[dict[str, Any]]:
    """The items of every page: the API caps a page (Nova and Cinder at 1000 by default) and
    names the next one by a link whose query (marker, limit) is asked for at the same path."""
    found: list[dict[str, Any]] = []
    params: dict[str, str] = {}
    while True:
        body = cloud.get_json(what, proxy, path, params=params, microversion=microversion)
        items = body.get(key) or []
        found.extend(items)
        following = _next_query(body.get(f"{key}_links") or [])
        if not items or following is None or following == params:
            return found
        params = following


def _next_query(links: list[dict[str, str]]) -> dict[str, str] | None:
    for link in links:
        if link.get("rel") == "next" and link.get("href"):
            return dict(parse_qsl(urlsplit(link["href"]).query))
    return None
