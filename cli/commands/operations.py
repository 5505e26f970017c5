"""Operations: starting them (test failover, cleanup, failover, reprotect, failback), and
`draas operation ...` to list, show, watch and report on them."""

from __future__ import annotations

import uuid
from typing import Any

import click

from cli import views
from cli.client import segment
from cli.commands.groups import group_option, group_vm_ids
from cli.context import App, format_option, pass_app
from cli.errors import CliError, GatewayError, Unreachable
from cli.params import POSITIVE_SECONDS, SECONDS
from cli.progress import follow_operation

_OPERATIONS = "/v1/operations"


def _starts(function: Any) -> Any:
    """The options of every command that starts an operation: --wait, --idempotency-key."""
    function = click.option(
        "--idempotency-key",
        default=None,
        metavar="KEY",
        help="Repeat an earlier request: the same key returns (and resumes) the operation it "
        "started instead of starting another. Default: a new key.",
    )(function)
    return click.option(
        "--wait",
        is_flag=True,
        help="Follow the operation's progress to its end; exit 3 unless it succeeded.",
    )(function)


def _start(app: App, path: str, body: dict[str, Any], key: str | None, wait: bool) -> None:
    key = key or str(uuid.uuid4())
    try:
        operation = app.client().post(path, body, idempotency_key=key)
    except (Unreachable, GatewayError) as error:
        if isinstance(error, GatewayError) and error.status < 500:
            raise
        # The request may have been taken: the same key finds out without starting another.
        hint = f"to repeat this request safely, add --idempotency-key {key}"
        raise CliError(f"{error}; {hint}", error.exit_code) from None
    if wait:
        follow_operation(app, operation)
    else:
        app.show(operation, views.operation)


def _group_path(group_id: str, action: str) -> str:
    return f"/v1/failover-groups/{segment(group_id)}/{action}"


@click.command("test-failover")
@group_option
@click.option(
    "--recovery-point", default=None, metavar="ID", help="Default: the newest complete point."
)
@click.option(
    "--cleanup-after",
    type=SECONDS,
    default=None,
    metavar="SECONDS",
    help="Clean up automatically after this long (0: never; default: the site's setting).",
)
@click.option("--stop-on-vm-failure", is_flag=True, help="One VM's failure gives the test up.")
@click.option(
    "--vm",
    "vms",
    multiple=True,
    metavar="VM",
    help="Test only this VM of the group (its server id or name; repeat for more). A test of "
    "some VMs is not the group's last test, nor counted in its compliance. Default: every VM.",
)
@_starts
@format_option
@pass_app
def test_failover(
    app: App,
    group: str,
    recovery_point: str | None,
    cleanup_after: float | None,
    stop_on_vm_failure: bool,
    vms: tuple[str, ...],
    idempotency_key: str | None,
    wait: bool,
) -> None:
    """Recover a group's VMs (or the ones --vm names) at the target site on isolated
    networks, production untouched. Run it against the target site's cloud (e.g. --os-cloud
    of that site)."""
    group_id, _ = app.find_group(group)
    body: dict[str, Any] = {}
    if vms:
        body["server_ids"] = group_vm_ids(app, group_id, vms)
    if recovery_point:
        body["recovery_point_id"] = recovery_point
    if cleanup_after is not None:
        body["cleanup_after_seconds"] = cleanup_after
    if stop_on_vm_failure:
        body["stop_on_vm_failure"] = True
    _start(app, _group_path(group_id, "test-failover"), body, idempotency_key, wait)


@click.command("cleanup")
@click.option("--operation", "operation_id", required=True, help="The test failover's id.")
@_starts
@format_option
@pass_app
def cleanup(app: App, operation_id: str, idempotency_key: str | None, wait: bool) -> None:
    """Remove everything a test failover made."""
    path = f"{_OPERATIONS}/{segment(operation_id)}/cleanup"
    _start(app, path, {}, idempotency_key, wait)


@click.command("failover")
@group_option
@click.option(
    "--mode",
    required=True,
    type=click.Choice(["planned", "unplanned"]),
    help="planned: the source site is up (quiesce, final replication, no data loss); "
    "unplanned: it is gone.",
)
@click.option(
    "--recovery-point",
    default=None,
    metavar="ID",
    help="Unplanned only; default: the newest complete point.",
)
@click.option(
    "--quiesce",
    is_flag=True,
    help="Async planned: stop the source VMs before the final replication (always for sync).",
)
@click.option("--stop-on-vm-failure", is_flag=True, help="One VM's failure gives it up.")
@_starts
@format_option
@pass_app
def failover(
    app: App,
    group: str,
    mode: str,
    recovery_point: str | None,
    quiesce: bool,
    stop_on_vm_failure: bool,
    idempotency_key: str | None,
    wait: bool,
) -> None:
    """Fail a group over to its target site. Run it against the target site's cloud."""
    group_id, _ = app.find_group(group)
    body: dict[str, Any] = {"mode": mode}
    if recovery_point:
        body["recovery_point_id"] = recovery_point
    if quiesce:
        body["quiesce"] = True
    if stop_on_vm_failure:
        body["stop_on_vm_failure"] = True
    _start(app, _group_path(group_id, "failover"), body, idempotency_key, wait)


