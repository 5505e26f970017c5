"""policies and scheduled tests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:47:44.240223
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("replication_type", sa.String(length=16), nullable=False),
        sa.Column("target_site", sa.String(length=64), nullable=False),
        sa.Column("rpo_target_seconds", sa.Float(), nullable=False),
        sa.Column("rto_target_seconds", sa.Float(), nullable=False),
        sa.Column("test_interval_seconds", sa.Float(), nullable=False),
        sa.Column("test_schedule", sa.JSON(), nullable=False),
        sa.Column("default_tier", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_policies_project_id_name")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policies_project_id"), ["project_id"], unique=False)

    op.create_table(
        "scheduled_tests",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_operation_id", sa.String(length=36), nullable=True),
        sa.Column("last_problem", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_scheduled_tests")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_tests")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_project_id"))

    op.drop_table("policies")
