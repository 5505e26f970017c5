"""Each service as its own process, as operators run them: start on port 0, health, a clean
stop on SIGTERM, and a refusal to start with a bad setting."""

import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tools.launcher import REPO_ROOT, SERVICES, LocalSite, service_environment, spawn_service

SERVICE_NAMES = {
    "metadata": "draas.metadata.v1.MetadataService",
    "storage": "draas.storage.v1.StorageService",
    "compute": "draas.compute.v1.ComputeService",
    "orchestrator": "draas.orchestrator.v1.OrchestratorService",
}


def health(address, service=""):
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


def test_every_service_starts_as_a_process_serves_health_and_stops_cleanly(tmp_path):
    site = LocalSite("site-a", tmp_path).start()
    try:
        for name in SERVICES:
            process = site.processes[name]
            assert process.port > 0
            assert health(process.address) == health_pb2.HealthCheckResponse.SERVING
            assert (
                health(process.address, SERVICE_NAMES[name])
                == health_pb2.HealthCheckResponse.SERVING
            )
        assert site.system_status().healthy
    finally:
        codes = site.stop()
    assert codes == dict.fromkeys(SERVICES, 0)
    for name in SERVICES:
        process = site.processes[name]
        assert not process.port_file.exists()
        log = process.log_path.read_text()
        assert "received SIGTERM, stopping" in log
        assert f"draas-{name} stopped" in log
    # Storage and compute keep no state: only the others have a database.
    databases = sorted(path.name for path in tmp_path.rglob("*.sqlite3"))
    assert databases == ["metadata.sqlite3", "orchestrator.sqlite3"], databases


def run_to_exit(name, tmp_path, extra_env):
    return subprocess.run(
        [sys.executable, "-m", f"services.{name}"],
        env=service_environment("site-a", tmp_path, extra_env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", SERVICES)
def test_a_bad_setting_stops_a_service_at_start_naming_it(tmp_path, name):
    variable = f"DRAAS_{name.upper()}_SHUTDOWN_GRACE_SECONDS"
    result = run_to_exit(name, tmp_path, {variable: "soon"})
    assert result.returncode == 2
    assert variable in result.stderr
    assert "'soon'" in result.stderr
    assert not (tmp_path / "site-a").exists(), "nothing is created before settings are valid"


def test_the_orchestrator_names_every_missing_address(tmp_path):
    result = run_to_exit("orchestrator", tmp_path, {})
    assert result.returncode == 2
    for dependency in ("METADATA", "STORAGE", "COMPUTE"):
        assert f"DRAAS_ORCHESTRATOR_{dependency}_ADDRESS" in result.stderr


def test_an_unknown_key_in_the_settings_file_stops_a_service(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text("[metadata]\nlisten_hots = '0.0.0.0'\n")
    result = run_to_exit("metadata", tmp_path, {"DRAAS_CONFIG_FILE": str(config)})
    assert result.returncode == 2
    assert "unknown setting 'listen_hots'" in result.stderr


def test_a_service_on_postgresql_never_shows_its_password(tmp_path, postgres_url):
    # Trust authentication accepts any password, so a made-up one reaches the server.
    url = postgres_url.replace("postgres@", "postgres:Walrus-Kettle-31@")
    settings = {"DRAAS_METADATA_DATABASE_URL": url, "DRAAS_METADATA_LOG_LEVEL": "DEBUG"}
    process = spawn_service("metadata", "site-a", tmp_path, extra_env=settings)
    try:
        process.wait_until_serving(60)
        assert health(process.address) == health_pb2.HealthCheckResponse.SERVING
    finally:
        assert process.stop() == 0
    log = process.log_path.read_text()
    assert "database postgresql+psycopg://postgres:***@127.0.0.1:5432/test" in log
    assert "Running upgrade" in log
    assert "Walrus-Kettle-31" not in log


def test_an_unreachable_database_stops_a_service_with_a_clear_message(tmp_path):
    url = "postgresql+psycopg://draas:Otter-Glass-58@127.0.0.1:1/draas"
    result = run_to_exit("metadata", tmp_path, {"DRAAS_METADATA_DATABASE_URL": url})
    assert result.returncode == 1
    assert (
        "draas-metadata: database postgresql+psycopg://draas:***@127.0.0.1:1/draas:"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert "Otter-Glass-58" not in result.stderr


def run_command(name, tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", f"services.{name}", *args],
        env=service_environment("site-a", tmp_path, {}),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_service_that_keeps_no_state_has_no_database_to_manage(tmp_path):
    for name in ("storage", "compute"):
        ran = run_command(name, tmp_path, "db", "current")
        assert ran.returncode == 2, ran.stderr
        assert f"draas-{name}: keeps no state, so has no database" in ran.stderr
    assert not list(tmp_path.rglob("*.sqlite3"))


def test_operators_can_migrate_and_roll_back_from_the_command_line(tmp_path):
    assert run_command("metadata", tmp_path, "db", "current").stdout.strip() == "base"
    assert run_command("metadata", tmp_path, "db", "upgrade").stdout.strip() == "0002"
    assert run_command("metadata", tmp_path, "db", "current").stdout.strip() == "0002"
    assert run_command("metadata", tmp_path, "db", "downgrade", "0001").stdout.strip() == "0001"
    assert run_command("metadata", tmp_path, "db", "downgrade", "base").stdout.strip() == "base"
