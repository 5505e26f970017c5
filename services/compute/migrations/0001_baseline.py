"""baseline: the compute service keeps no tables yet

Revision ID: 0001
Revises:
Create Date: 2026-11-25 00:55:46
"""

from collections.abc import Sequence

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to create: the history starts here."""


def downgrade() -> None:
    """Nothing to drop."""
