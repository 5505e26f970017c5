"""How long recovering N volumes takes through the storage service, against what the copy
concurrency allows.

    python -m bench.storage_recovery [--volumes 64] [--latency 0.02] [--concurrency 8]

Every REST call to the simulated target array takes --latency seconds. The bound is the calls
that cannot overlap (finding the recovery point and what the request already made) plus one
copy call per batch of --concurrency volumes; a ratio near 1.0 means the copies really ran in
parallel. The serial time (one copy after another) is printed for comparison.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import grpc
from google.protobuf.duration_pb2 import Duration
from pypureclient import flasharray as fa
from pypureclient.configuration import Configuration

from common.telemetry import create_tracer_provider
from draas.common.v1 import types_pb2
from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from services.storage import server
from services.storage.settings import StorageSettings
from simulators.flasharray.control_client import SimulatorControl
from simulators.flasharray.simulator import (
    ArrayConfig,
    ConnectionConfig,
    FlashArraySimulator,
    SimulatorConfig,
)

# Recovery calls that cannot overlap: transfers + snapshots on the target (point), the
# request's existing volumes.
SERIAL_CALLS = 3


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volumes", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    tokens = {"bench-a": "bench-token-a-1", "bench-b": "bench-token-b-2"}
    config = SimulatorConfig(
        arrays=[ArrayConfig(name=n, api_token=t) for n, t in tokens.items()],
        connections=[ConnectionConfig(arrays=("bench-a", "bench-b"))],
    )
    with FlashArraySimulator(config) as sim, tempfile.TemporaryDirectory() as state:
        settings = StorageSettings(
            site="bench",
            state_dir=Path(state),
            arrays=[
                {"name": n, "address": sim.address(n), "api_token": t, "ca_file": str(sim.ca_file)}
                for n, t in tokens.items()
            ],
            copy_concurrency=args.concurrency,
            min_replication_interval_seconds=1,
            poll_interval_seconds=0.01,
        )
        deps = server.build_deps(settings, create_tracer_provider("storage", "bench"))
        grpc_server, port = server.create_server(settings, deps)
        grpc_server.start()
        try:
            stub = storage_pb2_grpc.StorageServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
            names = [f"volume-{i:04d}-cinder" for i in range(args.volumes)]
            source = fa.Client(
                target=sim.address("bench-a"),
                api_token=tokens["bench-a"],
                verify_ssl=True,
                configuration=Configuration(ssl_ca_cert=str(sim.ca_file)),
            )
            source.post_volumes(names=names, volume=fa.VolumePost(provisioned=2**30))
            group = storage_pb2.GroupRef(
                group_id="bench",
                replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
                source_array="bench-a",
                target_array="bench-b",
            )
            rpo = Duration(seconds=3600)
            stub.ProtectGroup(
                storage_pb2.ProtectGroupRequest(
                    group=group, rpo_target=rpo, array_volume_names=names
                )
            )
            stub.ReplicateNow(
                storage_pb2.ReplicateNowRequest(group=group, wait=True, suffix="bench")
            )
            SimulatorControl(sim.control_url).set_latency("bench-b", args.latency)
            started = time.monotonic()
            stub.RecoverVolumes(
                storage_pb2.RecoverVolumesRequest(
                    group=group,
                    recovery_point_id="bench-a:draas-bench.bench",
                    source_volume_names=names,
                    purpose=storage_pb2.RECOVERY_PURPOSE_TEST,
                    request_id="bench-1",
                )
            )
            elapsed = time.monotonic() - started
        finally:
            grpc_server.stop(None)
            deps.close()
    bound = (SERIAL_CALLS + math.ceil(args.volumes / args.concurrency)) * args.latency
    serial = (SERIAL_CALLS + args.volumes) * args.latency
    print(
        f"recovered {args.volumes} volumes, {args.latency * 1000:.0f} ms per array call, "
        f"{args.concurrency} copies at once"
    )
    print(f"  wall time          {elapsed:7.3f} s")
    print(f"  concurrency bound  {bound:7.3f} s   ratio {elapsed / bound:.2f}")
    print(f"  one after another  {serial:7.3f} s   speed-up {serial / elapsed:.1f}x")


if __name__ == "__main__":
    main()
