"""Metadata replication between two sites: catch-up throughput and lag under a steady load.

    python -m bench.metadata_replication [--backlog 10000] [--rate 1000] [--seconds 10]
                                         [--postgres URL]

Two metadata services run in-process on real gRPC: site-a on SQLite, site-b on SQLite or, with
--postgres, on that server (in a schema made and dropped for the run). Phase 1 writes a backlog
at site-a while site-b is down, then starts site-b and times the catch-up: replication
throughput in changes per second. Phase 2 offers --rate changes per second for --seconds, in
batches of --batch, and samples the lag site-a reports for site-b (changes and seconds behind)
every 50 ms. There is no bound to compare with: a lag of one batch (--batch changes, a few ms)
means replication keeps up with the writes.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import grpc
import sqlalchemy as sa
from google.protobuf.struct_pb2 import Struct

from common.telemetry import create_tracer_provider
from draas.metadata.v1 import metadata_pb2 as pb
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata import server
from services.metadata.settings import MetadataSettings
from tools.launcher import free_port


class Site:
    """One metadata service in this process."""

    def __init__(self, name: str, state: Path, url: str, ports: dict[str, int]) -> None:
        peer = "site-b" if name == "site-a" else "site-a"
        self.settings = MetadataSettings(
            site=name,
            state_dir=state,
            port=ports[name],
            database_url=url,
            peers=[{"site": peer, "address": f"127.0.0.1:{ports[peer]}"}],
            reconnect_delay_seconds=0.1,
            idle_poll_seconds=0.05,
            log_level="ERROR",
        )
        self.deps = server.build_deps(self.settings, create_tracer_provider("metadata", name))
        self.server, _ = server.create_server(self.settings, self.deps)
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{ports[name]}")
        self.stub = metadata_pb2_grpc.MetadataServiceStub(self.channel)

    def lag(self) -> pb.PeerStatus:
        return self.stub.GetReplicationStatus(pb.GetReplicationStatusRequest()).peers[0]

    def stop(self) -> None:
        self.channel.close()
        self.server.stop(None)
        self.deps.close()


def _batch(start: int, count: int) -> pb.PutEntitiesRequest:
    entities = []
    for i in range(start, start + count):
        body = Struct()
        body.update({"name": f"vm-{i}", "flavor_id": "2", "port_ids": [f"port-{i}"]})
        key = pb.EntityKey(site="site-a", kind=pb.ENTITY_KIND_SERVER, id=f"vm-{i}")
        entities.append(pb.Entity(key=key, project_id="bench", body=body))
    return pb.PutEntitiesRequest(entities=entities)


def _wait_converged(site: Site, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while site.lag().changes_behind or not site.lag().connected:
        if time.monotonic() > deadline:
            raise SystemExit("replication did not converge")
        time.sleep(0.01)


def catch_up(a: Site, start_b: Callable[[], Site], backlog: int, batch: int) -> Site:
    """Writes the backlog with site-b down, starts it and waits until it has everything."""
    for start in range(0, backlog, batch):
        a.stub.PutEntities(_batch(start, min(batch, backlog - start)))
    began = time.monotonic()
    b = start_b()
    _wait_converged(a)
    elapsed = time.monotonic() - began
    print(f"catch-up      {backlog} changes in {elapsed:.2f} s: {backlog / elapsed:,.0f} changes/s")
    return b


def steady(a: Site, offset: int, rate: int, seconds: float, batch: int) -> None:
    """Offers `rate` changes per second and samples the lag until the last is replicated."""
    interval = batch / rate
    samples: list[tuple[int, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peer = a.lag()
            samples.append((peer.changes_behind, peer.seconds_behind))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    began, written = time.monotonic(), 0
    while time.monotonic() - began < seconds:
        due = began + (written // batch) * interval
        time.sleep(max(0.0, due - time.monotonic()))
        a.stub.PutEntities(_batch(offset + written, batch))
        written += batch
    wrote = time.monotonic() - began
    _wait_converged(a)
    drained = time.monotonic() - began - wrote
    done.set()
    sampler.join()
    behind = sorted(s[0] for s in samples)
    lagging = sorted(s[1] for s in samples)
    p95 = max(0, int(len(samples) * 0.95) - 1)
    print(
        f"steady load   offered {rate:,} changes/s, written {written / wrote:,.0f} changes/s "
        f"for {wrote:.1f} s; replicated the last of them {drained:.2f} s after"
    )
    print(
        f"lag           changes behind median {statistics.median(behind):.0f}, "
        f"p95 {behind[p95]}, max {behind[-1]}"
    )
    print(
        f"              seconds behind median {statistics.median(lagging):.3f}, "
        f"p95 {lagging[p95]:.3f}, max {lagging[-1]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backlog", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=1000, help="changes per second offered")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=50, help="changes per write")
    parser.add_argument("--postgres", help="site-b's database server, e.g. postgresql+psycopg://…")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as state:
        ports = {"site-a": free_port(), "site-b": free_port()}
        url_b, schema, admin = f"sqlite:///{state}/site-b.sqlite3", "", None
        if args.postgres:
            schema = f"draas_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url_b = f"{args.postgres}?options=-csearch_path%3D{schema}"
        print(f"site-a on SQLite, site-b on {'PostgreSQL' if args.postgres else 'SQLite'}")
        a = Site("site-a", Path(state), f"sqlite:///{state}/site-a.sqlite3", ports)
        b: Site | None = None
        try:
            b = catch_up(a, lambda: Site("site-b", Path(state), url_b, ports), args.backlog, 500)
            steady(a, args.backlog, args.rate, args.seconds, args.batch)
        finally:
            for site in (a, b):
                if site is not None:
                    site.stop()
            if admin is not None:
                with admin.begin() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
