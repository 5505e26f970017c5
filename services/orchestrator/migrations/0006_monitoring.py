"""monitoring: health history, alerts, channels, deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:22:24.516051
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_channels",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("min_severity", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_channels")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_alert_channels_project_id_name")),
    )
    with op.batch_alter_table("alert_channels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_channels_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("group_name", sa.String(length=255), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("open_key", sa.String(length=255), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alerts_open_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_fired_at"), ["fired_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_state"), ["state"], unique=False)

    op.create_table(
        "health_rollups",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("resolution", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("observed_seconds", sa.Float(), nullable=False),
        sa.Column("within_seconds", sa.Float(), nullable=False),
        sa.Column("link_down_seconds", sa.Float(), nullable=False),
        sa.Column("breach_seconds", sa.Float(), nullable=False),
        sa.Column("breaches_started", sa.Integer(), nullable=False),
        sa.Column("breach_at_start", sa.Boolean(), nullable=False),
        sa.Column("worst_rpo_seconds", sa.Float(), nullable=True),
        sa.Column("last_rpo_seconds", sa.Float(), nullable=True),
        sa.Column("worst_metadata_lag_seconds", sa.Float(), nullable=True),
        sa.Column("protected_vms", sa.Integer(), nullable=False),
        sa.Column("rpo_target_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "group_id", "resolution", "bucket_start", name=op.f("pk_health_rollups")
        ),
    )
    with op.batch_alter_table("health_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_health_rollups_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "health_samples",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covers_seconds", sa.Float(), nullable=False),
        sa.Column("rpo_seconds", sa.Float(), nullable=True),
        sa.Column("rpo_target_seconds", sa.Float(), nullable=False),
        sa.Column("link_up", sa.Boolean(), nullable=False),
        sa.Column("within_target", sa.Boolean(), nullable=False),
        sa.Column("breach_started", sa.Boolean(), nullable=False),
        sa.Column("metadata_lag_seconds", sa.Float(), nullable=True),
        sa.Column("protected_vms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_samples")),
        sa.UniqueConstraint(
            "group_id", "sampled_at", name=op.f("uq_health_samples_group_id_sampled_at")
        ),
    )
    with op.batch_alter_table("health_samples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_health_samples_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_health_samples_sampled_at"), ["sampled_at"], unique=False
        )

    op.create_table(
        "alert_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_events_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_events_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("channel_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), server_default="", nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_deliveries_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["alert_channels.id"],
            name=op.f("fk_deliveries_channel_id_alert_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "alert_id", "channel_id", "event", name=op.f("uq_deliveries_alert_id_channel_id_event")
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deliveries_state_next_attempt_at"),
            ["state", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_state_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_deliveries_project_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_channel_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_alert_id"))

    op.drop_table("deliveries")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_events_alert_id"))

    op.drop_table("alert_events")
    with op.batch_alter_table("health_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_samples_sampled_at"))
        batch_op.drop_index(batch_op.f("ix_health_samples_project_id"))

    op.drop_table("health_samples")
    with op.batch_alter_table("health_rollups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_rollups_project_id"))

    op.drop_table("health_rollups")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_state"))
        batch_op.drop_index(batch_op.f("ix_alerts_project_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_group_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_fired_at"))

    op.drop_table("alerts")
    with op.batch_alter_table("alert_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_channels_project_id"))

    op.drop_table("alert_channels")
