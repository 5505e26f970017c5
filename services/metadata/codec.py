"""Store records <-> protobuf messages, and the batch checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidArgument
from draas.metadata.v1 import metadata_pb2 as pb
from services.metadata.store import SHAREABLE, Change, Entity, EntityKey

PREFIX = "ENTITY_KIND_"
# Longest values the store's columns hold.
SITE_LENGTH, ID_LENGTH, PROJECT_LENGTH, GROUP_LENGTH = 64, 255, 64, 64


def text(value: str, field: str, limit: int, required: bool = True) -> str:
    """:raises InvalidArgument: when missing (and required) or longer than `limit`."""
    if required and not value:
        raise InvalidArgument(field, "is required")
    if len(value) > limit:
        raise InvalidArgument(field, f"must be at most {limit} characters")
    return value


def body_from(message: Struct, field: str) -> dict[str, Any]:
    """:raises InvalidArgument: for a body JSON cannot hold (NaN or infinite numbers)."""
    try:
        return json_format.MessageToDict(message)
    except (ValueError, json_format.SerializeToJsonError):
        raise InvalidArgument(field, "must be JSON: no NaN or infinite numbers") from None


def moment_from(message: Timestamp, field: str) -> datetime:
    """:raises InvalidArgument: for a time outside what datetime holds."""
    try:
        return message.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(field, "is out of range") from None


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
    """:raises InvalidArgument: naming the part of the key that is missing or wrong."""
    return EntityKey(
        text(message.site, f"{field}.site", SITE_LENGTH),
        kind_name(message.kind, f"{field}.kind"),
        text(message.id, f"{field}.id", ID_LENGTH),
    )


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
    """A replicated entity, checked as strictly as a local write (the project may be empty only
    for a kind that can be site-level; the receiver checks that its site sent it)."""
    key = key_from(message.key, f"{field}.key")
    return Entity(
        key=key,
        project_id=text(
            message.project_id,
            f"{field}.project_id",
            PROJECT_LENGTH,
            required=key.kind not in SHAREABLE,
        ),
        group_id=text(message.group_id, f"{field}.group_id", GROUP_LENGTH, required=False),
        owner_site=text(message.owner_site, f"{field}.owner_site", SITE_LENGTH),
        epoch=message.epoch,
        version=message.version,
        deleted=message.deleted,
        changed_at=moment_from(message.changed_at, f"{field}.changed_at"),
        body=body_from(message.body, f"{field}.body"),
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
