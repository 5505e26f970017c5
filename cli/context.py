"""What every command shares: the credentials, the output format, the authenticated gateway
client (made on first use), and printing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from cli.auth import Credentials, Session, authenticate
from cli.client import GatewayClient
from cli.output import FORMATS, dump
from cli.resolve import is_uuid, pick_group

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """One invocation of `draas`."""

    credentials: Credentials
    output_format: str = "table"
    _session: Session | None = field(default=None, repr=False)
    _client: GatewayClient | None = field(default=None, repr=False)

    @property
    def tables(self) -> bool:
        """Whether to print tables (rather than JSON or YAML)."""
        return self.output_format == "table"

    def session(self) -> Session:
        """The authenticated session, authenticating on first use."""
        if self._session is None:
            self._session = authenticate(self.credentials)
        return self._session

    def client(self) -> GatewayClient:
        """The gateway client, authenticating on first use."""
        if self._client is None:
            session = self.session()
            self._client = GatewayClient(session.gateway_url, session.token, session.verify)
        return self._client

    def close(self) -> None:
        """Closes the gateway client, if one was made."""
        if self._client is not None:
            self._client.close()

    def show(self, document: Any, render: Callable[[Any], str]) -> None:
        """Prints a gateway document: `render`ed as text, or as it is in JSON or YAML."""
        click.echo(render(document) if self.tables else dump(document, self.output_format))

    def find_group(self, value: str) -> tuple[str, Mapping[str, Any] | None]:
        """The id of the group `value` names (by id or exact name), with its listing when the
        project's list was read (a group id, written as the UUID it is, is taken as it is)."""
        if is_uuid(value):
            return value, None
        listed = self.client().pages("/v1/failover-groups", "failover_groups")
        group_id = pick_group(value, listed)
        return group_id, next((g for g in listed if g.get("id") == group_id), None)


pass_app = click.make_pass_decorator(App)


def _set_format(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(App)
    if value is not None and app is not None:
        app.output_format = value


def format_option(function: F) -> F:
    """`-f/--format` on a command (it wins over the one given before the command)."""
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default=None,
        expose_value=False,
        callback=_set_format,
        help="Output format: table (default), or the gateway's JSON as json or yaml.",
    )(function)
