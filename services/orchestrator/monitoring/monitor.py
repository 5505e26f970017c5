"""The monitor: every `monitor_interval_seconds`, at each site, for the groups that fail over to
it (their target site): samples replication health into the history, checks the protected VMs
(less often), judges the alert rules, fires and resolves alerts, and sends what is due to the
alert channels. Every replica runs one; samples are keyed by their slot and alerts by their
condition, so replicas agree on one of each.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from common.db import Database
from common.errors import DraasError
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator.engine.store import now as utc_now
from services.orchestrator.groups import PROTECTED, GroupRecords
from services.orchestrator.monitoring import alerts, metrics
from services.orchestrator.monitoring.alerts import AlertStore, Change, Judged
from services.orchestrator.monitoring.delivery import Channels, Sender
from services.orchestrator.monitoring.history import HealthHistory, Sample
from services.orchestrator.monitoring.rules import Rules, VmProblem, Watched

if TYPE_CHECKING:
    from services.orchestrator.policies.scheduler import TestScheduler
    from services.orchestrator.policies.tags import Reconciled, TagReconciler
from services.orchestrator.readiness import ReadinessChecker
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)

SAMPLING_THREADS = 4
# Rules about a group's own state; those about operations judge every group each round.
GROUP_RULES = (
    alerts.RPO_OVER_TARGET,
    alerts.RPO_OVER_TWICE_TARGET,
    alerts.LINK_DOWN,
    alerts.METADATA_LAG,
    alerts.VM_INELIGIBLE,
    alerts.TEST_OVERDUE,
)
# The readiness checks that say a VM cannot be recovered as it is.
VM_CHECKS = ("eligible", "metadata_replicated")


@dataclass
class Round:
    """What one round did."""

    at: datetime
    watched: int = 0
    sampled: int = 0
    changes: list[Change] = field(default_factory=list)
    delivered: int = 0
    tests_started: list[str] = field(default_factory=list)
    tagged: Reconciled | None = None


class Monitor:
    """Watches the groups that fail over to this site."""

    def __init__(
        self,
        settings: OrchestratorSettings,
        db: Database,
        records: GroupRecords,
        readiness: ReadinessChecker,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.records = records
        self.readiness = readiness
        self.clock = clock
        self.history = HealthHistory(db)
        self.alerts = AlertStore(db, settings.site)
        self.channels = Channels(db)
        self.rules = Rules(settings, db)
        self.sender = Sender(settings, db, f"{socket.gethostname()}:{id(self)}")
        self.on_round: list[Callable[[Round, list[Watched], dict[str, Sample]], None]] = []
        # Starts the scheduled tests that are due (policies/scheduler.py), and protects the
        # servers tagged with a policy (policies/tags.py), when set.
        self.scheduler: TestScheduler | None = None
        self.tags: TagReconciler | None = None
        self._tags_looked_at: datetime | None = None
        self._vms_checked: dict[str, datetime] = {}
        self._watched: list[Watched] | None = None
        # Each watched group with its newest sample, as the metrics read them.
        self._latest: dict[str, tuple[Watched, Sample]] = {}
        self._unexport = metrics.export(lambda: list(self._latest.values()))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="monitor", daemon=True)

    def start(self) -> Monitor:
        """Runs rounds in the background, unless the interval is 0."""
        if self.settings.monitor_interval_seconds > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._unexport()
        self.sender.close()

    def run_once(self, now: datetime | None = None) -> Round:
        """One round at `now` (by default, the clock's time)."""
        moment = now or self.clock()
        result = Round(moment)
        watched = self.watched()
        result.watched = len(watched)
        samples = self._sample(watched, moment)
        result.sampled = len(samples)
        self._latest = {
            w.group.id: (w, samples.get(w.group.id) or self._latest[w.group.id][1])
            for w in watched
            if w.group.id in samples or w.group.id in self._latest
        }
        problems = self._check_vms(watched, moment)
        if self.scheduler is not None:
            result.tests_started = self.scheduler.run(moment, watched)
        self.history.roll_up(moment)
        self.history.prune(moment)
        judged = self.rules.judge(moment, watched, samples, problems)
        self._reconcile_tags(moment, judged, result)
        # Groups no longer watched here (deleted, or failed over the other way) end theirs.
        gone = self.alerts.firing_groups() - {w.group.id for w in watched}
        judged.pairs.update((g, rule) for g in gone for rule in GROUP_RULES)
        result.changes = self.alerts.reconcile(judged, moment)
        result.delivered = self.sender.deliver_due(moment)
        for listener in self.on_round:
            listener(result, watched, samples)
        return result

    def _reconcile_tags(self, moment: datetime, judged: Judged, result: Round) -> None:
        every = timedelta(seconds=self.settings.tag_reconcile_seconds)
        last = self._tags_looked_at
        if self.tags is None or (last is not None and last <= moment < last + every):
            return
        try:
            reconciled = self.tags.run()
        except DraasError as error:
            log.info("could not look at the tagged servers: %s", error)
            return
        self._tags_looked_at = moment
        result.tagged = reconciled
        # Every tagged server was looked at: a problem not found again has ended.
        judged.conditions.extend(reconciled.problems)
        judged.everywhere.add(alerts.TAGGED_VM_UNPROTECTED)

    def watched(self) -> list[Watched]:
        """The protected groups that fail over to this site and replicate already. While the
        metadata service cannot list them, the last list read is watched (replication health
        is read from the arrays and the source site, not from it).

        :raises DraasError: the groups were never listed and cannot be now.
        """
        try:
            listed = self.records.list_every_project()
        except DraasError as error:
            if self._watched is None:
                raise
            log.warning("could not list the groups (%s); watching the last ones listed", error)
            return self._watched
        self._watched = [
            Watched(project, group)
            for project, group in listed
            if group.target_site == self.settings.site
            and group.state == PROTECTED
            and group.source_array
        ]
        return self._watched

    def _sample(self, watched: list[Watched], moment: datetime) -> dict[str, Sample]:
        interval = self.settings.monitor_interval_seconds or 60.0
        slot = datetime.fromtimestamp(
            moment.timestamp() - moment.timestamp() % interval, moment.tzinfo
        )

        def one(item: Watched) -> Sample | None:
            group = item.group
            try:
                health = self.readiness.health(group)
            except DraasError as error:
                log.info("could not sample the health of group %s: %s", group.id, error)
                return None
            status = health.status
            rpo = (
                status.recovery_point_age.ToTimedelta().total_seconds()
                if status.HasField("newest_recovery_point")
                else None
            )
            link_up = status.link_state == spb.LINK_STATE_CONNECTED
            sample = Sample(
                project_id=item.project_id,
                group_id=group.id,
                sampled_at=slot,
                covers_seconds=interval,
                rpo_seconds=rpo,
                rpo_target_seconds=group.rpo_target_seconds,
                link_up=link_up,
                within_target=link_up and rpo is not None and status.within_rpo_target,
                metadata_lag_seconds=health.metadata_seconds_behind
                if health.metadata_seconds_behind >= 0
                else None,
                protected_vms=len(group.vms),
            )
            self.history.record(sample)
            return sample

        with ThreadPoolExecutor(SAMPLING_THREADS, thread_name_prefix="sample") as pool:
            found = list(pool.map(one, watched))
        return {s.group_id: s for s in found if s is not None}

    def _check_vms(self, watched: list[Watched], moment: datetime) -> dict[str, list[VmProblem]]:
        every = timedelta(seconds=self.settings.readiness_check_seconds)
        problems: dict[str, list[VmProblem]] = {}
        for item in watched:
            last = self._vms_checked.get(item.group.id)
            if last is not None and moment - last < every:
                continue
            try:
                readiness = self.readiness.check(item.project_id, item.group.id)
            except DraasError as error:
                log.info("could not check the VMs of group %s: %s", item.group.id, error)
                continue
            self._vms_checked[item.group.id] = moment
            problems[item.group.id] = []
            for vm in readiness.vms:
                reasons = [c.reason for c in vm.checks if c.name in VM_CHECKS and not c.ok]
                if reasons:
                    problems[item.group.id].append(
                        VmProblem(vm.server_id, vm.name, "; ".join(reasons))
                    )
        return problems

    def _run(self) -> None:
        while not self._stop.wait(self.settings.monitor_interval_seconds):
            try:
                self.run_once()
            except Exception:
                log.exception("the monitor's round failed; trying again next round")
