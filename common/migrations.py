"""Alembic migrations, one history per service.

Every service keeps its revisions in services/<name>/migrations/ and its own version table
(alembic_version_<name>), so services could even share one database without touching each
other's tables. The environment script and the revision template are shared (common/alembic/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

_ENVIRONMENT = Path(__file__).parent / "alembic"


def own_tables_only(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic include_object hook: tables only in the database (another service's, in a
    shared database) are not this history's business."""
    return not (type_ == "table" and reflected and compare_to is None)


class Migrations:
    """The migration history of one service's tables."""

    def __init__(self, service: str, versions_dir: Path, metadata: MetaData) -> None:
        self.service = service
        self.versions_dir = versions_dir
        self.metadata = metadata
        self.version_table = f"alembic_version_{service}"

    def _config(self, engine: Engine | None) -> Config:
        config = Config()
        config.set_main_option("script_location", str(_ENVIRONMENT))
        config.set_main_option("version_locations", str(self.versions_dir))
        config.set_main_option("path_separator", "os")
        config.attributes["engine"] = engine
        config.attributes["target_metadata"] = self.metadata
        config.attributes["version_table"] = self.version_table
        return config

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        """Applies migrations up to the revision."""
        command.upgrade(self._config(engine), revision)

    def downgrade(self, engine: Engine, revision: str) -> None:
        """Rolls back to the revision ("base" for none)."""
        command.downgrade(self._config(engine), revision)

    def current(self, engine: Engine) -> str | None:
        """The revision the database is at, or None before the first migration."""
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            )
            return context.get_current_revision()

    def drift(self, engine: Engine) -> list[Any]:
        """How the database differs from the models; empty when migrations and models agree."""
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "version_table": self.version_table,
                    "compare_type": True,
                    "include_object": own_tables_only,
                },
            )
            return list(compare_metadata(context, self.metadata))

    def head(self) -> str:
        """The newest revision of this service's history."""
        heads = ScriptDirectory.from_config(self._config(engine=None)).get_heads()
        if len(heads) != 1:
            raise RuntimeError(f"{self.service} migrations must have one head, found {heads}")
        return heads[0]

    def new_revision(self, engine: Engine, message: str) -> None:
        """Writes a new revision file from the difference between the models and a database
        at head (developers: `python -m services.<name> db revision -m "..."`)."""
        config = self._config(engine)
        number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
        command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")
