"""The recovery bundle this site's metadata service holds for a group, cut into what each VM's
unit needs and what the group's networks need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from draas.metadata.v1 import metadata_pb2 as mpb
from services.orchestrator.groups import Group

M = TypeVar("M", bound=Message)


def message(body: dict[str, Any], into: M) -> M:
    """A captured body back into the compute service's message (numbers came back as floats)."""
    return json_format.ParseDict(body, into, ignore_unknown_fields=True)


@dataclass
class Bundle:
    """Bodies by kind (SERVER, VOLUME, ...) and id, and how far this site's copy goes."""

    group: Group
    entities: dict[str, dict[str, dict[str, Any]]]
    applied_sequence: int

    @staticmethod
    def from_message(found: mpb.RecoveryBundle) -> Bundle:
        entities: dict[str, dict[str, dict[str, Any]]] = {}
        for entity in found.entities:
            kind = mpb.EntityKind.Name(entity.key.kind).removeprefix("ENTITY_KIND_")
            body = json_format.MessageToDict(entity.body, preserving_proto_field_name=True)
            entities.setdefault(kind, {})[entity.key.id] = body
        return Bundle(Group.from_entity(found.group), entities, found.applied_sequence)

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.entities.get(kind, {})

    def vm(self, server_id: str) -> dict[str, Any]:
        """What one VM's unit needs: its server, flavor, key pair, server group, volumes in
        boot order, and ports; `missing` says why it cannot be rebuilt, if it cannot."""
        server = self.of("SERVER").get(server_id)
        if server is None:
            return {"missing": f"site has no captured metadata of VM {server_id}"}
        volumes = self.of("VOLUME")
        # Proto3 JSON leaves out defaults: no boot_index means 0, the boot volume.
        devices = sorted(
            server.get("block_devices", []),
            key=lambda d: (int(d.get("boot_index", 0)) != 0, str(d.get("device_name", ""))),
        )
        missing = [d["volume_id"] for d in devices if d.get("volume_id") not in volumes]
        if missing:
            return {"missing": f"site has no captured metadata of volume {missing[0]}"}
        ports = self.of("PORT")
        return {
            "server": server,
            "flavor": self.of("FLAVOR").get(str(server.get("flavor_id", ""))),
            "key_pair": self.of("KEY_PAIR").get(str(server.get("key_name", ""))),
            "server_group": self.of("SERVER_GROUP").get(str(server.get("server_group_id", ""))),
            "devices": devices,
            "volumes": [volumes[d["volume_id"]] for d in devices],
            "ports": [ports[p] for p in server.get("port_ids", []) if p in ports],
        }

    def networks(self) -> dict[str, list[dict[str, Any]]]:
        """The group's networks, subnets, routers and security groups."""
        return {
            kind.lower() + "s": list(self.of(kind).values())
            for kind in ("NETWORK", "SUBNET", "ROUTER", "SECURITY_GROUP")
        }
