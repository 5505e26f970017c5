"""The dashboard tests' base: Horizon's TestCase (its test user, catalog and request
machinery), with the catalog offering draas in both test regions, the draas API module's
functions replaced by a FakeGateway, and the network refused to anything not faked."""

from __future__ import annotations

from typing import Any
from unittest import mock

import httpx
from django.test.utils import override_settings
from openstack_dashboard.test import helpers
from openstack_dashboard.test.test_data import exceptions as horizon_test_exceptions

from draas_dashboard.api import draas, keystone
from draas_dashboard.testing.fakes import FUNCTIONS, FakeGateway

DR_SERVICE = {
    "type": "disaster-recovery",
    "name": "draas",
    "endpoints_links": [],
    "endpoints": [
        {"region": "RegionOne", "interface": "public", "url": "http://draas-a.example.com/v1"},
        {"region": "RegionTwo", "interface": "public", "url": "http://draas-b.example.com/v1"},
    ],
}
# The user's region (RegionOne) as site-b, for tests of what happens at a group's target site.
AT_SITE_B = {
    "site-a": {"region": "RegionTwo", "keystone_url": "http://remote/identity/v3"},
    "site-b": {"region": "RegionOne", "keystone_url": "http://localhost/identity/v3"},
}


_HORIZON_STUB = horizon_test_exceptions.create_stubbed_exception


def _stubbed_exception(cls: type[Exception], status_code: int = 500) -> Exception:
    """Horizon's test data makes its "expected failure" exceptions by replacing __init__ and
    __str__ of the client libraries' own exception classes (openstacksdk's SDKException, ...)
    for the rest of the process, which breaks every later test that raises them. The same
    stubs, made on subclasses instead."""
    subclass = type(cls.__name__, (cls,), {"message": getattr(cls, "message", "Error")})
    stub: Exception = _HORIZON_STUB(subclass, status_code)
    return stub


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a dashboard test reached the network: {request.method} {request.url}")


class TestCase(helpers.TestCase):
    """A member of the project at `site` (site-a unless a test says otherwise)."""

    site = "site-a"

    def _setup_test_data(self) -> None:
        with mock.patch.object(
            horizon_test_exceptions, "create_stubbed_exception", _stubbed_exception
        ):
            super()._setup_test_data()
        self.service_catalog = [*self.service_catalog, DR_SERVICE]

    def setUp(self) -> None:
        super().setUp()
        self.gateway = FakeGateway(self.site)
        for name in FUNCTIONS:
            mock.patch.object(draas, name, getattr(self.gateway, name)).start()
        draas.TRANSPORT = httpx.MockTransport(_no_network)
        keystone.TRANSPORT = httpx.MockTransport(_no_network)
        draas.reset_clients()

    def tearDown(self) -> None:
        draas.TRANSPORT = None
        keystone.TRANSPORT = None
        draas.reset_clients()
        super().tearDown()

    def set_roles(self, *names: str) -> None:
        """The signed-in user with these roles in the project (instead of member, reader)."""
        self.setActiveUser(
            id=self.user.id,
            token=self.token,
            username=self.user.name,
            domain_id=self.domain.id,
            user_domain_name=self.domain.name,
            user_domain_id=self.domain.id,
            tenant_id=self.tenant.id,
            service_catalog=self.service_catalog,
            authorized_tenants=self.context["authorized_tenants"],
            roles=[{"id": str(i), "name": n} for i, n in enumerate(names)],
        )

    def content(self, response: Any) -> str:
        return response.content.decode()

    def ajax(self, url: str, **query: Any) -> Any:
        return self.client.get(url, query, HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def at_site_b(cls: type[TestCase]) -> type[TestCase]:
    """The test case's user works at site-b (the target of site-a's groups)."""
    cls.site = "site-b"
    decorated: type[TestCase] = override_settings(DRAAS_SITES=AT_SITE_B)(cls)
    return decorated
