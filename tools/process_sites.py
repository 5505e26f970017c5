"""The lab's two sites with every draas service as its own process: per site compute, storage,
metadata and orchestrator, configured by environment from the same settings the in-process
stack (tools/stack.py) uses, so that both run the same sites (with mutual TLS on every gRPC
channel, given a certificate authority). For end-to-end tests and the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from pydantic import BaseModel, SecretStr

from common.grpc_client import raw_channel
from common.settings import ServiceSettings
from gateway.settings import GatewaySettings
from simulators.lab import TwoSiteLab
from tools.certificates import Authority
from tools.launcher import ServiceProcess, free_port, metrics_targets, spawn_service
from tools.stack import SITES, SiteStubs, client_tls, compute_settings, site_settings, tls_settings

STARTUP_SECONDS = 60.0
# The gateway's service type in a region's Keystone catalog (where the draas CLI finds it).
GATEWAY_SERVICE_TYPE = "disaster-recovery"
# Callers before callees; each stage is stopped at once.
STOP_ORDER = (("gateway", "orchestrator"), ("metadata", "storage", "compute"))
# The launcher sets these itself.
_LAUNCHER_SETTINGS = ("port", "port_file", "metrics_port")


def settings_environment(settings: ServiceSettings) -> dict[str, str]:
    """The environment that configures a service process with these settings (secrets in the
    clear: the process needs them; complex values as JSON, which the settings parse)."""
    env = {}
    for name in type(settings).model_fields:
        value = _plain(getattr(settings, name))
        if name in _LAUNCHER_SETTINGS or value is None:
            continue
        variable = type(settings).env_variable(name)
        env[variable] = value if isinstance(value, str) else json.dumps(value)
    return env


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, BaseModel):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


@dataclass
class ProcessSite(SiteStubs):
    """One site's service processes, and channels to its orchestrator and metadata."""

    name: str
    state: Path
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    channels: dict[str, grpc.Channel] = field(default_factory=dict)
    # How each was started (its port and environment), to start it again the same way.
    launched: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)

    def spawn(self, service: str, settings: ServiceSettings, port: int = 0) -> ServiceProcess:
        """Starts the service's process (on a port chosen now unless given: a restarted
        service must be found where its callers know it); call `wait_until_serving` next."""
        self.launched[service] = (port or free_port(), settings_environment(settings))
        return self.start_again(service)

    def start_again(self, service: str) -> ServiceProcess:
        """Starts the service as it was started before (same port, settings and database),
        e.g. after it was killed; call `wait_until_serving` on it next."""
        port, env = self.launched[service]
        process = spawn_service(service, self.name, self.state, port, env)
        self.processes[service] = process
        return process

    def metrics_targets(self) -> dict[str, str]:
        """Where Prometheus scrapes each of the site's processes: name -> host:port (the path
        is /metrics)."""
        return metrics_targets(self.processes)

    @property
    def gateway_url(self) -> str:
        """The tenant REST API's base URL."""
        return f"http://{self.processes['gateway'].address}"

    def stop(self) -> dict[str, int]:
        """Closes the channels and stops the gateway and orchestrator first, then the rest;
        returns each exit code."""
        return stop_sites([self])[self.name]


def stop_sites(sites: list[ProcessSite]) -> dict[str, dict[str, int]]:
    """Stops the sites' processes, those that call others first; each stage all at once, so
    that graceful shutdowns overlap. Returns each site's exit codes."""
    codes: dict[str, dict[str, int]] = {site.name: {} for site in sites}
    for site in sites:
        for channel in site.channels.values():
            channel.close()
    for stage in STOP_ORDER:
        stopping = [(site, name) for site in sites for name in stage if name in site.processes]
        for site, name in stopping:
            site.processes[name].terminate()
        for site, name in stopping:
            codes[site.name][name] = site.processes[name].stop()
    return codes


def gateway_settings(
    lab: TwoSiteLab, site: str, running: ProcessSite, tls: Authority | None = None
) -> GatewaySettings:
    """A site's gateway: in front of its orchestrator process, trusting its region's Keystone."""
    return GatewaySettings(
        **tls_settings(tls, site, "gateway"),
        site=site,
        state_dir=running.state,
        keystone_url=lab.regions[site].auth_url,
        orchestrator_address=running.processes["orchestrator"].address,
    )


@contextmanager
def running_process_sites(
    lab: TwoSiteLab,
    state: Path,
    databases: dict[str, str],
    gateways: bool = False,
    tls: Authority | None = None,
    **orchestrator_settings: Any,
) -> Iterator[dict[str, ProcessSite]]:
    """Both sites, every service a process: compute and storage first (their ports learned
    from their port files), then metadata and orchestrators on ports chosen beforehand (each
    site's peers need them), then (with `gateways`) each site's REST gateway, put into its
    region's service catalog as `disaster-recovery`. `databases` has "<site>-metadata" and
    "<site>-orchestrator" URLs. With `tls`, every gRPC channel uses mutual TLS, each process
    with a certificate of its own.

    :raises LaunchError: a service did not come up (everything started is stopped).
    """
    sites = {name: ProcessSite(name, state) for name in SITES}
    ports = {s: {"metadata": free_port(), "orchestrator": free_port()} for s in SITES}
    with ExitStack() as stopping:
        stopping.callback(stop_sites, list(sites.values()))

        def serving(service: str) -> dict[str, str]:
            for site in SITES:
                sites[site].processes[service].wait_until_serving(STARTUP_SECONDS)
            return {site: sites[site].processes[service].address for site in SITES}

        settings: dict[str, dict[str, Any]] = {}
        for site in SITES:
            sites[site].spawn("compute", compute_settings(lab, site, state / site / "compute", tls))
        compute = serving("compute")
        for site in SITES:
            settings[site] = site_settings(
                lab, site, state / site, ports, databases, compute[site], tls
            )
            sites[site].spawn("storage", settings[site]["storage"])
            sites[site].spawn("metadata", settings[site]["metadata"], ports[site]["metadata"])
        serving("storage")
        serving("metadata")
        for site in SITES:
            made = settings[site]["orchestrator"](
                sites[site].processes["storage"].port, **orchestrator_settings
            )
            sites[site].spawn("orchestrator", made, ports[site]["orchestrator"])
        serving("orchestrator")
        if gateways:
            for site in SITES:
                sites[site].spawn("gateway", gateway_settings(lab, site, sites[site], tls))
            serving("gateway")
            for site in SITES:
                lab.regions[site].register_endpoint(
                    GATEWAY_SERVICE_TYPE, "draas", sites[site].gateway_url
                )
        for each in sites.values():
            for service in ("orchestrator", "metadata"):
                each.channels[service] = raw_channel(
                    each.processes[service].address, client_tls(tls, each.name)
                )
        yield sites
