"""DR policies (`draas policy ...`) and a group's scheduled tests (`draas schedule ...`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from cli.automation import as_request, automation_option, load, summary
from cli.client import segment
from cli.commands.groups import group_option
from cli.context import App, format_option, pass_app
from cli.output import NONE, clock, fields, seconds, table
from cli.params import POSITIVE_SECONDS, SECONDS

F = TypeVar("F", bound=Callable[..., Any])
Json = Mapping[str, Any]
_POLICIES = "/v1/policies"
# Option -> the body's field, for what create and set share.
_SCALARS = {
    "description": "description",
    "replication_type": "replication_type",
    "target_site": "target_site",
    "rpo_target": "rpo_target_seconds",
    "rto_target": "rto_target_seconds",
    "test_interval": "test_interval_seconds",
    "default_tier": "default_tier",
}


def _policy_options(function: F) -> F:
    options = [
        click.option("--description", default=None),
        click.option("--replication-type", type=click.Choice(["async", "sync"]), default=None),
        click.option("--target-site", default=None, help="The site its groups fail over to."),
        click.option("--rpo-target", type=POSITIVE_SECONDS, default=None,
                     metavar="SECONDS"),
        click.option("--rto-target", type=SECONDS, default=None, metavar="SECONDS"),
        click.option("--test-interval", type=SECONDS, default=None,
                     metavar="SECONDS", help="A successful test is due within each interval."),
        click.option("--scheduled-tests/--no-scheduled-tests", default=None,
                     help="Tests run by themselves at the test interval."),
        click.option("--window", "windows", multiple=True, metavar="WINDOW",
                     help="When tests may start, e.g. 'mon-fri 20:00-06:00' (repeat it)."),
        click.option("--no-windows", is_flag=True, help="Tests may start at any time."),
        click.option("--timezone", default=None, help="The windows' IANA zone (default UTC)."),
        click.option("--cleanup-after", type=SECONDS, default=None,
                     metavar="SECONDS", help="How long a scheduled test stands."),
        click.option("--default-tier", type=click.IntRange(1, 100), default=None,
                     help="The tier of a VM protected by tag without a draas:tier tag."),
        automation_option,
        click.option("--no-automation", is_flag=True, help="No hooks or checks."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def policy_body(current: Json, options: Mapping[str, Any]) -> dict[str, Any]:
    """A policy's body: `current` (a policy as the API shows it, or {}) with the options given."""
    body: dict[str, Any] = {
        "name": current.get("name"),
        "description": current.get("description") or "",
        "replication_type": current.get("replication_type"),
        "target_site": current.get("target_site"),
        "rpo_target_seconds": current.get("rpo_target") or None,
        "rto_target_seconds": current.get("rto_target") or 0,
        "test_interval_seconds": current.get("test_interval") or 0,
        "default_tier": current.get("default_tier") or 1,
    }
    for option, field in _SCALARS.items():
        if options.get(option) is not None:
            body[field] = options[option]
    schedule = dict(current.get("test_schedule") or {})
    body["test_schedule"] = {
        "enabled": bool(schedule.get("enabled")),
        "windows": list(schedule.get("windows") or []),
        "timezone": schedule.get("timezone") or "",
        "cleanup_after_seconds": schedule.get("cleanup_after") or 0,
    }
    if options.get("scheduled_tests") is not None:
        body["test_schedule"]["enabled"] = options["scheduled_tests"]
    if options.get("windows") or options.get("no_windows"):
        body["test_schedule"]["windows"] = list(options.get("windows") or [])
    if options.get("timezone") is not None:
        body["test_schedule"]["timezone"] = options["timezone"]
    if options.get("cleanup_after") is not None:
        body["test_schedule"]["cleanup_after_seconds"] = options["cleanup_after"]
    body["automation"] = as_request(current.get("automation"))
    loaded = load(options.get("automation_file"))
    if loaded is not None or options.get("no_automation"):
        body["automation"] = loaded or {"hooks": [], "checks": []}
    if body["rpo_target_seconds"] is None:
        del body["rpo_target_seconds"]
    return body


@click.group("policy")
def policy() -> None:
    """DR policies: templates that groups are made from, and that tagged servers follow."""


@policy.command("create")
@click.option("--name", required=True)
@_policy_options
@click.option("--publish", is_flag=True, help="For every project of the site (admins).")
@format_option
@pass_app
def create(app: App, name: str, publish: bool, **options: Any) -> None:
    """Create a policy (--replication-type and --target-site are required)."""
    for required in ("replication_type", "target_site"):
        if options.get(required) is None:
            raise click.UsageError(f"--{required.replace('_', '-')} is required")
    body = policy_body({"name": name}, options)
    params = {"publish": "true"} if publish else None
    app.show(app.client().request("POST", _POLICIES, body=body, params=params), policy_fields)


@policy.command("list")
@format_option
@pass_app
def list_policies(app: App) -> None:
    """Your project's policies and the published ones."""
    app.show(app.client().get(_POLICIES), lambda d: policies_table(d.get("policies") or []))


