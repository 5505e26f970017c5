"""Alembic environment shared by every service; its Migrations object supplies the engine, the
target metadata and the version table."""

from alembic import context

from common.migrations import own_tables_only

config = context.config
engine = config.attributes["engine"]
target_metadata = config.attributes["target_metadata"]


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=own_tables_only,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
