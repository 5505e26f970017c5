"""Watching groups: `draas health-history`, `draas alert ...` (alerts, their channels and
deliveries) and `draas report compliance`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click

from cli.client import segment
from cli.commands.groups import group_option
from cli.context import App, format_option, pass_app
from cli.output import FORMATS, NONE, clock, fields, seconds, table

F = TypeVar("F", bound=Callable[..., Any])
Json = Mapping[str, Any]
_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
TIME_HELP = "ISO 8601 (UTC unless it names a zone), or how long ago: 30m, 24h, 7d."


def moment(value: str | None, option: str) -> str | None:
    """An ISO 8601 time for the gateway from `value` (ISO, or e.g. "7d": seven days ago)."""
    if value is None:
        return None
    relative = _RELATIVE.match(value)
    if relative:
        ago = timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
        return (datetime.now(UTC) - ago).isoformat()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: {TIME_HELP}", param_hint=option) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _time_options(function: F) -> F:
    function = click.option("--to", "until", default=None, metavar="TIME", help=TIME_HELP)(function)
    return click.option("--from", "since", default=None, metavar="TIME", help=TIME_HELP)(function)


# History ------------------------------------------------------------------------------------


@click.command("health-history")
@group_option
@_time_options
@click.option(
    "--step", type=click.IntRange(min=60), default=None, metavar="SECONDS", help="Per point."
)
@format_option
@pass_app
def health_history(
    app: App, group: str, since: str | None, until: str | None, step: int | None
) -> None:
    """A group's replication health over time (by default the last day), as its target site
    sampled it: per step, the worst current RPO, the time within target, the link down."""
    group_id, _ = app.find_group(group)
    params = {"start": moment(since, "--from"), "end": moment(until, "--to")}
    if step:
        params["step_seconds"] = str(step)
    document = app.client().get(
        f"/v1/failover-groups/{segment(group_id)}/health-history",
        {k: v for k, v in params.items() if v is not None},
    )
    app.show(document, history_table)


def history_table(h: Json) -> str:
    target = h.get("rpo_target_seconds") or 0
    rows = [
        (
            clock(p.get("start")),
            seconds(p.get("worst_rpo_seconds")),
            _percent(p.get("within_target_seconds"), p.get("observed_seconds")),
            seconds(p.get("link_down_seconds") or None) if p.get("observed_seconds") else NONE,
            seconds(p.get("worst_metadata_lag_seconds")),
            _bar(p.get("worst_rpo_seconds"), target),
        )
        for p in h.get("points") or []
    ]
    heading = (
        f"RPO target {seconds(target)}, watched at {h.get('site')} "
        f"({h.get('resolution')} data, {seconds(h.get('step'))} per row)"
    )
    return (
        heading
        + "\n"
        + table(
            ("From", "Worst RPO", "Within target", "Link down", "Metadata lag", "RPO / target"),
            rows,
        )
    )


# Alerts -------------------------------------------------------------------------------------


@click.group("alert")
def alert() -> None:
    """Alerts about your groups, where they are delivered, and the delivery log."""


@alert.command("list")
@click.option("--state", type=click.Choice(["firing", "resolved"]), default=None)
@click.option("--group", "group", default=None, metavar="GROUP", help="Only this group's.")
@click.option("--all-projects", is_flag=True, help="Every project's (admins; this site's only).")
@click.option("--limit", type=click.IntRange(1, 500), default=100)
@format_option
@pass_app
def list_alerts(
    app: App, state: str | None, group: str | None, all_projects: bool, limit: int
) -> None:
    """Your project's alerts, newest first, from every site of the project."""
    params: dict[str, Any] = {"limit": limit}
    if state:
        params["state"] = state
    if group:
        params["group_id"] = app.find_group(group)[0]
    if all_projects:
        params["all_projects"] = "true"
    document = app.client().get("/v1/alerts", params)
    app.show(document, lambda d: alerts_table(d.get("alerts") or [], all_projects, d))


@alert.command("show")
@click.argument("alert_id")
@format_option
@pass_app
def show_alert(app: App, alert_id: str) -> None:
    """An alert with its history."""
    app.show(app.client().get(f"/v1/alerts/{segment(alert_id)}"), alert_fields)


@alert.command("ack")
@click.argument("alert_id")
@click.option("--comment", default="", help="Why, or what you are doing about it.")
@format_option
@pass_app
def acknowledge(app: App, alert_id: str, comment: str) -> None:
    """Acknowledge an alert (it still resolves by itself when its condition ends)."""
    body = {"comment": comment} if comment else {}
    app.show(app.client().post(f"/v1/alerts/{segment(alert_id)}/acknowledge", body), alert_fields)


