"""The metadata service's tables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import new_metadata
from common.migrations import Migrations


class Base(DeclarativeBase):
    metadata = new_metadata()


class EntityRecord(Base):
    """The newest version of one resource (or failover-group record) of one site's cloud."""

    __tablename__ = "entities"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    group_id: Mapped[str | None] = mapped_column(String(64), index=True)
    owner_site: Mapped[str] = mapped_column(String(64))
    # Bumped by every ownership transfer: the newest owner's changes win.
    epoch: Mapped[int] = mapped_column(BigInteger, server_default="0")
    version: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class ChangeRecord(Base):
    """One entry of the change log: every version of every entity, local or replicated, keyed by
    the site where it was made and that site's sequence number."""

    __tablename__ = "changes"
    __table_args__ = (Index(None, "site", "kind", "entity_id", "version"),)

    origin_site: Mapped[str] = mapped_column(String(64), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    site: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64))
    owner_site: Mapped[str] = mapped_column(String(64))
    # Bumped by every ownership transfer: the newest owner's changes win.
    epoch: Mapped[int] = mapped_column(BigInteger, server_default="0")
    version: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class PeerCursor(Base):
    """How far each peer site has acknowledged this site's changes."""

    __tablename__ = "peer_cursors"

    peer_site: Mapped[str] = mapped_column(String(64), primary_key=True)
    acknowledged_sequence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SequenceCounter(Base):
    """The last sequence number this site gave a change (taken under a row lock, so sequences
    commit in order and without gaps)."""

    __tablename__ = "sequence_counters"

    origin_site: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class AppliedCursor(Base):
    """How far this site has applied each peer's changes."""

    __tablename__ = "applied_cursors"

    origin_site: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


MIGRATIONS = Migrations("metadata", Path(__file__).parent / "migrations", Base.metadata)
