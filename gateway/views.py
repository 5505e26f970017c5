"""The orchestrator's messages as the REST API's JSON: field names as in the protos, enums as
short lower-case words (GROUP_STATE_FAILED_OVER -> failed_over), durations in seconds."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

# Enum value prefixes, longest first, as the protos spell them.
_PREFIXES = (
    "GROUP_STATE_",
    "OPERATION_STATE_",
    "REPLICATION_TYPE_",
    "STEP_STATE_",
    "UNIT_STATE_",
    "OPERATION_KIND_",
    "FAILOVER_MODE_",
    "REPROTECT_METHOD_",
)


def as_json(message: Message) -> dict[str, Any]:
    """The message as JSON, every field present."""
    body = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return _tidy(body)


def _tidy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, str):
        for prefix in _PREFIXES:
            if value.startswith(prefix):
                return value.removeprefix(prefix).lower()
        if value.endswith("s") and value[:-1].replace(".", "", 1).isdigit():
            return float(value[:-1])  # a Duration
    return value
