"""`openstack dr ...`: the draas commands as a plugin of the `openstack` command
(python-openstackclient, entry points `openstack.cli.extension` and `openstack.dr.v1`).

Each `openstack dr <command>` is the `draas <command>` of the same name, run in the same
process over the same client code, with what the `openstack` command already has: its Keystone
session's token, the gateway from its catalog (service type disaster-recovery; clouds.yaml's
`disaster_recovery_endpoint_override`, or --draas-url / DRAAS_URL, name another), its region, its
TLS settings and its cloud (for server names). Its arguments, options, help, output formats
(`-f table|json|yaml`) and exit codes are draas's own.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any, cast

import click
from cliff.command import Command

from cli.auth import SERVICE_TYPE, Credentials, Session
from cli.context import App
from cli.errors import EXIT_INTERRUPTED, CliError, Unreachable

API_NAME = "dr"
API_VERSION_OPTION = "os_dr_api_version"
DEFAULT_API_VERSION = "1"
API_VERSIONS = ("1",)


@dataclass
class DrClient:
    """What the commands take from the `openstack` command's client manager, read when the
    first command needs it (make_client)."""

    instance: Any = field(repr=False)

    def session(self) -> Session:
        """The draas session of the `openstack` command's: its token and the gateway's URL.

        :raises Unreachable: the catalog has no disaster-recovery endpoint in the region.
        """
        from keystoneauth1 import exceptions as ks  # noqa: PLC0415

        instance = self.instance
        url = instance.get_configuration().get("draas_url")
        if not url:
            try:
                url = instance.get_endpoint_for_service_type(
                    SERVICE_TYPE, region_name=instance.region_name, interface=instance.interface
                )
            except ks.EndpointNotFound:
                url = None
        if not url:
            where = f" in region {instance.region_name}" if instance.region_name else ""
            raise Unreachable(
                f"the Keystone catalog has no {instance.interface or 'public'} {SERVICE_TYPE} "
                f"endpoint{where}: pass --draas-url or set DRAAS_URL to the draas gateway, or "
                "pick the region with --os-region-name"
            )
        token = instance.auth_ref.auth_token
        return Session(token, str(url), instance.verify, instance.sdk_connection.config)

    def credentials(self) -> Credentials:
        """The TLS settings, for the tokens of other clouds (`--target-cloud`)."""
        verify = self.instance.verify
        return Credentials(
            cacert=verify if isinstance(verify, str) else None, insecure=verify is False
        )


def make_client(instance: Any) -> DrClient:
    """The plugin's client: the `openstack` command's client manager, read lazily."""
    return DrClient(instance)


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The plugin's global options of the `openstack` command."""
    parser.add_argument(
        "--os-dr-api-version",
        metavar="<dr-api-version>",
        default=os.environ.get("OS_DR_API_VERSION"),
        help=f"draas API version, default={DEFAULT_API_VERSION} (Env: OS_DR_API_VERSION)",
    )
    parser.add_argument(
        "--draas-url",
        metavar="<url>",
        default=os.environ.get("DRAAS_URL"),
        help="The draas gateway's URL (default: from the Keystone catalog) (Env: DRAAS_URL)",
    )
    return parser


def draas_command(path: tuple[str, ...]) -> click.Command:
    """The `draas` command at `path` (e.g. ("failover-group", "list"))."""
    from cli.main import cli  # noqa: PLC0415

    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group), path
        command = command.commands[name]
    return command


class _PassThrough(argparse.ArgumentParser):
    """Hands every argument to the draas command, which parses them (and prints its help)."""

    def __init__(self, prog: str, command: click.Command) -> None:
        super().__init__(prog=prog, add_help=False)
        self.command = command

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        return argparse.Namespace(arguments=list(args or [])), []

    def format_help(self) -> str:
        with click.Context(self.command, info_name=self.prog) as ctx:
            return self.command.get_help(ctx) + "\n"


class DrCommand(Command):
    """One draas command as an `openstack dr` command."""

    path: tuple[str, ...] = ()

    def get_description(self) -> str:
        return draas_command(self.path).get_short_help_str(limit=100)

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return _PassThrough(prog_name, draas_command(self.path))

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        # The `openstack` command's shell has a client manager; cliff's App does not say so.
        client: DrClient = cast(Any, self.app).client_manager.dr
        prog = f"openstack dr {' '.join(self.path)}"
        app = None
        try:
            app = App(client.credentials(), _session=client.session())
            return _run(draas_command(self.path), parsed_args.arguments, prog, app)
        except CliError as error:
            self.app.stderr.write(f"openstack dr: {error}\n")
            return error.exit_code
        except (KeyboardInterrupt, click.Abort):
            self.app.stderr.write("openstack dr: interrupted\n")
            return EXIT_INTERRUPTED
        finally:
            if app is not None:
                app.close()


def _run(command: click.Command, arguments: list[str], prog: str, app: App) -> int:
    """Runs a draas command as `draas` would, returning its exit code rather than exiting."""
    try:
        # Not standalone: click returns ctx.exit()'s code (e.g. after --help) instead of
        # exiting, and raises what it would have printed.
        code = command.main(args=arguments, prog_name=prog, obj=app, standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return code if isinstance(code, int) else 0


def _class_name(path: tuple[str, ...]) -> str:
    return "".join(part.title() for word in path for part in word.split("-"))


# The entry points of pyproject.toml's `openstack.dr.v1` name these classes, one per draas
# command (tests/unit/test_osc_plugin.py checks that the two lists agree).
COMMANDS: dict[str, type[DrCommand]] = {}
for _path in (
    ("failover-group", "create"),
    ("failover-group", "list"),
    ("failover-group", "show"),
    ("failover-group", "set"),
    ("failover-group", "delete"),
    ("failover-group", "add-vm"),
    ("failover-group", "remove-vm"),
    ("failover-group", "split"),
    ("readiness",),
    ("recovery-points",),
    ("replication-health",),
    ("test-failover",),
    ("cleanup",),
    ("failover",),
    ("reprotect",),
    ("failback",),
    ("move",),
    ("operation", "list"),
    ("operation", "show"),
    ("operation", "watch"),
    ("operation", "report"),
    ("vm", "list"),
    ("site", "status"),
    ("audit", "list"),
    ("audit", "show"),
    ("health-history",),
    ("alert", "list"),
    ("alert", "show"),
    ("alert", "ack"),
    ("alert", "channel", "create"),
    ("alert", "channel", "list"),
    ("alert", "channel", "delete"),
    ("alert", "deliveries"),
    ("report", "compliance"),
    ("policy", "create"),
    ("policy", "list"),
    ("policy", "show"),
    ("policy", "set"),
    ("policy", "delete"),
    ("schedule", "show"),
    ("schedule", "run-now"),
):
    _name = _class_name(_path)
    COMMANDS[" ".join(_path)] = globals()[_name] = type(_name, (DrCommand,), {"path": _path})
