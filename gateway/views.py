"""The orchestrator's messages as the REST API's JSON: field names as in the protos, every
field present, enums as short lower-case words (GROUP_STATE_FAILED_OVER -> failed_over),
durations in seconds, timestamps in RFC 3339. Converted by field type, never by a value's text."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


def as_json(message: Message) -> dict[str, Any]:
    """The message as JSON; a message field that is not set is null."""
    return {
        f.name: None if _unset(message, f) else _field(f, getattr(message, f.name))
        for f in message.DESCRIPTOR.fields
    }


def _unset(message: Message, field: Any) -> bool:
    if field.message_type is None:
        # An `optional` scalar that was not set (unknown, rather than zero).
        return bool(field.has_presence) and not message.HasField(field.name)
    known = (Duration.DESCRIPTOR.full_name, Timestamp.DESCRIPTOR.full_name)
    return (
        not field.is_repeated
        and field.message_type.full_name not in known
        and not message.HasField(field.name)
    )


def _field(field: Any, value: Any) -> Any:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value_field = field.message_type.fields_by_name["value"]
        return {str(k): _single(value_field, v) for k, v in value.items()}
    if field.is_repeated:
        return [_single(field, v) for v in value]
    return _single(field, value)


def _single(field: Any, value: Any) -> Any:
    if field.enum_type is not None:
        return _enum(field.enum_type, int(value))
    if isinstance(value, Duration):
        return value.ToNanoseconds() / 1e9
    if isinstance(value, Timestamp):
        return value.ToJsonString() if value.seconds or value.nanos else None
    if isinstance(value, Message):
        return as_json(value)
    return value


def _enum(enum: EnumDescriptor, number: int) -> str:
    name = enum.values_by_number[number].name if number in enum.values_by_number else str(number)
    prefix = enum.values[0].name.removesuffix("UNSPECIFIED")
    return name.removeprefix(prefix).lower()
