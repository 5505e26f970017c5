"""`draas vm list`: the project's VMs at a site and their protection."""

from __future__ import annotations

import click

from cli import views
from cli.context import App, format_option, pass_app


@click.group("vm")
def vm() -> None:
    """Your project's VMs and whether they are protected."""


@vm.command("list")
@format_option
@pass_app
def list_vms(app: App) -> None:
    """List your project's VMs at this site: protected (group and tier), eligible (for which
    replication types), or not eligible (every reason)."""
    items = app.client().pages("/v1/vms", "vms")
    app.show({"vms": items, "next_page_token": ""}, lambda d: views.vms(items))


COMMANDS = (vm,)
