"""The metadata store: the newest version of every entity, and the change log.

Local writes take the next sequence number from this site's counter row inside their own
transaction, under a lock, so sequences commit in order and without gaps: a peer that has
applied change N has every change up to N. Peers' changes are applied in sequence order,
idempotently, each entity keeping the newest (epoch, version); an ownership transfer bumps the
epoch, so the new owner's view wins over anything the old owner wrote while cut off.

An entity is filed under the project that uses it, or under no project (`SITE_LEVEL`) when it
is the site's: a public or shared resource every project may use (a public flavor or image, a
shared network, a public volume type), or one that two projects' servers use. A site-level
entity is read by every project whose records name it, is never taken by one project, and is
marked deleted only when it vanished from the cloud. An entity moves to another project only
from a deleted version, or to the site, never back: so the newest of a project's and the
site's versions of an entity is also its newest version overall, or a deleted one. A failover
group's record is the exception: it follows its group into the project linked at the site the
group failed over to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.db import Database
from common.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from services.metadata.models import (
    AppliedCursor,
    ChangeRecord,
    EntityRecord,
    PeerCursor,
    SequenceCounter,
)

log = logging.getLogger(__name__)

FAILOVER_GROUP = "FAILOVER_GROUP"
# The project of a site-level entity: filed under no project, readable by every project whose
# records name it.
SITE_LEVEL = ""
# Kinds other projects may be let use (flavor access, image members, Neutron RBAC), so the only
# ones that may be site-level. A server, volume, port, key pair (keyed by its name, which other
# users reuse for other keys) or server group is only ever its project's.
SHAREABLE = frozenset(
    {"FLAVOR", "IMAGE", "VOLUME_TYPE", "NETWORK", "SUBNET", "ROUTER", "SECURITY_GROUP"}
)
# Entities loaded per query: well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500
# Rows are locked in key order everywhere, so two transactions never wait for each other.
_KEY_ORDER = (EntityRecord.site, EntityRecord.kind, EntityRecord.entity_id)


@dataclass(frozen=True, order=True)
class EntityKey:
    site: str
    kind: str
    id: str


@dataclass(frozen=True)
class Entity:
    key: EntityKey
    project_id: str
    group_id: str
    owner_site: str
    epoch: int
    version: int
    deleted: bool
    changed_at: datetime
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    origin_site: str
    sequence: int
    entity: Entity


@dataclass(frozen=True)
class Write:
    """A local write: the entity's new content."""

    key: EntityKey
    project_id: str
    group_id: str
    body: dict[str, Any]
    deleted: bool = False
    # Write only if the entity is still at this version (0 for one that does not exist yet).
    expected_version: int | None = None
    # Where the write came from in a request, for error messages.
    field: str = "entity"


@dataclass(frozen=True)
class Observed:
    """A resource as a capture of a project found it."""

    group_id: str
    body: dict[str, Any]
    # The cloud lets every project use it (a public flavor or image, a shared network).
    site_level: bool = False
    # Other projects may be let use it too (flavor access, image members, RBAC): when another
    # project's servers use it as well, it becomes the site's.
    shareable: bool = False


@dataclass
class CaptureCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


class NotOwner(FailedPrecondition):
    """The entity belongs to another site; only that site may change it."""


class OutOfOrder(InvalidArgument):
    """A peer's batch does not start right after what this site has applied."""

    def __init__(self, origin: str, applied: int, first: int) -> None:
        super().__init__(
            "batch", f"changes of {origin} must continue after {applied}, not start at {first}"
        )
        self.applied = applied


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entity(row: EntityRecord | ChangeRecord) -> Entity:
    return Entity(
        EntityKey(row.site, row.kind, row.entity_id),
        row.project_id,
        row.group_id or "",
        row.owner_site,
        row.epoch,
        row.version,
        row.deleted,
        _aware(row.changed_at),
        dict(row.body),
    )


def _change(row: ChangeRecord) -> Change:
    return Change(row.origin_site, row.sequence, _entity(row))


