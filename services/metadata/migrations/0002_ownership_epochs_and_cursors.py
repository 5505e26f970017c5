"""ownership epochs, sequence counters and applied cursors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:14:29.673448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applied_cursors",
        sa.Column("origin_site", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin_site", name=op.f("pk_applied_cursors")),
    )
    op.create_table(
        "sequence_counters",
        sa.Column("origin_site", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin_site", name=op.f("pk_sequence_counters")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("epoch", sa.BigInteger(), server_default="0", nullable=False))

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("epoch", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_column("epoch")

    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_column("epoch")

    op.drop_table("sequence_counters")
    op.drop_table("applied_cursors")
