"""project links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:13:52.455863
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_links",
        sa.Column("local_project_id", sa.String(length=64), nullable=False),
        sa.Column("peer_site", sa.String(length=64), nullable=False),
        sa.Column("peer_project_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("local_project_id", "peer_site", name=op.f("pk_project_links")),
    )
    with op.batch_alter_table("project_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_links_peer_project_id"), ["peer_project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("project_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_links_peer_project_id"))

    op.drop_table("project_links")
