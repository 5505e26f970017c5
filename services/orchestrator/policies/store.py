"""DR policies kept at this site: a project's own, and those an admin published for every
project (project_id ""). A policy is found by id or by name, the project's own name first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from common.db import Database
from common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.orchestrator.checks import config as checks
from services.orchestrator.checks.config import Automation
from services.orchestrator.engine.store import aware, now
from services.orchestrator.groups import ASYNC, SYNC
from services.orchestrator.models import PolicyRecord
from services.orchestrator.policies.schedule import TestSchedule
from services.orchestrator.protection import MAX_NAME, check_targets
from services.orchestrator.settings import OrchestratorSettings

PUBLISHED = ""
MAX_DESCRIPTION = 1024
MAX_TIER = 100


@dataclass(frozen=True)
class Policy:
    """What a group made from the policy gets."""

    name: str
    replication_type: str
    target_site: str
    rpo_target_seconds: float = 0.0
    rto_target_seconds: float = 0.0
    test_interval_seconds: float = 0.0
    test_schedule: TestSchedule = field(default_factory=TestSchedule)
    automation: Automation = field(default_factory=Automation)
    default_tier: int = 1
    description: str = ""
    id: str = ""
    project_id: str = PUBLISHED
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def published(self) -> bool:
        return self.project_id == PUBLISHED


class Policies:
    """The policies of this site."""

    def __init__(self, db: Database, settings: OrchestratorSettings) -> None:
        self.db = db
        self.settings = settings

    def create(self, project_id: str, policy: Policy, publish: bool) -> Policy:
        """A new policy of the project, or published for every project (an admin's).

        :raises InvalidArgument: naming the field that is wrong.
        :raises AlreadyExists: the project (or the published ones) has one of that name.
        """
        self.check(policy)
        moment = now()
        made = replace(
            policy,
            id=str(uuid.uuid4()),
            project_id=PUBLISHED if publish else project_id,
            created_at=moment,
            updated_at=moment,
        )
        try:
            with self.db.transaction() as session:
                session.add(_record(made))
        except IntegrityError:
            whose = "a published policy" if publish else "a policy"
            raise AlreadyExists(f"there is {whose} named {policy.name} already") from None
        return made

    def find(self, project_id: str, id_or_name: str) -> Policy:
        """The project's own or a published policy, by id or name (its own name first).

        :raises NotFound: there is no such policy for the project.
        """
        if not id_or_name:
            raise InvalidArgument("policy", "is required")
        with self.db.transaction() as session:
            found = session.scalars(
                select(PolicyRecord).where(
                    PolicyRecord.project_id.in_([project_id, PUBLISHED]),
                    or_(PolicyRecord.id == id_or_name, PolicyRecord.name == id_or_name),
                )
            ).all()
        if not found:
            raise NotFound(f"project {project_id} has no policy {id_or_name}")
        found = sorted(found, key=lambda r: (r.id != id_or_name, r.project_id == PUBLISHED))
        return _policy(found[0])

    def list(self, project_id: str) -> list[Policy]:
        """The project's own and the published ones, by name."""
        with self.db.transaction() as session:
            found = session.scalars(
                select(PolicyRecord)
                .where(PolicyRecord.project_id.in_([project_id, PUBLISHED]))
                .order_by(PolicyRecord.name, PolicyRecord.project_id)
            ).all()
        return [_policy(r) for r in found]

    def update(
        self, project_id: str, id_or_name: str, changed: Policy, as_admin: bool
    ) -> tuple[Policy, Policy]:
        """Replaces what the policy says; returns it before and after.

        :raises PermissionDenied: a published policy changed by someone not an admin.
        :raises InvalidArgument: naming the field that is wrong.
        """
        before = self.find(project_id, id_or_name)
        _may_change(before, as_admin)
        self.check(changed)
        after = replace(
            changed,
            id=before.id,
            project_id=before.project_id,
            created_at=before.created_at,
            updated_at=now(),
        )
        try:
            with self.db.transaction() as session:
                session.merge(_record(after))
        except IntegrityError:
            raise AlreadyExists(f"there is a policy named {changed.name} already") from None
        return before, after

    def delete(self, project_id: str, id_or_name: str, as_admin: bool) -> Policy:
        """:raises PermissionDenied: a published policy deleted by someone not an admin."""
        policy = self.find(project_id, id_or_name)
        _may_change(policy, as_admin)
        with self.db.transaction() as session:
            record = session.get(PolicyRecord, policy.id)
            if record is not None:
                session.delete(record)
        return policy

    def check(self, policy: Policy) -> None:
        """:raises InvalidArgument: naming the field that is wrong."""
        if not policy.name or len(policy.name) > MAX_NAME or not policy.name.isprintable():
            raise InvalidArgument("name", f"must be 1 to {MAX_NAME} printable characters")
        if len(policy.description) > MAX_DESCRIPTION:
            raise InvalidArgument("description", f"must be at most {MAX_DESCRIPTION} characters")
        if policy.replication_type not in (ASYNC, SYNC):
            raise InvalidArgument("replication_type", "must be ASYNC or SYNC")
        if self.settings.peer(policy.target_site) is None:
            known = ", ".join(p.site for p in self.settings.peers) or "none"
            raise InvalidArgument(
                "target_site", f"{policy.target_site!r} is not a peer site (peers: {known})"
            )
        if policy.replication_type == ASYNC and policy.rpo_target_seconds <= 0:
            raise InvalidArgument("rpo_target", "is required for an async policy")
        if policy.rpo_target_seconds < 0:
            raise InvalidArgument("rpo_target", "must not be negative")
        check_targets(policy.rto_target_seconds, policy.test_interval_seconds)
        if policy.test_schedule.enabled and policy.test_interval_seconds <= 0:
            raise InvalidArgument("test_interval", "is required for tests that run by themselves")
        if not 1 <= policy.default_tier <= MAX_TIER:
            raise InvalidArgument("default_tier", f"must be 1 to {MAX_TIER}")


def _may_change(policy: Policy, as_admin: bool) -> None:
    if policy.published and not as_admin:
        raise PermissionDenied(
            f"policy {policy.name} is published for every project: only an admin may change it"
        )


def _record(policy: Policy) -> PolicyRecord:
    return PolicyRecord(
        id=policy.id,
        project_id=policy.project_id,
        name=policy.name,
        description=policy.description,
        replication_type=policy.replication_type,
        target_site=policy.target_site,
        rpo_target_seconds=policy.rpo_target_seconds,
        rto_target_seconds=policy.rto_target_seconds,
        test_interval_seconds=policy.test_interval_seconds,
        test_schedule=policy.test_schedule.body(),
        automation=policy.automation.body(),
        default_tier=policy.default_tier,
        created_at=policy.created_at,
        updated_at=policy.updated_at,
    )


def _policy(record: PolicyRecord) -> Policy:
    return Policy(
        id=record.id,
        project_id=record.project_id,
        name=record.name,
        description=record.description,
        replication_type=record.replication_type,
        target_site=record.target_site,
        rpo_target_seconds=record.rpo_target_seconds,
        rto_target_seconds=record.rto_target_seconds,
        test_interval_seconds=record.test_interval_seconds,
        test_schedule=TestSchedule.from_body(record.test_schedule),
        automation=checks.from_body(record.automation),
        default_tier=record.default_tier,
        created_at=aware(record.created_at),
        updated_at=aware(record.updated_at),
    )
