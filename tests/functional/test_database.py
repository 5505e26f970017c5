"""Transactions from many threads on SQLite and on the real PostgreSQL server: a read followed
by a write in one transaction sees no other write in between."""

import threading

import pytest
import sqlalchemy as sa

from common.db import Database

COUNTER = sa.Table(
    "counter",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    COUNTER.metadata.create_all(database.engine)
    with database.transaction() as session:
        session.execute(COUNTER.insert().values(id=1, value=0))
    yield database
    COUNTER.metadata.drop_all(database.engine)
    database.close()


def test_concurrent_read_then_write_loses_no_update(database):
    threads, increments = 4, 50

    def increment():
        for _ in range(increments):
            with database.transaction() as session:
                read = sa.select(COUNTER.c.value).where(COUNTER.c.id == 1).with_for_update()
                value = session.execute(read).scalar_one()
                session.execute(COUNTER.update().where(COUNTER.c.id == 1).values(value=value + 1))

    workers = [threading.Thread(target=increment) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with database.transaction() as session:
        assert session.execute(sa.select(COUNTER.c.value)).scalar_one() == threads * increments
