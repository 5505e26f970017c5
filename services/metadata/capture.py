"""Capturing protected projects through the compute service, on demand and periodically."""

from __future__ import annotations

import logging
import threading
from typing import Any

import grpc
from google.protobuf import json_format

from common.errors import DraasError, FailedPrecondition
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2, compute_pb2_grpc
from services.metadata.store import (
    FAILOVER_GROUP,
    SHAREABLE,
    CaptureCounts,
    EntityKey,
    MetadataStore,
    Observed,
)

log = logging.getLogger(__name__)

# Inventory field -> entity kind.
KINDS = {
    "servers": "SERVER",
    "flavors": "FLAVOR",
    "images": "IMAGE",
    "key_pairs": "KEY_PAIR",
    "server_groups": "SERVER_GROUP",
    "volumes": "VOLUME",
    "volume_types": "VOLUME_TYPE",
    "networks": "NETWORK",
    "subnets": "SUBNET",
    "routers": "ROUTER",
    "ports": "PORT",
    "security_groups": "SECURITY_GROUP",
}
# Image visibilities that let every project use an image.
PUBLIC_IMAGES = {"public", "community"}


def body_of(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def group_members(store: MetadataStore, project_id: str) -> dict[str, str]:
    """Server id -> failover group id, from the group records (`vms[].server_id`)."""
    members = {}
    for group in store.entities(project_id, kinds={FAILOVER_GROUP}):
        for vm in group.body.get("vms", []):
            if vm.get("server_id"):
                members[str(vm["server_id"])] = group.key.id
    return members


def site_level(kind: str, body: dict[str, Any], project_id: str, site_networks: set[str]) -> bool:
    """Whether the cloud lets every project use a resource a capture of `project_id` found: a
    public flavor or volume type, a public or community image, a shared or external network
    (and its subnets, in `site_networks`), or a network, router or security group another
    project owns. Absent fields (proto3 JSON leaves out false and empty) mean private."""
    if kind in ("FLAVOR", "VOLUME_TYPE"):
        return body.get("is_public") is True
    if kind == "IMAGE":
        return body.get("visibility") in PUBLIC_IMAGES
    if kind == "SUBNET":
        return body.get("network_id") in site_networks
    if kind == "NETWORK" and (body.get("shared") or body.get("external")):
        return True
    if kind in ("NETWORK", "ROUTER", "SECURITY_GROUP"):
        return body.get("project_id", project_id) != project_id
    return False


def observe(
    site: str, project_id: str, inventory: compute_pb2.Inventory, members: dict[str, str]
) -> dict[EntityKey, Observed]:
    """Every captured resource as an entity of this site, with whether it is the site's; a
    grouped server's volumes and ports belong to its group too."""
    groups: dict[str, str] = {}
    for server in inventory.servers:
        group = members.get(server.id, "")
        groups[server.id] = group
        for device in server.block_devices:
            groups[device.volume_id] = group
        for port_id in server.port_ids:
            groups[port_id] = group
    site_networks = {
        n.id for n in inventory.networks if site_level("NETWORK", body_of(n), project_id, set())
    }
    observed = {}
    for field, kind in KINDS.items():
        for item in getattr(inventory, field):
            identity = item.name if kind == "KEY_PAIR" else item.id
            body = body_of(item)
            observed[EntityKey(site, kind, identity)] = Observed(
                groups.get(identity, ""),
                body,
                site_level(kind, body, project_id, site_networks),
                kind in SHAREABLE,
            )
    return observed


def references(site: str, observed: dict[EntityKey, Observed]) -> set[EntityKey]:
    """The shareable resources the captured servers, volumes and ports name. The capture takes
    every one that exists (an image it cannot find it leaves out), so one named but not
    captured has vanished from the cloud."""
    named: set[tuple[str, Any]] = set()
    for key, seen in observed.items():
        body = seen.body
        if key.kind == "SERVER":
            named |= {("FLAVOR", body.get("flavor_id")), ("IMAGE", body.get("image_id"))}
        elif key.kind == "VOLUME":
            named.add(("IMAGE", body.get("image_metadata", {}).get("image_id")))
        elif key.kind == "PORT":
            named.add(("NETWORK", body.get("network_id")))
            named |= {("SUBNET", ip.get("subnet_id")) for ip in body.get("fixed_ips", [])}
            named |= {("SECURITY_GROUP", g) for g in body.get("security_group_ids", [])}
    return {EntityKey(site, kind, str(i)) for kind, i in named if i}


class Capturer:
    """Captures projects through the compute service at `channel`; periodically, every project
    with a group this site owns."""

    def __init__(
        self,
        store: MetadataStore,
        channel: grpc.Channel | None,
        interval: float,
        timeout: float = 300.0,
    ) -> None:
        self.store = store
        self.channel = channel
        self.compute = compute_pb2_grpc.ComputeServiceStub(channel) if channel else None
        self.interval = interval
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    def capture(self, project_id: str, server_ids: list[str] | None = None) -> CaptureCounts:
        """The whole project, or only `server_ids` and what they use (then nothing is marked
        deleted).

        :raises FailedPrecondition: without a compute service to capture through.
        """
        if self.compute is None:
            raise FailedPrecondition(
                "this metadata service has no compute_address to capture through"
            )
        with mapped_errors():
            inventory = self.compute.CaptureInventory(
                compute_pb2.CaptureInventoryRequest(
                    project_id=project_id, server_ids=server_ids or []
                ),
                timeout=self.timeout,
            )
        observed = observe(
            self.store.site, project_id, inventory, group_members(self.store, project_id)
        )
        return self.store.capture(
            project_id,
            observed,
            set(KINDS.values()),
            partial=bool(server_ids),
            vanished=references(self.store.site, observed) - set(observed),
        )

    def start(self) -> None:
        if self.interval > 0 and self.compute is not None:
            self._thread.start()

    def stop(self) -> None:
        """Stops periodic capture; closing the channel ends a capture under way."""
        self._stop.set()
        if self.channel is not None:
            self.channel.close()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                projects = self.store.protected_projects()
            except Exception:
                log.exception("periodic capture could not list the protected projects")
                continue
            for project_id in projects:
                if self._stop.is_set():
                    return
                self._capture_logged(project_id)

    def _capture_logged(self, project_id: str) -> None:
        try:
            counts = self.capture(project_id)
            log.info("captured %s: %s", project_id, counts)
        except DraasError as error:
            log.warning("capture of %s failed: %s", project_id, error)
        except Exception:
            # The thread goes on: the next round may well succeed (a database blip).
            log.exception("capture of %s failed", project_id)