class MetadataStore:
    """One site's metadata, in its own database."""

    def __init__(self, database: Database, site: str) -> None:
        self.db = database
        self.site = site
        self._write_lock = threading.Lock()
        self._apply_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        # Notified after every local commit, for the replication senders.
        self.changed = threading.Condition()
        try:
            with self.db.transaction() as session:
                if session.get(SequenceCounter, site) is None:
                    session.add(SequenceCounter(origin_site=site, last_sequence=0))
        except IntegrityError:
            pass  # another process sharing the database made it first

    # Local writes -------------------------------------------------------------------------------

    def put(self, writes: Iterable[Write]) -> list[Entity]:
        """Writes entities this site owns (new ones become its own), all or none.

        :raises NotOwner: naming the first entity another site owns.
        :raises FailedPrecondition: an entity is another project's, or the site's (only a
            capture changes those).
        :raises Aborted: an entity is no longer at the version the write expected.
        """
        writes = list(writes)

        def work(session: Session, counter: SequenceCounter) -> list[Entity]:
            rows = _rows(session, [w.key for w in writes], lock=True)
            for write in writes:
                _check_filing(write, rows.get(write.key), self.site)
            return [self._write(session, w, counter, rows) for w in writes]

        return list(self._commit(work))

    def capture(
        self,
        project_id: str,
        observed: dict[EntityKey, Observed],
        kinds: set[str],
        partial: bool = False,
        vanished: Iterable[EntityKey] = (),
    ) -> CaptureCounts:
        """Records a capture of a project in this site's cloud: new and changed resources get a
        version, unchanged ones none, and (unless the capture is `partial`) the project's
        resources of those kinds no longer there are marked deleted, as are the site-level ones
        in `vanished` (named by what was captured, but gone from the cloud). A site-level
        resource the project no longer uses is left alone: other projects may use it. Entities
        another site owns (a group failed over elsewhere) are left alone too."""
        counts = CaptureCounts()

        def work(session: Session, counter: SequenceCounter) -> None:
            # What may have vanished: the whole project's, unless the capture is partial.
            current = (
                {}
                if partial
                else {
                    _key(r): r
                    for r in session.scalars(
                        select(EntityRecord)
                        .where(
                            EntityRecord.site == self.site,
                            EntityRecord.project_id == project_id,
                            EntityRecord.kind.in_(kinds),
                        )
                        .order_by(*_KEY_ORDER)
                        .with_for_update()
                    )
                }
            )
            gone = set() if partial else set(vanished) - set(observed)
            rows = _rows(session, [k for k in set(observed) | gone if k not in current], lock=True)
            rows.update(current)
            for key, seen in sorted(observed.items()):
                row = rows.get(key)
                if row is not None and row.owner_site != self.site:
                    continue
                filed = _filing(project_id, seen, row)
                if filed is None:
                    # Never taken from the project it is filed under.
                    log.warning(
                        "capture of %s: %s %s is project %s's; left alone",
                        project_id,
                        key.kind,
                        key.id,
                        row.project_id if row else "",
                    )
                    continue
                group_id = seen.group_id if filed != SITE_LEVEL else ""
                if (
                    row is not None
                    and not row.deleted
                    and row.project_id == filed
                    and row.body == seen.body
                    and (row.group_id or "") == group_id
                ):
                    counts.unchanged += 1
                    continue
                if row is None:
                    counts.created += 1
                else:
                    counts.updated += 1
                self._write(session, Write(key, filed, group_id, seen.body), counter, rows)
            for key, row in current.items():
                if key not in observed and not row.deleted and row.owner_site == self.site:
                    counts.deleted += 1
                    self._write(
                        session,
                        Write(key, project_id, row.group_id or "", dict(row.body), deleted=True),
                        counter,
                        rows,
                    )
            for key in sorted(gone):
                row = rows.get(key)
                if (
                    row is not None
                    and row.project_id == SITE_LEVEL
                    and not row.deleted
                    and row.owner_site == self.site
                ):
                    counts.deleted += 1
                    self._write(
                        session,
                        Write(key, SITE_LEVEL, "", dict(row.body), deleted=True),
                        counter,
                        rows,
                    )

        self._commit(work)
        return counts

    def transfer(self, project_id: str, group_id: str, new_owner: str) -> int:
        """Makes this site the owner of a group's record and entities (after a failover here).

        :raises FailedPrecondition: unless asked at the new owner's site.
        :raises NotFound: when this site holds no record of the group.
        """
        if new_owner != self.site:
            raise FailedPrecondition(
                f"ownership moves at the new owner's site: ask {new_owner}, not {self.site}"
            )

        def work(session: Session, counter: SequenceCounter) -> int:
            rows = list(
                session.scalars(
                    select(EntityRecord)
                    .where(
                        EntityRecord.project_id == project_id,
                        (EntityRecord.group_id == group_id)
                        | (
                            (EntityRecord.kind == FAILOVER_GROUP)
                            & (EntityRecord.entity_id == group_id)
                        ),
                    )
                    .order_by(*_KEY_ORDER)
                    .with_for_update()
                )
            )
            if not any(r.kind == FAILOVER_GROUP for r in rows):
                raise NotFound(
                    f"site {self.site} holds no record of group {group_id} in project {project_id}"
                )
            held = {_key(r): r for r in rows}
            moved = 0
            for row in rows:
                if row.owner_site == new_owner:
                    continue
                entity = replace(
                    _entity(row),
                    owner_site=new_owner,
                    epoch=row.epoch + 1,
                    version=row.version + 1,
                    changed_at=_now(),
                )
                self._record(session, entity, counter, held)
                moved += 1
            return moved

        return int(self._commit(work))

    def _commit(self, work: Any) -> Any:
        with self._write_lock, self.db.transaction() as session:
            counter = session.execute(
                select(SequenceCounter)
                .where(SequenceCounter.origin_site == self.site)
                .with_for_update()
            ).scalar_one()
            result = work(session, counter)
        with self.changed:
            self.changed.notify_all()
        return result

    def _write(
        self,
        session: Session,
        write: Write,
        counter: SequenceCounter,
        rows: dict[EntityKey, EntityRecord],
    ) -> Entity:
        row = rows.get(write.key)
        if row is None and write.key.site != self.site:
            raise InvalidArgument(
                f"{write.field}.key.site",
                f"must be {self.site}: a site makes only its own entities (it may change "
                "another site's only after their ownership moved here)",
            )
        if row is not None and row.owner_site != self.site:
            raise NotOwner(
                f"{write.key.kind} {write.key.id} of {write.key.site} is owned by site "
                f"{row.owner_site}; write it there"
            )
        current = row.version if row is not None else 0
        if write.expected_version is not None and write.expected_version != current:
            raise Aborted(
                f"{write.key.kind} {write.key.id} is at version {current}, not "
                f"{write.expected_version}: read it again"
            )
        entity = Entity(
            write.key,
            write.project_id,
            write.group_id,
            self.site,
            row.epoch if row else 0,
            row.version + 1 if row else 1,
            write.deleted,
            _now(),
            write.body,
        )
        self._record(session, entity, counter, rows)
        return entity

    def _record(
        self,
        session: Session,
        entity: Entity,
        counter: SequenceCounter,
        rows: dict[EntityKey, EntityRecord],
    ) -> None:
        counter.last_sequence += 1
        _upsert(session, entity, rows)
        session.add(_change_row(self.site, counter.last_sequence, entity))

    # Peers' changes -----------------------------------------------------------------------------

    def apply(self, origin: str, changes: list[Change]) -> int:
        """Applies a peer's batch in one transaction; returns the last sequence applied. Changes
        already applied are skipped; each entity keeps its newest (epoch, version).

        :raises OutOfOrder: when the batch leaves a gap after what was applied.
        """
        if origin == self.site:
            raise InvalidArgument(
                "origin_site", f"{origin} is this site; its changes are not applied as a peer's"
            )
        with self._apply_lock(origin), self.db.transaction() as session:
            cursor = session.get(AppliedCursor, origin, with_for_update=True)
            if cursor is None:
                cursor = AppliedCursor(origin_site=origin, last_sequence=0, updated_at=_now())
                session.add(cursor)
            last = cursor.last_sequence
            fresh = [c for c in changes if c.sequence > last]
            rows = _rows(session, [c.entity.key for c in fresh], lock=True)
            for change in fresh:
                if change.sequence != last + 1:
                    raise OutOfOrder(origin, last, change.sequence)
                entity = change.entity
                current = rows.get(entity.key)
                if current is None or (entity.epoch, entity.version) > (
                    current.epoch,
                    current.version,
                ):
                    _upsert(session, entity, rows)
                session.add(_change_row(origin, change.sequence, entity))
                last = change.sequence
            cursor.last_sequence, cursor.updated_at = last, _now()
            return last

    def _apply_lock(self, origin: str) -> threading.Lock:
        with self._locks_lock:
            return self._apply_locks.setdefault(origin, threading.Lock())

    def applied(self, origin: str) -> int:
        with self.db.transaction() as session:
            cursor = session.get(AppliedCursor, origin)
            return cursor.last_sequence if cursor else 0

    # Reading ------------------------------------------------------------------------------------

    def get(self, key: EntityKey) -> Entity:
        """:raises NotFound: when there is no such entity."""
        with self.db.transaction() as session:
            row = session.get(EntityRecord, (key.site, key.kind, key.id))
            if row is None:
                raise NotFound(f"no {key.kind} {key.id} of site {key.site}")
            return _entity(row)

    def entities(
        self,
        project_id: str | None,
        kinds: set[str] | None = None,
        group_id: str = "",
        include_deleted: bool = False,
        as_of: datetime | None = None,
        site_level: bool = False,
    ) -> list[Entity]:
        """Entities of a project (None: of every project; `SITE_LEVEL`: the site-level ones),
        and with `site_level` the site-level ones too, newest versions or as they were at
        `as_of`, in key order."""
        projects = [project_id, SITE_LEVEL] if site_level else [project_id]
        with self.db.transaction() as session:
            if as_of is None:
                query = select(EntityRecord)
                if project_id is not None:
                    query = query.where(EntityRecord.project_id.in_(projects))
                if kinds:
                    query = query.where(EntityRecord.kind.in_(kinds))
                found = [_entity(r) for r in session.scalars(query)]
            else:
                history = select(ChangeRecord).where(ChangeRecord.changed_at <= as_of)
                if project_id is not None:
                    # Newest of the project's and the site's versions: an entity leaves them
                    # only from a deleted version (see the module's docstring).
                    history = history.where(ChangeRecord.project_id.in_(projects))
                if kinds:
                    history = history.where(ChangeRecord.kind.in_(kinds))
                newest: dict[EntityKey, Entity] = {}
                for row in session.scalars(history):
                    entity = _entity(row)
                    held = newest.get(entity.key)
                    if held is None or (entity.epoch, entity.version) > (held.epoch, held.version):
                        newest[entity.key] = entity
                found = list(newest.values())
        found = [
            e
            for e in found
            if (include_deleted or not e.deleted) and (not group_id or e.group_id == group_id)
        ]
        return sorted(found, key=lambda e: e.key)

    def protected_projects(self) -> list[str]:
        """Projects with a failover group this site owns (what periodic capture covers)."""
        with self.db.transaction() as session:
            rows = session.scalars(
                select(EntityRecord.project_id)
                .where(
                    EntityRecord.kind == FAILOVER_GROUP,
                    EntityRecord.owner_site == self.site,
                    EntityRecord.deleted.is_(False),
                )
                .distinct()
            )
            return sorted(rows)

    def changes_after(self, origin: str, after: int, limit: int) -> list[Change]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(ChangeRecord)
                .where(ChangeRecord.origin_site == origin, ChangeRecord.sequence > after)
                .order_by(ChangeRecord.sequence)
                .limit(limit)
            )
            return [_change(r) for r in rows]

    def sequence_at(self, origin: str, moment: datetime) -> int:
        """The last change of `origin` this site holds that was made by `moment`."""
        with self.db.transaction() as session:
            found = session.scalar(
                select(func.max(ChangeRecord.sequence)).where(
                    ChangeRecord.origin_site == origin, ChangeRecord.changed_at <= moment
                )
            )
            return int(found or 0)

    def local_sequence(self) -> int:
        with self.db.transaction() as session:
            return session.get(SequenceCounter, self.site).last_sequence  # type: ignore[union-attr]

    def change_time(self, sequence: int) -> datetime | None:
        """When this site made its change `sequence`."""
        with self.db.transaction() as session:
            row = session.get(ChangeRecord, (self.site, sequence))
            return _aware(row.changed_at) if row else None

    def acknowledged(self, peer: str) -> int:
        with self.db.transaction() as session:
            cursor = session.get(PeerCursor, peer)
            return cursor.acknowledged_sequence if cursor else 0

    def acknowledge(self, peer: str, sequence: int) -> None:
        with self.db.transaction() as session:
            cursor = session.get(PeerCursor, peer, with_for_update=True)
            if cursor is None:
                session.add(
                    PeerCursor(peer_site=peer, acknowledged_sequence=sequence, updated_at=_now())
                )
            elif sequence >= cursor.acknowledged_sequence:
                cursor.acknowledged_sequence, cursor.updated_at = sequence, _now()


