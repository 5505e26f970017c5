"""Following an operation to its end: one line per progress event, then a summary, and the exit
code its final state calls for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from cli import views
from cli.client import segment
from cli.context import App
from cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliError,
    NotSucceeded,
    Unreachable,
    exit_code_for_state,
)
from cli.output import dump


def follow_operation(app: App, operation: Mapping[str, Any]) -> None:
    """Follows `operation`'s progress stream to its end, printing each event (tables only),
    then the summary, or the final operation as JSON/YAML.

    :raises NotSucceeded: it ended, but not `succeeded`.
    """
    client = app.client()
    operation_id = str(operation.get("id"))
    path = f"/v1/operations/{segment(operation_id)}"
    line = views.EventLine(views.vm_names(operation.get("vms") or []))
    looked_up: set[str] = set()
    if app.tables:
        click.echo(
            f"Following operation {operation_id} ({operation.get('kind')}); "
            "Ctrl-C stops following, not the operation."
        )
    final: Any = None
    try:
        for event in client.events(operation_id):
            document = _decode(event.data)
            if event.event == "end":
                final = document
                break
            if event.event == "error":
                detail = document.get("detail") or "the progress stream failed"
                click.echo(f"draas: {detail}; following again", err=True)
                continue
            if not app.tables:
                continue
            server_id = str(document.get("server_id") or "")
            if server_id and server_id not in line.names and server_id not in looked_up:
                # The plan (and so the VMs' names) may be made after the operation started.
                looked_up.add(server_id)
                line.learn(views.vm_names(client.get(path).get("vms") or []))
            click.echo(line(document))
    except KeyboardInterrupt:
        raise CliError(
            f"stopped following operation {operation_id}; it goes on "
            f"(draas operation watch {operation_id})",
            EXIT_INTERRUPTED,
        ) from None
    except Unreachable as error:
        raise Unreachable(
            f"{error}; operation {operation_id} goes on (draas operation watch {operation_id})"
        ) from None
    if not isinstance(final, dict):
        final = client.get(path)
    state = str(final.get("state"))
    if app.tables:
        click.echo("")
        click.echo(views.summary(final, _report(app, final)))
    else:
        click.echo(dump(final, app.output_format))
    if exit_code_for_state(state) != EXIT_OK:
        raise NotSucceeded(f"operation {operation_id} ended {state}")


def _report(app: App, final: Mapping[str, Any]) -> Any:
    if final.get("kind") not in views.FAILOVER_KINDS:
        return None
    try:
        return app.client().get(f"/v1/operations/{segment(str(final.get('id')))}/report")
    except CliError as error:
        # The operation's own state still decides the exit code; only the details are missing.
        click.echo(f"draas: no report: {error}", err=True)
        return None


def _decode(data: str) -> Any:
    try:
        document = json.loads(data)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise CliError("the gateway sent a progress event that is not a JSON object")
    return document
