"""python -m tools.lab_server: the lab's two simulated sites (FlashArrays array-a and array-b,
OpenStack regions RegionA and RegionB) as one long-running process, on fixed ports, for a
deployment such as docker-compose.yml where each draas service is its own container.

Once serving it writes, into --state-dir: tls/ca.pem (what verifies the arrays), lab.json
(every address) and clouds.yaml (clouds site-a and site-b for the tenant's member user). With
--grpc-tls it first writes, into grpc-tls/, a CA (draas.pem) and a certificate and key for every
draas process of each site (draas-SITE-SERVICE.crt and .key), for mutual TLS between them. Each
--gateway SITE=URL is put into that site's Keystone catalog as `disaster-recovery`; --seed
gives the tenant a network and VMs at site A that write to their volumes. Stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from common.stopping import wait_for_stop
from common.tls import TlsFiles
from simulators.lab import ARRAYS, USER_PASSWORD, TwoSiteLab
from tools.certificates import Authority, issue_all
from tools.environment import TENANT, seed
from tools.process_sites import GATEWAY_SERVICE_TYPE
from tools.stack import SITES

GRPC_TLS_DIR = "grpc-tls"
# The draas processes of a site, each with a certificate of its own.
DRAAS_PROCESSES = ("compute", "storage", "metadata", "orchestrator", "gateway")


def main(argv: Sequence[str] | None = None) -> int:
    """Serves until SIGTERM; 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="python -m tools.lab_server", description=__doc__)
    parser.add_argument("--base-port", type=int, default=8400, help="0: any free ports")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--gateway", action="append", default=[], metavar="SITE=URL")
    parser.add_argument("--seed", action="store_true", help=f"VMs of tenant {TENANT} at site-a")
    parser.add_argument(
        "--grpc-tls", action="store_true", help="certificates for mutual TLS between draas"
    )
    args = parser.parse_args(argv)
    gateways = dict(item.partition("=")[::2] for item in args.gateway)
    unknown = set(gateways) - set(SITES)
    if unknown or not all(gateways.values()):
        parser.error(f"--gateway takes SITE=URL with SITE one of {', '.join(SITES)}")
    # What an earlier run wrote (its CA, its addresses) must not be read as this run's.
    for stale in ("lab.json", "clouds.yaml", "tls", GRPC_TLS_DIR):
        path = args.state_dir / stale
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    if args.grpc_tls:
        write_grpc_certificates(args.state_dir)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with TwoSiteLab(tenants=[TENANT], base_port=args.base_port, state_dir=args.state_dir) as lab:
        for site, url in gateways.items():
            lab.regions[site].register_endpoint(GATEWAY_SERVICE_TYPE, "draas", url)
        write_state(lab, args.state_dir)
        if args.seed:
            seed(lab)
        print(f"lab serving; addresses in {args.state_dir / 'lab.json'}", flush=True)
        wait_for_stop(stop)
    return 0


def write_grpc_certificates(state_dir: Path) -> dict[tuple[str, str], TlsFiles]:
    """A CA and a certificate for every draas process of each site, in state_dir/grpc-tls:
    (site, process) -> its files."""
    authority = Authority("draas", state_dir / GRPC_TLS_DIR, days=365)
    return issue_all(authority, SITES, DRAAS_PROCESSES)


def write_state(lab: TwoSiteLab, state_dir: Path) -> None:
    """lab.json and clouds.yaml, each written whole (readers never see half a file)."""
    assert lab.flasharrays is not None
    described = {
        "arrays": {name: lab.flasharrays.address(name) for name in ARRAYS.values()},
        "ca_file": str(lab.flasharrays.ca_file),
        "flasharray_control_url": lab.flasharrays.control_url,
        "regions": {
            site: {
                "auth_url": lab.regions[site].auth_url,
                "control_url": lab.regions[site].control_url,
            }
            for site in SITES
        },
    }
    clouds = {
        site: lab.regions[site].cloud(f"{TENANT}-user", USER_PASSWORD, TENANT) for site in SITES
    }
    scratch = state_dir / "clouds.yaml.tmp"
    lab.regions["site-a"].write_clouds_yaml(scratch, clouds)
    scratch.replace(state_dir / "clouds.yaml")
    scratch = state_dir / "lab.json.tmp"
    scratch.write_text(json.dumps(described, indent=2))
    scratch.replace(state_dir / "lab.json")


if __name__ == "__main__":
    sys.exit(main())
