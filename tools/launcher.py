"""Starts a site's draas services as local processes, the way a process manager would: one
process per service, each configured by its own environment, each reporting its port through a
port file (and its Prometheus metrics port through the metrics port file beside it, see
common.metrics); with a certificate authority, every process with a certificate of its own for
mutual TLS. Used by `make up`, the demo and the end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from common.grpc_client import raw_channel
from common.metrics import metrics_port_file
from common.tls import ClientTls
from draas.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from tools.certificates import Authority

REPO_ROOT = Path(__file__).resolve().parents[1]
# The orchestrator is started last: it is configured with the others' addresses.
BACKEND_SERVICES = ("metadata", "storage", "compute")
SERVICES = (*BACKEND_SERVICES, "orchestrator")


class LaunchError(Exception):
    """A service process did not come up; the message carries the end of its log."""


@dataclass
class ServiceProcess:
    """One running service process."""

    name: str
    process: subprocess.Popen[bytes]
    port_file: Path
    log_path: Path
    port: int = 0
    metrics_port: int | None = None

    @property
    def address(self) -> str:
        """Where it serves (gRPC; HTTP for the gateway)."""
        return f"127.0.0.1:{self.port}"

    @property
    def metrics_address(self) -> str | None:
        """Where Prometheus scrapes it (host:port; the path is /metrics): the gateway on its
        own port, a service on its metrics port; None for a service that serves no metrics."""
        if self.name == "gateway":
            return self.address
        return None if self.metrics_port is None else f"127.0.0.1:{self.metrics_port}"

    def wait_until_serving(self, timeout: float) -> int:
        """Waits for the port file; returns the port. The metrics port, when the process
        serves metrics, is known from then on too (its file is written first).

        :raises LaunchError: when the process exits or the timeout passes first.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.port_file.exists() and self.port_file.read_text():
                self.port = int(self.port_file.read_text())
                metrics = metrics_port_file(self.port_file)
                self.metrics_port = int(metrics.read_text()) if metrics.exists() else None
                return self.port
            if self.process.poll() is not None:
                raise LaunchError(
                    f"draas-{self.name} exited with code {self.process.returncode}:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.05)
        raise LaunchError(f"draas-{self.name} did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def terminate(self) -> None:
        """Asks it to stop (SIGTERM) without waiting; `stop` waits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code."""
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of its log."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and never handed out before by this process, for a
    service whose address others need before it starts (a peer site), or that must come back
    where it was when restarted."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def service_environment(site: str, state_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """The parent's environment without any DRAAS_ variable, plus the site's and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAS_")}
    env.update({"DRAAS_SITE": site, "DRAAS_STATE_DIR": str(state_dir)}, **extra)
    return env


def tls_environment(tls: Authority | None, site: str, name: str) -> dict[str, str]:
    """The environment that gives a site's service a certificate of its own from `tls`."""
    if tls is None:
        return {}
    files = tls.issue(site, name)
    prefix = f"DRAAS_{name.upper()}_TLS_"
    return {
        f"{prefix}CA_FILE": str(files.ca_file),
        f"{prefix}CERT_FILE": str(files.cert_file),
        f"{prefix}KEY_FILE": str(files.key_file),
    }


def spawn_service(
    name: str, site: str, state_dir: Path, port: int = 0, extra_env: dict[str, str] | None = None
) -> ServiceProcess:
    """Starts `python -m services.<name>` (or `python -m gateway`); call `wait_until_serving`
    next. A service serves its metrics on a free port unless `extra_env` says otherwise."""
    site_dir = state_dir / site
    site_dir.mkdir(parents=True, exist_ok=True)
    port_file = site_dir / f"{name}.port"
    port_file.unlink(missing_ok=True)
    metrics_port_file(port_file).unlink(missing_ok=True)
    log_path = site_dir / f"{name}.log"
    prefix = f"DRAAS_{name.upper()}_"
    launched = {f"{prefix}PORT": str(port), f"{prefix}PORT_FILE": str(port_file)}
    if name != "gateway":
        launched[f"{prefix}METRICS_PORT"] = "0"
    env = service_environment(site, state_dir, {**launched, **(extra_env or {})})
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", name if name == "gateway" else f"services.{name}"],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return ServiceProcess(name, process, port_file, log_path)


@dataclass
class LocalSite:
    """A site's four services as local processes (with `tls`, over mutual TLS, each with a
    certificate of its own). Use as a context manager: leaving it stops every process it
    started."""

    site: str
    state_dir: Path
    base_port: int | None = None
    startup_timeout: float = 60.0
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    tls: Authority | None = None

    def start(self) -> LocalSite:
        """Starts the backends in parallel, then the orchestrator pointed at them.

        :raises LaunchError: when one does not come up (every started one is stopped again).
        """
        try:
            for name in BACKEND_SERVICES:
                self.processes[name] = spawn_service(
                    name,
                    self.site,
                    self.state_dir,
                    self._port(name),
                    tls_environment(self.tls, self.site, name),
                )
            for name in BACKEND_SERVICES:
                self.processes[name].wait_until_serving(self.startup_timeout)
            addresses = {
                f"DRAAS_ORCHESTRATOR_{name.upper()}_ADDRESS": self.processes[name].address
                for name in BACKEND_SERVICES
            }
            orchestrator = spawn_service(
                "orchestrator",
                self.site,
                self.state_dir,
                self._port("orchestrator"),
                addresses | tls_environment(self.tls, self.site, "orchestrator"),
            )
            self.processes["orchestrator"] = orchestrator
            orchestrator.wait_until_serving(self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _port(self, name: str) -> int:
        return 0 if self.base_port is None else self.base_port + SERVICES.index(name)

    def metrics_targets(self) -> dict[str, str]:
        """Where Prometheus scrapes each process that serves metrics: name -> host:port."""
        return metrics_targets(self.processes)

    def stop(self) -> dict[str, int]:
        """Stops the orchestrator first, then the backends; returns each exit code."""
        codes = {}
        for name in reversed(SERVICES):
            if name in self.processes:
                codes[name] = self.processes[name].stop()
        return codes

    def client_tls(self) -> ClientTls | None:
        """How a tool calls this site's services: with a certificate of the site, with TLS."""
        return None if self.tls is None else ClientTls(self.tls.issue(self.site, "tool"), self.site)

    def system_status(self, timeout: float = 10.0) -> orchestrator_pb2.SystemStatus:
        """Asks the orchestrator how its dependencies are."""
        with raw_channel(self.processes["orchestrator"].address, self.client_tls()) as channel:
            stub = orchestrator_pb2_grpc.OrchestratorServiceStub(channel)
            return stub.GetSystemStatus(orchestrator_pb2.GetSystemStatusRequest(), timeout=timeout)

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def metrics_targets(processes: dict[str, ServiceProcess]) -> dict[str, str]:
    """Where Prometheus scrapes each of the processes that serves metrics: name -> host:port."""
    return {
        name: address
        for name, process in processes.items()
        if (address := process.metrics_address) is not None
    }


def format_status(status: orchestrator_pb2.SystemStatus) -> str:
    """A table of the orchestrator's view of its dependencies."""
    lines = [f"site {status.site}: {'healthy' if status.healthy else 'NOT healthy'}"]
    for dependency in status.dependencies:
        state = orchestrator_pb2.DependencyState.Name(dependency.state).removeprefix(
            "DEPENDENCY_STATE_"
        )
        latency_ms = dependency.latency.ToNanoseconds() / 1e6
        where = f"{dependency.address}  {dependency.detail}".rstrip()
        lines.append(f"  {dependency.name:<10} {state:<12} {latency_ms:7.1f} ms  {where}")
    return "\n".join(lines)