@click.command("reprotect")
@group_option
@click.option(
    "--method",
    required=True,
    type=click.Choice(["volume-type", "retype"]),
    help="volume-type: manage the volumes under a replicated volume type; retype: Cinder retype.",
)
@click.option(
    "--target",
    "target_replication_type",
    required=True,
    type=click.Choice(["async", "sync"]),
    help="How the group replicates back.",
)
@click.option(
    "--volume-type",
    default=None,
    help="The replicated volume type (default: the one that replicates that way).",
)
@click.option(
    "--rpo-target",
    type=POSITIVE_SECONDS,
    default=None,
    metavar="SECONDS",
    help="For async (default: the group's RPO target).",
)
@_starts
@format_option
@pass_app
def reprotect(
    app: App,
    group: str,
    method: str,
    target_replication_type: str,
    volume_type: str | None,
    rpo_target: float | None,
    idempotency_key: str | None,
    wait: bool,
) -> None:
    """After a failover, replicate the recovered VMs back to the site they came from."""
    group_id, _ = app.find_group(group)
    body: dict[str, Any] = {"method": method, "target_replication_type": target_replication_type}
    if volume_type:
        body["volume_type"] = volume_type
    if rpo_target is not None:
        body["rpo_target_seconds"] = rpo_target
    _start(app, _group_path(group_id, "reprotect"), body, idempotency_key, wait)


@click.command("failback")
@group_option
@_starts
@format_option
@pass_app
def failback(app: App, group: str, idempotency_key: str | None, wait: bool) -> None:
    """Planned failover back to the original site, then reprotect in the original direction."""
    group_id, _ = app.find_group(group)
    _start(app, _group_path(group_id, "failback"), {}, idempotency_key, wait)


@click.command("move")
@group_option
@_starts
@format_option
@pass_app
def move(app: App, group: str, idempotency_key: str | None, wait: bool) -> None:
    """At the group's target site: a planned failover there, then a reprotect back towards
    the site it came from (a migration in one operation)."""
    group_id, _ = app.find_group(group)
    _start(app, _group_path(group_id, "move"), {}, idempotency_key, wait)


@click.group("operation")
def operation() -> None:
    """List, show, watch and report on operations."""


@operation.command("list")
@click.option("--group", default=None, metavar="GROUP", help="Only this group's (id or name).")
@click.option("--all-projects", is_flag=True, help="Every project's (needs the admin role).")
@format_option
@pass_app
def list_operations(app: App, group: str | None, all_projects: bool) -> None:
    """List your project's operations, newest first."""
    params = {"group_id": app.find_group(group)[0]} if group else {}
    if all_projects:
        params["all_projects"] = "true"
    items = app.client().pages(_OPERATIONS, "operations", params)

    def shown(_: Any) -> str:
        # A table names each operation's group; JSON and YAML keep the API's fields.
        groups = app.client().pages(
            "/v1/failover-groups",
            "failover_groups",
            {"all_projects": "true"} if all_projects else {},
        )
        names = {str(g.get("id")): str(g.get("name")) for g in groups}
        return views.operations(items, projects=all_projects, group_names=names)

    app.show({"operations": items, "next_page_token": ""}, shown)


@operation.command("show")
@click.argument("operation_id", metavar="ID")
@format_option
@pass_app
def show(app: App, operation_id: str) -> None:
    """Show an operation and its VMs' progress."""
    app.show(app.client().get(f"{_OPERATIONS}/{segment(operation_id)}"), views.operation)


@operation.command("watch")
@click.argument("operation_id", metavar="ID")
@format_option
@pass_app
def watch(app: App, operation_id: str) -> None:
    """Follow an operation's progress to its end; exit 3 unless it succeeded."""
    follow_operation(app, app.client().get(f"{_OPERATIONS}/{segment(operation_id)}"))


@operation.command("report")
@click.argument("operation_id", metavar="ID")
@format_option
@pass_app
def report(app: App, operation_id: str) -> None:
    """Show an ended operation's report: RTO, RPO, each VM and step."""
    app.show(app.client().get(f"{_OPERATIONS}/{segment(operation_id)}/report"), views.report)


COMMANDS = (test_failover, cleanup, failover, reprotect, failback, move, operation)
