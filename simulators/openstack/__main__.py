"""python -m simulators.openstack --config region.toml [--state-file region.json]

The TOML is a RegionConfig (simulators/openstack/config.py): region, port, control_port,
projects, users, volume_types, external_networks, and cinder_conf (the text of cinder.conf, or
`cinder_conf_file` naming one). Once serving it prints the auth URL and the control URL, and
writes them to --state-file; it stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import tomllib
from pathlib import Path

from pydantic import ValidationError

from common.stopping import wait_for_stop
from simulators.openstack.config import RegionConfig
from simulators.openstack.simulator import OpenStackSimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.openstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--state-file", type=Path)
    args = parser.parse_args(argv)
    try:
        document = tomllib.loads(args.config.read_text())
        if "cinder_conf_file" in document:
            document["cinder_conf"] = Path(document.pop("cinder_conf_file")).read_text()
        config = RegionConfig.model_validate(document)
        simulator = OpenStackSimulator(config)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, ValueError) as error:
        print(f"openstack simulator: bad config {args.config}: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    simulator.start()
    try:
        state = {
            "region": config.region,
            "auth_url": simulator.auth_url,
            "control_url": simulator.control_url,
        }
        if args.state_file:
            scratch = args.state_file.with_suffix(".tmp")
            scratch.write_text(json.dumps(state, indent=2))
            scratch.replace(args.state_file)
        print(json.dumps(state, indent=2), flush=True)
        wait_for_stop(stop)
    finally:
        simulator.stop()
        if args.state_file:
            args.state_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
