"""The FlashArray simulator and the storage service as separate processes, configured as an
operator would: a simulator config file, and the arrays in the storage service's settings file."""

import json
import subprocess
import sys
import time

import grpc
import pytest

from draas.storage.v1 import storage_pb2, storage_pb2_grpc
from tools.launcher import REPO_ROOT, service_environment, spawn_service

TOKENS = {"array-a": "e2e-token-a-5f3e91", "array-b": "e2e-token-b-0c7d22"}


@pytest.fixture
def simulator(tmp_path):
    config = tmp_path / "flasharrays.toml"
    config.write_text(
        "\n".join(
            f'[[arrays]]\nname = "{name}"\napi_token = "{token}"\n'
            for name, token in TOKENS.items()
        )
        + '[[connections]]\narrays = ["array-a", "array-b"]\n'
    )
    state = tmp_path / "flasharrays.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.flasharray",
            "--config",
            str(config),
            "--state-dir",
            str(tmp_path / "sim"),
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
    assert not state.exists()


def test_the_storage_service_reaches_the_arrays_named_in_its_settings_file(tmp_path, simulator):
    settings = tmp_path / "site.toml"
    settings.write_text(
        '[common]\nsite = "site-a"\n'
        + "".join(
            f'[[storage.arrays]]\nname = "{name}"\n'
            f'address = "{simulator["arrays"][name]["address"]}"\n'
            f'api_token = "{token}"\nca_file = "{simulator["ca_file"]}"\n'
            for name, token in TOKENS.items()
        )
    )
    process = spawn_service(
        "storage",
        "site-a",
        tmp_path,
        extra_env={"DRAAS_CONFIG_FILE": str(settings), "DRAAS_STORAGE_LOG_LEVEL": "DEBUG"},
    )
    try:
        process.wait_until_serving(60)
        with grpc.insecure_channel(process.address) as channel:
            arrays = (
                storage_pb2_grpc.StorageServiceStub(channel)
                .ListArrays(storage_pb2.ListArraysRequest(), timeout=30)
                .arrays
            )
    finally:
        assert process.stop() == 0
    assert {a.name: (a.reachable, a.purity_version) for a in arrays} == {
        "array-a": (True, "6.6.10"),
        "array-b": (True, "6.6.10"),
    }
    log = process.log_path.read_text()
    assert all(token not in log for token in TOKENS.values())


def test_a_bad_array_setting_stops_the_storage_service_naming_it(tmp_path):
    arrays = json.dumps([{"name": "array-a", "address": "127.0.0.1:1", "api_token": "  "}])
    result = subprocess.run(
        [sys.executable, "-m", "services.storage"],
        env=service_environment("site-a", tmp_path, {"DRAAS_STORAGE_ARRAYS": arrays}),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "'arrays[0].api_token'" in result.stderr
    assert "must not be empty" in result.stderr
