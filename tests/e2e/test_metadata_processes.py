"""Two metadata services as processes, peers by their settings files: site-a on SQLite sends to
site-b on PostgreSQL, which is killed mid-stream and started again."""

from __future__ import annotations

import threading

import grpc

from draas.metadata.v1 import metadata_pb2 as pb
from draas.metadata.v1 import metadata_pb2_grpc
from tests.functional.metadata.conftest import entity
from tests.waiting import wait_until
from tools.launcher import ServiceProcess, free_port, spawn_service

TOTAL, BATCH = 8000, 100


class Site:
    """A metadata service process and a stub on it."""

    def __init__(self, name, tmp_path, port, peer, peer_port, database_url=None):
        self.name, self.tmp_path, self.port = name, tmp_path, port
        config = tmp_path / f"{name}.toml"
        config.write_text(
            "[metadata]\nreconnect_delay_seconds = 0.2\nidle_poll_seconds = 0.05\n"
            f"batch_size = {BATCH}\n"
            f'[[metadata.peers]]\nsite = "{peer}"\naddress = "127.0.0.1:{peer_port}"\n'
        )
        self.env = {"DRAAS_CONFIG_FILE": str(config)}
        if database_url:
            self.env["DRAAS_METADATA_DATABASE_URL"] = database_url
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = metadata_pb2_grpc.MetadataServiceStub(self.channel)
        self.process: ServiceProcess | None = None

    def start(self):
        self.process = spawn_service("metadata", self.name, self.tmp_path, self.port, self.env)
        self.process.wait_until_serving(60)
        return self

    def status(self):
        return self.stub.GetReplicationStatus(pb.GetReplicationStatusRequest(), timeout=10)

    def changes(self, origin):
        found, after = [], 0
        while True:
            page = self.stub.ListChanges(
                pb.ListChangesRequest(origin_site=origin, after_sequence=after, limit=1000)
            ).changes
            if not page:
                return found
            found.extend(page)
            after = page[-1].sequence

    def entities(self):
        found, token = {}, ""
        while True:
            page = self.stub.ListEntities(
                pb.ListEntitiesRequest(
                    project_id="p1",
                    include_deleted=True,
                    page={"page_size": 1000, "page_token": token},
                )
            )
            for e in page.entities:
                found[e.key.id] = (e.owner_site, e.epoch, e.version, e.deleted, e.body)
            token = page.next_page_token
            if not token:
                return found


def write_all(site):
    """TOTAL changes: every VM created, then the first ones updated."""
    created = TOTAL * 3 // 4
    for start in range(0, TOTAL, BATCH):
        site.stub.PutEntities(
            pb.PutEntitiesRequest(
                entities=[
                    entity("site-a", pb.ENTITY_KIND_SERVER, f"vm-{i % created}", revision=i)
                    for i in range(start, start + BATCH)
                ]
            ),
            timeout=30,
        )


def test_a_receiver_killed_mid_stream_converges_with_nothing_lost(tmp_path, postgres_url):
    ports = {"site-a": free_port(), "site-b": free_port()}
    a = Site("site-a", tmp_path, ports["site-a"], "site-b", ports["site-b"]).start()
    b = Site("site-b", tmp_path, ports["site-b"], "site-a", ports["site-a"], postgres_url).start()
    try:
        writer = threading.Thread(target=write_all, args=(a,))
        writer.start()
        wait_until(lambda: a.status().peers[0].acknowledged_sequence >= 1000)
        b.process.process.kill()
        assert b.process.process.wait(10) == -9
        wait_until(lambda: not a.status().peers[0].connected)
        acknowledged_at_kill = a.status().peers[0].acknowledged_sequence
        assert acknowledged_at_kill < TOTAL, "the kill came after the stream had finished"

        # The peer is gone: local writes go on, and the lag shows.
        writer.join(120)
        assert not writer.is_alive()
        assert a.status().local_sequence == TOTAL
        assert a.status().peers[0].changes_behind == TOTAL - acknowledged_at_kill

        b.start()
        wait_until(lambda: a.status().peers[0].changes_behind == 0, timeout=120)
        assert a.status().peers[0].acknowledged_sequence == TOTAL
        assert [c.sequence for c in b.changes("site-a")] == list(range(1, TOTAL + 1))
        assert b.changes("site-a") == a.changes("site-a")
        assert b.entities() == a.entities()
        assert len(a.entities()) == TOTAL * 3 // 4
    finally:
        for site in (a, b):
            site.channel.close()
            if site.process is not None:
                site.process.stop()
    assert "Traceback" not in a.process.log_path.read_text()
