"""Failover groups: their records, kept in the metadata service (owned by the site the group
runs at, replicated to its target), read and written with compare-and-set."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct

from common.errors import Aborted, NotFound
from common.grpc_client import mapped_errors
from draas.common.v1 import types_pb2
from draas.metadata.v1 import metadata_pb2 as mpb
from draas.metadata.v1 import metadata_pb2_grpc
from draas.storage.v1 import storage_pb2 as spb

ASYNC, SYNC = "async", "sync"
# A group's lasting states; operations under way show over them (see operations.py).
PROTECTED, FAILED_OVER = "protected", "failed_over"
_TYPES = {ASYNC: types_pb2.REPLICATION_TYPE_ASYNC, SYNC: types_pb2.REPLICATION_TYPE_SYNC}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ProtectedVm:
    """A VM of a group: where it runs now, and the array volumes that carry it."""

    server_id: str
    name: str
    tier: int
    added_at: str
    volumes: list[str] = field(default_factory=list)
    # After a failover: the server it was recovered from, at the old source site.
    origin_server_id: str = ""
    # "tag": protected because its server is tagged with the group's policy (and removed when
    # the tag goes); empty: added by hand, which tags never change.
    added_by: str = ""


@dataclass
class Group:
    """A failover group's record. `version` is the record's version in the metadata store,
    for compare-and-set; `owner_site` the site that may change it."""

    id: str
    project_id: str
    name: str
    description: str
    replication_type: str
    source_site: str
    target_site: str
    rpo_target_seconds: float
    state: str
    created_at: str
    updated_at: str
    # Zero: none (no RTO judged, no test due).
    rto_target_seconds: float = 0.0
    test_interval_seconds: float = 0.0
    # The policy it was made from or names, and its test schedule (TestSchedule.body()).
    policy_id: str = ""
    policy_name: str = ""
    test_schedule: dict[str, Any] = field(default_factory=dict)
    # Its hooks and application checks (checks/config.py Automation.body()).
    automation: dict[str, Any] = field(default_factory=dict)
    source_array: str = ""
    target_array: str = ""
    pod_name: str = ""
    # The group whose VMs these were (SplitFailoverGroup), if any.
    split_from: str = ""
    vms: list[ProtectedVm] = field(default_factory=list)
    # The tenant's project at each site (its record is filed under the owner site's).
    projects: dict[str, str] = field(default_factory=dict)
    record_site: str = ""
    owner_site: str = ""
    version: int = 0

    @property
    def home_site(self) -> str:
        """Where the group was made, and where a failback brings it back to."""
        return self.record_site

    def vm(self, server_id: str) -> ProtectedVm | None:
        return next((v for v in self.vms if v.server_id == server_id), None)

    def ref(self) -> spb.GroupRef:
        """The group as the storage service knows it."""
        return spb.GroupRef(
            group_id=self.id,
            replication_type=_TYPES[self.replication_type],
            source_array=self.source_array,
            target_array=self.target_array,
            pod_name=self.pod_name,
        )

    def body(self) -> dict[str, Any]:
        body = asdict(self)
        for key in ("id", "project_id", "record_site", "owner_site", "version"):
            body.pop(key)
        return body

    def entity(self) -> mpb.Entity:
        content = Struct()
        content.update(self.body())
        return mpb.Entity(
            key=mpb.EntityKey(
                site=self.record_site, kind=mpb.ENTITY_KIND_FAILOVER_GROUP, id=self.id
            ),
            project_id=self.project_id,
            # Its own id: the record is found by group id whichever site made it.
            group_id=self.id,
            body=content,
            version=self.version,
        )

    @staticmethod
    def from_entity(entity: mpb.Entity) -> Group:
        body = json_format.MessageToDict(entity.body, preserving_proto_field_name=True)
        vms = [
            ProtectedVm(
                server_id=str(v["server_id"]),
                name=str(v.get("name", "")),
                tier=int(v.get("tier", 1)),
                added_at=str(v.get("added_at", "")),
                volumes=[str(x) for x in v.get("volumes", [])],
                origin_server_id=str(v.get("origin_server_id", "")),
                added_by=str(v.get("added_by", "")),
            )
            for v in body.get("vms", [])
        ]
        return Group(
            id=entity.key.id,
            project_id=entity.project_id,
            name=str(body.get("name", "")),
            description=str(body.get("description", "")),
            replication_type=str(body.get("replication_type", ASYNC)),
            source_site=str(body.get("source_site", "")),
            target_site=str(body.get("target_site", "")),
            rpo_target_seconds=float(body.get("rpo_target_seconds", 0)),
            rto_target_seconds=float(body.get("rto_target_seconds", 0)),
            test_interval_seconds=float(body.get("test_interval_seconds", 0)),
            policy_id=str(body.get("policy_id", "")),
            policy_name=str(body.get("policy_name", "")),
            test_schedule=dict(body.get("test_schedule") or {}),
            automation=dict(body.get("automation") or {}),
            state=str(body.get("state", PROTECTED)),
            created_at=str(body.get("created_at", "")),
            updated_at=str(body.get("updated_at", "")),
            source_array=str(body.get("source_array", "")),
            target_array=str(body.get("target_array", "")),
            pod_name=str(body.get("pod_name", "")),
            split_from=str(body.get("split_from", "")),
            vms=vms,
            projects={str(k): str(v) for k, v in body.get("projects", {}).items()},
            record_site=entity.key.site,
            owner_site=entity.owner_site,
            version=entity.version,
        )


class KnownAs(Protocol):
    def known_as(self, local_project_id: str) -> list[str]:
        """The project ids a record of this tenant may be filed under."""

    def local_id(self, filed_under: str) -> str:
        """The project here that a record filed under `filed_under` belongs to."""


class GroupRecords:
    """Group records through this site's metadata service, found by the tenant's project here
    (through its links to its projects at other sites)."""

    def __init__(
        self, metadata: metadata_pb2_grpc.MetadataServiceStub, site: str, links: KnownAs
    ) -> None:
        self.metadata = metadata
        self.site = site
        self.links = links

    def new(self, **fields: Any) -> Group:
        moment = _now().isoformat()
        return Group(
            state=PROTECTED,
            created_at=moment,
            updated_at=moment,
            record_site=self.site,
            owner_site=self.site,
            **fields,
        )

    def get(self, project_id: str, group_id: str) -> Group:
        """:raises NotFound: this site holds no such group of the project."""
        for filed_under in self.links.known_as(project_id):
            with mapped_errors():
                found = self.metadata.ListEntities(
                    mpb.ListEntitiesRequest(
                        project_id=filed_under,
                        group_id=group_id,
                        kinds=[mpb.ENTITY_KIND_FAILOVER_GROUP],
                    )
                ).entities
            record = next((e for e in found if e.key.id == group_id), None)
            if record is not None:
                return Group.from_entity(record)
        raise NotFound(f"project {project_id} has no failover group {group_id}")

    def list(self, project_id: str) -> list[Group]:
        """The project's groups at this site, oldest first."""
        groups: dict[str, Group] = {}
        for filed_under in self.links.known_as(project_id):
            groups.update({e.key.id: Group.from_entity(e) for e in self._records(filed_under)})
        return sorted(groups.values(), key=lambda g: (g.created_at, g.id))

    def list_every_project(self) -> builtins.list[tuple[str, Group]]:
        """Every project's groups at this site, oldest first, each with its project here."""
        local: dict[str, str] = {}
        found: dict[str, tuple[str, Group]] = {}
        for entity in self._records(None):
            if entity.project_id not in local:
                local[entity.project_id] = self.links.local_id(entity.project_id)
            found[entity.key.id] = (local[entity.project_id], Group.from_entity(entity))
        return sorted(found.values(), key=lambda pair: (pair[1].created_at, pair[1].id))

    def _records(self, filed_under: str | None) -> Iterator[mpb.Entity]:
        token = ""
        while True:
            with mapped_errors():
                page = self.metadata.ListEntities(
                    mpb.ListEntitiesRequest(
                        project_id=filed_under or "",
                        all_projects=filed_under is None,
                        kinds=[mpb.ENTITY_KIND_FAILOVER_GROUP],
                        page=types_pb2.PageRequest(page_size=1000, page_token=token),
                    )
                )
            yield from page.entities
            token = page.next_page_token
            if not token:
                return

    def put(self, group: Group, deleted: bool = False) -> Group:
        """Writes the record if it is still at `group.version` (0: a new one).

        :raises Aborted: it changed since it was read.
        :raises FailedPrecondition: another site owns it.
        """
        entity = replace(group, updated_at=_now().isoformat()).entity()
        entity.deleted = deleted
        with mapped_errors():
            stored = self.metadata.PutEntities(mpb.PutEntitiesRequest(entities=[entity]))
        return Group.from_entity(stored.entities[0])

    def update(self, project_id: str, group_id: str, change: Any, attempts: int = 5) -> Group:
        """Reads the record, applies `change(group) -> group` and writes it, again from the
        read if another writer was first."""
        for _ in range(attempts - 1):
            try:
                return self.put(change(self.get(project_id, group_id)))
            except Aborted:
                continue
        return self.put(change(self.get(project_id, group_id)))
