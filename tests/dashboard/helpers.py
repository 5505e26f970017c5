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


# Audit trail -------------------------------------------------------------------------------------

AUDIT_FUNCTIONS = ("list_audit_events", "get_audit_event", "audit_csv")


class FakeAuditTrail:
    """The gateway's audit events, in memory: a project's own for anyone in it, every
    project's for an admin (all_projects), refused (403) to anyone else, as the gateway does."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self.events: list[dict[str, Any]] = []
        self.admin = False
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def add(
        self,
        action: str,
        target_id: str,
        outcome: str = "success",
        status: int = 200,
        project_id: str | None = None,
        user: str = "alice",
        time: str = "2026-12-01T10:00:00.000000+00:00",
        detail: str = "",
    ) -> dict[str, Any]:
        """An event (newest first, as the gateway lists them)."""
        event = {
            "typeURI": "http://schemas.dmtf.org/cloud/audit/1.0/event",
            "id": f"00000000-0000-4000-8000-{len(self.events):012d}",
            "eventTime": time,
            "action": action,
            "outcome": outcome,
            "initiator": {
                "id": f"{user}-id",
                "name": user,
                "typeURI": "service/security/account/user",
                "project_id": project_id or self.project_id,
                "roles": ["member"],
                "host": {"address": "192.0.2.7", "agent": "python-httpx"},
            },
            "target": {
                "id": target_id,
                "typeURI": "service/draas/failover-groups",
                "project_id": project_id or self.project_id,
            },
            "observer": {"id": "obs", "typeURI": "service/draas/gateway", "name": "gw"},
            "reason": {"reasonType": "HTTP", "reasonCode": str(status)},
            "attachments": [
                {"name": "request_id", "typeURI": "mime:text/plain", "content": "req-1"},
                {
                    "name": "request",
                    "typeURI": "mime:application/json",
                    "content": {"method": "POST", "path": "/v1/x", "fields": ["name"], "ids": {}},
                },
                {
                    "name": "response",
                    "typeURI": "mime:application/json",
                    "content": {"status": status, **({"detail": detail} if detail else {})},
                },
            ],
        }
        self.events.insert(0, event)
        return event

    def _visible(self, all_projects: bool, filters: dict[str, Any]) -> list[dict[str, Any]]:
        from draas_dashboard.api import errors  # noqa: PLC0415

        if all_projects and not self.admin:
            raise errors.DraasRecoverable(403, "Forbidden", "all_projects: only an admin may")
        found = [
            e for e in self.events if all_projects or e["target"]["project_id"] == self.project_id
        ]
        for name, value in filters.items():
            if name == "action":
                found = [e for e in found if e["action"] == value]
            elif name == "outcome":
                found = [e for e in found if e["outcome"] == value]
            elif name == "target_id":
                found = [e for e in found if e["target"]["id"] == value]
            elif name == "since":
                found = [e for e in found if e["eventTime"] >= value]
            elif name == "until":
                found = [e for e in found if e["eventTime"] < value]
        return found

    def list_audit_events(
        self, request: Any, all_projects: bool = False, limit: int = 200, **filters: Any
    ) -> list[Any]:
        self.calls.append(("list_audit_events", {"all_projects": all_projects, **filters}))
        return [draas.AuditEvent(e) for e in self._visible(all_projects, filters)[:limit]]

    def get_audit_event(self, request: Any, event_id: str) -> Any:
        from draas_dashboard.api import errors  # noqa: PLC0415

        for event in self._visible(self.admin, {}):
            if event["id"] == event_id:
                return draas.AuditEvent(event)
        raise errors.DraasNotFound(404, "Not found", f"no audit event {event_id}")

    def audit_csv(self, request: Any, all_projects: bool = False, **filters: Any) -> bytes:
        self.calls.append(("audit_csv", {"all_projects": all_projects, **filters}))
        lines = ["id,event_time,action,outcome"]
        lines += [
            f"{e['id']},{e['eventTime']},{e['action']},{e['outcome']}"
            for e in self._visible(all_projects, filters)
        ]
        return ("\r\n".join(lines) + "\r\n").encode()


class AuditTestCase(TestCase):
    """A TestCase whose gateway also has an audit trail (`self.audit`)."""

    def setUp(self) -> None:
        super().setUp()
        self.audit = FakeAuditTrail(self.tenant.id)
        for name in AUDIT_FUNCTIONS:
            mock.patch.object(draas, name, getattr(self.audit, name)).start()
