"""The API module's audit trail functions against a stand-in transport: the filters and the
user's token go to the gateway; the CSV export comes back as the gateway sent it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import httpx
import pytest

from draas_dashboard.api import draas, errors
from tests.dashboard.test_api import problem, user_request

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def gateway() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    """Routes the API module's requests to a handler (as in test_api); yields the installer."""
    seen: list[httpx.Request] = []

    def install(handler: Handler) -> list[httpx.Request]:
        def record(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        draas.TRANSPORT = httpx.MockTransport(record)
        draas.reset_clients()
        return seen

    with mock.patch.object(draas.base, "url_for", return_value="http://gateway.test:8080/v1"):
        yield install
    draas.TRANSPORT = None
    draas.reset_clients()


EVENT = {
    "id": "e-1",
    "eventTime": "2026-12-01T10:00:00.000000+00:00",
    "action": "update/failover",
    "outcome": "failure",
    "initiator": {"id": "u-1", "name": "alice", "roles": ["member"], "host": {"address": "::1"}},
    "target": {"id": "g-1", "typeURI": "service/draas/failover-groups", "project_id": "p-1"},
    "reason": {"reasonType": "HTTP", "reasonCode": "409"},
    "attachments": [
        {"name": "request_id", "content": "req-9"},
        {"name": "response", "content": {"status": 409, "detail": "not here"}},
    ],
}


def test_events_are_listed_with_the_filters_given(gateway: Any) -> None:
    seen = gateway(lambda r: httpx.Response(200, json={"audit_events": [EVENT]}))
    (event,) = draas.list_audit_events(
        user_request(), all_projects=True, limit=10, action="update/failover", outcome=""
    )
    assert seen[0].url.path == "/v1/audit-events"
    assert dict(seen[0].url.params) == {
        "action": "update/failover",
        "all_projects": "true",
        "limit": "10",
    }
    assert (event.user, event.project_id, event.target_type, event.status) == (
        "alice",
        "p-1",
        "failover-groups",
        "409",
    )
    assert (event.request_id, event.detail, event.address) == ("req-9", "not here", "::1")


def test_the_csv_export_is_the_gateways(gateway: Any) -> None:
    body = b"id,event_time\r\ne-1,2026\r\n"
    seen = gateway(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/csv"})
    )
    assert draas.audit_csv(user_request(), target_id="g-1") == body
    assert dict(seen[0].url.params) == {"target_id": "g-1", "format": "csv"}
    assert seen[0].headers["X-Auth-Token"] == "user-token"


def test_a_refused_export_is_a_problem(gateway: Any) -> None:
    gateway(lambda r: problem(403, "all_projects: only an admin may"))
    with pytest.raises(errors.DraasError, match="only an admin"):
        draas.audit_csv(user_request(), all_projects=True)
