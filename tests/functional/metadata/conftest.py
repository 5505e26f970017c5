"""Metadata services in-process on real gRPC, each with its own database: site-a on SQLite,
site-b on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct

from common.telemetry import create_tracer_provider
from draas.common.v1 import types_pb2
from draas.metadata.v1 import metadata_pb2 as pb
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata import server as metadata_server
from services.metadata.settings import MetadataSettings, TlsSettings
from tools.launcher import free_port


@dataclass
class Running:
    site: str
    settings: MetadataSettings
    server: Any
    deps: Any
    channel: grpc.Channel
    stub: metadata_pb2_grpc.MetadataServiceStub

    def stop(self) -> None:
        self.channel.close()
        self.server.stop(None)
        self.deps.close()


@pytest.fixture
def ports() -> dict[str, int]:
    """Each site's port, and its peer port (used with mutual TLS)."""
    return {name: free_port() for name in ("site-a", "site-b", "site-a-peer", "site-b-peer")}


@pytest.fixture
def databases(tmp_path: Any, postgres_url: str) -> dict[str, str]:
    return {"site-a": f"sqlite:///{tmp_path}/site-a.sqlite3", "site-b": postgres_url}


@pytest.fixture
def start(
    tmp_path: Any, ports: dict[str, int], databases: dict[str, str]
) -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def starter(
        site: str, peers: list[str] = (), tls: TlsSettings | None = None, **overrides: Any
    ) -> Running:
        """With `tls`, the site serves peers on its peer port and reaches theirs; keyword
        arguments override settings."""
        peer_port = (lambda name: ports[f"{name}-peer"]) if tls else (lambda name: ports[name])
        if tls:
            overrides |= {"tls": tls, "peer_port": peer_port(site)}
        settings = MetadataSettings(
            **{
                "site": site,
                "state_dir": tmp_path,
                "port": ports[site],
                "database_url": databases[site],
                "peers": [{"site": p, "address": f"127.0.0.1:{peer_port(p)}"} for p in peers],
                "reconnect_delay_seconds": 0.1,
                "idle_poll_seconds": 0.05,
            }
            | overrides
        )
        deps = metadata_server.build_deps(settings, create_tracer_provider("metadata", site))
        server, _ = metadata_server.create_server(settings, deps)
        server.start()
        channel = grpc.insecure_channel(f"127.0.0.1:{ports[site]}")
        service = Running(
            site, settings, server, deps, channel, metadata_pb2_grpc.MetadataServiceStub(channel)
        )
        running.append(service)
        return service

    yield starter
    for service in reversed(running):
        service.stop()


def entity(
    site: str, kind: int, entity_id: str, project: str = "p1", group: str = "", **body: Any
) -> pb.Entity:
    content = Struct()
    content.update(body)
    return pb.Entity(
        key=pb.EntityKey(site=site, kind=kind, id=entity_id),
        project_id=project,
        group_id=group,
        body=content,
    )


def status(service: Running) -> pb.ReplicationStatus:
    return service.stub.GetReplicationStatus(pb.GetReplicationStatusRequest())


def all_entities(
    service: Running, project: str = "p1"
) -> dict[tuple[str, int, str], tuple[Any, ...]]:
    """Every entity of a project, by key, with what must be equal everywhere."""
    found = {}
    for item in _pages(service, project):
        found[(item.key.site, item.key.kind, item.key.id)] = (
            item.owner_site,
            item.epoch,
            item.version,
            item.deleted,
            item.group_id,
            item.body,
        )
    return found


def _pages(service: Running, project: str) -> Iterator[pb.Entity]:
    token = ""
    while True:
        page = service.stub.ListEntities(
            pb.ListEntitiesRequest(
                project_id=project,
                include_deleted=True,
                page=types_pb2.PageRequest(page_size=1000, page_token=token),
            )
        )
        yield from page.entities
        token = page.next_page_token
        if not token:
            return
