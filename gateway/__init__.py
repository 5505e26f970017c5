"""The tenant REST gateway (OpenAPI, Keystone token auth, tenant isolation, live progress, web
dashboard). Not built yet."""
