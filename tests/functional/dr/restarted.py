"""A site's orchestrator started again with other settings for a test module, and as it was
afterwards (same port, same database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.stack import Site


@contextmanager
def orchestrator_with(site: Site, **settings: Any) -> Iterator[Any]:
    """Site's orchestrator with `settings` changed; yields its deps (monitor, tests, ...)."""
    before = site.settings["orchestrator"]
    site.stop_service("orchestrator")
    site.settings["orchestrator"] = before.model_copy(update=settings)
    site.start_service("orchestrator")
    try:
        yield site.running["orchestrator"][1]
    finally:
        site.stop_service("orchestrator")
        site.settings["orchestrator"] = before
        site.start_service("orchestrator")
