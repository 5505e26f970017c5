"""SQLAlchemy engines and sessions for a service's own tables.

SQLite (a file under the state directory) by default, PostgreSQL or MariaDB by URL. Every
service declares its tables on a `MetaData` made by `new_metadata()`, so constraint names are
the same on every database and migrations can name them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with the project's constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(url: str) -> Engine:
    """An engine for the URL, set up for concurrent use by one service's threads.

    SQLite: the file's directory is created, foreign keys are enforced, a busy database is
    waited for rather than failed, and every transaction begins IMMEDIATE: it holds the write
    lock from its first read, so what it read is still true when it writes (the driver's own
    handling would run the reads outside the transaction and lose concurrent updates).
    """
    parsed = make_url(url)
    # A server may restart under a pooled connection; a file cannot.
    options: dict[str, Any] = {"pool_pre_ping": parsed.get_backend_name() != "sqlite"}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = sqlalchemy.create_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_sqlite_writers: dict[str, threading.RLock] = {}
_sqlite_writers_lock = threading.Lock()


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    """One lock per SQLite file for this process's transactions (each holds the file's write
    lock anyway): threads queue on it in order instead of polling SQLite's busy handler, whose
    sleeps of up to 100 ms were most of a busy engine's time. Nothing to hold elsewhere."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return nullcontext()
    path = str(Path(engine.url.database or "").resolve())
    with _sqlite_writers_lock:
        return _sqlite_writers.setdefault(path, threading.RLock())


class Database:
    """One service's database: an engine and transactional sessions."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = _writer_lock(self.engine)

    @property
    def display_url(self) -> str:
        """The URL with its password hidden, for logs and status."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back if it raises."""
        with self._writer, self._sessions.begin() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in a transaction, for hot paths that need no ORM: committed when
        the block ends, rolled back if it raises."""
        with self._writer, self.engine.begin() as connection:
            yield connection

    def ping(self) -> None:
        """Runs a trivial query.

        :raises sqlalchemy.exc.SQLAlchemyError: when the database does not answer.
        """
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Closes every pooled connection."""
        self.engine.dispose()
