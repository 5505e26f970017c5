"""Whether a VM can join a failover group: every volume of a replicated type of the group's
replication type, none encrypted, all on the group's array (and pod, for sync), that array
paired with one at the target site, and the VM in no other group."""

from __future__ import annotations

from dataclasses import dataclass

from draas.compute.v1 import compute_pb2 as cpb
from services.orchestrator.groups import SYNC, Group


@dataclass(frozen=True)
class Placement:
    """Where an eligible VM's volumes live: its array, the paired array at the target site,
    the pod (sync) and the array volume names."""

    source_array: str
    target_array: str
    pod_name: str
    volumes: list[str]


@dataclass(frozen=True)
class Refusal:
    """Why a VM cannot join: which volume (empty for the VM as a whole) and the reason."""

    volume_id: str
    reason: str

    def message(self, server: cpb.Server) -> str:
        volume = f", volume {self.volume_id}" if self.volume_id else ""
        return f"VM {server.name} ({server.id}){volume}: {self.reason}"


def check(
    group: Group,
    inventory: cpb.Inventory,
    server_id: str,
    array_pairs: dict[str, str],
    member_of: dict[str, str],
) -> tuple[Placement | None, list[Refusal]]:
    """The VM's placement when it may join, else every reason it may not.

    `member_of` maps server ids to the group (name) they are in already.
    """
    refusals: list[Refusal] = []
    other = member_of.get(server_id)
    if other is not None and other != group.name:
        refusals.append(Refusal("", f"it is in failover group {other} already"))
    server = next(s for s in inventory.servers if s.id == server_id)
    volumes = {v.id: v for v in inventory.volumes}
    types = {t.name: t for t in inventory.volume_types}
    if not server.block_devices:
        refusals.append(Refusal("", "it has no volumes; only volume-backed VMs can be protected"))
    arrays, pods, names = set(), set(), []
    for device in server.block_devices:
        volume = volumes[device.volume_id]
        vtype = types.get(volume.volume_type)
        refusals += _volume_refusals(group, volume, vtype, array_pairs)
        arrays.add(volume.array_name)
        names.append(volume.array_volume_name)
        if "::" in volume.array_volume_name:
            pods.add(volume.array_volume_name.split("::", 1)[0])
    source_array = group.source_array or (sorted(arrays)[0] if arrays else "")
    for array in sorted(arrays - {source_array}):
        refusals.append(
            Refusal("", f"its volumes are on array {array}; the group's are on {source_array}")
        )
    pod = group.pod_name or (sorted(pods)[0] if pods else "")
    if group.replication_type == SYNC and len((pods | {pod}) - {""}) > 1:
        refusals.append(
            Refusal("", f"its volumes are in pods {sorted(pods)}; the group's in {pod}")
        )
    if refusals:
        return None, refusals
    return Placement(source_array, array_pairs[source_array], pod, names), []


def _volume_refusals(
    group: Group,
    volume: cpb.Volume,
    vtype: cpb.VolumeType | None,
    array_pairs: dict[str, str],
) -> list[Refusal]:
    found = []
    if vtype is None or not vtype.replication_enabled:
        found.append(Refusal(volume.id, f"its type {volume.volume_type} does not replicate"))
    elif vtype.replication_type != group.replication_type:
        found.append(
            Refusal(
                volume.id,
                f"its type {volume.volume_type} replicates {vtype.replication_type}, and "
                f"group {group.name} replicates {group.replication_type}",
            )
        )
    if volume.encrypted or (vtype is not None and vtype.encrypted):
        found.append(
            Refusal(volume.id, "it is encrypted; encrypted volumes cannot be recovered elsewhere")
        )
    if not volume.array_name:
        found.append(Refusal(volume.id, "Cinder does not say which array holds it"))
    elif volume.array_name not in array_pairs:
        found.append(
            Refusal(
                volume.id,
                f"its array {volume.array_name} has no replication partner at site "
                f"{group.target_site}",
            )
        )
    if group.replication_type == SYNC and "::" not in volume.array_volume_name:
        found.append(Refusal(volume.id, "it is not in an ActiveCluster pod"))
    return found
