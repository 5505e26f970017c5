"""Entry point of the `draas` console script: the root command, its global options (OpenStack
authentication as the `openstack` command takes it), and the exit codes."""

from __future__ import annotations

from typing import Any

import click

from cli.auth import Credentials
from cli.commands import audit, groups, monitoring, operations, policies, site, vms
from cli.context import App
from cli.errors import EXIT_INTERRUPTED, CliError
from cli.output import FORMATS

EPILOG = """\b
Authentication as with the openstack command: --os-* options, OS_* variables or clouds.yaml
(--os-cloud). The gateway's URL comes from the Keystone catalog (service type
disaster-recovery), unless --draas-url names it. Run failovers, test failovers and reprotects
against the group's target site (e.g. --os-cloud site-b).

\b
Exit codes: 0 done; 1 the gateway refused or failed the request; 2 usage error;
3 an operation waited on did not succeed; 4 cannot authenticate, or reach Keystone or the
gateway; 130 interrupted (Ctrl-C: an operation already started goes on)."""


class DraasGroup(click.Group):
    """The root command: a `CliError` anywhere ends the run with its one-line message on
    stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as error:
            click.echo(f"draas: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("draas: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(
    cls=DraasGroup,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--os-cloud", envvar="OS_CLOUD", show_envvar=True, help="A cloud of clouds.yaml.")
@click.option("--os-auth-url", envvar="OS_AUTH_URL", show_envvar=True, help="Keystone's URL.")
@click.option("--os-username", envvar="OS_USERNAME", show_envvar=True)
@click.option("--os-password", envvar="OS_PASSWORD", show_envvar=True)
@click.option("--os-project-name", envvar="OS_PROJECT_NAME", show_envvar=True)
@click.option("--os-user-domain-name", envvar="OS_USER_DOMAIN_NAME", show_envvar=True)
@click.option("--os-project-domain-name", envvar="OS_PROJECT_DOMAIN_NAME", show_envvar=True)
@click.option("--os-region-name", envvar="OS_REGION_NAME", show_envvar=True)
@click.option(
    "--os-token",
    envvar="OS_TOKEN",
    show_envvar=True,
    help="A Keystone token scoped to your project; with --draas-url, Keystone is not asked.",
)
@click.option(
    "--os-cacert",
    envvar="OS_CACERT",
    show_envvar=True,
    help="CA bundle to verify Keystone and the gateway with.",
)
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates.")
@click.option(
    "--draas-url",
    envvar="DRAAS_URL",
    show_envvar=True,
    help="The draas gateway's URL (default: from the Keystone catalog).",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    help="Output format: table, or the gateway's JSON as json or yaml.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    os_cloud: str | None,
    os_auth_url: str | None,
    os_username: str | None,
    os_password: str | None,
    os_project_name: str | None,
    os_user_domain_name: str | None,
    os_project_domain_name: str | None,
    os_region_name: str | None,
    os_token: str | None,
    os_cacert: str | None,
    insecure: bool,
    draas_url: str | None,
    output_format: str,
) -> None:
    """draas: disaster recovery of your OpenStack VMs."""
    app = App(
        Credentials(
            cloud=os_cloud or None,
            auth_url=os_auth_url or None,
            username=os_username or None,
            password=os_password or None,
            project_name=os_project_name or None,
            user_domain_name=os_user_domain_name or None,
            project_domain_name=os_project_domain_name or None,
            region_name=os_region_name or None,
            token=os_token or None,
            draas_url=draas_url or None,
            cacert=os_cacert or None,
            insecure=insecure,
        ),
        output_format,
    )
    ctx.obj = app
    ctx.call_on_close(app.close)


for _command in (
    *groups.COMMANDS,
    *operations.COMMANDS,
    *vms.COMMANDS,
    *site.COMMANDS,
    *audit.COMMANDS,
    *monitoring.COMMANDS,
    *policies.COMMANDS,
):
    cli.add_command(_command)


def main() -> None:
    """Runs the draas command line; exits with its exit code."""
    cli.main(prog_name="draas")
