"""The audit trail's storage: events are inserted, never updated or deleted (the code has no
such path and the database's triggers refuse one), and read back newest first with filters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select

from common.db import Database
from common.migrations import Migrations
from common.process import open_database
from common.settings import ServiceSettings
from gateway.audit.events import final
from gateway.audit.models import MIGRATIONS, AuditEventRecord, AuditOutcomeRecord

_EVENTS = AuditEventRecord.metadata.tables["audit_events"]
_OUTCOMES = AuditOutcomeRecord.metadata.tables["audit_outcomes"]


@dataclass(frozen=True)
class AuditQuery:
    """Which events to read: of one project (None: every project's, for an admin), in a time
    range (since inclusive, until exclusive), and matching every filter given."""

    project_id: str | None
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    outcome: str | None = None
    target_id: str | None = None
    initiator_id: str | None = None


class AuditTrail:
    """The gateway's audit events in its own database (opened and migrated by `open`)."""

    def __init__(self, settings: ServiceSettings, migrations: Migrations = MIGRATIONS) -> None:
        self._settings = settings
        self._migrations = migrations
        self._database: Database | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Connects and migrates (unless the settings say not to); idempotent.

        :raises ServiceUnavailable: the database cannot be reached or migrated.
        """
        with self._lock:
            if self._database is None:
                self._database = open_database(self._settings, self._migrations)

    @property
    def database(self) -> Database:
        """The open database (opened on first use)."""
        if self._database is None:
            self.open()
        assert self._database is not None
        return self._database

    def close(self) -> None:
        """Closes the database's connections."""
        with self._lock:
            if self._database is not None:
                self._database.close()
                self._database = None

    # Writing: inserts only -------------------------------------------------------------------

    def record(self, row: dict[str, Any]) -> None:
        """Inserts one event (columns of AuditEventRecord, `event` the CADF document).

        :raises sqlalchemy.exc.SQLAlchemyError: it was not written.
        """
        with self.database.transaction() as session:
            session.execute(insert(_EVENTS).values(**row))

    def record_outcome(self, row: dict[str, Any]) -> None:
        """Inserts the outcome of an event recorded pending (columns of AuditOutcomeRecord).

        :raises sqlalchemy.exc.SQLAlchemyError: it was not written.
        """
        with self.database.transaction() as session:
            session.execute(insert(_OUTCOMES).values(recorded_at=datetime.now(UTC), **row))

    # Reading ---------------------------------------------------------------------------------

    def page(
        self, query: AuditQuery, limit: int, before: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to `limit` events, newest first, recorded before the event `before` (a page
        token); and the next page's token, None after the last page."""
        statement = self._select(query)
        if before is not None:
            statement = statement.where(_EVENTS.c.seq < before)
        statement = statement.order_by(_EVENTS.c.seq.desc()).limit(limit + 1)
        with self.database.transaction() as session:
            rows = list(session.execute(statement))
        more = len(rows) > limit
        rows = rows[:limit]
        events = [self._event(row) for row in rows]
        return events, (rows[-1].seq if more and rows else None)

    def every(
        self, query: AuditQuery, before: int | None = None, batch: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every matching event, newest first (recorded before `before`), a batch at a time."""
        while True:
            events, before = self.page(query, batch, before)
            yield from events
            if before is None:
                return

    def get(self, event_id: str, project_id: str | None) -> dict[str, Any] | None:
        """One event, if it is of the project (any project's when project_id is None)."""
        statement = self._select(AuditQuery(project_id)).where(_EVENTS.c.id == event_id)
        with self.database.transaction() as session:
            row = session.execute(statement).first()
        return None if row is None else self._event(row)

    def count(self) -> int:
        """How many events there are (every project's)."""
        with self.database.transaction() as session:
            found: int = session.execute(select(func.count()).select_from(_EVENTS)).scalar_one()
        return found

    def _select(self, query: AuditQuery) -> Select[Any]:
        outcome = func.coalesce(_OUTCOMES.c.outcome, _EVENTS.c.outcome)
        target = func.coalesce(_OUTCOMES.c.target_id, _EVENTS.c.target_id)
        statement = select(
            _EVENTS.c.seq,
            _EVENTS.c.event,
            _OUTCOMES.c.outcome,
            _OUTCOMES.c.target_id,
            _OUTCOMES.c.reason,
            _OUTCOMES.c.response,
        ).select_from(_EVENTS.outerjoin(_OUTCOMES, _OUTCOMES.c.event_id == _EVENTS.c.id))
        if query.project_id is not None:
            statement = statement.where(_EVENTS.c.project_id == query.project_id)
        if query.since is not None:
            statement = statement.where(_EVENTS.c.event_time >= query.since)
        if query.until is not None:
            statement = statement.where(_EVENTS.c.event_time < query.until)
        if query.action:
            statement = statement.where(_EVENTS.c.action == query.action)
        if query.outcome:
            statement = statement.where(outcome == query.outcome)
        if query.target_id:
            statement = statement.where(target == query.target_id)
        if query.initiator_id:
            statement = statement.where(_EVENTS.c.initiator_id == query.initiator_id)
        return statement

    @staticmethod
    def _event(row: Any) -> dict[str, Any]:
        document: dict[str, Any] = dict(row.event)
        if row.outcome is None:
            return document
        return final(document, row.outcome, row.reason, row.response, row.target_id)
