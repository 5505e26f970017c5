"""`make demo` from the command line: two sites, every draas service a process, a tenant
driving the draas command through protection, a test failover and its cleanup, the loss of
site A and an unplanned failover of both groups; it prints the reports and leaves nothing
running."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tools.launcher import REPO_ROOT, service_environment


def processes_started_under(scratch: Path) -> list[str]:
    """Processes whose environment names a path under `scratch` (the demo's state)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if str(scratch).encode() in (proc / "environ").read_bytes():
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def test_the_demo_fails_over_both_groups_reports_rto_and_rpo_and_stops_everything(tmp_path):
    env = service_environment("unused", tmp_path, {"TMPDIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr
    assert "Traceback" not in result.stderr + out
    for command in (
        "draas --os-cloud site-a failover-group create --name Finance-Apps",
        "draas --os-cloud site-a failover-group add-vm --group Finance-Apps --vm web-1",
        "draas --os-cloud site-a failover-group add-vm --group Finance-Apps --vm app-1",
        "draas --os-cloud site-a failover-group add-vm --group Finance-Database --vm db-1",
        "draas --os-cloud site-b test-failover --group Finance-Apps --wait",
        "draas --os-cloud site-b cleanup --operation",
        "draas --os-cloud site-b failover --group Finance-Database --mode unplanned --wait",
        "draas --os-cloud site-b operation report",
    ):
        assert f"$ {command}" in out, command
    reports = out.split("=== Reports")[1]
    assert reports.count("unplanned_failover") == 2
    assert re.search(r"^rto\s+\d+\.\d+s$", reports, re.MULTILINE)
    assert re.search(r"^rpo\s+0\.0s$", reports, re.MULTILINE), "the sync group loses nothing"
    for vm in ("web-1", "app-1", "db-1"):
        assert re.search(rf"^{vm}\s+\S+\s+\d\s+yes\s", reports, re.MULTILINE), vm
    assert out.rstrip().endswith("demo complete: every process stopped")
    assert processes_started_under(tmp_path) == []
