"""The gateway's audit tables on SQLite and on the real PostgreSQL server: the migration matches
the models and rolls back, the database itself refuses to change or remove an event, and
events are read newest first, a page at a time, filtered, with their outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gateway.audit.models import MIGRATIONS
from gateway.audit.store import AuditQuery, AuditTrail
from gateway.settings import GatewaySettings

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def trail(database_url):
    settings = GatewaySettings(
        site="site-a", keystone_url="http://127.0.0.1:9/v3", database_url=database_url
    )
    made = AuditTrail(settings)
    made.open()
    yield made
    made.close()


def row(n: int, project: str | None = "p1", **overrides) -> dict:
    event_id = f"00000000-0000-4000-8000-{n:012d}"
    values = {
        "id": event_id,
        "event_time": T0 + timedelta(minutes=n),
        "project_id": project,
        "initiator_id": "u1",
        "action": "create",
        "target_type": "service/draas/failover-groups",
        "target_id": f"g{n}",
        "request_id": f"req-{n}",
        "outcome": "success",
        "status": 201,
        "event": {"id": event_id, "action": "create", "outcome": "success"},
    }
    values.update(overrides)
    return values


def test_the_migration_matches_the_models_and_rolls_back(trail):
    engine = trail.database.engine
    assert MIGRATIONS.current(engine) == MIGRATIONS.head()
    assert MIGRATIONS.drift(engine) == []
    MIGRATIONS.downgrade(engine, "base")
    assert set(sa.inspect(engine).get_table_names()) == {MIGRATIONS.version_table}
    MIGRATIONS.upgrade(engine)
    assert MIGRATIONS.current(engine) == MIGRATIONS.head()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'success'",
        "DELETE FROM audit_events",
        "UPDATE audit_outcomes SET status = 200",
        "DELETE FROM audit_outcomes",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_event(trail, statement):
    trail.record(row(1, outcome="pending", status=None))
    trail.record_outcome(
        {
            "event_id": row(1)["id"],
            "outcome": "failure",
            "status": 409,
            "target_id": None,
            "reason": {"reasonType": "HTTP", "reasonCode": "409"},
            "response": {"status": 409},
        }
    )
    with (
        pytest.raises(sa.exc.DBAPIError, match="append-only"),
        trail.database.engine.begin() as connection,
    ):
        connection.execute(sa.text(statement))
    assert trail.count() == 1
    assert trail.get(row(1)["id"], "p1")["outcome"] == "failure"


def test_truncate_is_refused_on_postgresql(trail):
    if trail.database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    trail.record(row(1))
    with (
        pytest.raises(sa.exc.DBAPIError, match="append-only"),
        trail.database.engine.begin() as connection,
    ):
        connection.execute(sa.text("TRUNCATE audit_events CASCADE"))
    assert trail.count() == 1


def test_events_are_read_newest_first_a_page_at_a_time(trail):
    for n in range(1, 6):
        trail.record(row(n))
    trail.record(row(6, project="p2"))
    trail.record(row(7, project=None, initiator_id=None, outcome="failure", status=401))
    seen, token, pages = [], None, 0
    while True:
        events, token = trail.page(AuditQuery("p1"), 2, token)
        seen += [e["id"] for e in events]
        pages += 1
        if token is None:
            break
    assert seen == [row(n)["id"] for n in (5, 4, 3, 2, 1)] and pages == 3
    everyone = [e["id"] for e in trail.every(AuditQuery(None), batch=3)]
    assert everyone == [row(n)["id"] for n in range(7, 0, -1)]


def test_filters_and_the_outcome_recorded_after_the_attempt(trail):
    trail.record(row(1))
    trail.record(row(2, action="update/failover", target_id="g1", outcome="pending", status=None))
    trail.record(row(3, action="create", target_id=None, outcome="pending", status=None))
    trail.record_outcome(
        {
            "event_id": row(3)["id"],
            "outcome": "success",
            "status": 201,
            "target_id": "g-made",
            "reason": {"reasonType": "HTTP", "reasonCode": "201"},
            "response": {"status": 201, "id": "g-made"},
        }
    )

    def ids(**filters) -> list[str]:
        return [e["id"] for e in trail.page(AuditQuery("p1", **filters), 50)[0]]

    assert ids(action="update/failover") == [row(2)["id"]]
    assert ids(outcome="pending") == [row(2)["id"]]
    assert ids(outcome="success") == [row(3)["id"], row(1)["id"]]
    assert ids(target_id="g-made") == [row(3)["id"]]
    assert ids(target_id="g1") == [row(2)["id"], row(1)["id"]]
    assert ids(since=T0 + timedelta(minutes=2)) == [row(3)["id"], row(2)["id"]]
    assert ids(until=T0 + timedelta(minutes=2)) == [row(1)["id"]]
    assert ids(initiator_id="someone-else") == []
    made = trail.get(row(3)["id"], "p1")
    assert (made["outcome"], made["target"]["id"], made["reason"]["reasonCode"]) == (
        "success",
        "g-made",
        "201",
    )
    assert trail.get(row(3)["id"], "p2") is None
    assert trail.get(row(3)["id"], None) is not None
