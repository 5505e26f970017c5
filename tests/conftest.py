"""Fixtures shared by every test layer: databases and a clean draas environment."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "DRAAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/browser/conftest.py: pytest reads options only from the first
    # conftest files it loads.
    parser.addoption(
        "--screenshots",
        default=None,
        help="Save the browser tests' screenshots under this directory (one folder per test) "
        "instead of under each test's tmp_path.",
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # The browser tests' screenshot folders (tests/browser/conftest.py `screens`), from the
    # tests' reports: here, not there, because the main process of pytest-xdist loads only
    # this conftest and sees the workers' tests only through their reports.
    directories = sorted(
        {
            value
            for reports in terminalreporter.stats.values()
            for report in reports
            for name, value in getattr(report, "user_properties", ())
            if name == "screenshots"
        }
    )
    if directories:
        terminalreporter.write_sep("-", "browser screenshots")
        for directory in directories:
            terminalreporter.write_line(directory)


@pytest.fixture(autouse=True)
def _no_draas_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the DRAAS_ variables they set themselves."""
    for name in list(os.environ):
        if name.startswith("DRAAS_") and name != "DRAAS_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL into a fresh schema of the real PostgreSQL server, dropped afterwards.

    Skips the test when the server is unreachable, except under CI, where that is a failure.
    """
    admin = sa.create_engine(POSTGRES_URL)
    try:
        connection = admin.connect()
    except OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"draas_test_{uuid.uuid4().hex[:12]}"
    with connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test (see postgres_schema)."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/test.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@contextmanager
def mixed_site_databases(state: os.PathLike[str]) -> Iterator[dict[str, str]]:
    """The two sites' databases as the DR tests run them: site A on SQLite files under
    `state`, site B on fresh schemas of the real PostgreSQL server (see postgres_schema)."""
    with postgres_schema() as metadata_b, postgres_schema() as orchestrator_b:
        yield {
            "site-a-metadata": f"sqlite:///{state}/a-metadata.sqlite3",
            "site-a-orchestrator": f"sqlite:///{state}/a-orchestrator.sqlite3",
            "site-b-metadata": metadata_b,
            "site-b-orchestrator": orchestrator_b,
        }
