"""Store records <-> protobuf messages, and the batch checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidArgument
from draas.metadata.v1 import metadata_pb2 as pb
from services.metadata.store import Change, Entity, EntityKey

PREFIX = "ENTITY_KIND_"


def kind_name(value: int, field: str) -> str:
    """The store's kind for a proto enum value.

    :raises InvalidArgument: for ENTITY_KIND_UNSPECIFIED or an unknown value.
    """
    if value == pb.ENTITY_KIND_UNSPECIFIED or value not in pb.EntityKind.values():
        raise InvalidArgument(field, "must be a known entity kind")
    return pb.EntityKind.Name(value).removeprefix(PREFIX)


def kind_value(name: str) -> str:
    """The proto enum name for a store kind (protobuf accepts enum names in constructors)."""
    return PREFIX + name


def key_from(message: pb.EntityKey, field: str) -> EntityKey:
    if not message.site:
        raise InvalidArgument(f"{field}.site", "is required")
    if not message.id:
        raise InvalidArgument(f"{field}.id", "is required")
    return EntityKey(message.site, kind_name(message.kind, f"{field}.kind"), message.id)


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def entity_message(entity: Entity) -> pb.Entity:
    body = Struct()
    body.update(entity.body)
    return pb.Entity(
        key=pb.EntityKey(
            site=entity.key.site,
            kind=kind_value(entity.key.kind),
            id=entity.key.id,
        ),
        project_id=entity.project_id,
        group_id=entity.group_id,
        owner_site=entity.owner_site,
        version=entity.version,
        epoch=entity.epoch,
        deleted=entity.deleted,
        changed_at=_timestamp(entity.changed_at),
        body=body,
    )


def entity_from(message: pb.Entity, field: str) -> Entity:
    return Entity(
        key=key_from(message.key, f"{field}.key"),
        project_id=message.project_id,
        group_id=message.group_id,
        owner_site=message.owner_site,
        epoch=message.epoch,
        version=message.version,
        deleted=message.deleted,
        changed_at=message.changed_at.ToDatetime(tzinfo=UTC),
        body=json_format.MessageToDict(message.body),
    )


def change_message(change: Change) -> pb.Change:
    return pb.Change(
        sequence=change.sequence,
        origin_site=change.origin_site,
        entity=entity_message(change.entity),
    )


def change_from(message: pb.Change, field: str) -> Change:
    return Change(
        message.origin_site, message.sequence, entity_from(message.entity, f"{field}.entity")
    )


def checksum(changes: Iterable[pb.Change]) -> str:
    """SHA-256 over the changes' deterministic serialisation, in order."""
    digest = hashlib.sha256()
    for change in changes:
        digest.update(change.SerializeToString(deterministic=True))
    return digest.hexdigest()
