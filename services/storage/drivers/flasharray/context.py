"""What every FlashArray operation works with: the arrays, the settings, and small helpers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from common.errors import DeadlineExceeded, InvalidArgument
from services.storage.drivers.flasharray.client import ArrayClient, ArrayRegistry
from services.storage.model import GroupRef, ReplicationType, Retention
from services.storage.naming import check_group_id
from services.storage.settings import StorageSettings

T = TypeVar("T")
_POD = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Context:
    arrays: ArrayRegistry
    settings: StorageSettings

    def pair(self, group: GroupRef) -> tuple[ArrayClient, ArrayClient]:
        """The group's source and target arrays.

        :raises InvalidArgument: for an unknown array, the same array twice, or a bad group id.
        """
        check_group_id(group.group_id)
        if group.pod_name and not _POD.match(group.pod_name):
            raise InvalidArgument(
                "group.pod_name", "must be 1-63 letters, digits, '-' or '_' (a FlashArray pod name)"
            )
        if group.source_array == group.target_array:
            raise InvalidArgument("group.target_array", "must differ from group.source_array")
        return (
            self.arrays.get(group.source_array, "group.source_array"),
            self.arrays.get(group.target_array, "group.target_array"),
        )

    def default_retention(self) -> Retention:
        r = self.settings.retention
        return Retention(r.all_for_seconds, r.per_day, r.days)

    def wait_for(self, what: str, timeout: float, probe: Callable[[], T | None]) -> T:
        """Polls until probe() returns something other than None.

        :raises DeadlineExceeded: naming `what` when the timeout passes.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise DeadlineExceeded(f"{what} did not happen within {timeout:.0f} s")
            time.sleep(self.settings.poll_interval_seconds)


def require_type(group: GroupRef) -> ReplicationType:
    if group.replication_type not in (ReplicationType.ASYNC, ReplicationType.SYNC):
        raise InvalidArgument("group.replication_type", "must be async or sync")
    return group.replication_type


def from_ms(value: Any) -> datetime | None:
    """An array timestamp (ms since the epoch) as an aware datetime."""
    if value is None:
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def attr(obj: Any, name: str, default: Any = None) -> Any:
    """Reads a model field that may be null (py-pure-client raises AttributeError for those)."""
    try:
        value = getattr(obj, name)
    except AttributeError:
        return default
    return default if value is None else value
