"""a project at a peer site is linked to one project here at most

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project_links", schema=None) as batch_op:
        batch_op.create_index(
            "uq_project_links_peer_site_peer_project_id",
            ["peer_site", "peer_project_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("project_links", schema=None) as batch_op:
        batch_op.drop_index("uq_project_links_peer_site_peer_project_id")
