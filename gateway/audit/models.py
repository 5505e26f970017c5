"""The gateway's tables: the audit trail. Rows are only ever inserted; on PostgreSQL, SQLite and
MariaDB a trigger refuses to update or delete them (see the first migration)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import new_metadata
from common.migrations import Migrations

# SQLite only autoincrements an INTEGER PRIMARY KEY.
_Serial = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = new_metadata()


class AuditEventRecord(Base):
    """One request that may have changed something, as a CADF event. Written either once its
    outcome is known, or before the change is asked for with outcome `pending` (then its
    outcome is an `AuditOutcomeRecord`). The columns repeat what the listing filters on."""

    __tablename__ = "audit_events"

    # Insertion order: the listing's order and its page token.
    seq: Mapped[int] = mapped_column(_Serial, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The project the request acted in; none when its token was not accepted.
    project_id: Mapped[str | None] = mapped_column(String(64), index=True)
    initiator_id: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(255))
    target_id: Mapped[str | None] = mapped_column(String(255), index=True)
    request_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditOutcomeRecord(Base):
    """The outcome of an event recorded `pending` before its change was asked for."""

    __tablename__ = "audit_outcomes"

    event_id: Mapped[str] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))
    status: Mapped[int] = mapped_column(Integer)
    # The target's id when only the answer told it (what a create made).
    target_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # The CADF event's `reason` and the `response` attachment.
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)


MIGRATIONS = Migrations("gateway", Path(__file__).parent.parent / "migrations", Base.metadata)
