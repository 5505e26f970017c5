"""The `draas` command line over the REST gateway: `auth` (OpenStack credentials, token,
catalog), `client` (HTTP, problems, progress stream), `output` and `views` (text), `commands`."""
