"""Two simulated FlashArrays (array-a in site A, array-b in site B) and a storage service that
knows both, in-process over real sockets; py-pure-client clients for setting up and inspecting
the arrays the way Cinder would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from pypureclient import flasharray as fa
from pypureclient.configuration import Configuration

from common.telemetry import create_tracer_provider
from draas.common.v1 import types_pb2
from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from services.storage import server as storage_server
from services.storage.settings import StorageSettings
from simulators.flasharray.control_client import SimulatorControl
from simulators.flasharray.simulator import (
    ArrayConfig,
    ConnectionConfig,
    FlashArraySimulator,
    SimulatorConfig,
)

TOKENS = {"array-a": "a-token-0001-secret", "array-b": "b-token-0002-secret"}


@pytest.fixture
def flasharrays() -> Iterator[FlashArraySimulator]:
    config = SimulatorConfig(
        arrays=[ArrayConfig(name=name, api_token=token) for name, token in TOKENS.items()],
        connections=[
            ConnectionConfig(
                arrays=("array-a", "array-b"), bandwidth_bytes_per_s=200e6, latency_s=0.01
            )
        ],
        replication_tick_s=0.01,
    )
    with FlashArraySimulator(config) as simulator:
        yield simulator


@pytest.fixture
def control(flasharrays: FlashArraySimulator) -> Iterator[SimulatorControl]:
    client = SimulatorControl(flasharrays.control_url)
    yield client
    client.close()


@pytest.fixture
def pure(flasharrays: FlashArraySimulator) -> Callable[[str], Any]:
    """py-pure-client for an array, as Cinder or an operator would use it."""
    clients: dict[str, Any] = {}

    def client(name: str) -> Any:
        if name not in clients:
            clients[name] = fa.Client(
                target=flasharrays.address(name),
                api_token=TOKENS[name],
                verify_ssl=True,
                configuration=Configuration(ssl_ca_cert=str(flasharrays.ca_file)),
                timeout=(5, 30),
                retries=1,
            )
        return clients[name]

    return client


def storage_settings(
    flasharrays: FlashArraySimulator, tmp_path: Any, **overrides: Any
) -> StorageSettings:
    arrays = [
        {
            "name": name,
            "address": flasharrays.address(name),
            "api_token": overrides.pop(f"{name}_token", TOKENS[name]),
            "ca_file": str(flasharrays.ca_file),
        }
        for name in TOKENS
    ]
    values = {
        "site": "site-a",
        "state_dir": tmp_path,
        "arrays": arrays,
        "min_replication_interval_seconds": 1.0,
        "poll_interval_seconds": 0.02,
        "retry_base_delay_seconds": 0.02,
        "target_ready_timeout_seconds": 5.0,
        **overrides,
    }
    return StorageSettings(**values)


@dataclass
class StorageService:
    stub: storage_pb2_grpc.StorageServiceStub
    settings: StorageSettings


@pytest.fixture
def start_storage(
    flasharrays: FlashArraySimulator, tmp_path: Any
) -> Iterator[Callable[..., StorageService]]:
    running: list[tuple[Any, Any, grpc.Channel]] = []

    def start(**overrides: Any) -> StorageService:
        settings = storage_settings(flasharrays, tmp_path, **overrides)
        deps = storage_server.build_deps(settings, create_tracer_provider("storage", "site-a"))
        server, port = storage_server.create_server(settings, deps)
        server.start()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        running.append((server, deps, channel))
        return StorageService(storage_pb2_grpc.StorageServiceStub(channel), settings)

    yield start
    for server, deps, channel in running:
        channel.close()
        server.stop(None)
        deps.close()


@pytest.fixture
def storage(start_storage: Callable[..., StorageService]) -> storage_pb2_grpc.StorageServiceStub:
    return start_storage().stub


def duration(seconds: float) -> Duration:
    d = Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d


def group_ref(
    group_id: str,
    kind: str = "async",
    pod: str = "",
    source: str = "array-a",
    target: str = "array-b",
) -> storage_pb2.GroupRef:
    return storage_pb2.GroupRef(
        group_id=group_id,
        replication_type=types_pb2.REPLICATION_TYPE_ASYNC
        if kind == "async"
        else types_pb2.REPLICATION_TYPE_SYNC,
        source_array=source,
        target_array=target,
        pod_name=pod,
    )


def make_volumes(client: Any, names: list[str], size: int = 2**30) -> None:
    response = client.post_volumes(names=names, volume=fa.VolumePost(provisioned=size))
    assert response.status_code == 200, response.errors


def inventory(client: Any) -> dict[str, list[str]]:
    """Every object on an array, destroyed ones included, by kind."""

    def names(method: str, **kwargs: Any) -> list[str]:
        response = getattr(client, method)(**kwargs)
        assert response.status_code == 200
        return sorted(
            f"{i.name}{' (destroyed)' if getattr(i, 'destroyed', False) else ''}"
            for i in response.items
        )

    return {
        "volumes": names("get_volumes"),
        "volume_snapshots": names("get_volume_snapshots"),
        "protection_groups": names("get_protection_groups"),
        "protection_group_snapshots": names("get_protection_group_snapshots"),
        "pods": names("get_pods"),
        "hosts": names("get_hosts"),
    }
