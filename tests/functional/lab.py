"""The two simulated sites every functional test of the services shares (arrays, regions,
tenants tenant1 to tenant5) and a compute service for each; registered by the conftest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import openstack
import pytest
from pypureclient import flasharray as fa
from pypureclient.configuration import Configuration

from draas.compute.v1 import compute_pb2_grpc
from simulators.lab import TOKENS, USER_PASSWORD, TwoSiteLab
from tools.stack import running_compute

PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGB4x2VtJrOiUbXJr0n2U6kE8m7cRc3W2i9dN0pQ1m0T ops@example"
)


@pytest.fixture(scope="package")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=[f"tenant{i}" for i in range(1, 6)], boot_seconds=0.05) as running:
        yield running


def tenant_connection(lab: TwoSiteLab, site: str, project: str = "tenant1") -> Any:
    region = lab.regions[site]
    return openstack.connect(
        load_yaml_config=False,
        load_envvars=False,
        **region.cloud(f"{project}-user", USER_PASSWORD, project),
    )


def array_client(lab: TwoSiteLab, name: str) -> Any:
    assert lab.flasharrays is not None
    return fa.Client(
        target=lab.flasharrays.address(name),
        api_token=TOKENS[name],
        verify_ssl=True,
        configuration=Configuration(ssl_ca_cert=str(lab.flasharrays.ca_file)),
    )


@pytest.fixture(scope="package")
def compute_addresses(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, str]]:
    """A compute service per site, in-process on port 0: site -> address."""
    with running_compute(lab, tmp_path_factory.mktemp("compute")) as addresses:
        yield addresses


@pytest.fixture(scope="package")
def compute(
    compute_addresses: dict[str, str],
) -> Iterator[dict[str, compute_pb2_grpc.ComputeServiceStub]]:
    channels = {site: grpc.insecure_channel(a) for site, a in compute_addresses.items()}
    yield {site: compute_pb2_grpc.ComputeServiceStub(c) for site, c in channels.items()}
    for channel in channels.values():
        channel.close()
