"""The field's own tools (tools/field_tools.py: Pure's and OpenStack's Ansible collections, in
a virtual environment of their own) run unchanged against the simulators."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.field_tools import FieldTools, field_tools

PLAYBOOKS = Path(__file__).parent / "playbooks"


@pytest.fixture(scope="session")
def tools() -> FieldTools:
    """The field's tools, made on first use (about 45 s) and kept under var/field."""
    return field_tools()


def run_playbook(
    tools: FieldTools, playbook: str, home: Path, env: dict[str, str], **extra_vars: str
) -> subprocess.CompletedProcess[str]:
    """ansible-playbook on localhost, as an operator runs it; its output on failure."""
    arguments = [str(tools.bin / "ansible-playbook"), "-i", "localhost,", str(PLAYBOOKS / playbook)]
    for name, value in extra_vars.items():
        arguments += ["-e", f"{name}={value}"]
    ran = subprocess.run(
        arguments,
        env=tools.environment(home) | env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, f"{playbook} failed:\n{ran.stdout[-6000:]}\n{ran.stderr[-2000:]}"
    return ran