def _filing(project_id: str, seen: Observed, row: EntityRecord | None) -> str | None:
    """Where a capture of `project_id` files a resource it found: under the project, under the
    site, or (None) nowhere, when it is another project's and cannot be shared."""
    if row is None or row.deleted:
        return SITE_LEVEL if seen.site_level else project_id
    if row.project_id in (SITE_LEVEL, project_id):
        return SITE_LEVEL if seen.site_level else row.project_id
    # Another project's: both projects' servers use it, so the cloud lets both use it.
    return SITE_LEVEL if seen.site_level or seen.shareable else None


def _check_filing(write: Write, row: EntityRecord | None, site: str) -> None:
    """:raises FailedPrecondition: when `write` would take an entity from another project or
    from the site."""
    if row is None or row.deleted or row.owner_site != site or row.project_id == write.project_id:
        return
    key = write.key
    if key.kind == FAILOVER_GROUP and row.project_id != SITE_LEVEL:
        # A group failed over to a linked project is filed under that project from then on.
        return
    if row.project_id == SITE_LEVEL:
        raise FailedPrecondition(
            f"{key.kind} {key.id} of {key.site} is a site-level resource (every project's): "
            "only a capture changes it"
        )
    raise FailedPrecondition(
        f"{key.kind} {key.id} of {key.site} is filed under another project, not {write.project_id}"
    )


