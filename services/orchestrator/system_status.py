"""Whether the orchestrator's dependencies answer: its database and its site's metadata, storage
and compute services. Each is checked in parallel, with a timeout, in the caller's trace."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import grpc
from sqlalchemy.exc import SQLAlchemyError

from common.db import Database
from common.grpc_client import check_health
from common.logs import mask
from common.telemetry import in_current_context


class DependencyState(StrEnum):
    SERVING = "serving"
    NOT_SERVING = "not_serving"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class DependencyHealth:
    """The outcome of one dependency check."""

    name: str
    address: str
    state: DependencyState
    detail: str
    latency_seconds: float


@dataclass(frozen=True)
class ServiceDependency:
    """A gRPC service the orchestrator calls: its name, address, channel and the full name of
    the gRPC service that must answer there."""

    name: str
    address: str
    channel: grpc.Channel
    grpc_service: str


class SystemStatusChecker:
    """Checks every dependency at once."""

    def __init__(
        self, database: Database, services: Sequence[ServiceDependency], timeout: float
    ) -> None:
        self._database = database
        self._services = services
        self._timeout = timeout

    def check(self) -> list[DependencyHealth]:
        """The database first, then the services in the order given."""
        with ThreadPoolExecutor(max_workers=1 + len(self._services)) as pool:
            checks = [pool.submit(in_current_context(self._check_database))]
            checks += [
                pool.submit(in_current_context(self._check_service), service)
                for service in self._services
            ]
            return [check.result() for check in checks]

    def _check_database(self) -> DependencyHealth:
        started = time.monotonic()
        try:
            self._database.ping()
        except SQLAlchemyError as error:
            detail = mask(str(error).splitlines()[0])
            return self._result(
                "database", self._database.display_url, DependencyState.UNREACHABLE, detail, started
            )
        return self._result(
            "database", self._database.display_url, DependencyState.SERVING, "", started
        )

    def _check_service(self, service: ServiceDependency) -> DependencyHealth:
        started = time.monotonic()
        try:
            status = check_health(service.channel, service.grpc_service, self._timeout)
        except grpc.RpcError as error:
            code = error.code()
            if code == grpc.StatusCode.NOT_FOUND:
                state, detail = (
                    DependencyState.NOT_SERVING,
                    f"{service.address} answers but does not serve {service.grpc_service}",
                )
            else:
                state, detail = DependencyState.UNREACHABLE, f"{code.name}: {error.details()}"
            return self._result(service.name, service.address, state, detail, started)
        state = DependencyState.SERVING if status == "SERVING" else DependencyState.NOT_SERVING
        return self._result(
            service.name, service.address, state, "" if status == "SERVING" else status, started
        )

    @staticmethod
    def _result(
        name: str, address: str, state: DependencyState, detail: str, started: float
    ) -> DependencyHealth:
        return DependencyHealth(name, address, state, detail, time.monotonic() - started)
