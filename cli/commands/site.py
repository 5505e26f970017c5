"""`draas site status`: this site's draas services and their dependencies (admins)."""

from __future__ import annotations

import click

from cli import views
from cli.context import App, format_option, pass_app


@click.group("site")
def site() -> None:
    """The site itself (admins)."""


@site.command("status")
@format_option
@pass_app
def status(app: App) -> None:
    """Whether this site's orchestrator reaches its database, metadata, storage and compute
    services, and how fast (needs the admin role)."""
    app.show(app.client().get("/v1/site/status"), views.site_status)


COMMANDS = (site,)
