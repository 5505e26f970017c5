"""Protection by tag, at the site the servers run at: a server whose metadata says
`draas:policy=<name>` (and, optionally, `draas:tier=<n>`) is protected by that policy of its
project (its own, else a published one) in the project's group made from the policy here,
which is made when first needed; it leaves the group when the tag goes or names another
policy. VMs added by hand are never touched, whatever their tags.

A tagged server that cannot be protected (no such policy, its project not linked to the
policy's target site yet, a volume that does not replicate, ...) is reported with the reason,
which the monitor raises as an alert; it is looked at again every round, so it is protected
as soon as it can be."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from common.errors import DraasError
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from services.orchestrator.clients import Clients
from services.orchestrator.groups import PROTECTED, Group, GroupRecords
from services.orchestrator.monitoring import alerts
from services.orchestrator.monitoring.alerts import Condition
from services.orchestrator.policies.store import Policies, Policy
from services.orchestrator.protection import Protection
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)

POLICY_TAG, TIER_TAG = "draas:policy", "draas:tier"
BY_TAG = "tag"


@dataclass
class Reconciled:
    """What one look at the tagged servers did and found."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Condition] = field(default_factory=list)


class TagReconciler:
    """Protects tagged servers by their policies, and stops when the tags go."""

    def __init__(
        self,
        settings: OrchestratorSettings,
        clients: Clients,
        records: GroupRecords,
        protection: Protection,
        policies: Policies,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.records = records
        self.protection = protection
        self.policies = policies

    def run(self) -> Reconciled:
        """One look at every tagged server of this site and every VM protected by tag here.

        :raises DraasError: the servers or the groups could not be listed.
        """
        with mapped_errors():
            servers = self.clients.compute.ListTaggedServers(
                cpb.ListTaggedServersRequest(metadata_key=POLICY_TAG)
            ).servers
        tagged = {s.id: s for s in servers}
        groups = [
            (project, g)
            for project, g in self.records.list_every_project()
            if g.owner_site == self.settings.site and g.source_site == self.settings.site
        ]
        done = Reconciled()
        protected: set[str] = set()
        for project, group in groups:
            for vm in group.vms:
                protected.add(vm.server_id)
                if vm.added_by != BY_TAG:
                    continue
                server = tagged.get(vm.server_id)
                if server is None or server.metadata.get(POLICY_TAG) != group.policy_name:
                    self._remove(project, group, vm.server_id, done)
        for server in tagged.values():
            if server.id not in protected and server.status != "DELETED":
                self._protect(server, groups, done)
        return done

    def _remove(self, project: str, group: Group, server_id: str, done: Reconciled) -> None:
        try:
            self.protection.remove_vm(project, group.id, server_id)
        except DraasError as error:
            log.info(
                "could not remove untagged VM %s from group %s: %s", server_id, group.id, error
            )
            return
        log.info("removed VM %s from group %s: its policy tag went", server_id, group.name)
        done.removed.append(server_id)

    def _protect(
        self, server: cpb.Server, groups: list[tuple[str, Group]], done: Reconciled
    ) -> None:
        project, wanted = server.project_id, server.metadata.get(POLICY_TAG, "")
        try:
            policy = self.policies.find(project, wanted)
        except DraasError:
            done.problems.append(
                _problem(server, "", wanted, f"its project has no policy named {wanted!r}")
            )
            return
        tier = _tier(server, policy)
        if isinstance(tier, str):
            done.problems.append(_problem(server, "", policy.name, tier))
            return
        group = next(
            (
                g
                for p, g in groups
                if p == project and g.policy_id == policy.id and g.state == PROTECTED
            ),
            None,
        )
        try:
            if group is None:
                group = self._group_for(project, policy, groups)
                groups.append((project, group))
            self.protection.add_vm(project, group.id, server.id, tier, added_by=BY_TAG)
        except DraasError as error:
            done.problems.append(
                _problem(server, group.id if group else "", policy.name, str(error))
            )
            return
        log.info("protected tagged VM %s in group %s", server.id, group.name)
        done.added.append(server.id)

    def _group_for(self, project: str, policy: Policy, groups: list[tuple[str, Group]]) -> Group:
        """A new group of the project made from the policy, named after it."""
        taken = {g.name for p, g in groups if p == project}
        name = policy.name
        for number in range(2, 100):
            if name not in taken:
                break
            name = f"{policy.name}-{number}"
        return self.protection.create(
            project,
            name,
            f"Servers tagged {POLICY_TAG}={policy.name}.",
            replication_type=policy.replication_type,
            target_site=policy.target_site,
            rpo_target_seconds=policy.rpo_target_seconds,
            rto_target_seconds=policy.rto_target_seconds,
            test_interval_seconds=policy.test_interval_seconds,
            test_schedule=policy.test_schedule,
            policy=(policy.id, policy.name),
            automation=policy.automation,
        )


def _tier(server: cpb.Server, policy: Policy) -> int | str:
    """The server's tier (its draas:tier tag, else the policy's default), or why it is wrong."""
    text = server.metadata.get(TIER_TAG)
    if text is None:
        return policy.default_tier
    if not text.isdigit() or not 1 <= int(text) <= 100:
        return f"its {TIER_TAG} tag {text!r} is not a tier from 1 to 100"
    return int(text)


def _problem(server: cpb.Server, group_id: str, policy_name: str, reason: str) -> Condition:
    return Condition(
        project_id=server.project_id,
        group_id=group_id,
        group_name=policy_name,
        rule=alerts.TAGGED_VM_UNPROTECTED,
        severity=alerts.WARNING,
        summary=f"VM {server.name or server.id} is tagged {POLICY_TAG}={policy_name} but is not "
        f"protected: {reason}",
        subject=server.id,
    )
