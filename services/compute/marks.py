"""How draas marks what it makes in a cloud, so a repeated request finds it and a cleanup
removes exactly what an operation made."""

from __future__ import annotations

from typing import Any

from common.errors import InvalidArgument

SERVER_REQUEST = "draas_request_id"
OPERATION = "draas_operation_id"
SOURCE = "draas_source_id"


def require(value: str, field: str) -> str:
    """:raises InvalidArgument: when empty."""
    if not value:
        raise InvalidArgument(field, "is required: it names what the request makes")
    return value


def description(operation_id: str, source_id: str) -> str:
    """Neutron resources: the description names the operation and the source resource."""
    return f"draas op={operation_id} src={source_id}"


def source_of(description: str | None) -> str:
    """The source resource a draas mark names ("" for a description that is not a mark)."""
    if not description or not description.startswith("draas op="):
        return ""
    return description.rpartition(" src=")[2]


def marked(description: str | None) -> bool:
    """Whether a Neutron resource's description is a draas mark: draas made it."""
    return bool(source_of(description))


def tags(operation_id: str) -> list[str]:
    return [operation_tag(operation_id)]


def operation_tag(operation_id: str) -> str:
    return f"draas-op-{operation_id}"


def metadata(operation_id: str, request_id: str, source_id: str = "") -> dict[str, str]:
    """Servers and volumes: metadata keys."""
    marks = {OPERATION: operation_id, SERVER_REQUEST: request_id}
    if source_id:
        marks[SOURCE] = source_id
    return {k: v for k, v in marks.items() if v}


def made_by(resource: Any, request_id: str) -> bool:
    return (getattr(resource, "metadata", None) or {}).get(SERVER_REQUEST) == request_id
