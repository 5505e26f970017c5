"""The FlashArray simulator as a whole: arrays, links, listeners and the replication engine,
in-process (tests) or standalone (`python -m simulators.flasharray --config FILE`)."""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from simulators.common.http import Listener
from simulators.flasharray import pods
from simulators.flasharray.fabric import ASYNC, SYNC, Fabric
from simulators.flasharray.listener import array_app, control_app
from simulators.flasharray.replication import ReplicationEngine
from simulators.flasharray.tls import Certificates, generate


class ArrayConfig(BaseModel):
    """One simulated array."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
    api_token: str = Field(min_length=8)
    port: int = Field(0, ge=0, le=65535)


class ConnectionConfig(BaseModel):
    """A replication connection between two arrays."""

    arrays: tuple[str, str]
    type: Literal["async-replication", "sync-replication"] = SYNC
    bandwidth_bytes_per_s: float = Field(1e9, gt=0)
    latency_s: float = Field(0.001, ge=0)


class SimulatorConfig(BaseModel):
    """Arrays, their connections, where to listen."""

    host: str = "127.0.0.1"
    control_port: int = Field(0, ge=0, le=65535)
    arrays: list[ArrayConfig] = Field(min_length=1)
    connections: list[ConnectionConfig] = Field(default_factory=list)
    replication_tick_s: float = Field(0.02, gt=0, le=5)

    @model_validator(mode="after")
    def _connections_name_arrays(self) -> SimulatorConfig:
        names = {a.name for a in self.arrays}
        if len(names) != len(self.arrays):
            raise ValueError("array names must be unique")
        for connection in self.connections:
            for name in connection.arrays:
                if name not in names:
                    raise ValueError(f"connection names unknown array {name}")
        return self


class FlashArraySimulator:
    """Simulated arrays over HTTPS on the configured host. Use as a context manager."""

    def __init__(self, config: SimulatorConfig, state_dir: Path | None = None) -> None:
        self.config = config
        self.fabric = Fabric()
        self._scratch = None if state_dir else tempfile.TemporaryDirectory(prefix="fa-sim-")
        self.state_dir = state_dir or Path(self._scratch.name)  # type: ignore[union-attr]
        self.certificates: Certificates | None = None
        self.endpoints: dict[str, Listener] = {}
        self.control: Listener | None = None
        self.engine = ReplicationEngine(self.fabric, config.replication_tick_s)
        for array in config.arrays:
            self.fabric.add_array(array.name, array.api_token)
        for connection in config.connections:
            self.fabric.connect(
                *connection.arrays,
                link_type=connection.type,
                bandwidth_bytes_per_s=connection.bandwidth_bytes_per_s,
                latency_s=connection.latency_s,
            )

    @property
    def ca_file(self) -> Path:
        """The CA that signed every array's certificate."""
        assert self.certificates is not None, "start() first"
        return self.certificates.ca_file

    @property
    def control_url(self) -> str:
        assert self.control is not None, "start() first"
        return f"http://{self.control.address}"

    def address(self, array: str) -> str:
        """host:port of an array's REST API."""
        return self.endpoints[array].address

    def api_token(self, array: str) -> str:
        return self.fabric.arrays[array].api_token

    def start(self) -> FlashArraySimulator:
        self.certificates = generate(self.state_dir / "tls")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.certificates.cert_file, self.certificates.key_file)
        for array in self.config.arrays:
            app = array_app(self.fabric, self.fabric.arrays[array.name], self.set_online)
            endpoint = Listener(app, self.config.host, array.port, tls, f"fa-{array.name}")
            endpoint.start()
            self.fabric.arrays[array.name].management_address = endpoint.address
            self.endpoints[array.name] = endpoint
        self.control = Listener(
            control_app(self.fabric, self.set_online),
            self.config.host,
            self.config.control_port,
            None,
            "fa-control",
        )
        self.control.start()
        self.engine.start()
        return self

    def set_online(self, array: str, online: bool) -> None:
        """Takes an array down (its port refuses connections) or brings it back."""
        with self.fabric.lock:
            target = self.fabric.array(array)
            if target.online == online:
                return
            target.online = online
            if not online:
                target.sessions.clear()
        endpoint = self.endpoints[array]
        if online:
            endpoint.start()
        else:
            endpoint.stop()
        with self.fabric.lock:
            pods.refresh_pods(self.fabric)

    def stop(self) -> None:
        self.engine.stop()
        for endpoint in [*self.endpoints.values(), self.control]:
            if endpoint is not None:
                endpoint.stop()
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> FlashArraySimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = [
    "ASYNC",
    "SYNC",
    "ArrayConfig",
    "ConnectionConfig",
    "FlashArraySimulator",
    "SimulatorConfig",
]
