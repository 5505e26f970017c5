"""docker-compose.yml, checked against the code without Docker: every draas container's
settings load as its process would load them (with the certificates the lab container writes
first), every address one names is where the container it means listens (they all share the lab
container's network namespace), and every gRPC channel runs mutual TLS."""

from __future__ import annotations

import itertools
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from cryptography import x509

from common.logs import secrets
from common.settings import SHARED_SETTINGS, ServiceSettings, load_settings
from common.tls import TlsFiles
from gateway.settings import GatewaySettings
from services.compute.settings import ComputeSettings
from services.metadata.settings import MetadataSettings
from services.orchestrator.settings import OrchestratorSettings
from services.storage.settings import StorageSettings
from simulators.lab import TOKENS, lab_ports
from tools.lab_server import GRPC_TLS_DIR, write_grpc_certificates
from tools.launcher import REPO_ROOT

SETTINGS: dict[str, type[ServiceSettings]] = {
    "python -m services.compute": ComputeSettings,
    "python -m services.storage": StorageSettings,
    "python -m services.metadata": MetadataSettings,
    "python -m services.orchestrator": OrchestratorSettings,
    "python -m gateway": GatewaySettings,
}
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DRAAS = sorted(name for name, service in SERVICES.items() if service.get("command") in SETTINGS)


@pytest.fixture(autouse=True)
def secrets_as_they_were() -> Any:
    """Loading compose's settings registers its lab database password ("draas") for masking in
    this whole process: later tests would see "draas" masked in every message."""
    kept = set(secrets._values)
    yield
    secrets._values = kept


def load(name: str, monkeypatch: pytest.MonkeyPatch, lab_state: Path) -> Any:
    """The container's settings, with the lab's state directory at `lab_state`."""
    lab_dir = lab_arguments()["state_dir"].rstrip("/") + "/"
    for variable, given in SERVICES[name]["environment"].items():
        value = str(given)
        if value.startswith(lab_dir):
            value = str(lab_state / value.removeprefix(lab_dir))
        monkeypatch.setenv(variable, value)
    return load_settings(SETTINGS[SERVICES[name]["command"]])


def port(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def lab_arguments() -> dict[str, Any]:
    words = shlex.split(SERVICES["lab"]["command"])
    options: dict[str, Any] = {"gateway": {}}
    for flag, value in itertools.pairwise(words):
        if flag == "--base-port":
            options["base_port"] = int(value)
        elif flag == "--gateway":
            site, _, url = value.partition("=")
            options["gateway"][site] = url
        elif flag == "--state-dir":
            options["state_dir"] = value
    options["grpc_tls"] = "--grpc-tls" in words
    return options


@pytest.fixture(scope="module")
def lab_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the lab's state directory, with what the lab writes into it before any
    draas container starts: the certificates for gRPC."""
    state = tmp_path_factory.mktemp("lab")
    write_grpc_certificates(state)
    return state


@pytest.fixture
def every(monkeypatch: pytest.MonkeyPatch, lab_state: Path) -> dict[str, Any]:
    loaded = {}
    for name in DRAAS:
        with monkeypatch.context() as scoped:
            loaded[name] = load(name, scoped, lab_state)
    return loaded


def test_every_site_runs_every_draas_process_from_the_one_image():
    expected = sorted(
        f"{service}-{site}"
        for service in ("compute", "storage", "metadata", "orchestrator", "gateway")
        for site in "ab"
    )
    assert expected == DRAAS
    for name in [*DRAAS, "lab"]:
        assert SERVICES[name]["image"] == "draas:dev" and SERVICES[name]["build"] == "."
        if name != "lab":
            assert SERVICES[name]["network_mode"] == "service:lab"


def test_every_address_is_where_its_service_listens(every):
    listening = {name: settings.port for name, settings in every.items()}
    assert len(set(listening.values())) == len(listening), "one port each"
    for site, peer in (("a", "b"), ("b", "a")):
        orchestrator, metadata = every[f"orchestrator-{site}"], every[f"metadata-{site}"]
        for service in ("metadata", "storage", "compute"):
            address = getattr(orchestrator, f"{service}_address")
            assert port(address) == listening[f"{service}-{site}"], (site, service)
        assert port(metadata.compute_address) == listening[f"compute-{site}"]
        assert [port(p.address) for p in metadata.peers] == [listening[f"metadata-{peer}"]]
        assert [port(p.address) for p in orchestrator.peers] == [listening[f"orchestrator-{peer}"]]
        gateway = every[f"gateway-{site}"]
        assert port(gateway.orchestrator_address) == listening[f"orchestrator-{site}"]


def test_the_lab_is_where_the_sites_look_for_their_arrays_and_clouds(every):
    lab = lab_arguments()
    ports = lab_ports(lab["base_port"])
    ca_file = Path(lab["state_dir"]) / "tls" / "ca.pem"
    for site in ("site-a", "site-b"):
        letter = site[-1]
        arrays = every[f"storage-{letter}"].arrays
        assert {a.name: port(a.address) for a in arrays} == {n: ports[n] for n in TOKENS}
        assert {a.name: a.api_token.get_secret_value() for a in arrays} == TOKENS
        assert {Path(a.ca_file) for a in arrays} == {ca_file}
        keystone = urlsplit(every[f"gateway-{letter}"].keystone_url)
        assert (keystone.port, keystone.path) == (ports[f"{site}-api"], "/identity/v3")
        assert urlsplit(every[f"compute-{letter}"].cloud.auth_url).port == ports[f"{site}-api"]
        gateway_port = every[f"gateway-{letter}"].port
        assert urlsplit(lab["gateway"][site]).port == gateway_port
        assert f"{gateway_port}:{gateway_port}" in SERVICES["lab"]["ports"]


def test_every_draas_variable_is_a_setting_of_its_service():
    for name in DRAAS:
        settings = SETTINGS[SERVICES[name]["command"]]
        known = {settings.env_variable(f) for f in settings.model_fields}
        known |= {f"DRAAS_{f.upper()}" for f in SHARED_SETTINGS}
        unknown = {v for v in SERVICES[name]["environment"] if v.startswith("DRAAS_")} - known
        assert not unknown, f"{name}: {unknown} are not settings of {settings.__name__}"


def test_every_grpc_channel_runs_mutual_tls_with_a_certificate_of_its_own(every, lab_state):
    assert lab_arguments()["grpc_tls"], "the lab writes the certificates"
    certificates = lab_state / GRPC_TLS_DIR
    presented = set()
    for name, settings in every.items():
        service, site = name.rsplit("-", 1)[0], settings.site
        files = settings.grpc_tls()
        assert isinstance(files, TlsFiles), name
        assert files.ca_file == certificates / "draas.pem"
        assert (files.cert_file, files.key_file) == (
            certificates / f"draas-{site}-{service}.crt",
            certificates / f"draas-{site}-{service}.key",
        )
        certificate = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert site in names.value.get_values_for_type(x509.DNSName), name
        presented.add(files.cert_file)
    assert len(presented) == len(every)
