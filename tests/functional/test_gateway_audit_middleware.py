"""The audit middleware on a small app of its own (in-process, a real SQLite file): the request
id on every response; one event per changing request whatever its end; the attempt written
before a change; and what happens when the audit database fails: a change is refused before it
is made (503), an outcome that cannot be written leaves the event pending and the answer as it
was, and a change that was made but could not be recorded at all is not answered as done."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from gateway import problems
from gateway.audit import AuditMiddleware, AuditTrail, before_change
from gateway.audit.store import AuditQuery
from gateway.settings import GatewaySettings


class Broken:
    """Breaks the trail's writes to a table from a given moment (renamed away, then back)."""

    def __init__(self, trail: AuditTrail, table: str = "audit_events") -> None:
        self.trail = trail
        self.table = table

    def __enter__(self) -> None:
        with self.trail.database.engine.begin() as connection:
            connection.execute(sa.text(f"ALTER TABLE {self.table} RENAME TO {self.table}_away"))

    def __exit__(self, *_: Any) -> None:
        with self.trail.database.engine.begin() as connection:
            connection.execute(sa.text(f"ALTER TABLE {self.table}_away RENAME TO {self.table}"))


@pytest.fixture
def app(tmp_path):
    trail = AuditTrail(
        GatewaySettings(site="site-a", keystone_url="http://127.0.0.1:9/v3", state_dir=tmp_path)
    )
    trail.open()
    made = FastAPI()
    made.state.audit = trail
    made.state.things = {}
    made.state.break_after_attempt = False
    problems.install(made)

    @made.post("/v1/things/{thing_id}/polish")
    def polish(request: Request, thing_id: str) -> dict[str, str]:
        before_change(request)
        if request.app.state.break_after_attempt:
            Broken(trail, "audit_outcomes").__enter__()
        request.app.state.things[thing_id] = "polished"
        return {"id": thing_id}

    @made.post("/v1/unaudited")
    def unaudited(request: Request) -> dict[str, str]:
        request.app.state.things["unaudited"] = "made"
        return {"id": "unaudited"}

    @made.delete("/v1/explode")
    def explode() -> None:
        raise RuntimeError("boom")

    made.add_middleware(AuditMiddleware, trail=trail, site="site-a")
    yield made
    trail.close()


def events(app: FastAPI) -> list[dict]:
    return list(app.state.audit.every(AuditQuery(None)))


def test_every_response_has_a_request_id_and_each_change_one_event(app):
    client = TestClient(app, raise_server_exceptions=False)
    read = client.get("/v1/nothing-here")
    assert read.headers["x-openstack-request-id"].startswith("req-")
    done = client.post("/v1/things/t1/polish", json={"shine": "high"})
    assert done.status_code == 200
    failed = client.delete("/v1/explode")
    assert failed.status_code == 500
    recorded = events(app)
    assert [(e["action"], e["outcome"], e["reason"]["reasonCode"]) for e in recorded] == [
        ("delete", "failure", "500"),
        ("update/polish", "success", "200"),
    ]
    assert recorded[1]["target"]["id"] == "t1"
    request_ids = [next(a for a in e["attachments"] if a["name"] == "request_id") for e in recorded]
    assert request_ids[1]["content"] == done.headers["x-openstack-request-id"]
    assert app.state.audit.count() == 2


def test_a_change_is_refused_when_its_attempt_cannot_be_recorded(app):
    client = TestClient(app)
    with Broken(app.state.audit):
        refused = client.post("/v1/things/t1/polish")
    assert refused.status_code == 503
    assert "audit trail cannot be written" in refused.json()["detail"]
    assert app.state.things == {}
    assert events(app) == []


def test_an_outcome_that_cannot_be_recorded_leaves_the_event_pending(app):
    app.state.break_after_attempt = True
    client = TestClient(app)
    try:
        done = client.post("/v1/things/t2/polish")
    finally:
        Broken(app.state.audit, "audit_outcomes").__exit__()
    # The change was made: the caller is told so, and the trail says it was attempted.
    assert done.status_code == 200 and app.state.things == {"t2": "polished"}
    (event,) = events(app)
    assert (event["action"], event["outcome"], event["target"]["id"]) == (
        "update/polish",
        "pending",
        "t2",
    )


def test_a_change_made_without_its_attempt_recorded_is_not_answered_as_done(app):
    client = TestClient(app)
    with Broken(app.state.audit):
        answered = client.post("/v1/unaudited")
    assert answered.status_code == 503
    assert "may have been carried out" in answered.json()["detail"]