@alert.group("channel")
def channel() -> None:
    """Where the alerts raised at this site go: webhooks and e-mail."""


@channel.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(["webhook", "email"]))
@click.option(
    "--address", required=True, help="The webhook's URL, or e-mail addresses (comma-separated)."
)
@click.option(
    "--min-severity",
    type=click.Choice(["warning", "critical"]),
    default="warning",
    show_default=True,
)
@click.option(
    "--secret",
    default=None,
    envvar="DRAAS_WEBHOOK_SECRET",
    show_envvar=True,
    help="The webhook's HMAC-SHA256 key (default: one is made and printed once).",
)
@format_option
@pass_app
def create_channel(
    app: App, name: str, kind: str, address: str, min_severity: str, secret: str | None
) -> None:
    """Deliver the project's alerts raised at this site (a group's health alerts are raised
    at its target site) to a webhook, signed, or by e-mail."""
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "address": address,
        "min_severity": min_severity,
    }
    if secret:
        body["secret"] = secret
    made = app.client().post("/v1/alert-channels", body)
    app.show(made, channel_fields)
    if app.tables and made.get("secret") and not secret:
        click.echo("The secret is shown this once: keep it to verify X-Draas-Signature.", err=True)


@channel.command("list")
@format_option
@pass_app
def list_channels(app: App) -> None:
    """The project's alert channels at this site."""
    document = app.client().get("/v1/alert-channels")
    app.show(
        document,
        lambda d: table(
            ("ID", "Name", "Kind", "Address", "Min severity", "Created"),
            [
                (
                    c.get("id"),
                    c.get("name"),
                    c.get("kind"),
                    c.get("address"),
                    c.get("min_severity"),
                    clock(c.get("created_at")),
                )
                for c in d.get("alert_channels") or []
            ],
        ),
    )


@channel.command("delete")
@click.argument("channel_id")
@pass_app
def delete_channel(app: App, channel_id: str) -> None:
    """Delete an alert channel and its delivery log."""
    app.client().delete(f"/v1/alert-channels/{segment(channel_id)}")


@alert.command("deliveries")
@click.option("--channel", "channel_id", default="", help="Only this channel's.")
@click.option("--alert", "alert_id", default="", help="Only this alert's.")
@format_option
@pass_app
def deliveries(app: App, channel_id: str, alert_id: str) -> None:
    """The delivery log at this site: each alert event sent to each channel."""
    params = {k: v for k, v in (("channel_id", channel_id), ("alert_id", alert_id)) if v}
    document = app.client().get("/v1/alert-deliveries", params)
    app.show(
        document,
        lambda d: table(
            ("ID", "Alert", "Channel", "Event", "State", "Attempts", "Last result", "Created"),
            [
                (
                    x.get("id"),
                    x.get("alert_id"),
                    x.get("channel_id"),
                    x.get("event"),
                    x.get("state"),
                    x.get("attempts"),
                    x.get("last_result") or NONE,
                    clock(x.get("created_at")),
                )
                for x in d.get("deliveries") or []
            ],
        ),
    )


# Reports ------------------------------------------------------------------------------------


@click.group("report")
def report() -> None:
    """Reports for auditors."""


@report.command("compliance")
@click.option("--group", "group", default=None, metavar="GROUP", help="Only this group.")
@_time_options
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice((*FORMATS, "csv", "html")),
    default=None,
    help="table (default), json, yaml, or the gateway's csv or printable html.",
)
@pass_app
def compliance(
    app: App, group: str | None, since: str | None, until: str | None, output_format: str | None
) -> None:
    """DR compliance of your groups over a period (by default the last 30 days): RPO
    compliance, worst RPO, breaches, tests, the last test's RTO against its target."""
    chosen = output_format or app.output_format
    params: dict[str, Any] = {"start": moment(since, "--from"), "end": moment(until, "--to")}
    if group:
        params["group_id"] = app.find_group(group)[0]
    params = {k: v for k, v in params.items() if v is not None}
    if chosen in ("csv", "html"):
        text = app.client().get_text("/v1/reports/compliance", {**params, "format": chosen})
        click.echo(text, nl=False)
        return
    app.output_format = chosen
    app.show(app.client().get("/v1/reports/compliance", params), compliance_table)


