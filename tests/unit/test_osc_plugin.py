"""The `openstack dr` plugin (cli/osc.py) against draas's own command tree: every draas command
has its `openstack dr` command, registered in pyproject.toml, and runs with draas's parsing,
help and exit codes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from cli import osc
from cli.auth import Credentials
from cli.context import App
from cli.main import cli

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def leaves(command: click.Command, path: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(command, click.Group):
        return [" ".join(path)]
    return [leaf for name, sub in command.commands.items() for leaf in leaves(sub, (*path, name))]


def test_every_draas_command_is_an_openstack_dr_command_registered_by_its_entry_point():
    entry_points = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]
    assert entry_points["openstack.cli.extension"] == {"dr": "cli.osc"}
    registered = entry_points["openstack.dr.v1"]
    assert sorted(osc.COMMANDS) == sorted(leaves(cli))
    assert registered == {
        f"dr_{name.replace(' ', '_')}": f"cli.osc:{command.__name__}"
        for name, command in osc.COMMANDS.items()
    }
    for target in registered.values():
        command = getattr(osc, target.split(":")[1])
        assert osc.draas_command(command.path) is not None


def test_arguments_pass_through_to_draas_which_parses_them_and_gives_its_exit_codes(capsys):
    parser = osc.FailoverGroupAddVm(None, None).get_parser("openstack dr failover-group add-vm")
    arguments = ["--group", "g", "--vm", "v", "-f", "json", "--help"]
    assert parser.parse_args(arguments).arguments == arguments
    assert "--tier" in parser.format_help()

    failover = osc.draas_command(("failover",))
    app = App(Credentials())
    assert osc._run(failover, ["--help"], "openstack dr failover", app) == 0
    assert "Usage: openstack dr failover" in capsys.readouterr().out
    assert osc._run(failover, ["--group", "x"], "openstack dr failover", app) == 2
    assert "--mode" in capsys.readouterr().err
