"""Debian's Prometheus (`prometheus` and `promtool`) for the tests: installed with apt-get when
missing (never downloaded otherwise); without it the tests that need it are skipped, saying
why, and under CI they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
RULES_DIR = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"


def install_prometheus() -> str | None:
    """Installs Debian's prometheus package with apt-get (updating the package lists first if
    that fails), without the node exporter it recommends; returns why it could not, or None."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["install", "-y", "--no-install-recommends", "prometheus"]
    output = ""
    for commands in ([install], [["update"], install]):
        for command in commands:
            ran = subprocess.run(
                [apt, *command], env=env, capture_output=True, text=True, check=False
            )
            output = ran.stdout + ran.stderr
        if Path(PROMETHEUS).exists() and Path(PROMTOOL).exists():
            return None
    return "\n".join(output.splitlines()[-10:])


def require(binary: str) -> str:
    """The path of `binary` (PROMETHEUS or PROMTOOL), installing the package when it is
    missing; skips the test (fails it under CI) when that fails."""
    if not Path(binary).exists():
        why = install_prometheus()
        if why is not None:
            message = f"{binary} is missing and `apt-get install -y prometheus` failed:\n{why}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return binary
