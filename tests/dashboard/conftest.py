"""The dashboard's unit tests run in Horizon's own test harness (Django test cases with
Horizon's test data), with the plugin's test settings. Django is set up when this directory
is collected; the rest of the suite never imports it. Without Horizon installed these tests
are not collected."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

SETTINGS = "draas_dashboard.testing.settings"

try:
    import horizon  # noqa: F401
except ImportError:  # the dashboard is an extra: without it, nothing here runs
    collect_ignore_glob = ["test_*.py"]
else:
    import django
    from django.conf import settings

    if not settings.configured:
        # Set for django.setup() only: processes other tests start must not inherit it.
        previous = os.environ.get("DJANGO_SETTINGS_MODULE")
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
        try:
            django.setup()
        finally:
            if previous is None:
                os.environ.pop("DJANGO_SETTINGS_MODULE", None)
            else:
                os.environ["DJANGO_SETTINGS_MODULE"] = previous


def pytest_configure(config: pytest.Config) -> None:
    # Horizon's test helpers mark their Selenium cases; the suite runs with --strict-markers.
    config.addinivalue_line("markers", "selenium: Horizon's Selenium test cases (not run here)")
    config.addinivalue_line("markers", "integration: Horizon's integration test cases")
    config.addinivalue_line("markers", "plugin_test: Horizon's plugin test cases")


@pytest.fixture(scope="session", autouse=True)
def django_test_environment() -> Iterator[None]:
    """Django's test environment and Horizon's (in-memory SQLite) test database, once."""
    # Django's test machinery is imported once Django is set up (above), not before.
    from django.test.runner import DiscoverRunner  # noqa: PLC0415
    from django.test.utils import (  # noqa: PLC0415
        setup_test_environment,
        teardown_test_environment,
    )

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    yield
    runner.teardown_databases(databases)
    teardown_test_environment()