def compliance_table(r: Json) -> str:
    rows = [
        (
            g.get("group_name"),
            g.get("site"),
            _number(g.get("rpo_compliance_percent"), "%"),
            seconds(g.get("worst_rpo_seconds")),
            g.get("breaches"),
            f"{g.get('tests_passed')}/{g.get('tests_run')}",
            clock(g.get("last_successful_test_at")),
            f"{seconds(g.get('last_test_rto_seconds'))} / {seconds(g.get('rto_target_seconds'))}",
            g.get("readiness") or NONE,
        )
        for g in r.get("groups") or []
    ]
    summary = (
        f"{_day_and_time(r.get('start'))} to {_day_and_time(r.get('end'))}: RPO compliance "
        f"{_number(r.get('rpo_compliance_percent'), '%')}, {r.get('breaches')} breaches, "
        f"{r.get('tests_passed')}/{r.get('tests_run')} tests passed"
    )
    missing = r.get("unreachable_sites") or []
    if missing:
        summary += f" (not included: {', '.join(missing)}, unreachable)"
    return (
        summary
        + "\n"
        + table(
            (
                "Group",
                "Watched at",
                "RPO compliance",
                "Worst RPO",
                "Breaches",
                "Tests passed",
                "Last passed",
                "Last RTO / target",
                "Readiness",
            ),
            rows,
        )
    )


def alerts_table(items: Iterable[Json], projects: bool, document: Json) -> str:
    items = list(items)
    head = ("ID", "Severity", "State", "Group", "Rule", "Summary", "Fired", "Ack", "Site")
    rows = [
        (
            a.get("id"),
            a.get("severity"),
            a.get("state"),
            a.get("group_name"),
            a.get("rule"),
            a.get("summary"),
            clock(a.get("fired_at")),
            "yes" if a.get("acknowledged_at") else "",
            a.get("site"),
        )
        for a in items
    ]
    if projects:
        rendered = table(
            ("Project", *head),
            [(a.get("project_id"), *row) for a, row in zip(items, rows, strict=True)],
        )
    else:
        rendered = table(head, rows)
    missing = document.get("unreachable_sites") or []
    if missing:
        rendered += f"\n(alerts of {', '.join(missing)} missing: the site could not be asked)"
    return rendered


def alert_fields(a: Json) -> str:
    history = [
        f"{clock(e.get('at'))} {e.get('kind')}"
        + (f" by {e.get('by')}" if e.get("by") else "")
        + (f": {e.get('detail')}" if e.get("detail") else "")
        for e in a.get("history") or []
    ]
    return fields(
        [
            ("id", a.get("id")),
            ("state", a.get("state")),
            ("severity", a.get("severity")),
            ("rule", a.get("rule")),
            ("summary", a.get("summary")),
            ("group", f"{a.get('group_name')} ({a.get('group_id')})"),
            ("subject", a.get("subject") or NONE),
            ("site", a.get("site")),
            ("fired_at", a.get("fired_at")),
            ("resolved_at", a.get("resolved_at")),
            (
                "acknowledged",
                f"{a.get('acknowledged_at')} by {a.get('acknowledged_by')}"
                if a.get("acknowledged_at")
                else NONE,
            ),
            ("history", history),
        ]
    )


def channel_fields(c: Json) -> str:
    pairs = [
        ("id", c.get("id")),
        ("name", c.get("name")),
        ("kind", c.get("kind")),
        ("address", c.get("address")),
        ("min_severity", c.get("min_severity")),
        ("created_at", c.get("created_at")),
    ]
    if c.get("secret"):
        pairs.append(("secret", c.get("secret")))
    return fields(pairs)


def _day_and_time(timestamp: str | None) -> str:
    """2026-12-01T10:00:00.5Z -> 2026-12-01 10:00 UTC."""
    if not timestamp:
        return NONE
    return f"{timestamp[:10]} {timestamp[11:16]} UTC"


def _percent(part: float | None, whole: float | None) -> str:
    if not whole:
        return NONE
    return f"{100.0 * (part or 0) / whole:.1f} %"


def _number(value: float | None, unit: str) -> str:
    return NONE if value is None else f"{value:.1f} {unit}"


def _bar(rpo: float | None, target: float, width: int = 20) -> str:
    """The RPO against its target as a bar: `|` marks the target, at half the width."""
    if rpo is None or target <= 0:
        return ""
    filled = min(width, round(rpo / target * width / 2))
    return (
        ("#" * filled).ljust(width)[: width // 2] + "|" + ("#" * filled).ljust(width)[width // 2 :]
    )


COMMANDS = (health_history, alert, report)
