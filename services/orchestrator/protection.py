"""A group's life at its source site: created, VMs added (after the eligibility check, with
their volumes protected and their metadata captured) and removed, some VMs split off into a
group of their own, deleted."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from common.errors import (
    AlreadyExists,
    DraasError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from common.grpc_client import mapped_errors
from common.protobuf import duration
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.storage.v1 import storage_pb2 as spb
from services.orchestrator import eligibility, lifecycle
from services.orchestrator.checks import config as checks
from services.orchestrator.checks.config import Automation
from services.orchestrator.clients import Clients
from services.orchestrator.groups import ASYNC, SYNC, Group, GroupRecords, ProtectedVm
from services.orchestrator.policies.schedule import TestSchedule
from services.orchestrator.projects import ProjectLinks
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)

MAX_NAME = 255
MAX_DESCRIPTION = 1024
# RTO targets and test intervals: up to a year; a test due more often than hourly is noise.
MAX_TARGET_SECONDS = 366 * 86400.0
MIN_TEST_INTERVAL_SECONDS = 3600.0


class Protection:
    """Changes groups that run at this site."""

    def __init__(
        self,
        settings: OrchestratorSettings,
        clients: Clients,
        records: GroupRecords,
        links: ProjectLinks,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.records = records
        self.links = links

    def create(
        self,
        project_id: str,
        name: str,
        description: str,
        replication_type: str = "",
        target_site: str = "",
        rpo_target_seconds: float = 0.0,
        target_project_id: str = "",
        target_token: str = "",
        link_as_admin: bool = False,
        rto_target_seconds: float = 0.0,
        test_interval_seconds: float = 0.0,
        test_schedule: TestSchedule | None = None,
        policy: tuple[str, str] = ("", ""),
        automation: Automation | None = None,
        split_from: str = "",
    ) -> Group:
        """A new, empty group running here and failing over to `target_site`, where the tenant
        is the project this one is linked to, or else the one the link proven by `target_token`
        (or `link_as_admin`) names (see projects.py).

        :raises InvalidArgument: naming the field that is wrong.
        :raises AlreadyExists: the project has a group of that name.
        :raises PermissionDenied: no proof of the tenant's project at the target site.
        :raises FailedPrecondition: the link asked for disagrees with one that exists.
        """
        if not name or len(name) > MAX_NAME:
            raise InvalidArgument("name", f"must be 1 to {MAX_NAME} characters")
        if replication_type not in (ASYNC, SYNC):
            raise InvalidArgument("replication_type", "must be ASYNC or SYNC")
        if target_site == self.settings.site:
            raise InvalidArgument(
                "target_site", f"must be another site than this one ({target_site})"
            )
        if self.settings.peer(target_site) is None:
            known = ", ".join(p.site for p in self.settings.peers) or "none"
            raise InvalidArgument(
                "target_site", f"{target_site!r} is not a peer site (peers: {known})"
            )
        if replication_type == ASYNC and rpo_target_seconds <= 0:
            raise InvalidArgument("rpo_target", "is required for an async group")
        if rpo_target_seconds < 0:
            raise InvalidArgument("rpo_target", "must not be negative")
        check_targets(rto_target_seconds, test_interval_seconds)
        schedule = test_schedule or TestSchedule()
        if schedule.enabled and test_interval_seconds <= 0:
            raise InvalidArgument("test_interval", "is required for tests that run by themselves")
        if any(g.name == name for g in self.records.list(project_id)):
            raise AlreadyExists(f"project {project_id} has a failover group named {name} already")
        linked = self.links.link_with(
            project_id, target_site, target_project_id, target_token, link_as_admin
        )
        group = self.records.new(
            projects={self.settings.site: project_id, target_site: linked},
            id=str(uuid.uuid4()),
            project_id=project_id,
            name=name,
            description=description,
            replication_type=replication_type,
            source_site=self.settings.site,
            target_site=target_site,
            rpo_target_seconds=rpo_target_seconds,
            rto_target_seconds=rto_target_seconds,
            test_interval_seconds=test_interval_seconds,
            test_schedule=schedule.body(),
            policy_id=policy[0],
            policy_name=policy[1],
            automation=(automation or Automation()).body(),
            split_from=split_from,
        )
        return self.records.put(group)

    def update(
        self,
        project_id: str,
        group_id: str,
        description: str | None = None,
        rpo_target_seconds: float | None = None,
        rto_target_seconds: float | None = None,
        test_interval_seconds: float | None = None,
        test_schedule: TestSchedule | None = None,
        from_policy: bool = False,
        automation: Automation | None = None,
    ) -> Group:
        """Changes what is given (None: left as it is). A group made from a policy takes its
        targets and schedule from it (`from_policy`), not by hand. A new RPO target of an async
        group that replicates already reschedules its replication at once.

        :raises InvalidArgument: naming the field that is wrong.
        :raises FailedPrecondition: not at the group's source site, or an operation holds it.
        """
        group = self._changeable(project_id, group_id)
        targets = (
            rpo_target_seconds,
            rto_target_seconds,
            test_interval_seconds,
            test_schedule,
            automation,
        )
        if group.policy_id and not from_policy and any(t is not None for t in targets):
            raise FailedPrecondition(
                f"group {group.name} takes its targets, test schedule, hooks and checks from "
                f"policy {group.policy_name}: change the policy"
            )
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise InvalidArgument("description", f"must be at most {MAX_DESCRIPTION} characters")
        if rpo_target_seconds is not None:
            if group.replication_type == ASYNC and rpo_target_seconds <= 0:
                raise InvalidArgument("rpo_target", "must be positive for an async group")
            if rpo_target_seconds < 0:
                raise InvalidArgument("rpo_target", "must not be negative")
        check_targets(rto_target_seconds or 0.0, test_interval_seconds or 0.0)
        interval = (
            group.test_interval_seconds if test_interval_seconds is None else test_interval_seconds
        )
        enabled = (test_schedule or TestSchedule.from_body(group.test_schedule)).enabled
        if enabled and interval <= 0:
            raise InvalidArgument("test_interval", "is required for tests that run by themselves")
        rescheduled = (
            rpo_target_seconds is not None
            and rpo_target_seconds != group.rpo_target_seconds
            and group.replication_type == ASYNC
            and bool(group.source_array)
        )

        def change(current: Group) -> Group:
            return replace(
                current,
                description=current.description if description is None else description,
                rpo_target_seconds=current.rpo_target_seconds
                if rpo_target_seconds is None
                else rpo_target_seconds,
                rto_target_seconds=current.rto_target_seconds
                if rto_target_seconds is None
                else rto_target_seconds,
                test_interval_seconds=current.test_interval_seconds
                if test_interval_seconds is None
                else test_interval_seconds,
                test_schedule=current.test_schedule
                if test_schedule is None
                else test_schedule.body(),
                automation=current.automation if automation is None else automation.body(),
            )

        if rescheduled:
            volumes = [name for vm in group.vms for name in vm.volumes]
            with mapped_errors():
                self.clients.storage.ProtectGroup(
                    spb.ProtectGroupRequest(
                        group=group.ref(),
                        rpo_target=duration(rpo_target_seconds or 0.0),
                        array_volume_names=volumes,
                    )
                )
        return self.records.update(project_id, group_id, change)

    def add_vm(
        self, project_id: str, group_id: str, server_id: str, tier: int, added_by: str = ""
    ) -> Group:
        """Checks the VM, protects its volumes (an async group replicates at once), records it
        in the group and captures it. `added_by`: "tag" for a VM protected by its tag.

        :raises FailedPrecondition: naming the VM, the volume and why it cannot join.
        """
        updated = self._join(project_id, group_id, server_id, tier, added_by)
        self._capture(project_id, [server_id])
        return updated

    def _join(
        self, project_id: str, group_id: str, server_id: str, tier: int, added_by: str = ""
    ) -> Group:
        """add_vm without the capture."""
        if tier < 1:
            raise InvalidArgument("tier", "must be 1 or more")
        group = self._changeable(project_id, group_id)
        with mapped_errors():
            inventory = self.clients.compute.CaptureInventory(
                cpb.CaptureInventoryRequest(project_id=project_id, server_ids=[server_id])
            )
        members = {vm.server_id: g.name for g in self.records.list(project_id) for vm in g.vms}
        peer = self.settings.peer(group.target_site)
        pairs = dict(peer.array_pairs) if peer else {}
        placement, refusals = eligibility.check(group, inventory, server_id, pairs, members)
        server = inventory.servers[0]
        if placement is None:
            raise FailedPrecondition("; ".join(r.message(server) for r in refusals))
        joined = self._protect(group, placement)

        def record(current: Group) -> Group:
            vms = [v for v in current.vms if v.server_id != server_id]
            vms.append(
                ProtectedVm(
                    server_id=server_id,
                    name=server.name,
                    tier=tier,
                    added_at=joined.isoformat(),
                    volumes=placement.volumes,
                    added_by=added_by,
                )
            )
            current.vms = sorted(vms, key=lambda v: (v.tier, v.name, v.server_id))
            current.source_array = placement.source_array
            current.target_array = placement.target_array
            current.pod_name = placement.pod_name if current.replication_type == SYNC else ""
            return current

        return self.records.update(project_id, group_id, record)

    def remove_vm(self, project_id: str, group_id: str, server_id: str) -> Group:
        """:raises NotFound: the VM is not in the group."""
        updated = self._leave(project_id, group_id, server_id)
        self._capture(project_id)
        return updated

    def _leave(self, project_id: str, group_id: str, server_id: str) -> Group:
        """remove_vm without the capture."""
        group = self._changeable(project_id, group_id)
        vm = group.vm(server_id)
        if vm is None:
            raise NotFound(f"VM {server_id} is not in failover group {group.name}")
        if vm.volumes:
            with mapped_errors():
                self.clients.storage.RemoveVolumes(
                    spb.RemoveVolumesRequest(group=group.ref(), array_volume_names=vm.volumes)
                )

        def record(current: Group) -> Group:
            current.vms = [v for v in current.vms if v.server_id != server_id]
            return current

        return self.records.update(project_id, group_id, record)

    def split(
        self,
        project_id: str,
        group_id: str,
        server_ids: list[str],
        name: str = "",
        description: str = "",
    ) -> Group:
        """Moves some of the group's VMs (at their tiers) into a new group of their own, made
        like it (replication, target, targets, schedule, hooks and checks, policy) and naming
        it in `split_from`; returns the new group. Each VM leaves the group, then joins the new
        one: should joining fail, it is put back in the group (and a new group left empty is
        deleted).

        :raises InvalidArgument: server_ids names none of the VMs, all of them, one twice, one
            not in the group, or one protected by its tag (its tag would bring it back).
        :raises FailedPrecondition: the group cannot change here now.
        """
        group = self._changeable(project_id, group_id)
        chosen = _splitting(group, server_ids)
        new = self.create(
            project_id,
            name or f"{group.name}-{chosen[0].name}"[:MAX_NAME],
            description or f"split from {group.name}",
            replication_type=group.replication_type,
            target_site=group.target_site,
            rpo_target_seconds=group.rpo_target_seconds,
            rto_target_seconds=group.rto_target_seconds,
            test_interval_seconds=group.test_interval_seconds,
            test_schedule=TestSchedule.from_body(group.test_schedule),
            policy=(group.policy_id, group.policy_name),
            automation=checks.from_body(group.automation),
            split_from=group.id,
        )
        try:
            for moved, vm in enumerate(chosen):
                self._leave(project_id, group.id, vm.server_id)
                try:
                    self._join(project_id, new.id, vm.server_id, vm.tier)
                except DraasError:
                    if not moved:
                        self.delete(project_id, new.id)
                    log.warning(
                        "VM %s could not join %s; it goes back to %s", vm.name, new.name, group.name
                    )
                    self._join(project_id, group.id, vm.server_id, vm.tier)
                    raise
        finally:
            # Once for every VM moved: their group marks in this site's metadata.
            self._capture(project_id)
        return self.records.get(project_id, new.id)

    def delete(self, project_id: str, group_id: str) -> None:
        """Stops replicating the group and removes its record."""
        group = self._changeable(project_id, group_id)
        if group.source_array:
            with mapped_errors():
                self.clients.storage.UnprotectGroup(spb.UnprotectGroupRequest(group=group.ref()))
        self.records.put(group, deleted=True)

    def _changeable(self, project_id: str, group_id: str) -> Group:
        group = self.records.get(project_id, group_id)
        lifecycle.require(group, lifecycle.CHANGE, self.settings.site)
        return group

    def _protect(self, group: Group, placement: eligibility.Placement) -> datetime:
        """Protects the VM's volumes; returns when they had joined (every point taken since
        holds them)."""
        ref = group.ref()
        ref.source_array, ref.target_array = placement.source_array, placement.target_array
        if group.replication_type == SYNC:
            ref.pod_name = placement.pod_name
        rpo = duration(group.rpo_target_seconds)
        with mapped_errors():
            if not group.source_array:
                self.clients.storage.ProtectGroup(
                    spb.ProtectGroupRequest(
                        group=ref,
                        rpo_target=rpo if group.replication_type == ASYNC else None,
                        array_volume_names=placement.volumes,
                    )
                )
            else:
                self.clients.storage.AddVolumes(
                    spb.AddVolumesRequest(group=ref, array_volume_names=placement.volumes)
                )
            joined = datetime.now(UTC)
            if group.replication_type == ASYNC:
                # A point with the new VM now, not at the next scheduled one.
                self.clients.storage.ReplicateNow(spb.ReplicateNowRequest(group=ref))
        return joined

    def _capture(self, project_id: str, server_ids: list[str] | None = None) -> None:
        """The project (or the servers named) into this site's metadata, group marks too."""
        with mapped_errors():
            self.clients.metadata.CaptureProject(
                mpb.CaptureProjectRequest(project_id=project_id, server_ids=server_ids or [])
            )


