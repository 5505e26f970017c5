"""What the storage service needs from a storage backend. Every method names the arrays it
touches through the GroupRef, keeps no state of its own, and is safe to repeat.

Every method may also raise ArrayUnreachable / ArrayBusy (retryable: the array did not answer
or failed), ArrayCredentialsRefused (the configured token is wrong) and InvalidArgument (an
unknown array or a malformed name).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

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


class StorageDriver(ABC):
    """One vendor's arrays."""

    @abstractmethod
    def list_arrays(self) -> list[ArrayHealth]:
        """Every configured array and whether it answers (never raises for one that does not)."""

    @abstractmethod
    def protect(
        self,
        group: GroupRef,
        rpo_target_seconds: float | None,
        retention: Retention | None,
        volumes: list[str],
    ) -> Protection:
        """Sets up replication of the group to its target and protects the volumes.

        :raises InvalidArgument: async without an RPO target; sync without a pod, or a volume
            outside it.
        :raises ArrayObjectMissing: a volume does not exist on the source array.
        :raises DeadlineExceeded: the target array did not allow the replication in time.
        """

    @abstractmethod
    def unprotect(self, group: GroupRef) -> list[str]:
        """Stops replicating and removes what protect made; returns what was removed.

        :raises ArrayUnreachable: when part of it could not be removed (repeat to finish).
        """

    @abstractmethod
    def add_volumes(self, group: GroupRef, volumes: list[str]) -> Protection:
        """:raises FailedPrecondition: the group is not protected yet.
        :raises ArrayObjectMissing: a volume does not exist."""

    @abstractmethod
    def remove_volumes(self, group: GroupRef, volumes: list[str]) -> Protection:
        """Volumes that are not protected are ignored."""

    @abstractmethod
    def get_protection(self, group: GroupRef) -> Protection:
        """:raises ArrayObjectMissing: the group is not protected."""

    @abstractmethod
    def replication_state(
        self, group: GroupRef, rpo_target_seconds: float | None
    ) -> ReplicationState:
        """What replicates and how far behind; an array that does not answer is reported in
        the state, not raised."""

    @abstractmethod
    def replicate_now(
        self, group: GroupRef, wait: bool, timeout_seconds: float | None, suffix: str
    ) -> RecoveryPoint:
        """:raises DeadlineExceeded: still in flight after the timeout (it keeps going)."""

    @abstractmethod
    def recovery_points(self, group: GroupRef, include_incomplete: bool) -> list[RecoveryPoint]:
        """Newest first, from the target array alone.

        :raises ArrayObjectMissing: the target holds no replica of the group.
        """

    @abstractmethod
    def recover(
        self,
        group: GroupRef,
        point_id: str,
        volumes: list[str],
        request_id: str,
        test: bool,
    ) -> Recovery:
        """New volumes on the target array holding the recovery point's data, all from one
        point; repeating the request returns the same volumes.

        :raises ArrayObjectMissing: no such point, or a volume not in it.
        :raises FailedPrecondition: the point is still in flight, or (sync) the pod is not
            serving on the target array.
        """

    @abstractmethod
    def destroy_volumes(
        self, array: str, request_id: str, names: list[str], eradicate: bool
    ) -> DestroyResult:
        """Destroys what a recovery request made and the named volumes.

        :raises ArrayRefused: a volume is still connected to a host.
        """

    @abstractmethod
    def reverse_protection(
        self,
        group: GroupRef,
        rpo_target_seconds: float | None,
        retention: Retention | None,
        volumes: list[str],
    ) -> Protection:
        """Protects `volumes` from group.source_array (where the group now runs) to
        group.target_array, after removing the old direction's replication.

        :raises ArrayUnreachable: the old source array does not answer: reprotecting without
            it could leave it replicating over the new production data.
        """

    @abstractmethod
    def close(self) -> None:
        """Logs out of every array."""
