"""`make up`: the demo's two-site environment (tools/environment.py), left running until Ctrl-C
or SIGTERM: both simulated sites, every draas service of each as its own process, each site's
gateway in its Keystone catalog, the tenant `finance` with VMs at site A, and Horizon with the
draas plugin (each site a region; tools/horizon.py). Prints where everything is, how to log in
to Horizon and how to point the draas command at it.

Environment: DRAAS_UP_STATE_DIR (default var/up): state, logs and clouds.yaml.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import threading
from pathlib import Path

from common.stopping import wait_for_stop
from simulators.lab import ARRAYS, USER_PASSWORD
from simulators.lab import TOKENS as LAB_ARRAY_TOKENS
from tools.environment import TENANT, running_environment
from tools.horizon import PLUGIN_ENABLED, installed_plugins, running_horizon
from tools.launcher import REPO_ROOT, LaunchError

MARKER = ".draas-up"


def main() -> int:
    """Starts everything, prints where it is, and waits for Ctrl-C or SIGTERM."""
    state = Path(os.environ.get("DRAAS_UP_STATE_DIR", REPO_ROOT / "var" / "up")).resolve()
    # Each run starts afresh: the simulators keep nothing, so old state would not match them.
    # Only a directory an earlier run made is emptied, never one that holds anything else.
    if state.exists() and any(state.iterdir()) and not (state / MARKER).exists():
        print(
            f"make up: {state} holds files that make up did not make; set DRAAS_UP_STATE_DIR "
            "to a new or empty directory",
            file=sys.stderr,
        )
        return 2
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    (state / MARKER).write_text("made by make up; emptied by its next run\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        with (
            running_environment(state) as environment,
            running_horizon(environment.lab, state) as horizon,
        ):
            print(f"draas: two sites are up (state and logs in {state}):")
            print(environment.describe())
            missing = [p for p in PLUGIN_ENABLED if p not in installed_plugins()]
            print(
                f"\nHorizon: {horizon}/   (log {state / 'horizon' / 'horizon.log'})"
                + (
                    f"\n  without the draas plugin: {', '.join(missing)} not installed"
                    if missing
                    else ""
                )
            )
            print(
                f"  log in as {TENANT}-user (or {TENANT}-reader, read only), password "
                f"{USER_PASSWORD}; Region site-a or site-b (each site's Keystone); admin, "
                f"password {environment.lab.regions['site-a'].config.admin_password}, for "
                "the admin panel"
            )
            print(
                f"\nTenant {TENANT} (user {TENANT}-user, password {USER_PASSWORD}) has VMs "
                + ", ".join(environment.vms)
                + " at site-a, writing to their volumes."
            )
            draas = shlex.quote(installed_command("draas"))
            openstack = shlex.quote(installed_command("openstack"))
            print("\nFor the draas command (clouds site-a and site-b, the tenant at each site):")
            print(f"  export OS_CLIENT_CONFIG_FILE={shlex.quote(str(environment.clouds_yaml))}")
            print(f"  {draas} --os-cloud site-a failover-group create --name Finance-Apps \\")
            print("      --replication-type async --target-site site-b --rpo-target 30 \\")
            print("      --target-cloud site-b")
            print(
                f"  {draas} --os-cloud site-a failover-group add-vm --group Finance-Apps --vm web-1"
            )
            print(f"  {draas} --os-cloud site-b test-failover --group Finance-Apps --wait")
            print(
                "(--target-cloud: the tenant's token of site-b proves its project there, which "
                "links it to its project at site-a; needed once.)"
            )
            print("The same commands through the openstack command:")
            print(f"  {openstack} --os-cloud site-a dr failover-group list")
            array = ARRAYS["site-a"]
            assert environment.lab.flasharrays is not None
            print(
                f"\nPure's Ansible collection against site A's array {array} "
                "(python -m tools.field_tools installs it under var/field):"
            )
            print(
                f"  export PUREFA_URL={environment.lab.flasharrays.address(array)} "
                f"PUREFA_API={LAB_ARRAY_TOKENS[array]}"
            )
            print("\nCtrl-C stops everything.", flush=True)
            wait_for_stop(stop)
            print("stopping everything")
    except LaunchError as error:
        print(f"make up: {error}", file=sys.stderr)
        return 1
    return 0


def installed_command(name: str) -> str:
    """A command (draas, openstack) as a user can run it: the entry point installed next to
    this Python (make's .venv/bin, which is not on PATH), else whatever PATH finds."""
    installed = Path(sys.executable).with_name(name)
    if installed.exists():
        return str(installed)
    return shutil.which(name) or name


if __name__ == "__main__":
    sys.exit(main())
