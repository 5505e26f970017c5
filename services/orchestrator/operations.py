"""Starting operations (checked first, keyed by their idempotency key, holding their group) and
reading them back: state, per-VM progress, events, reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.db import Database
from common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator import flows, lifecycle
from services.orchestrator.clients import Clients
from services.orchestrator.engine.plan import PREPARE, VM, OperationState, Plan
from services.orchestrator.engine.store import EngineStore, now
from services.orchestrator.groups import Group, GroupRecords, ProtectedVm
from services.orchestrator.models import (
    GroupLockRecord,
    OperationEventRecord,
    OperationRecord,
    StepAttemptRecord,
    UnitRecord,
)
from services.orchestrator.settings import OrchestratorSettings

MAX_KEY = 255


@dataclass
class Snapshot:
    """An operation with its units and their step attempts, read together."""

    operation: OperationRecord
    units: list[UnitRecord]
    attempts: dict[str, list[StepAttemptRecord]]


class Operations:
    """The operations of this site's orchestrator."""

    def __init__(
        self,
        settings: OrchestratorSettings,
        clients: Clients,
        records: GroupRecords,
        store: EngineStore,
        wake: Callable[[], None],
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.records = records
        self.store = store
        self.db: Database = store.db
        self.wake = wake

    # Starting ------------------------------------------------------------------------------------

    def start_test_failover(
        self,
        project_id: str,
        group_id: str,
        key: str,
        recovery_point_id: str,
        cleanup_after_seconds: float | None,
        stop_on_failure: bool,
        server_ids: list[str] | None = None,
    ) -> str:
        """Tests the group, or only the VMs `server_ids` names (a partial test).

        :raises FailedPrecondition: the group cannot be tested here now (says why).
        :raises InvalidArgument: `server_ids` names a server not in the group, or twice.
        """
        _key(key)
        existing = self._by_key(project_id, key, (flows.TEST_FAILOVER,), group_id)
        if existing is not None:
            return existing
        group = self._group(project_id, group_id, lifecycle.TEST_FAILOVER)
        chosen = _chosen_vms(group, server_ids or [])
        if recovery_point_id:
            self._check_point(group, recovery_point_id, chosen)
        after = (
            self.settings.test_cleanup_after_seconds
            if cleanup_after_seconds is None
            else cleanup_after_seconds
        )
        request = self._request(group, recovery_point_id=recovery_point_id)
        request["cleanup_after_seconds"] = after
        if len(chosen) < len(group.vms):
            request["server_ids"] = [vm.server_id for vm in chosen]
            request[flows.PARTIAL] = True
        plan = flows.test_failover_plan(group, project_id, request, stop_on_failure)
        return self._start(plan, key)

    def start_failover(
        self,
        project_id: str,
        group_id: str,
        key: str,
        planned: bool,
        recovery_point_id: str,
        quiesce: bool,
        stop_on_failure: bool,
    ) -> str:
        """:raises FailedPrecondition: the group cannot fail over here now (says why)."""
        _key(key)
        existing = self._by_key(project_id, key, flows.FAILOVERS, group_id)
        if existing is not None:
            return existing
        if planned and recovery_point_id:
            raise InvalidArgument(
                "recovery_point_id", "only an unplanned failover chooses a recovery point"
            )
        group = self._group(project_id, group_id, lifecycle.FAILOVER)
        if recovery_point_id:
            self._check_point(group, recovery_point_id)
        request = self._request(group, recovery_point_id=recovery_point_id, quiesce=quiesce)
        plan = flows.failover_plan(group, project_id, request, planned, stop_on_failure)
        return self._start(plan, key)

    def start_reprotect(
        self,
        project_id: str,
        group_id: str,
        key: str,
        method: str,
        replication_type: str,
        volume_type: str,
        rpo_target_seconds: float | None,
    ) -> str:
        """At the site a group failed over to: protect it back towards its old source, which
        must answer (it removes the group's old VMs first). `method` is flows.RETYPE or
        flows.VOLUME_TYPE.

        :raises FailedPrecondition: the group's state does not allow it here, no volume type
            here replicates that way, or the old source site does not answer.
        """
        _key(key)
        existing = self._by_key(project_id, key, (flows.REPROTECT,), group_id)
        if existing is not None:
            return existing
        group = self._group(project_id, group_id, lifecycle.REPROTECT)
        request = self._request(
            group,
            reprotect=self._reprotection(
                project_id, group, method, replication_type, volume_type, rpo_target_seconds
            ),
        )
        self._reachable(group.target_site, "a reprotect")
        return self._start(flows.reprotect_plan(group, project_id, request), key)

    def start_failback(self, project_id: str, group_id: str, key: str) -> str:
        """At a group's home site, while it is protected towards it: a planned failover back
        here, then a reprotect towards the site it came back from (retype, the group's
        replication type and RPO target).

        :raises FailedPrecondition: the group's state does not allow it here, no volume type
            here replicates that way, or the site it runs at does not answer.
        """
        _key(key)
        return self._round_trip(project_id, group_id, key, flows.FAILBACK)

    def start_move(self, project_id: str, group_id: str, key: str) -> str:
        """At a group's target site, while it is protected: a planned failover here, then a
        reprotect towards the site it came from (retype, the group's replication type and RPO
        target).

        :raises FailedPrecondition: the group's state does not allow it here, no volume type
            here replicates that way, or the site it runs at does not answer.
        """
        return self._round_trip(project_id, group_id, key, flows.MOVE)

    def _round_trip(self, project_id: str, group_id: str, key: str, kind: str) -> str:
        """A failback or a move: a planned failover here, then the reprotect back."""
        _key(key)
        existing = self._by_key(project_id, key, (kind,), group_id)
        if existing is not None:
            return existing
        request = lifecycle.FAILBACK if kind == flows.FAILBACK else lifecycle.MOVE
        group = self._group(project_id, group_id, request)
        reprotect = self._reprotection(
            project_id,
            group,
            flows.RETYPE,
            group.replication_type,
            "",
            group.rpo_target_seconds or None,
        )
        self._reachable(group.source_site, f"a {kind}")
        body = self._request(group, reprotect=reprotect)
        plan = flows.failback_plan if kind == flows.FAILBACK else flows.move_plan
        return self._start(plan(group, project_id, body), key)

    def _reprotection(
        self,
        project_id: str,
        group: Group,
        method: str,
        replication_type: str,
        volume_type: str,
        rpo: float | None,
    ) -> dict[str, Any]:
        """The reprotect's part of a request: the method, the replication type, the volume type
        here that gives it, and the RPO target (async)."""
        rpo = group.rpo_target_seconds if rpo is None else rpo
        if replication_type == "async" and rpo <= 0:
            raise InvalidArgument("rpo_target", "is required to protect the group asynchronously")
        with mapped_errors():
            types = self.clients.compute.ListVolumeTypes(
                cpb.ListVolumeTypesRequest(project_id=project_id)
            ).volume_types
        fitting = [
            t.name
            for t in types
            if t.replication_enabled and t.replication_type == replication_type
        ]
        if volume_type and volume_type not in fitting:
            raise FailedPrecondition(
                f"volume type {volume_type} does not replicate {replication_type} at "
                f"{self.settings.site} (types that do: {', '.join(fitting) or 'none'})"
            )
        if not volume_type and len(fitting) != 1:
            raise FailedPrecondition(
                f"{len(fitting)} volume types replicate {replication_type} at "
                f"{self.settings.site} ({', '.join(fitting) or 'none'}): name one as volume_type"
                if fitting
                else f"no volume type replicates {replication_type} at {self.settings.site}"
            )
        return {
            "method": method,
            "replication_type": replication_type,
            "volume_type": volume_type or fitting[0],
            "rpo_target_seconds": rpo if replication_type == "async" else 0.0,
        }

    def _reachable(self, site: str, what: str) -> None:
        """:raises FailedPrecondition: the site's orchestrator does not answer."""
        try:
            status = self.clients.peer_health(site, self.settings.dependency_timeout_seconds)
        except grpc.RpcError as error:
            status = error.code().name
        if status != "SERVING":
            raise FailedPrecondition(
                f"site {site}'s orchestrator is not serving ({status}): {what} needs it, to "
                "remove the group's VMs there before protecting it back"
            )

    def start_cleanup(self, project_id: str, test_operation_id: str, key: str) -> str:
        """The test's cleanup: the one under way or done, if there is one (however many ask,
        and whichever key they give); else a new one, after any that failed.

        :raises FailedPrecondition: the test is still running.
        """
        _key(key)
        existing = self._by_key(project_id, key, (flows.TEST_CLEANUP,))
        if existing is not None:
            return existing
        test = self.get(project_id, test_operation_id)
        if test.operation.kind != flows.TEST_FAILOVER:
            raise InvalidArgument(
                "operation_id",
                f"operation {test_operation_id} is a {test.operation.kind}, not a test failover",
            )
        if test.operation.state in OperationState.ACTIVE:
            raise FailedPrecondition(
                f"test failover {test_operation_id} is still {test.operation.state}; clean it up "
                "when it has ended"
            )
        created = [
            ref
            for unit in test.units
            if unit.role == VM
            for ref in (unit.outputs or {}).get("created", [])
        ]
        prepare = next((u.outputs or {} for u in test.units if u.role == PREPARE), {})
        request = {
            "test_operation_id": test_operation_id,
            "created": created,
            "target_array": (prepare.get("group") or {}).get("target_array")
            or test.operation.request.get("target_array", ""),
        }
        current, failed = self._cleanups(test_operation_id)
        if current is not None:
            return current
        request["retry_base_seconds"] = self.settings.cleanup_retry_seconds
        plan = flows.cleanup_plan(project_id, test.operation.group_id, test_operation_id, request)
        # Every request for this test's next cleanup names it alike: one of them makes it.
        return self._start(plan, f"cleanup-{test_operation_id}-{failed + 1}", lock=False)

    def _cleanups(self, test_operation_id: str) -> tuple[str | None, int]:
        """The test's cleanup under way or succeeded (if any), and how many failed."""
        with self.db.transaction() as session:
            cleanups = session.scalars(
                select(OperationRecord).where(
                    OperationRecord.kind == flows.TEST_CLEANUP,
                    OperationRecord.parent_operation_id == test_operation_id,
                )
            ).all()
            current = next(
                (
                    c.id
                    for c in cleanups
                    if c.state in OperationState.ACTIVE or c.state == OperationState.SUCCEEDED
                ),
                None,
            )
            return current, len(cleanups)

    def _group(self, project_id: str, group_id: str, request: str) -> Group:
        """The group, if its state allows the request here and it has VMs."""
        if not group_id:
            raise InvalidArgument("group_id", "is required")
        group = self.records.get(project_id, group_id)
        lifecycle.require(group, request, self.settings.site)
        if not group.vms:
            raise FailedPrecondition(f"failover group {group.name} has no VMs")
        return group

    def _check_point(
        self, group: Group, point_id: str, vms: list[ProtectedVm] | None = None
    ) -> None:
        """:raises FailedPrecondition: the point is incomplete or older than one of `vms` (by
        default every VM of the group) joining it."""
        with mapped_errors():
            points = self.clients.storage.ListRecoveryPoints(
                spb.ListRecoveryPointsRequest(group=group.ref(), include_incomplete=True)
            ).recovery_points
        point = next((p for p in points if p.id == point_id), None)
        if point is None:
            raise NotFound(f"group {group.name} has no recovery point {point_id} at this site")
        if not point.HasField("completed_at"):
            raise FailedPrecondition(f"recovery point {point_id} is still arriving")
        taken = point.created_at.ToDatetime(tzinfo=UTC)
        missing = [
            vm
            for vm in (group.vms if vms is None else vms)
            if vm.added_at and datetime.fromisoformat(vm.added_at) > taken
        ]
        if missing:
            names = ", ".join(f"{vm.name} (added {vm.added_at})" for vm in missing)
            raise FailedPrecondition(
                f"recovery point {point_id} was taken at {taken.isoformat()}, before "
                f"{names} joined group {group.name}: it does not hold them; choose a later point"
            )

    def _request(self, group: Group, **fields: Any) -> dict[str, Any]:
        return {
            "source_site": group.source_site,
            "target_site": group.target_site,
            "server_ids": [vm.server_id for vm in group.vms],
            "target_array": group.target_array,
            # The group's record is filed under this project (its owner site's).
            "record_project_id": group.project_id,
            "projects": dict(group.projects),
            **fields,
        }

    def _start(self, plan: Plan, key: str, lock: bool = True) -> str:
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier)
        context = trace.get_current_span().get_span_context()
        trace_id = format(context.trace_id, "032x") if context.is_valid else ""
        operation_id, _ = self.store.create(
            plan, key, trace_id, carrier.get("traceparent"), lock_group=lock
        )
        self.wake()
        return operation_id

    def _by_key(
        self, project_id: str, key: str, kinds: tuple[str, ...], group_id: str | None = None
    ) -> str | None:
        """The operation this key started, if any: a repeated request gets it back.

        :raises AlreadyExists: the key started an operation of another kind or group.
        """
        with self.db.transaction() as session:
            found = session.scalar(
                select(OperationRecord).where(
                    OperationRecord.project_id == project_id,
                    OperationRecord.idempotency_key == key,
                )
            )
            if found is None:
                return None
            if found.kind not in kinds or group_id not in (None, found.group_id):
                raise AlreadyExists(
                    f"idempotency key {key!r} already started operation {found.id} "
                    f"({found.kind} of group {found.group_id})"
                )
            return str(found.id)

    # Reading -------------------------------------------------------------------------------------

    def get(self, project_id: str | None, operation_id: str) -> Snapshot:
        """The operation, if it is the project's (None: whoever's).

        :raises NotFound: the project has no such operation here."""
        with self.db.transaction() as session:
            operation = session.get(OperationRecord, operation_id)
            if operation is None or project_id not in (None, operation.project_id):
                raise NotFound(f"project {project_id} has no operation {operation_id} at this site")
            return _snapshots(session, [operation])[0]

    def page(
        self, project_id: str | None, group_id: str, offset: int, size: int
    ) -> tuple[list[Snapshot], bool]:
        """A page of the project's operations (None: every project's), newest first, and
        whether more follow; in three queries, whatever the page's size."""
        with self.db.transaction() as session:
            query = select(OperationRecord)
            if project_id is not None:
                query = query.where(OperationRecord.project_id == project_id)
            if group_id:
                query = query.where(OperationRecord.group_id == group_id)
            found = list(
                session.scalars(
                    query.order_by(OperationRecord.created_at.desc(), OperationRecord.id)
                    .offset(offset)
                    .limit(size + 1)
                )
            )
            return _snapshots(session, found[:size]), len(found) > size

    def events(
        self, project_id: str, operation_id: str, after: int, limit: int = 500
    ) -> tuple[list[OperationEventRecord], bool]:
        """Events after a sequence, and whether the operation has ended; reads the operation's
        state alone (a watcher asks several times a second).

        :raises NotFound: the project has no such operation here."""
        with self.db.transaction() as session:
            row = session.execute(
                select(OperationRecord.project_id, OperationRecord.state).where(
                    OperationRecord.id == operation_id
                )
            ).one_or_none()
        if row is None or row.project_id != project_id:
            raise NotFound(f"project {project_id} has no operation {operation_id} at this site")
        return self.store.events(operation_id, after, limit), row.state not in OperationState.ACTIVE

    def holder(self, project_id: str, group_id: str) -> OperationRecord | None:
        """The operation that holds the group here (a failover under way, or a test not yet
        cleaned up)."""
        with self.db.transaction() as session:
            lock = session.get(GroupLockRecord, (project_id, group_id))
            return session.get(OperationRecord, lock.operation_id) if lock else None

    def last_tests(self, project_id: str, group_ids: list[str]) -> dict[str, OperationRecord]:
        """Per group (of those given) its newest test failover of all its VMs here that has
        ended."""
        newest: dict[str, OperationRecord] = {}
        if not group_ids:
            return newest
        ended_tests = (
            OperationRecord.project_id == project_id,
            OperationRecord.group_id.in_(group_ids),
            OperationRecord.kind == flows.TEST_FAILOVER,
            OperationRecord.partial.is_(False),
            OperationRecord.finished_at.is_not(None),
        )
        latest = (
            select(OperationRecord.group_id, func.max(OperationRecord.finished_at).label("at"))
            .where(*ended_tests)
            .group_by(OperationRecord.group_id)
            .subquery()
        )
        with self.db.transaction() as session:
            for test in session.scalars(
                select(OperationRecord)
                .join(
                    latest,
                    (OperationRecord.group_id == latest.c.group_id)
                    & (OperationRecord.finished_at == latest.c.at),
                )
                .where(*ended_tests)
            ):
                newest.setdefault(test.group_id, test)
        return newest

    def due_cleanups(self) -> list[tuple[str, str]]:
        """(project, test failover) pairs whose automatic cleanup is due."""
        with self.db.transaction() as session:
            return [
                (o.project_id, o.id)
                for o in session.scalars(
                    select(OperationRecord).where(
                        OperationRecord.kind == flows.TEST_FAILOVER,
                        OperationRecord.cleanup_at <= now(),
                    )
                )
            ]


