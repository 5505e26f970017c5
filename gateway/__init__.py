"""The tenant REST gateway: OpenAPI, Keystone token auth, each tenant in its own project."""
