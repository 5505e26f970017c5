"""engine units, leases and group locks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:52:53.162333
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Defaults only so that existing rows can take the new columns.
    op.create_table(
        "group_locks",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("operation_id", sa.String(length=36), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_group_locks_operation_id_operations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "group_id", name=op.f("pk_group_locks")),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("traceparent", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("stop_on_failure", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("event_sequence", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("cleanup_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_operations_cleanup_at"), ["cleanup_at"], unique=False)

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="vm", nullable=False)
        )
        batch_op.add_column(
            sa.Column("name", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("steps", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("inputs", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("outputs", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("server_id", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.drop_constraint(batch_op.f("uq_units_operation_id_server_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_units_operation_id_key"), ["operation_id", "key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_units_operation_id_key"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_units_operation_id_server_id"), ["operation_id", "server_id"]
        )
        batch_op.alter_column("server_id", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("finished_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("error")
        batch_op.drop_column("outputs")
        batch_op.drop_column("inputs")
        batch_op.drop_column("steps")
        batch_op.drop_column("name")
        batch_op.drop_column("role")
        batch_op.drop_column("key")

    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operations_cleanup_at"))
        batch_op.drop_column("cleanup_at")
        batch_op.drop_column("event_sequence")
        batch_op.drop_column("stop_on_failure")
        batch_op.drop_column("traceparent")

    op.drop_table("group_locks")