def _key(key: str) -> str:
    if not key:
        raise InvalidArgument(
            "idempotency_key", "is required: repeating a request with it resumes, not repeats"
        )
    if len(key) > MAX_KEY:
        raise InvalidArgument("idempotency_key", f"must be at most {MAX_KEY} characters")
    return key


def _chosen_vms(group: Group, server_ids: list[str]) -> list[ProtectedVm]:
    """The group's VMs `server_ids` names (every VM when it names none).

    :raises InvalidArgument: it names a server that is not in the group, or one twice.
    """
    if not server_ids:
        return list(group.vms)
    members = {vm.server_id: vm for vm in group.vms}
    strangers = [s for s in server_ids if s not in members]
    if strangers:
        raise InvalidArgument(
            "server_ids", f"not VMs of failover group {group.name}: {', '.join(strangers)}"
        )
    if len(set(server_ids)) < len(server_ids):
        raise InvalidArgument("server_ids", "names a VM more than once")
    return [members[s] for s in server_ids]


def _snapshots(session: Session, operations: list[OperationRecord]) -> list[Snapshot]:
    """The operations with their units and step attempts, in two more queries for them all."""
    ids = [o.id for o in operations]
    units: dict[str, list[UnitRecord]] = {i: [] for i in ids}
    for unit in session.scalars(
        select(UnitRecord)
        .where(UnitRecord.operation_id.in_(ids))
        .order_by(UnitRecord.tier, UnitRecord.name, UnitRecord.key)
    ):
        units[unit.operation_id].append(unit)
    attempts: dict[str, list[StepAttemptRecord]] = {}
    unit_ids = [u.id for found in units.values() for u in found]
    for attempt in session.scalars(
        select(StepAttemptRecord)
        .where(StepAttemptRecord.unit_id.in_(unit_ids))
        .order_by(StepAttemptRecord.id)
    ):
        attempts.setdefault(attempt.unit_id, []).append(attempt)
    return [
        Snapshot(o, units[o.id], {u.id: attempts[u.id] for u in units[o.id] if u.id in attempts})
        for o in operations
    ]
