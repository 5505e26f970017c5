"""The storage service's tables: none yet; the migration history starts with an empty baseline so
that later tables arrive as ordinary revisions."""

from __future__ import annotations

from pathlib import Path

from common.db import new_metadata
from common.migrations import Migrations

METADATA = new_metadata()

MIGRATIONS = Migrations("storage", Path(__file__).parent / "migrations", METADATA)
