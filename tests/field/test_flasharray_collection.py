"""Pure's Ansible collection (purestorage.flasharray 1.40), unchanged, against the FlashArray
simulator: purefa_info for every block subset, volumes and their tags, hosts, host groups,
protection groups, their schedules and snapshots, volume snapshots, pods, the array connection
(playbooks/flasharray_block.yml checks every outcome itself)."""

from __future__ import annotations

import re

import pytest

from simulators.flasharray.simulator import (
    ArrayConfig,
    ConnectionConfig,
    FlashArraySimulator,
    SimulatorConfig,
)
from tests.field.conftest import run_playbook

TOKENS = {"fa1": "field-token-0001", "fa2": "field-token-0002"}


@pytest.fixture
def arrays():
    config = SimulatorConfig(
        arrays=[ArrayConfig(name=name, api_token=token) for name, token in TOKENS.items()],
        connections=[ConnectionConfig(arrays=("fa1", "fa2"))],
    )
    with FlashArraySimulator(config) as simulator:
        yield simulator


def test_the_collection_manages_block_storage_and_reports_it(tools, arrays, tmp_path):
    ran = run_playbook(
        tools,
        "flasharray_block.yml",
        tmp_path,
        {"PUREFA_URL": arrays.address("fa1"), "PUREFA_API": TOKENS["fa1"]},
        fa2_url=arrays.address("fa2"),
        fa2_api=TOKENS["fa2"],
    )
    recap = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", ran.stdout)
    assert recap and int(recap[1]) >= 40, ran.stdout[-3000:]
    for token in TOKENS.values():
        assert token not in ran.stdout + ran.stderr
