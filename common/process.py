"""The lifecycle of a draas service process: `python -m services.<name> [--config FILE] [command]`.

    serve (default)          validate settings, migrate, serve until SIGTERM or SIGINT
    db upgrade [REVISION]    apply migrations (default: head)
    db downgrade REVISION    roll back ("base" for none)
    db current               print the database's revision
    db revision -m MESSAGE   write a new revision from the models (developers)

A bad setting stops the process before it does anything, with exit code 2 and a message on
stderr naming the setting. SIGTERM stops it gracefully: health turns NOT_SERVING, in-flight calls
get the grace period, spans are flushed, exit code 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from common.db import Database
from common.errors import DraasError, ServiceUnavailable
from common.grpc_server import ServiceServer
from common.logs import configure_logging, mask
from common.metrics import start_metrics
from common.migrations import Migrations
from common.settings import ServiceSettings, SettingsError, load_settings
from common.stopping import wait_for_stop
from common.telemetry import create_tracer_provider, install_global

log = logging.getLogger(__name__)

EXIT_BAD_SETTINGS = 2
EXIT_FAILED = 1


class Dependencies(Protocol):
    """What a service's server needs; closed when the process stops."""

    def close(self) -> None:
        """Releases connections and threads."""


@dataclass
class StatelessDeps:
    """What a service that keeps no state needs: its tracer provider. Services that need
    more subclass it."""

    tracer_provider: TracerProvider

    def close(self) -> None:
        """Nothing of its own to release."""


@dataclass
class ServiceDeps(StatelessDeps):
    """What a service with state needs: its tracer provider and its own database."""

    database: Database

    def close(self) -> None:
        """Closes the database's connections."""
        self.database.close()


S = TypeVar("S", bound=ServiceSettings)
D = TypeVar("D", bound=Dependencies)


@dataclass(frozen=True)
class ServiceSpec(Generic[S, D]):
    """How to run one service: its settings, dependencies, server and migrations (None for a
    service that keeps no state: it opens no database)."""

    name: str
    settings_cls: type[S]
    build_deps: Callable[[S, TracerProvider], D]
    create_server: Callable[[S, D], tuple[ServiceServer, int]]
    migrations: Migrations | None


def open_database(settings: ServiceSettings, migrations: Migrations) -> Database:
    """The service's database, migrated to head unless the settings say not to.

    :raises ServiceUnavailable: when the database cannot be reached or migrated.
    """
    database = Database(settings.database_url_value())
    log.info("database %s", database.display_url)
    try:
        with _unavailable_database(database):
            if settings.db_auto_migrate:
                migrations.upgrade(database.engine)
            else:
                database.ping()
    except ServiceUnavailable:
        database.close()
        raise
    return database


@contextmanager
def _unavailable_database(database: Database) -> Iterator[None]:
    """Turns a database failure into ServiceUnavailable with a one-line, masked reason."""
    try:
        yield
    except SQLAlchemyError as error:
        reason = mask(str(error.orig if isinstance(error, DBAPIError) else error).splitlines()[0])
        raise ServiceUnavailable(f"database {database.display_url}: {reason}") from None


def run_service(spec: ServiceSpec[Any, Any], argv: Sequence[str] | None = None) -> int:
    """Runs the service's command line; returns the exit code."""
    args = _parser(spec.name).parse_args(argv)
    try:
        settings = load_settings(spec.settings_cls, args.config)
    except SettingsError as error:
        print(f"draas-{spec.name}: cannot start: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    configure_logging(spec.name, settings.site, settings.log_level, settings.log_format)
    try:
        if args.command == "db":
            return _database_command(spec, settings, args)
        return _serve(spec, settings)
    except DraasError as error:
        log.error("draas-%s stopped: %s", spec.name, error)
        print(f"draas-{spec.name}: {error}", file=sys.stderr)
        return EXIT_FAILED


def _parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m services.{name}",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve until SIGTERM (the default)")
    db = commands.add_parser("db", help="manage this service's database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    db_commands.add_parser("downgrade").add_argument("revision")
    db_commands.add_parser("current")
    db_commands.add_parser("revision").add_argument("-m", "--message", required=True)
    return parser


def _database_command(
    spec: ServiceSpec[Any, Any], settings: ServiceSettings, args: argparse.Namespace
) -> int:
    migrations = spec.migrations
    if migrations is None:
        print(f"draas-{spec.name}: keeps no state, so has no database", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    database = Database(settings.database_url_value())
    try:
        with _unavailable_database(database):
            if args.db_command == "upgrade":
                migrations.upgrade(database.engine, args.revision)
            elif args.db_command == "downgrade":
                migrations.downgrade(database.engine, args.revision)
            elif args.db_command == "revision":
                migrations.upgrade(database.engine)
                migrations.new_revision(database.engine, args.message)
                return 0
            print(migrations.current(database.engine) or "base")
    finally:
        database.close()
    return 0


def _serve(spec: ServiceSpec[Any, Any], settings: ServiceSettings) -> int:
    if spec.migrations is None and settings.database_url is not None:
        log.warning(
            "database_url is set, but draas-%s keeps no state: it opens no database", spec.name
        )
    tracer_provider = create_tracer_provider(spec.name, settings.site)
    install_global(tracer_provider)
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    try:
        deps = spec.build_deps(settings, tracer_provider)
        try:
            server, port = spec.create_server(settings, deps)
            # Its port is written before the port file: a launcher that sees the port file
            # finds both.
            with start_metrics(settings):
                server.start()
                if settings.port_file is not None:
                    _write_atomically(settings.port_file, str(port))
                log.info("draas-%s serving on %s:%d", spec.name, settings.listen_host, port)
                wait_for_stop(stop)
                server.stop(settings.shutdown_grace_seconds)
            log.info("draas-%s stopped", spec.name)
        finally:
            if settings.port_file is not None:
                settings.port_file.unlink(missing_ok=True)
            deps.close()
    finally:
        tracer_provider.shutdown()
    return 0


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(content)
    scratch.replace(path)
