"""The orchestrator's tables: the durable workflow engine's state, project links, and what
the monitor keeps (replication health history, alerts, alert channels and deliveries)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
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
    # It covers only some of the group's VMs: not the group's last test, nor in its compliance.
    partial: Mapped[bool] = mapped_column(server_default=false())
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


class HealthSampleRecord(Base):
    """A group's replication health as its target site saw it at one sampling slot; stands
    for `covers_seconds` of the group's history. Raw samples are kept for a day."""

    __tablename__ = "health_samples"
    __table_args__ = (UniqueConstraint("group_id", "sampled_at"),)

    id: Mapped[int] = mapped_column(_Serial, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    group_id: Mapped[str] = mapped_column(String(64))
    sampled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    covers_seconds: Mapped[float] = mapped_column(Float)
    rpo_seconds: Mapped[float | None] = mapped_column(Float)
    rpo_target_seconds: Mapped[float] = mapped_column(Float)
    link_up: Mapped[bool] = mapped_column(Boolean)
    within_target: Mapped[bool] = mapped_column(Boolean)
    # Not within target, and the group's previous sample was (or there was none).
    breach_started: Mapped[bool] = mapped_column(Boolean)
    metadata_lag_seconds: Mapped[float | None] = mapped_column(Float)
    protected_vms: Mapped[int] = mapped_column(Integer)


class HealthRollupRecord(Base):
    """A group's samples of one hour or one day, summed up; hours are kept for 32 days, days
    for 800."""

    __tablename__ = "health_rollups"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # 3600 or 86400.
    resolution: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    observed_seconds: Mapped[float] = mapped_column(Float)
    within_seconds: Mapped[float] = mapped_column(Float)
    link_down_seconds: Mapped[float] = mapped_column(Float)
    breach_seconds: Mapped[float] = mapped_column(Float)
    breaches_started: Mapped[int] = mapped_column(Integer)
    # The bucket's first sample continues a breach that began before it.
    breach_at_start: Mapped[bool] = mapped_column(Boolean)
    worst_rpo_seconds: Mapped[float | None] = mapped_column(Float)
    last_rpo_seconds: Mapped[float | None] = mapped_column(Float)
    worst_metadata_lag_seconds: Mapped[float | None] = mapped_column(Float)
    protected_vms: Mapped[int] = mapped_column(Integer)
    rpo_target_seconds: Mapped[float] = mapped_column(Float)


class AlertRecord(Base):
    """An alert raised here: firing until its condition ends (resolved), acknowledged or not.
    `open_key` is set while it fires, so a condition fires one alert however many monitors
    look at once."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    group_id: Mapped[str] = mapped_column(String(64), index=True)
    group_name: Mapped[str] = mapped_column(String(255))
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    open_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class AlertEventRecord(Base):
    """What happened to an alert: fired, acknowledged, resolved."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(_Serial, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(64), server_default="")
    detail: Mapped[str] = mapped_column(Text, server_default="")


class AlertChannelRecord(Base):
    """Where a project's alerts raised here are delivered: a webhook or e-mail addresses."""

    __tablename__ = "alert_channels"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    min_severity: Mapped[str] = mapped_column(String(16))
    # The webhook's HMAC key: a secret, never returned after the channel is made.
    secret: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRecord(Base):
    """One alert event to one channel, tried until delivered or given up; the body is fixed
    when it is made, so every attempt sends the same one."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel_id", "event"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("alert_channels.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_result: Mapped[str] = mapped_column(Text, server_default="")
    # A sender holds the delivery until then, so two monitors never send it at once.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PolicyRecord(Base):
    """A DR policy of this site: a project's own, or (project_id "") one an admin published
    for every project."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, server_default="")
    replication_type: Mapped[str] = mapped_column(String(16))
    target_site: Mapped[str] = mapped_column(String(64))
    rpo_target_seconds: Mapped[float] = mapped_column(Float)
    rto_target_seconds: Mapped[float] = mapped_column(Float)
    test_interval_seconds: Mapped[float] = mapped_column(Float)
    # TestSchedule.body().
    test_schedule: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Automation.body(): hooks and application checks.
    automation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    default_tier: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScheduledTestRecord(Base):
    """The test scheduler's memory of a group watched here: its last attempt, and why it
    could not start, if it could not."""

    __tablename__ = "scheduled_tests"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_operation_id: Mapped[str | None] = mapped_column(String(36))
    last_problem: Mapped[str] = mapped_column(Text, server_default="")


MIGRATIONS = Migrations("orchestrator", Path(__file__).parent / "migrations", Base.metadata)
