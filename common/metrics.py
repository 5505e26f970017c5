"""Prometheus metrics of a draas process: one registry per process, served over HTTP.

Every draas metric is registered on `REGISTRY` (with the process's own CPU, memory and garbage
collector metrics), never on prometheus-client's global default, so that what a process exposes
is exactly this catalogue. Services in one process (the in-process tests run both sites in one)
share it: their samples add up, and labels (peer, project, group, ...) tell them apart.

Where it is served:
  - a service (`python -m services.<name>`): on `listen_host:metrics_port` (a setting; unset,
    nothing is served; 0 picks a free port), at `/metrics`. The bound port is written to
    `metrics_port_file(port_file)` (e.g. `compute.metrics-port` beside `compute.port`) before
    the port file itself, so a launcher that sees the port file finds both (`start_metrics`).
  - the gateway: `GET /metrics` on its own HTTP port (gateway/metrics.py).
Plain HTTP, unauthenticated, like a health check: nothing here is secret or per token.

The catalogue (seconds and `_total` as Prometheus names them):
  draas_grpc_server_handled_total{service, method, code}    gRPC calls answered, by status
  draas_grpc_server_handling_seconds{service, method}       how long they took
  draas_backend_request_duration_seconds{api, operation}    each backend request
      api: keystone, nova, cinder, neutron, glance (openstacksdk), flasharray (py-pure-client)
  draas_backend_errors_total{api, operation, reason}        backend failures (`BackendError`)
  draas_operations_total{kind, result}                      operations ended, by final state
  draas_operation_duration_seconds{kind, result}            request to end
  draas_operation_rto_seconds{kind, result}                 request to last VM verified
  draas_step_duration_seconds{step, api, action, result}    one attempt of a step (or revert)
  draas_metadata_replication_lag_seconds{peer}              see services/metadata/metrics.py
  draas_metadata_replication_connected{peer}                1 while the stream to it is up
  draas_gateway_requests_total{method, route, status}       route is the template, never a path
  draas_gateway_request_duration_seconds{method, route}
  draas_group_rpo_seconds, draas_group_rpo_target_seconds, draas_group_protected_vms,
  draas_group_link_up (1/0): per group, labelled `GROUP_LABELS`, registered by the
      orchestrator's health sampler.

A gauge whose values live elsewhere (a table, a sender's state) is best read when Prometheus
scrapes, not copied on every change: `sampled_gauge(name, help, labels)` gives one, and each
service instance adds a source to it (`add_source`, undone by the function it returns), e.g.

    RPO = sampled_gauge("draas_group_rpo_seconds", "Age of ...", GROUP_LABELS)
    remove = RPO.add_source(lambda: [((g.project, g.id, ...), g.rpo) for g in latest()])

A plain labelled gauge (`gauge(...)`, then `.labels(...).set()` and `.remove(...)`) suits values
that are pushed as they change.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from common.errors import ServiceUnavailable
from common.settings import ServiceSettings

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

GROUP_LABELS = ("project", "group", "group_name", "replication_type", "source_site", "target_site")
"""The labels of every per-group gauge: `project` scopes a tenant's alarm to its project."""

FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0)
OPERATION_BUCKETS = (
    *(1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
    *(900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0),
)

_lock = threading.Lock()
_made: dict[str, object] = {}


def _once(name: str, make: Callable[[], object]) -> object:
    """The metric registered under `name`, made on first use: modules (and tests that import
    them again) share one."""
    with _lock:
        if name not in _made:
            _made[name] = make()
        return _made[name]


def counter(name: str, documentation: str, labelnames: Sequence[str]) -> Counter:
    """A counter on REGISTRY (the same one for every caller that names it)."""
    made = _once(name, lambda: Counter(name, documentation, labelnames, registry=REGISTRY))
    assert isinstance(made, Counter)
    return made


def histogram(
    name: str, documentation: str, labelnames: Sequence[str], buckets: Sequence[float]
) -> Histogram:
    """A histogram on REGISTRY (the same one for every caller that names it)."""
    made = _once(
        name,
        lambda: Histogram(name, documentation, labelnames, registry=REGISTRY, buckets=buckets),
    )
    assert isinstance(made, Histogram)
    return made


def gauge(name: str, documentation: str, labelnames: Sequence[str]) -> Gauge:
    """A gauge on REGISTRY whose values are set as they change (the same one for every caller
    that names it)."""
    made = _once(name, lambda: Gauge(name, documentation, labelnames, registry=REGISTRY))
    assert isinstance(made, Gauge)
    return made


Sample = tuple[Sequence[str], float]
"""One sample of a sampled gauge: its label values (in the gauge's order) and its value."""


class SampledGauge(Collector):
    """A gauge read from its sources each time it is scraped. A source that fails is left out
    of that scrape (and logged); when two sources give the same labels, the first one counts."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._sources: list[Callable[[], Iterable[Sample]]] = []
        self._lock = threading.Lock()

    def add_source(self, source: Callable[[], Iterable[Sample]]) -> Callable[[], None]:
        """Adds a source of samples; returns the function that removes it again."""
        with self._lock:
            self._sources.append(source)

        def remove() -> None:
            with self._lock:
                if source in self._sources:
                    self._sources.remove(source)

        return remove

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self.name, self.documentation, labels=self.labelnames)]

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labelnames)
        with self._lock:
            sources = list(self._sources)
        seen: set[tuple[str, ...]] = set()
        for source in sources:
            try:
                samples = list(source())
            except Exception:
                log.exception("metric %s: a source failed; left out of this scrape", self.name)
                continue
            for labels, value in samples:
                key = tuple(str(label) for label in labels)
                if len(key) != len(self.labelnames) or key in seen:
                    continue
                seen.add(key)
                family.add_metric(key, float(value))
        return [family]


def sampled_gauge(name: str, documentation: str, labelnames: Sequence[str]) -> SampledGauge:
    """A gauge on REGISTRY whose values are read from sources at each scrape (the same one for
    every caller that names it)."""

    def make() -> SampledGauge:
        made = SampledGauge(name, documentation, labelnames)
        REGISTRY.register(made)
        return made

    found = _once(name, make)
    assert isinstance(found, SampledGauge)
    return found


# The shared catalogue ----------------------------------------------------------------------------

GRPC_HANDLED = counter(
    "draas_grpc_server_handled_total",
    "gRPC calls this process's servers answered, by service, method and status code.",
    ("service", "method", "code"),
)
GRPC_HANDLING = histogram(
    "draas_grpc_server_handling_seconds",
    "How long this process's gRPC servers took to answer a call (a stream: until it ended).",
    ("service", "method"),
    FAST_BUCKETS,
)
BACKEND_DURATION = histogram(
    "draas_backend_request_duration_seconds",
    "One request to a backend API until its answer (or failure): api is keystone, nova, "
    "cinder, neutron, glance (an OpenStack region) or flasharray; operation is the HTTP "
    "method and resource collection for OpenStack, the py-pure-client method for a FlashArray.",
    ("api", "operation"),
    FAST_BUCKETS,
)
BACKEND_ERRORS = counter(
    "draas_backend_errors_total",
    "Backend requests that failed for a reason of the backend, not of the request: reason is "
    "unreachable (no answer), server_error (5xx), throttled (429) or unauthorized (the service "
    "user or API token refused). Refusals of a request on its merits (other 4xx) are not counted.",
    ("api", "operation", "reason"),
)
OPERATIONS = counter(
    "draas_operations_total",
    "Operations that ended at this site, by kind and result (succeeded, partially_succeeded, "
    "failed, compensated).",
    ("kind", "result"),
)
OPERATION_DURATION = histogram(
    "draas_operation_duration_seconds",
    "Operations that ended: from the request to the end of the operation.",
    ("kind", "result"),
    OPERATION_BUCKETS,
)
OPERATION_RTO = histogram(
    "draas_operation_rto_seconds",
    "Measured RTO of operations that recovered at least one VM: from the request to the last "
    "VM verified (as in the operation's report).",
    ("kind", "result"),
    OPERATION_BUCKETS,
)
STEP_DURATION = histogram(
    "draas_step_duration_seconds",
    "One attempt of a workflow step (action execute) or of its undo (action revert), once it "
    "held its backend API's slot; api is the backend API the step loads (none when unbounded); "
    "result is succeeded or failed.",
    ("step", "api", "action", "result"),
    STEP_BUCKETS,
)
GATEWAY_REQUESTS = counter(
    "draas_gateway_requests_total",
    "REST requests the gateway answered, by method, route template (unmatched when no route "
    "matched) and HTTP status.",
    ("method", "route", "status"),
)
GATEWAY_DURATION = histogram(
    "draas_gateway_request_duration_seconds",
    "How long the gateway took to answer a REST request (a stream: until it ended).",
    ("method", "route"),
    FAST_BUCKETS,
)


class BackendError:
    """The `reason` label values of draas_backend_errors_total."""

    UNREACHABLE = "unreachable"
    SERVER_ERROR = "server_error"
    THROTTLED = "throttled"
    UNAUTHORIZED = "unauthorized"

    @staticmethod
    def of_status(status: int) -> str | None:
        """The reason an HTTP status counts as a backend error, or None when it does not."""
        if status >= 500:
            return BackendError.SERVER_ERROR
        if status == 429:
            return BackendError.THROTTLED
        if status == 401:
            return BackendError.UNAUTHORIZED
        return None


def record_backend_request(api: str, operation: str, seconds: float, error: str | None) -> None:
    """Counts one backend request: its duration, and `error` (a `BackendError` reason) if it
    failed for a reason of the backend."""
    BACKEND_DURATION.labels(api, operation).observe(seconds)
    if error is not None:
        BACKEND_ERRORS.labels(api, operation, error).inc()


# Serving -----------------------------------------------------------------------------------------


@dataclass
class MetricsServer:
    """REGISTRY served over HTTP at /metrics from a daemon thread."""

    host: str
    port: int
    _server: WSGIServer
    _thread: threading.Thread

    @property
    def url(self) -> str:
        """Where Prometheus scrapes it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def serve_metrics(host: str, port: int) -> MetricsServer:
    """Serves REGISTRY on host:port (0 picks a free port).

    :raises ServiceUnavailable: when the address cannot be bound.
    """
    try:
        server, thread = start_http_server(port, addr=host, registry=REGISTRY)
    except OSError as error:
        raise ServiceUnavailable(
            f"cannot serve metrics on {host}:{port}: {error.strerror or error}"
        ) from None
    return MetricsServer(host, int(server.server_port), server, thread)


def metrics_port_file(port_file: Path) -> Path:
    """Where a process whose gRPC port goes to `port_file` writes its metrics port."""
    return port_file.with_name(f"{port_file.stem}.metrics-port")


@contextmanager
def start_metrics(settings: ServiceSettings) -> Iterator[MetricsServer | None]:
    """Serves the process's metrics while the block runs, when `settings.metrics_port` is set
    (None otherwise), and writes the bound port to `metrics_port_file(settings.port_file)`
    (removed again at the end).

    :raises ServiceUnavailable: when the metrics address cannot be bound.
    """
    if settings.metrics_port is None:
        yield None
        return
    server = serve_metrics(settings.listen_host, settings.metrics_port)
    port_file = None if settings.port_file is None else metrics_port_file(settings.port_file)
    try:
        if port_file is not None:
            port_file.parent.mkdir(parents=True, exist_ok=True)
            scratch = port_file.with_name(f".{port_file.name}.{os.getpid()}")
            scratch.write_text(str(server.port))
            scratch.replace(port_file)
        log.info("metrics on %s", server.url)
        yield server
    finally:
        server.stop()
        if port_file is not None:
            port_file.unlink(missing_ok=True)
