"""Audit events as CSV rows, one per event, with the columns an auditor filters on. A cell that
a spreadsheet would take for a formula (=, +, -, @, tab, carriage return first) is prefixed with
an apostrophe: user names and refusal details are the callers' text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

COLUMNS = (
    "id",
    "event_time",
    "project_id",
    "initiator_id",
    "initiator_name",
    "initiator_roles",
    "source_address",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "status",
    "request_id",
    "method",
    "path",
    "detail",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def attachment(event: Mapping[str, Any], name: str) -> Any:
    """The content of the event's attachment `name` (None without one)."""
    for found in event.get("attachments") or []:
        if found.get("name") == name:
            return found.get("content")
    return None


def flat(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event's columns (see COLUMNS)."""
    initiator = event.get("initiator") or {}
    target = event.get("target") or {}
    request = attachment(event, "request") or {}
    response = attachment(event, "response") or {}
    reason = event.get("reason") or {}
    return {
        "id": event.get("id"),
        "event_time": event.get("eventTime"),
        "project_id": target.get("project_id"),
        "initiator_id": initiator.get("id"),
        "initiator_name": initiator.get("name"),
        "initiator_roles": " ".join(initiator.get("roles") or []),
        "source_address": (initiator.get("host") or {}).get("address"),
        "action": event.get("action"),
        "target_type": target.get("typeURI"),
        "target_id": target.get("id"),
        "outcome": event.get("outcome"),
        "status": reason.get("reasonCode"),
        "request_id": attachment(event, "request_id"),
        "method": request.get("method"),
        "path": request.get("path"),
        "detail": response.get("detail"),
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(events: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header line, then one line per event."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for event in events:
        buffer.seek(0)
        buffer.truncate()
        row = flat(event)
        writer.writerow([_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()
