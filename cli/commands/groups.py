"""Failover groups: `draas failover-group ...`, and what can be asked about one group
(readiness, recovery points, replication health)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli import views
from cli.auth import token_of
from cli.automation import automation_option, load
from cli.client import segment
from cli.context import App, format_option, pass_app
from cli.errors import CliError, GatewayError
from cli.params import POSITIVE_SECONDS, SECONDS
from cli.resolve import is_uuid, one_server, pick_vm

GROUP_HELP = "The failover group: its id or exact name."
_GROUPS = "/v1/failover-groups"


def group_option(function: Any) -> Any:
    """`--group G` (required)."""
    return click.option("--group", "group", required=True, metavar="GROUP", help=GROUP_HELP)(
        function
    )


def _path(group_id: str, *rest: str) -> str:
    return "/".join([_GROUPS, segment(group_id), *rest])


@click.group("failover-group")
def failover_group() -> None:
    """Create, list, show and delete failover groups; add and remove their VMs."""


@failover_group.command("create")
@click.option("--name", required=True, help="The group's name (unique in your project).")
@click.option("--description", default=None, help="What the group is for.")
@click.option(
    "--policy",
    default=None,
    help="A policy (id or name) giving the group its replication type, target site, targets "
    "and test schedule.",
)
@click.option(
    "--replication-type",
    type=click.Choice(["async", "sync"]),
    default=None,
    help="async: FlashArray protection groups; sync: ActiveCluster pods (RPO 0). Required "
    "without --policy.",
)
@click.option(
    "--target-site", default=None, help="The site the group fails over to (or the policy's)."
)
@click.option(
    "--rpo-target",
    type=POSITIVE_SECONDS,
    default=None,
    metavar="SECONDS",
    help="The recovery point objective, in seconds (async).",
)
@click.option(
    "--rto-target",
    type=SECONDS,
    default=None,
    metavar="SECONDS",
    help="The recovery time objective: each test's measured RTO is judged against it.",
)
@click.option(
    "--test-interval",
    type=SECONDS,
    default=None,
    metavar="SECONDS",
    help="A successful test failover is due within each interval (alerted when overdue).",
)
@automation_option
@click.option(
    "--target-project-id",
    default=None,
    help="Your project at the target site (default: the one your project is linked to, or "
    "the one --target-cloud is scoped to).",
)
@click.option(
    "--target-cloud",
    default=None,
    metavar="CLOUD",
    help="The cloud of clouds.yaml for your project at the target site: its token proves you "
    "hold that project, which links it to yours here (needed once per pair of projects, "
    "unless both sites share one Keystone).",
)
@format_option
@pass_app
def create(
    app: App,
    name: str,
    description: str | None,
    policy: str | None,
    replication_type: str | None,
    target_site: str | None,
    rpo_target: float | None,
    rto_target: float | None,
    test_interval: float | None,
    automation_file: Path | None,
    target_project_id: str | None,
    target_cloud: str | None,
) -> None:
    """Create a failover group in your project, replicating to the target site."""
    if policy is None and (replication_type is None or target_site is None):
        raise click.UsageError("--replication-type and --target-site are required (or --policy)")
    body: dict[str, Any] = {"name": name}
    for key, value in (
        ("policy", policy),
        ("replication_type", replication_type),
        ("target_site", target_site),
    ):
        if value is not None:
            body[key] = value
    if description is not None:
        body["description"] = description
    if rpo_target is not None:
        body["rpo_target_seconds"] = rpo_target
    if rto_target is not None:
        body["rto_target_seconds"] = rto_target
    if test_interval is not None:
        body["test_interval_seconds"] = test_interval
    automation = load(automation_file)
    if automation is not None:
        body["automation"] = automation
    if target_project_id:
        body["target_project_id"] = target_project_id
    headers = {}
    if target_cloud:
        headers["X-Target-Auth-Token"] = token_of(target_cloud, app.credentials)
    try:
        made = app.client().post(_GROUPS, body, headers=headers)
    except GatewayError as error:
        if error.status == 403 and not target_cloud and "X-Target-Auth-Token" in error.detail:
            raise CliError(
                f"{error}; with draas, pass --target-cloud CLOUD (your project at "
                f"{target_site or 'the target site'} in clouds.yaml)",
                error.exit_code,
            ) from None
        raise
    app.show(made, views.group)


@failover_group.command("list")
@click.option("--all-projects", is_flag=True, help="Every project's groups (needs the admin role).")
@format_option
@pass_app
def list_groups(app: App, all_projects: bool) -> None:
    """List the failover groups of your project."""
    params = {"all_projects": "true"} if all_projects else None
    items = app.client().pages(_GROUPS, "failover_groups", params)
    app.show(
        {"failover_groups": items, "next_page_token": ""},
        lambda d: views.groups(items, projects=all_projects),
    )


@failover_group.command("show")
@click.argument("group")
@format_option
@pass_app
def show(app: App, group: str) -> None:
    """Show the failover group GROUP (its id or exact name)."""
    group_id, _ = app.find_group(group)
    app.show(app.client().get(_path(group_id)), views.group)


@failover_group.command("set")
@click.argument("group")
@click.option("--description", default=None, help="What the group is for.")
@click.option(
    "--rpo-target",
    type=POSITIVE_SECONDS,
    default=None,
    metavar="SECONDS",
    help="A new RPO target (an async group's replication is rescheduled at once).",
)
@click.option(
    "--rto-target",
    type=SECONDS,
    default=None,
    metavar="SECONDS",
    help="A new RTO target; 0: none.",
)
@click.option(
    "--test-interval",
    type=SECONDS,
    default=None,
    metavar="SECONDS",
    help="A new test interval; 0: none.",
)
@automation_option
@click.option("--no-automation", is_flag=True, help="Remove the group's hooks and checks.")
@format_option
@pass_app
def set_group(
    app: App,
    group: str,
    description: str | None,
    rpo_target: float | None,
    rto_target: float | None,
    test_interval: float | None,
    automation_file: Path | None,
    no_automation: bool,
) -> None:
    """Change the failover group GROUP's description or targets, at its source site."""
    body: dict[str, Any] = {}
    for name, value in (
        ("description", description),
        ("rpo_target_seconds", rpo_target),
        ("rto_target_seconds", rto_target),
        ("test_interval_seconds", test_interval),
    ):
        if value is not None:
            body[name] = value
    automation = load(automation_file)
    if automation is not None or no_automation:
        body["automation"] = automation or {}
    if not body:
        raise click.UsageError(
            "give at least one of --description, --rpo-target, --rto-target, --test-interval, "
            "--automation, --no-automation"
        )
    group_id, _ = app.find_group(group)
    app.show(app.client().request("PATCH", _path(group_id), body=body), views.group)


