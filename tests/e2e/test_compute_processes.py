"""The OpenStack simulator and the compute service as separate processes, configured from
files as an operator would."""

import json
import subprocess
import sys
import time

import grpc
import httpx
import pytest

from draas.compute.v1 import compute_pb2, compute_pb2_grpc
from tools.launcher import REPO_ROOT, spawn_service

ADMIN_PASSWORD = "e2e-admin-Pelican-44"


@pytest.fixture
def region(tmp_path):
    config = tmp_path / "region.toml"
    config.write_text(
        f'region = "RegionE2E"\nadmin_password = "{ADMIN_PASSWORD}"\n'
        '[[projects]]\nname = "tenant1"\n'
        '[[volume_types]]\nname = "fast"\n'
    )
    state = tmp_path / "region.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.openstack",
            "--config",
            str(config),
            "--state-file",
            str(state),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not state.exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the simulator did not start"
        time.sleep(0.05)
    yield json.loads(state.read_text())
    process.terminate()
    assert process.wait(20) == 0


def test_the_compute_service_reaches_the_region_in_its_settings_file(tmp_path, region):
    settings = tmp_path / "site.toml"
    settings.write_text(
        '[common]\nsite = "site-e2e"\n'
        f'[compute.cloud]\nauth_url = "{region["auth_url"]}"\nusername = "admin"\n'
        f'password = "{ADMIN_PASSWORD}"\nproject_name = "admin"\nregion_name = "RegionE2E"\n'
    )
    env = {"DRAAS_CONFIG_FILE": str(settings), "DRAAS_COMPUTE_LOG_LEVEL": "DEBUG"}
    process = spawn_service("compute", "site-e2e", tmp_path, extra_env=env)
    try:
        process.wait_until_serving(60)
        with grpc.insecure_channel(process.address) as channel:
            stub = compute_pb2_grpc.ComputeServiceStub(channel)
            projects = _projects(region)
            types = stub.ListVolumeTypes(
                compute_pb2.ListVolumeTypesRequest(project_id=projects["tenant1"]), timeout=30
            )
            inventory = stub.CaptureInventory(
                compute_pb2.CaptureInventoryRequest(project_id=projects["tenant1"]), timeout=30
            )
    finally:
        assert process.stop() == 0
    assert {t.name for t in types.volume_types} == {"__DEFAULT__", "fast"}
    assert list(inventory.servers) == [] and inventory.project_id == projects["tenant1"]
    assert ADMIN_PASSWORD not in process.log_path.read_text()


def _projects(region):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "admin",
                        "password": ADMIN_PASSWORD,
                        "domain": {"name": "Default"},
                    }
                },
            },
            "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
        }
    }
    token = httpx.post(region["auth_url"] + "/auth/tokens", json=body).headers["X-Subject-Token"]
    listed = httpx.get(region["auth_url"] + "/projects", headers={"X-Auth-Token": token}).json()[
        "projects"
    ]
    return {p["name"]: p["id"] for p in listed}
