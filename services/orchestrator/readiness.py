"""Readiness: a dry run at the group's target site that changes nothing. Per VM: eligible,
its metadata here, its networks and flavor rebuildable; per group: replicated within the RPO
target, the source's metadata replicated, enough quota here. Each check says why when it fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from common.errors import DraasError, FailedPrecondition
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.bundle import Bundle
from services.orchestrator.clients import Clients
from services.orchestrator.groups import Group, GroupRecords
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str = ""


@dataclass
class VmReadiness:
    server_id: str
    name: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Readiness:
    group_id: str
    checks: list[Check]
    vms: list[VmReadiness]

    @property
    def failover_ready(self) -> bool:
        return all(c.ok for c in self.checks) and all(v.ready for v in self.vms)


@dataclass
class Health:
    """Replication of a group: storage as the target array sees it, metadata lag."""

    status: spb.ReplicationStatus
    metadata_changes_behind: int
    metadata_seconds_behind: float


class ReadinessChecker:
    """Readiness and replication health of groups."""

    def __init__(
        self, settings: OrchestratorSettings, clients: Clients, records: GroupRecords
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.records = records

    def health(self, group: Group) -> Health:
        """Storage replication of the group, and how far its target's metadata is behind
        (-1 when the source cannot be asked)."""
        with mapped_errors():
            status = self.clients.storage.GetReplicationStatus(
                spb.GetReplicationStatusRequest(
                    group=group.ref(),
                    # A sync group need not name one (its RPO is zero while the pod is in sync).
                    rpo_target=duration(group.rpo_target_seconds)
                    if group.rpo_target_seconds > 0
                    else None,
                )
            )
        behind, seconds = -1, -1.0
        if group.owner_site == self.settings.site:
            with mapped_errors():
                peers = self.clients.metadata.GetReplicationStatus(
                    mpb.GetReplicationStatusRequest()
                ).peers
            peer = next((p for p in peers if p.peer_site == group.target_site), None)
            if peer is not None:
                behind, seconds = peer.changes_behind, peer.seconds_behind
        else:
            try:
                with mapped_errors():
                    remote = self.clients.peer(group.owner_site).GetReplicationHealth(
                        opb.GetReplicationHealthRequest(
                            project_id=group.project_id, group_id=group.id
                        ),
                        timeout=self.settings.dependency_timeout_seconds,
                    )
                behind, seconds = remote.metadata_changes_behind, remote.metadata_seconds_behind
            except DraasError as error:
                log.info("source %s did not say its metadata lag: %s", group.owner_site, error)
        return Health(status, behind, seconds)

    def check(self, project_id: str, group_id: str) -> Readiness:
        """:raises FailedPrecondition: not asked at the group's target site."""
        group = self.records.get(project_id, group_id)
        if group.target_site != self.settings.site:
            raise FailedPrecondition(
                f"readiness of group {group.name} is checked at its target site "
                f"{group.target_site}, not at {self.settings.site}"
            )
        with mapped_errors():
            bundle = Bundle.from_message(
                self.clients.metadata.GetRecoveryBundle(
                    mpb.GetRecoveryBundleRequest(project_id=group.project_id, group_id=group_id)
                )
            )
            external = {
                n.name
                for n in self.clients.compute.ListExternalNetworks(
                    cpb.ListExternalNetworksRequest(project_id=project_id)
                ).networks
            }
            headroom = self.clients.compute.GetQuotaHeadroom(
                cpb.GetQuotaHeadroomRequest(project_id=project_id)
            )
        vms = [self._vm(group, bundle, vm.server_id, vm.name, external) for vm in group.vms]
        checks = [
            self._replicated(group),
            self._metadata(group, bundle),
            _quota(group, bundle, headroom),
        ]
        if not group.vms:
            checks.append(Check("has_vms", False, "the group has no VMs"))
        return Readiness(group.id, checks, vms)

    def _vm(
        self, group: Group, bundle: Bundle, server_id: str, name: str, external: set[str]
    ) -> VmReadiness:
        parts = bundle.vm(server_id)
        readiness = VmReadiness(server_id, name)
        if "missing" in parts:
            readiness.checks.append(Check("metadata_replicated", False, str(parts["missing"])))
            return readiness
        readiness.checks.append(Check("metadata_replicated", True))
        readiness.checks.append(_eligible(group, bundle, parts))
        readiness.checks.append(self._networks(bundle, parts, external))
        flavor = parts.get("flavor")
        readiness.checks.append(
            Check("flavor_mapping", True, f"flavor {flavor['name']}: found or made here")
            if flavor
            else Check("flavor_mapping", False, "its flavor was not captured")
        )
        return readiness

    def _networks(self, bundle: Bundle, parts: dict[str, Any], external: set[str]) -> Check:
        problems = []
        server = parts["server"]
        ports = {str(p["id"]) for p in parts["ports"]}
        problems += [
            f"port {p} was not captured" for p in server.get("port_ids", []) if p not in ports
        ]
        networks, subnets = bundle.of("NETWORK"), bundle.of("SUBNET")
        for port in parts["ports"]:
            if port.get("network_id") not in networks:
                problems.append(
                    f"network {port.get('network_id')} of port {port['id']} was not captured"
                )
            for ip in port.get("fixed_ips", []):
                if ip.get("subnet_id") not in subnets:
                    problems.append(f"subnet {ip.get('subnet_id')} was not captured")
        names = self.settings.external_networks
        for router in bundle.of("ROUTER").values():
            wanted = router.get("external_network_name")
            if wanted and names.get(wanted, wanted) not in external:
                problems.append(
                    f"router {router.get('name')}: this site has no external network "
                    f"{names.get(wanted, wanted)}"
                )
        return Check("network_mapping", not problems, "; ".join(problems))

    def _replicated(self, group: Group) -> Check:
        try:
            status = self.health(group).status
        except DraasError as error:
            return Check("replicated_within_rpo", False, str(error))
        if not status.HasField("newest_recovery_point"):
            reason = "; ".join(status.problems) or "this site holds no complete recovery point"
            return Check("replicated_within_rpo", False, reason)
        age = status.recovery_point_age.ToTimedelta().total_seconds()
        if not status.within_rpo_target:
            return Check(
                "replicated_within_rpo",
                False,
                f"the newest recovery point is {age:.0f} s old; the target is "
                f"{group.rpo_target_seconds:.0f} s",
            )
        return Check("replicated_within_rpo", True, f"the newest recovery point is {age:.0f} s old")

    def _metadata(self, group: Group, bundle: Bundle) -> Check:
        if bundle.applied_sequence <= 0:
            return Check("metadata_replicated", False, f"nothing from {group.source_site} yet")
        return Check(
            "metadata_replicated",
            True,
            f"changes of {group.owner_site} up to {bundle.applied_sequence} are here",
        )


