"""The FlashArray storage driver: the StorageDriver contract over py-pure-client."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from opentelemetry.trace import Tracer

from common.errors import DraasError
from common.telemetry import in_current_context
from services.storage.drivers.base import StorageDriver
from services.storage.drivers.flasharray import protection, recovery, replication
from services.storage.drivers.flasharray.client import ArrayClient, ArrayRegistry
from services.storage.drivers.flasharray.context import Context, attr
from services.storage.model import (
    ArrayHealth,
    DestroyResult,
    GroupRef,
    Protection,
    Recovery,
    RecoveryPoint,
    ReplicationState,
    Retention,
)
from services.storage.settings import StorageSettings


class FlashArrayDriver(StorageDriver):
    """Pure Storage FlashArrays, REST 2.x."""

    def __init__(self, settings: StorageSettings, tracer: Tracer) -> None:
        self._ctx = Context(ArrayRegistry(settings, tracer), settings)

    def list_arrays(self) -> list[ArrayHealth]:
        arrays = self._ctx.arrays.all()
        if not arrays:
            return []
        with ThreadPoolExecutor(max_workers=len(arrays)) as pool:
            return list(pool.map(in_current_context(_health), arrays))

    def protect(
        self,
        group: GroupRef,
        rpo_target_seconds: float | None,
        retention: Retention | None,
        volumes: list[str],
    ) -> Protection:
        return protection.protect(self._ctx, group, rpo_target_seconds, retention, volumes)

    def unprotect(self, group: GroupRef) -> list[str]:
        return protection.unprotect(self._ctx, group)

    def add_volumes(self, group: GroupRef, volumes: list[str]) -> Protection:
        return protection.add_volumes(self._ctx, group, volumes)

    def remove_volumes(self, group: GroupRef, volumes: list[str]) -> Protection:
        return protection.remove_volumes(self._ctx, group, volumes)

    def get_protection(self, group: GroupRef) -> Protection:
        return protection.get_protection(self._ctx, group)

    def replication_state(
        self, group: GroupRef, rpo_target_seconds: float | None
    ) -> ReplicationState:
        return replication.replication_state(self._ctx, group, rpo_target_seconds)

    def replicate_now(
        self, group: GroupRef, wait: bool, timeout_seconds: float | None, suffix: str
    ) -> RecoveryPoint:
        return replication.replicate_now(self._ctx, group, wait, timeout_seconds, suffix)

    def recovery_points(self, group: GroupRef, include_incomplete: bool) -> list[RecoveryPoint]:
        return replication.recovery_points(self._ctx, group, include_incomplete)

    def recover(
        self, group: GroupRef, point_id: str, volumes: list[str], request_id: str, test: bool
    ) -> Recovery:
        return recovery.recover(self._ctx, group, point_id, volumes, request_id, test)

    def destroy_volumes(
        self, array: str, request_id: str, names: list[str], eradicate: bool
    ) -> DestroyResult:
        return recovery.destroy_volumes(self._ctx, array, request_id, names, eradicate)

    def reverse_protection(
        self,
        group: GroupRef,
        rpo_target_seconds: float | None,
        retention: Retention | None,
        volumes: list[str],
    ) -> Protection:
        return protection.reverse_protection(
            self._ctx, group, rpo_target_seconds, retention, volumes
        )

    def close(self) -> None:
        self._ctx.arrays.close()


def _health(array: ArrayClient) -> ArrayHealth:
    try:
        described = array.describe()
    except DraasError as error:
        return ArrayHealth(array.name, array.address, reachable=False, error=str(error))
    return ArrayHealth(
        array.name,
        array.address,
        reachable=True,
        array_id=str(attr(described, "id", "")),
        version=str(attr(described, "version", "")),
    )
