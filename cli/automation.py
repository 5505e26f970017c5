"""`--automation FILE`: a group's (or a policy's) hooks and application checks, as the API
takes them, from a JSON or YAML file: {"hooks": [...], "checks": [...]}."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

F = TypeVar("F", bound=Callable[..., Any])
Json = Mapping[str, Any]


def automation_option(function: F) -> F:
    return click.option(
        "--automation",
        "automation_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Hooks and application checks, JSON or YAML: {hooks: [...], checks: [...]} "
        "(see the API's AutomationBody).",
    )(function)


def load(path: Path | None) -> dict[str, Any] | None:
    """The file's hooks and checks, or None without a file.

    :raises click.BadParameter: not JSON or YAML, or not a mapping of hooks and checks.
    """
    if path is None:
        return None
    text = path.read_text()
    try:
        found = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise click.BadParameter(f"{path}: {error}", param_hint="--automation") from None
    if not isinstance(found, dict) or set(found) - {"hooks", "checks"}:
        raise click.BadParameter(
            f"{path}: must be a mapping of hooks and checks", param_hint="--automation"
        )
    return {"hooks": list(found.get("hooks") or []), "checks": list(found.get("checks") or [])}


def summary(automation: Json | None) -> list[str]:
    """One line per hook and check."""
    automation = automation or {}
    lines = [
        f"hook {h.get('name')}: {h.get('when')} -> {h.get('url')}"
        + (f" ({', '.join(h['kinds'])})" if h.get("kinds") else "")
        for h in automation.get("hooks") or []
    ]
    for c in automation.get("checks") or []:
        target = c.get("url") if c.get("type") == "hook" else f":{c.get('port')}"
        path = c.get("path") if c.get("type") == "http" else ""
        lines.append(f"check {c.get('name')}: {c.get('type')} {target}{path or ''}")
    return lines


def as_request(shown: Json | None) -> dict[str, Any]:
    """Hooks and checks as the API shows them, in the shape it takes them back (its answers
    say `timeout`, its requests `timeout_seconds`)."""
    shown = shown or {}

    def one(item: Json) -> dict[str, Any]:
        made = {k: v for k, v in item.items() if k != "timeout" and v not in ("", None)}
        if item.get("timeout"):
            made["timeout_seconds"] = item["timeout"]
        if not made.get("expect_status"):
            made.pop("expect_status", None)
        return made

    return {
        "hooks": [one(h) for h in shown.get("hooks") or []],
        "checks": [one(c) for c in shown.get("checks") or []],
    }
