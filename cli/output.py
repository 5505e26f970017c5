"""Plain text tables, and the gateway's JSON as JSON or YAML for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import yaml

FORMATS = ("table", "json", "yaml")
NONE = "-"


def text(value: Any) -> str:
    """A value as a table cell: `-` for nothing, yes/no for booleans, one line per list item;
    characters that are not printable (escape sequences in a tenant's names) become spaces."""
    if value is None or value in ("", []):
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "\n".join(text(item) for item in value)
    return "\n".join(
        "".join(ch if ch.isprintable() else " " for ch in line) for line in str(value).split("\n")
    )


def seconds(value: float | None) -> str:
    """A duration in seconds as `12.3s`, `4m05s` or `1h02m03s`; `-` for none."""
    if value is None:
        return NONE
    if value < 60:
        return f"{value:.1f}s"
    whole = round(value)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def clock(timestamp: str | None) -> str:
    """An RFC 3339 timestamp as local wall-clock time (HH:MM:SS); `-` for none."""
    if not timestamp:
        return NONE
    try:
        return datetime.fromisoformat(timestamp).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return text(timestamp)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns aligned on their widest cell, under a ruled header; a cell with several lines
    makes its row that tall."""
    cells = [[text(value).split("\n") for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for column, lines in enumerate(row):
            widths[column] = max(widths[column], *(len(line) for line in lines))
    out = [_line(headers, widths), _line(["-" * width for width in widths], widths)]
    for row in cells:
        for index in range(max(len(lines) for lines in row)):
            out.append(_line([lines[index] if index < len(lines) else "" for lines in row], widths))
    return "\n".join(out)


def fields(pairs: Iterable[tuple[str, Any]]) -> str:
    """One object as a Field/Value table."""
    return table(("Field", "Value"), pairs)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(
        value.ljust(width) for value, width in zip(values, widths, strict=True)
    ).rstrip()


def dump(document: Any, output_format: str) -> str:
    """A JSON document as indented JSON, or as YAML."""
    if output_format == "yaml":
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).rstrip("\n")
    return json.dumps(document, indent=2, ensure_ascii=False)
