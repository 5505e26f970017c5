"""The `draas` command line over the REST gateway. Not built yet."""