def _key(row: EntityRecord) -> EntityKey:
    return EntityKey(row.site, row.kind, row.entity_id)


def _rows(
    session: Session, keys: Iterable[EntityKey], lock: bool = False
) -> dict[EntityKey, EntityRecord]:
    """Loads the stored rows of these entities in a few queries, not one per entity."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for key in keys:
        wanted.setdefault((key.site, key.kind), set()).add(key.id)
    found: dict[EntityKey, EntityRecord] = {}
    for (site, kind), ids in sorted(wanted.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), _CHUNK):
            query = (
                select(EntityRecord)
                .where(
                    EntityRecord.site == site,
                    EntityRecord.kind == kind,
                    EntityRecord.entity_id.in_(ordered[start : start + _CHUNK]),
                )
                .order_by(EntityRecord.entity_id)
            )
            for row in session.scalars(query.with_for_update() if lock else query):
                found[_key(row)] = row
    return found


def _upsert(session: Session, entity: Entity, rows: dict[EntityKey, EntityRecord]) -> None:
    """Makes the stored row of `entity` say what it says; `rows` holds the rows loaded so far."""
    key = entity.key
    row = rows.get(key)
    if row is None:
        row = rows[key] = EntityRecord(site=key.site, kind=key.kind, entity_id=key.id)
        session.add(row)
    row.project_id, row.group_id, row.owner_site = (
        entity.project_id,
        entity.group_id or None,
        entity.owner_site,
    )
    row.epoch, row.version, row.deleted = entity.epoch, entity.version, entity.deleted
    row.changed_at, row.body = entity.changed_at, entity.body


def _change_row(origin: str, sequence: int, entity: Entity) -> ChangeRecord:
    key = entity.key
    return ChangeRecord(
        origin_site=origin,
        sequence=sequence,
        site=key.site,
        kind=key.kind,
        entity_id=key.id,
        project_id=entity.project_id,
        group_id=entity.group_id or None,
        owner_site=entity.owner_site,
        epoch=entity.epoch,
        version=entity.version,
        deleted=entity.deleted,
        changed_at=entity.changed_at,
        body=entity.body,
    )
