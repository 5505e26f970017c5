"""`draas audit list` and `draas audit show`: the site's audit trail (every request that changed
or tried to change something), as a table, the gateway's CADF events as JSON or YAML, or its
CSV export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import click

from cli.client import segment
from cli.context import App, format_option, pass_app
from cli.output import FORMATS, NONE, fields, table

F = TypeVar("F", bound=Callable[..., Any])
Json = Mapping[str, Any]

_EVENTS = "/v1/audit-events"
# Without --limit, a table, JSON or YAML shows the newest this many; CSV is every event.
DEFAULT_LIMIT = 50
_PAGE = 500


def _set_format(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(App)
    if value is not None and app is not None:
        app.output_format = value


def _list_format(function: F) -> F:
    """`-f/--format` of `audit list`: the usual formats and csv (the gateway's export)."""
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice((*FORMATS, "csv")),
        default=None,
        expose_value=False,
        callback=_set_format,
        help="Output format: table (default), the gateway's CADF events as json or yaml, or "
        "csv (every matching event unless --limit).",
    )(function)


def attachment(event: Json, name: str) -> Any:
    """The content of the event's attachment `name` (None without one)."""
    for found in event.get("attachments") or []:
        if found.get("name") == name:
            return found.get("content")
    return None


def _who(event: Json) -> str:
    initiator = event.get("initiator") or {}
    name, user_id = initiator.get("name"), initiator.get("id")
    return str(name if name and name != user_id else user_id or NONE)


def _outcome(event: Json) -> str:
    code = (event.get("reason") or {}).get("reasonCode")
    return f"{event.get('outcome')} ({code})" if code else str(event.get("outcome"))


def _target(event: Json) -> str:
    target = event.get("target") or {}
    kind = str(target.get("typeURI") or "").removeprefix("service/draas/")
    return f"{kind} {target.get('id')}"


def events_table(items: Iterable[Json], projects: bool = False) -> str:
    """Audit events, one row each (with their project, for an admin's every project)."""
    items = list(items)
    head = ("Time", "User", "Action", "Target", "Outcome", "Address", "Request ID")
    rows = [
        (
            e.get("eventTime"),
            _who(e),
            e.get("action"),
            _target(e),
            _outcome(e),
            ((e.get("initiator") or {}).get("host") or {}).get("address"),
            attachment(e, "request_id"),
        )
        for e in items
    ]
    if projects:
        return table(
            ("Project", *head),
            [
                ((e.get("target") or {}).get("project_id"), *row)
                for e, row in zip(items, rows, strict=True)
            ],
        )
    return table(head, rows)


def event_fields(event: Json) -> str:
    """One audit event, field by field."""
    initiator = event.get("initiator") or {}
    target = event.get("target") or {}
    request = attachment(event, "request") or {}
    response = attachment(event, "response") or {}
    return fields(
        [
            ("id", event.get("id")),
            ("time", event.get("eventTime")),
            ("action", event.get("action")),
            ("outcome", _outcome(event)),
            ("user", f"{_who(event)} ({initiator.get('id')})"),
            ("user_project", initiator.get("project_id")),
            ("roles", initiator.get("roles")),
            ("address", (initiator.get("host") or {}).get("address")),
            ("project", target.get("project_id")),
            ("target", _target(event)),
            ("request_id", attachment(event, "request_id")),
            ("request", f"{request.get('method')} {request.get('path')}"),
            ("fields_sent", request.get("fields")),
            ("made", response.get("id") or response.get("operation_id")),
            ("detail", response.get("detail")),
            ("observer", (event.get("observer") or {}).get("name")),
        ]
    )


@click.group("audit")
def audit() -> None:
    """The audit trail: who changed what, when, and how it ended."""


@audit.command("list")
@click.option("--since", default=None, metavar="TIME", help="From this time (ISO 8601).")
@click.option("--until", default=None, metavar="TIME", help="Before this time (ISO 8601).")
@click.option(
    "--action",
    default=None,
    help="Only this action: create, update, delete, update/failover, update/test-failover, ...",
)
@click.option("--outcome", type=click.Choice(["success", "failure", "pending"]), default=None)
@click.option("--target", default=None, metavar="ID", help="Only about this group, VM, ...")
@click.option("--user", "initiator", default=None, metavar="USER_ID", help="Only this user's.")
@click.option("--all-projects", is_flag=True, help="Every project's (needs the admin role).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help=f"The newest this many (default {DEFAULT_LIMIT}; csv: every matching event).",
)
@_list_format
@pass_app
def list_events(
    app: App,
    since: str | None,
    until: str | None,
    action: str | None,
    outcome: str | None,
    target: str | None,
    initiator: str | None,
    all_projects: bool,
    limit: int | None,
) -> None:
    """List your project's audit events at this site, newest first."""
    params: dict[str, Any] = {
        k: v
        for k, v in {
            "since": since,
            "until": until,
            "action": action,
            "outcome": outcome,
            "target_id": target,
            "initiator_id": initiator,
        }.items()
        if v
    }
    if all_projects:
        params["all_projects"] = "true"
    client = app.client()
    if app.output_format == "csv":
        if limit is not None:
            params["limit"] = limit
        click.echo(client.get_text(_EVENTS, {**params, "format": "csv"}), nl=False)
        return
    wanted = limit or DEFAULT_LIMIT
    items: list[Any] = []
    while len(items) < wanted:
        page = client.get(_EVENTS, {**params, "limit": min(_PAGE, wanted - len(items))}) or {}
        items.extend(page.get("audit_events") or [])
        token = page.get("next_page_token") or ""
        if not token:
            break
        params["page_token"] = token
    app.show(
        {"audit_events": items, "next_page_token": ""},
        lambda _: events_table(items, projects=all_projects),
    )


@audit.command("show")
@click.argument("event_id", metavar="ID")
@format_option
@pass_app
def show(app: App, event_id: str) -> None:
    """Show one audit event (the gateway's CADF event with -f json)."""
    app.show(app.client().get(f"{_EVENTS}/{segment(event_id)}"), event_fields)


COMMANDS = (audit,)
