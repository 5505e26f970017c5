"""The orchestrator's tables: the durable workflow engine's state."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import new_metadata
from common.migrations import Migrations

# SQLite only autoincrements an INTEGER PRIMARY KEY.
_Serial = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = new_metadata()


class OperationRecord(Base):
    """One requested operation (test failover, failover, ...), keyed by its idempotency key."""

    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("project_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    group_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    parent_operation_id: Mapped[str | None] = mapped_column(String(36))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    trace_id: Mapped[str] = mapped_column(String(32))
    # W3C traceparent of the request, so that resumed steps join the same trace.
    traceparent: Mapped[str | None] = mapped_column(String(128))
    # One VM's failure aborts the operation and compensates the rest.
    stop_on_failure: Mapped[bool] = mapped_column(server_default=false())
    # The last event sequence given; taken under this row's lock.
    event_sequence: Mapped[int] = mapped_column(BigInteger, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A test failover is cleaned up automatically from then on.
    cleanup_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class UnitRecord(Base):
    """A chain of steps in an operation (one VM's, or the group's before or after the VMs);
    claimed by a worker with a lease."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("operation_id", "key"),
        Index(None, "state", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operation_id: Mapped[str] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), index=True
    )
    # The VM's server id, or the role of a group unit.
    key: Mapped[str] = mapped_column(String(64))
    # prepare, vm or finish.
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    server_id: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[int]
    state: Mapped[str] = mapped_column(String(32))
    steps: Mapped[list[str]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What its steps provided so far, persisted before the next step starts.
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    current_step: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StepAttemptRecord(Base):
    """One attempt at one step of a unit, with the outputs it persisted."""

    __tablename__ = "step_attempts"
    __table_args__ = (UniqueConstraint("unit_id", "step", "attempt"),)

    id: Mapped[int] = mapped_column(_Serial, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    state: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(128))
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OperationEventRecord(Base):
    """Progress of an operation, per VM and step, in order, for watchers."""

    __tablename__ = "operation_events"

    operation_id: Mapped[str] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    server_id: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(64))
    operation_state: Mapped[str | None] = mapped_column(String(32))
    step_state: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)


class GroupLockRecord(Base):
    """The operation that holds a group at this site: one at a time (a test failover holds it
    until its cleanup)."""

    __tablename__ = "group_locks"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceStopRecord(Base):
    """A VM this site stopped (as a group's source) for a planned failover run elsewhere, so
    that a repeat of the request answers with every VM the operation stopped, and giving the
    failover up restarts them all. Written before the VM is stopped."""

    __tablename__ = "source_stops"

    operation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    server_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProjectLinkRecord(Base):
    """A tenant's project here and its project at a peer site (sites with their own Keystone
    give one tenant different project ids)."""

    __tablename__ = "project_links"
    # A project at a peer site is linked to one project here at most.
    __table_args__ = (
        Index(
            "uq_project_links_peer_site_peer_project_id",
            "peer_site",
            "peer_project_id",
            unique=True,
        ),
    )

    local_project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    peer_site: Mapped[str] = mapped_column(String(64), primary_key=True)
    peer_project_id: Mapped[str] = mapped_column(String(64), index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


MIGRATIONS = Migrations("orchestrator", Path(__file__).parent / "migrations", Base.metadata)
