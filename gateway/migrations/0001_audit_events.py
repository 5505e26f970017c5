"""audit events and their outcomes, append-only

Revision ID: 0001
Revises:
Create Date: 2026-12-06 05:25:34

The database itself refuses to change or remove an audit row (a trigger per table and
operation), so an append-only trail does not rest on the gateway's code alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("audit_events", "audit_outcomes")
REFUSAL = "the audit trail is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("initiator_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=255), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_events_id")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for column in ("event_time", "initiator_id", "project_id", "target_id"):
            batch_op.create_index(batch_op.f(f"ix_audit_events_{column}"), [column], unique=False)

    op.create_table(
        "audit_outcomes",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["audit_events.id"],
            name=op.f("fk_audit_outcomes_event_id_audit_events"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_outcomes")),
    )
    with op.batch_alter_table("audit_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_outcomes_target_id"), ["target_id"], unique=False
        )

    _append_only()


def downgrade() -> None:
    _append_only(drop=True)
    with op.batch_alter_table("audit_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_outcomes_target_id"))
    op.drop_table("audit_outcomes")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for column in ("target_id", "project_id", "initiator_id", "event_time"):
            batch_op.drop_index(batch_op.f(f"ix_audit_events_{column}"))
    op.drop_table("audit_events")


def _append_only(drop: bool = False) -> None:
    """Triggers refusing UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of the audit tables."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        if drop:
            for table in TABLES:
                op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
                op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute("DROP FUNCTION gateway_audit_append_only()")
            return
        op.execute(
            "CREATE FUNCTION gateway_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}: % refused on %', TG_OP, TG_TABLE_NAME; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gateway_audit_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION gateway_audit_append_only()"
            )
        return
    for table in TABLES:
        for operation in ("update", "delete"):
            name = f"{table}_no_{operation}"
            if drop:
                op.execute(f"DROP TRIGGER {name}")
            elif dialect == "sqlite":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {operation.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {operation.upper()} ON {table} FOR EACH ROW "
                    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{REFUSAL}'"
                )
