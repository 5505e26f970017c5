"""`make demo` runs what exists and says plainly what does not yet."""

import subprocess
import sys

from tools.launcher import REPO_ROOT, service_environment


def test_demo_runs_one_site_and_states_what_is_missing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo"],
        cwd=REPO_ROOT,
        env=service_environment("unused", tmp_path, {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The two-site demo is not built yet" in result.stdout
    assert "site site-a: healthy" in result.stdout
    assert (
        "stopped: orchestrator exit 0, compute exit 0, storage exit 0, metadata exit 0"
        in result.stdout
    )