@policy.command("show")
@click.argument("name")
@format_option
@pass_app
def show(app: App, name: str) -> None:
    """A policy, by id or name."""
    app.show(app.client().get(f"{_POLICIES}/{segment(name)}"), policy_fields)


@policy.command("set")
@click.argument("name")
@click.option("--rename", default=None, help="A new name.")
@_policy_options
@format_option
@pass_app
def set_policy(app: App, name: str, rename: str | None, **options: Any) -> None:
    """Change a policy: its groups here take the change (the answer says what changed)."""
    path = f"{_POLICIES}/{segment(name)}"
    current = app.client().get(path)
    body = policy_body(current, options)
    if rename:
        body["name"] = rename
    answer = app.client().request("PUT", path, body=body)
    app.show(answer, policy_change)


@policy.command("delete")
@click.argument("name")
@pass_app
def delete(app: App, name: str) -> None:
    """Delete a policy (refused while groups are made from it)."""
    app.client().delete(f"{_POLICIES}/{segment(name)}")


@click.group("schedule")
def schedule() -> None:
    """A group's tests that run by themselves, at its target site."""


@schedule.command("show")
@group_option
@format_option
@pass_app
def show_schedule(app: App, group: str) -> None:
    """When the group's next scheduled test is due and would start, and the last ones."""
    group_id, _ = app.find_group(group)
    app.show(
        app.client().get(f"/v1/failover-groups/{segment(group_id)}/test-schedule"),
        schedule_fields,
    )


@schedule.command("run-now")
@group_option
@format_option
@pass_app
def run_now(app: App, group: str) -> None:
    """Run the group's scheduled test now (at its target site)."""
    group_id, _ = app.find_group(group)
    started = app.client().post(f"/v1/failover-groups/{segment(group_id)}/test-schedule/run")
    app.show(
        started,
        lambda o: (
            f"test failover {o.get('id')} started ({o.get('state')}); follow it with "
            f"draas operation watch {o.get('id')}"
        ),
    )


def _schedule_text(s: Json | None) -> str:
    s = s or {}
    if not s.get("enabled"):
        return "off"
    windows = ", ".join(s.get("windows") or []) or "any time"
    zone = s.get("timezone") or "UTC"
    return f"on: {windows} ({zone}), cleaned up after {seconds(s.get('cleanup_after') or None)}"


def policy_fields(p: Json) -> str:
    return fields(
        [
            ("id", p.get("id")),
            ("name", p.get("name")),
            ("published", "yes" if not p.get("project_id") else "no"),
            ("description", p.get("description")),
            ("replication_type", p.get("replication_type")),
            ("target_site", p.get("target_site")),
            ("rpo_target", seconds(p.get("rpo_target") or None)),
            ("rto_target", seconds(p.get("rto_target") or None)),
            ("test_interval", seconds(p.get("test_interval") or None)),
            ("scheduled_tests", _schedule_text(p.get("test_schedule"))),
            ("default_tier", p.get("default_tier")),
            ("hooks_and_checks", summary(p.get("automation")) or NONE),
            ("groups", list(p.get("group_ids") or []) or NONE),
        ]
    )


def policies_table(items: list[Json]) -> str:
    return table(
        ("Name", "Published", "Replication", "Target site", "RPO target", "Test interval",
         "Scheduled tests", "Groups"),
        [
            (
                p.get("name"),
                "yes" if not p.get("project_id") else "",
                p.get("replication_type"),
                p.get("target_site"),
                seconds(p.get("rpo_target") or None),
                seconds(p.get("test_interval") or None),
                _schedule_text(p.get("test_schedule")),
                len(p.get("group_ids") or []),
            )
            for p in items
        ],
    )  # fmt: skip


def policy_change(answer: Json) -> str:
    lines = [policy_fields(answer.get("policy") or {}), ""]
    for group in answer.get("groups") or []:
        what = (
            f"refused: {group['refused']}"
            if group.get("refused")
            else "; ".join(group.get("changes") or []) or "unchanged"
        )
        lines.append(f"group {group.get('group_name')}: {what}")
    return "\n".join(lines)


def schedule_fields(s: Json) -> str:
    return fields(
        [
            ("group_id", s.get("group_id")),
            ("site", s.get("site")),
            ("test_interval", seconds(s.get("test_interval") or None)),
            ("schedule", _schedule_text(s.get("test_schedule"))),
            ("last_success_at", s.get("last_success_at") or NONE),
            ("last_scheduled", f"{s.get('last_scheduled_operation_id') or NONE} at "
             f"{clock(s.get('last_scheduled_at'))}"),
            ("next_due_at", s.get("next_due_at") or NONE),
            ("next_run_at", s.get("next_run_at") or NONE),
            ("last_problem", s.get("last_problem") or NONE),
        ]
    )  # fmt: skip


COMMANDS = (policy, schedule)
