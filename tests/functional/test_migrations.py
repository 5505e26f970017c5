"""Every service's migrations apply to SQLite and to the real PostgreSQL server, match the
models, and roll back."""

import pytest
import sqlalchemy as sa

from common.db import Database
from services.metadata.models import MIGRATIONS as METADATA
from services.orchestrator.models import MIGRATIONS as ORCHESTRATOR

HISTORIES = {m.service: m for m in (METADATA, ORCHESTRATOR)}


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.close()


def tables(database):
    return set(sa.inspect(database.engine).get_table_names())


@pytest.mark.parametrize("service", HISTORIES)
def test_upgrade_matches_models_and_downgrade_removes_everything(database, service):
    history = HISTORIES[service]
    own_tables = set(history.metadata.tables)

    history.upgrade(database.engine)

    assert history.current(database.engine) == history.head()
    assert tables(database) == own_tables | {history.version_table}
    assert history.drift(database.engine) == []

    history.downgrade(database.engine, "base")

    assert history.current(database.engine) is None
    assert tables(database) == {history.version_table}


def test_services_can_share_a_database_without_touching_each_other(database):
    METADATA.upgrade(database.engine)
    ORCHESTRATOR.upgrade(database.engine)
    METADATA.downgrade(database.engine, "base")

    assert ORCHESTRATOR.current(database.engine) == ORCHESTRATOR.head()
    assert set(ORCHESTRATOR.metadata.tables) <= tables(database)
    assert not set(METADATA.metadata.tables) & tables(database)


def test_upgrade_twice_changes_nothing(database):
    ORCHESTRATOR.upgrade(database.engine)
    ORCHESTRATOR.upgrade(database.engine)
    assert ORCHESTRATOR.current(database.engine) == ORCHESTRATOR.head()


def test_orchestrator_tables_accept_and_cascade_rows(database):
    ORCHESTRATOR.upgrade(database.engine)
    with database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO operations (id, project_id, group_id, kind, state, idempotency_key,"
                " request, trace_id, created_at) VALUES ('op1', 'p', 'g', 'test_failover',"
                " 'pending', 'k1', '{}', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO units (id, operation_id, server_id, tier, state, updated_at)"
                " VALUES ('u1', 'op1', 's1', 1, 'pending', CURRENT_TIMESTAMP)"
            )
        )
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            connection.execute(
                sa.text(
                    "INSERT INTO operations (id, project_id, group_id, kind, state,"
                    " idempotency_key, request, trace_id, created_at) VALUES ('op2', 'p', 'g',"
                    " 'test_failover', 'pending', 'k1', '{}', '', CURRENT_TIMESTAMP)"
                )
            )
        connection.execute(sa.text("DELETE FROM operations WHERE id = 'op1'"))
        assert connection.execute(sa.text("SELECT count(*) FROM units")).scalar() == 0
