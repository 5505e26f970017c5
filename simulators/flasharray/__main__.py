"""python -m simulators.flasharray --config sim.toml [--state-file sim.json]

The TOML names the arrays (name, api_token, port), their connections and the control port:

    control_port = 8480
    [[arrays]]
    name = "array-a"
    api_token = "..."
    port = 8443
    [[connections]]
    arrays = ["array-a", "array-b"]
    type = "sync-replication"

Once serving, it prints (and writes to --state-file as JSON) each array's address, the CA file
that verifies them, and the control URL; it stops on SIGTERM or Ctrl-C.
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
from simulators.flasharray.simulator import FlashArraySimulator, SimulatorConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.flasharray",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument(
        "--state-dir", type=Path, help="where the TLS files go (default: a temp dir)"
    )
    parser.add_argument("--state-file", type=Path, help="write the endpoints here as JSON")
    args = parser.parse_args(argv)
    try:
        config = SimulatorConfig.model_validate(tomllib.loads(args.config.read_text()))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as error:
        print(f"flasharray simulator: bad config {args.config}: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    simulator = FlashArraySimulator(config, args.state_dir).start()
    try:
        state = {
            "arrays": {name: {"address": simulator.address(name)} for name in simulator.endpoints},
            "ca_file": str(simulator.ca_file),
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