def _eligible(group: Group, bundle: Bundle, parts: dict[str, Any]) -> Check:
    types = {str(t.get("name")): t for t in bundle.of("VOLUME_TYPE").values()}
    problems = []
    for volume in parts["volumes"]:
        vtype = types.get(str(volume.get("volume_type")))
        if vtype is None or not vtype.get("replication_enabled"):
            problems.append(f"volume {volume['id']}: its type does not replicate")
        elif vtype.get("replication_type") != group.replication_type:
            problems.append(
                f"volume {volume['id']}: its type replicates {vtype.get('replication_type')}"
            )
        if volume.get("encrypted") or (vtype or {}).get("encrypted"):
            problems.append(f"volume {volume['id']}: it is encrypted")
    return Check("eligible", not problems, "; ".join(problems))


def _quota(group: Group, bundle: Bundle, headroom: cpb.QuotaHeadroom) -> Check:
    needs = {"instances": 0, "cores": 0, "ram_mb": 0, "volumes": 0, "gigabytes": 0, "ports": 0}
    for vm in group.vms:
        parts = bundle.vm(vm.server_id)
        if "missing" in parts:
            continue
        flavor = parts.get("flavor") or {}
        needs["instances"] += 1
        needs["cores"] += int(flavor.get("vcpus", 0))
        needs["ram_mb"] += int(flavor.get("ram_mb", 0))
        needs["volumes"] += len(parts["volumes"])
        needs["gigabytes"] += sum(int(v.get("size_gb", 0)) for v in parts["volumes"])
        needs["ports"] += len(parts["ports"])
    short = [
        f"{name}: needs {need}, {getattr(headroom, name)} free"
        for name, need in needs.items()
        if getattr(headroom, name) != -1 and need > getattr(headroom, name)
    ]
    return Check("target_quota", not short, "; ".join(short) or "enough quota for every VM")