@failover_group.command("delete")
@click.argument("group")
@pass_app
def delete(app: App, group: str) -> None:
    """Delete the failover group GROUP (its id or exact name)."""
    group_id, _ = app.find_group(group)
    app.client().delete(_path(group_id))


@failover_group.command("add-vm")
@group_option
@click.option(
    "--vm",
    required=True,
    help="The Nova server: its id, or its exact name in your project (looked up in Nova).",
)
@click.option(
    "--tier",
    type=click.IntRange(min=1),
    default=None,
    help="Boot order: tier N starts when tier N-1 is done (default 1).",
)
@format_option
@pass_app
def add_vm(app: App, group: str, vm: str, tier: int | None) -> None:
    """Protect a VM: add it to a failover group (its volumes must be of a replicated volume
    type of the group's replication type)."""
    group_id, _ = app.find_group(group)
    server_id = vm if is_uuid(vm) else one_server(vm, app.session().server_ids(vm))
    body: dict[str, Any] = {"server_id": server_id}
    if tier is not None:
        body["tier"] = tier
    app.show(app.client().post(_path(group_id, "vms"), body), views.group)


@failover_group.command("remove-vm")
@group_option
@click.option("--vm", required=True, help="The group's VM: its server id or its name.")
@format_option
@pass_app
def remove_vm(app: App, group: str, vm: str) -> None:
    """Stop protecting a VM: remove it from its failover group."""
    group_id, _ = app.find_group(group)
    current = app.client().get(_path(group_id))
    server_id = pick_vm(vm, current.get("vms") or [])
    if server_id is None:
        raise CliError(f"group {current.get('name')} has no VM with the id or name {vm!r}")
    app.show(app.client().delete(_path(group_id, "vms", segment(server_id))), views.group)


def group_vm_ids(app: App, group_id: str, vms: tuple[str, ...]) -> list[str]:
    """The server ids of the group's VMs named (by server id or name).

    :raises CliError: the group has no VM of one of the names.
    """
    current = app.client().get(_path(group_id))
    found = []
    for vm in vms:
        server_id = pick_vm(vm, current.get("vms") or [])
        if server_id is None:
            raise CliError(f"group {current.get('name')} has no VM with the id or name {vm!r}")
        found.append(server_id)
    return found


@failover_group.command("split")
@group_option
@click.option(
    "--vm",
    "vms",
    required=True,
    multiple=True,
    metavar="VM",
    help="A VM to move (its server id or name; repeat for more): some of the group's, not all.",
)
@click.option("--name", default=None, help="The new group's name (default: <group>-<VM>).")
@click.option("--description", default=None)
@format_option
@pass_app
def split(
    app: App, group: str, vms: tuple[str, ...], name: str | None, description: str | None
) -> None:
    """Move some of a group's VMs into a new group of their own, made like it, which then
    fails over, is reprotected and fails back without the others (run it at the group's
    source site)."""
    group_id, _ = app.find_group(group)
    body: dict[str, Any] = {"server_ids": group_vm_ids(app, group_id, vms)}
    if name:
        body["name"] = name
    if description:
        body["description"] = description
    app.show(app.client().post(_path(group_id, "split"), body), views.group)


@click.command("readiness")
@group_option
@format_option
@pass_app
def readiness(app: App, group: str) -> None:
    """Check whether a group could fail over now (a dry run that changes nothing)."""
    group_id, listed = app.find_group(group)
    found = listed if listed is not None else app.client().get(_path(group_id))
    names = views.vm_names(found.get("vms") or [])
    app.show(app.client().get(_path(group_id, "readiness")), lambda r: views.readiness(r, names))


@click.command("recovery-points")
@group_option
@format_option
@pass_app
def recovery_points(app: App, group: str) -> None:
    """List the points in time the target site can recover a group to."""
    group_id, listed = app.find_group(group)
    found = listed if listed is not None else app.client().get(_path(group_id))
    names = views.vm_names(found.get("vms") or [])
    points = app.client().pages(_path(group_id, "recovery-points"), "recovery_points")
    document = {"recovery_points": points, "next_page_token": ""}
    app.show(document, lambda d: views.recovery_points(d.get("recovery_points") or [], names))


@click.command("replication-health")
@group_option
@format_option
@pass_app
def replication_health(app: App, group: str) -> None:
    """Show how far behind a group's target site is (storage and metadata)."""
    group_id, _ = app.find_group(group)
    app.show(app.client().get(_path(group_id, "replication-health")), views.replication_health)


COMMANDS = (failover_group, readiness, recovery_points, replication_health)