def check_targets(rto_target_seconds: float, test_interval_seconds: float) -> None:
    """:raises InvalidArgument: an RTO target or a test interval out of its range."""
    if not 0 <= rto_target_seconds <= MAX_TARGET_SECONDS:
        raise InvalidArgument("rto_target", f"must be 0 (none) to {MAX_TARGET_SECONDS:.0f} s")
    if test_interval_seconds and not (
        MIN_TEST_INTERVAL_SECONDS <= test_interval_seconds <= MAX_TARGET_SECONDS
    ):
        raise InvalidArgument(
            "test_interval",
            f"must be 0 (none) or {MIN_TEST_INTERVAL_SECONDS:.0f} to {MAX_TARGET_SECONDS:.0f} s",
        )


def _splitting(group: Group, server_ids: list[str]) -> list[ProtectedVm]:
    """The group's VMs a split moves.

    :raises InvalidArgument: see Protection.split.
    """
    members = {vm.server_id: vm for vm in group.vms}
    if not server_ids:
        raise InvalidArgument("server_ids", "name the VMs to move to a new group")
    if len(set(server_ids)) < len(server_ids):
        raise InvalidArgument("server_ids", "names a VM more than once")
    strangers = [s for s in server_ids if s not in members]
    if strangers:
        raise InvalidArgument(
            "server_ids", f"not VMs of failover group {group.name}: {', '.join(strangers)}"
        )
    if len(server_ids) == len(members):
        raise InvalidArgument(
            "server_ids", f"names every VM of failover group {group.name}: it is the group itself"
        )
    tagged = [members[s].name for s in server_ids if members[s].added_by == "tag"]
    if tagged:
        raise InvalidArgument(
            "server_ids",
            f"{', '.join(tagged)} joined by the draas:policy tag, which would bring it back: "
            "change the tag instead",
        )
    return [members[s] for s in server_ids]
