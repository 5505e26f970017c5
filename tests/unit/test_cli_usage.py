"""The `draas` command line itself: usage errors name the option (exit 2), failures become one
line on stderr with their exit code, and no credentials means exit 4 with how to fix it."""

from __future__ import annotations

import os

import click
import pytest
from click.testing import CliRunner

from cli.auth import Credentials
from cli.context import App, format_option, pass_app
from cli.errors import GatewayError, NotSucceeded
from cli.main import DraasGroup, cli

GROUP_COMMANDS = [
    ["readiness"],
    ["recovery-points"],
    ["replication-health"],
    ["test-failover"],
    ["failover", "--mode", "planned"],
    ["reprotect", "--method", "retype", "--target", "sync"],
    ["failback"],
    ["failover-group", "add-vm", "--vm", "v1"],
    ["failover-group", "remove-vm", "--vm", "v1"],
    ["failover-group", "split", "--vm", "v1"],
]


@pytest.fixture
def no_openstack(monkeypatch, tmp_path):
    """No OS_* variables, no clouds.yaml anywhere openstacksdk looks."""
    for name in list(os.environ):
        if name.startswith("OS_") or name == "DRAAS_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), prog_name="draas")


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in (
        "failover-group",
        "readiness",
        "recovery-points",
        "replication-health",
        "test-failover",
        "cleanup",
        "failover",
        "reprotect",
        "failback",
        "operation",
    ):
        assert command in result.stdout
    sub = run("operation", "--help")
    assert all(c in sub.stdout for c in ("list", "show", "watch", "report"))
    sub = run("failover-group", "--help")
    assert all(c in sub.stdout for c in ("create", "add-vm", "remove-vm", "show", "list", "delete"))


@pytest.mark.parametrize("args", GROUP_COMMANDS, ids=" ".join)
def test_commands_on_a_group_require_it(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Missing option '--group'" in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["failover", "--group", "g", "--mode", "sideways"], "--mode"),
        (["failover", "--group", "g"], "--mode"),
        (["failover-group", "add-vm", "--group", "g", "--vm", "v", "--tier", "0"], "--tier"),
        (["reprotect", "--group", "g", "--method", "retype", "--target", "tape"], "--target"),
        (["reprotect", "--group", "g", "--target", "sync"], "--method"),
        (["test-failover", "--group", "g", "--cleanup-after", "-1"], "--cleanup-after"),
        (["cleanup"], "--operation"),
        (["failover-group", "create", "--name", "n", "--target-site", "b"], "--replication-type"),
        (
            [
                "failover-group",
                "create",
                "--name",
                "n",
                "--replication-type",
                "sync",
                "--target-site",
                "b",
                "--rpo-target",
                "0",
            ],
            "--rpo-target",
        ),
        (["failover-group", "list", "-f", "xml"], "--format"),
    ],
)
def test_usage_errors_exit_two_naming_the_option(args, option):
    result = run(*args)
    assert result.exit_code == 2
    assert option in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--rpo-target", "abc"], "'abc' is not a number of seconds"),
        (["--rpo-target", "nan"], "'nan' is not a number of seconds"),
        (["--rpo-target", "0"], "must be more than 0 seconds, not 0"),
        (["--test-interval", "-5"], "must be 0 or more seconds, not -5"),
    ],
)
def test_seconds_are_refused_in_seconds(args, said):
    result = run("failover-group", "create", "--name", "n", *args)
    assert result.exit_code == 2
    assert said in result.stderr, result.stderr


def test_an_unknown_command_is_a_usage_error():
    result = run("evacuate")
    assert result.exit_code == 2
    assert "No such command 'evacuate'" in result.stderr


def test_without_credentials_exit_four_saying_how_to_give_them(no_openstack):
    result = run("failover-group", "list")
    assert result.exit_code == 4
    assert result.stderr.startswith("draas: no OpenStack credentials")
    assert "OS_CLOUD" in result.stderr and "OS_AUTH_URL" in result.stderr
    assert "Traceback" not in result.output


def test_a_password_never_shows_even_when_authentication_fails(no_openstack):
    result = run(
        "--os-password", "hunter2-secret", "--os-username", "bob", "failover-group", "list"
    )
    assert result.exit_code == 4
    assert "hunter2-secret" not in result.output


def test_an_unknown_cloud_is_named(no_openstack):
    result = run("--os-cloud", "site-z", "readiness", "--group", "g")
    assert result.exit_code == 4
    assert "site-z" in result.stderr


def _root_with(command: click.Command) -> click.Group:
    @click.group(cls=DraasGroup)
    @click.option("-f", "--format", "output_format", default="table")
    @click.pass_context
    def root(ctx: click.Context, output_format: str) -> None:
        ctx.obj = App(Credentials(), output_format)

    root.add_command(command)
    return root


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (
            GatewayError(409, "Conflict", "group g1 is protected"),
            1,
            "draas: 409 Conflict: group g1 is protected",
        ),
        (
            GatewayError(401, "Not authenticated", "expired"),
            4,
            "draas: 401 Not authenticated: expired",
        ),
        (NotSucceeded("operation op1 ended failed"), 3, "draas: operation op1 ended failed"),
    ],
)
def test_failures_are_one_line_on_stderr_with_their_exit_code(error, code, line):
    @click.command("go")
    def go() -> None:
        raise error

    result = CliRunner().invoke(_root_with(go), ["go"])
    assert result.exit_code == code
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_the_format_given_after_the_command_wins():
    @click.command("fmt")
    @format_option
    @pass_app
    def fmt(app: App) -> None:
        click.echo(app.output_format)

    root = _root_with(fmt)
    assert CliRunner().invoke(root, ["fmt"]).stdout == "table\n"
    assert CliRunner().invoke(root, ["-f", "json", "fmt"]).stdout == "json\n"
    assert CliRunner().invoke(root, ["-f", "json", "fmt", "-f", "yaml"]).stdout == "yaml\n"
