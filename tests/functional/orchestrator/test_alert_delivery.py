"""Alert delivery on a real database to real receivers on 127.0.0.1: retries with a doubling
backoff until the receiver takes it, the delivery log, giving up, one sender per delivery,
and channels refused when they are wrong (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from common.db import Database
from common.errors import AlreadyExists, InvalidArgument
from services.orchestrator.models import MIGRATIONS, DeliveryRecord
from services.orchestrator.monitoring.alerts import AlertStore, Condition, Judged
from services.orchestrator.monitoring.delivery import Channels, NewChannel, Sender, signature
from services.orchestrator.settings import OrchestratorSettings

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PROJECT = "project-1"


class FlakyReceiver:
    """Answers 503 to the first `failures` posts, then 200; keeps every body it took."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.taken: list[tuple[dict[str, str], bytes]] = []
        self.tries = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.tries += 1
                if owner.tries <= owner.failures:
                    self.send_response(503)
                else:
                    owner.taken.append((dict(self.headers.items()), body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    made = Database(database_url)
    MIGRATIONS.upgrade(made.engine)
    yield made
    made.close()


def settings(**changes: Any) -> OrchestratorSettings:
    return OrchestratorSettings(
        site="site-b",
        metadata_address="127.0.0.1:1",
        storage_address="127.0.0.1:1",
        compute_address="127.0.0.1:1",
        delivery_backoff_seconds=10,
        delivery_attempts=4,
        **changes,
    )


def fire(db: Database) -> str:
    condition = Condition(PROJECT, "group-1", "web", "link_down", "critical", "link down")
    (change,) = AlertStore(db, "site-b").reconcile(
        Judged([condition], {("group-1", "link_down")}), NOW
    )
    return change.alert_id


def test_a_failing_receiver_is_tried_again_with_a_doubling_backoff_until_it_takes_it(db):
    receiver = FlakyReceiver(failures=2)
    channel = Channels(db).create(
        PROJECT, NewChannel("hook", "webhook", receiver.url, secret="s" * 20), NOW
    )
    alert_id = fire(db)
    sender = Sender(settings(), db, "test")
    assert sender.deliver_due(NOW) == 0
    (delivery,) = Channels(db).deliveries(PROJECT)
    assert (delivery.attempts, delivery.state, delivery.last_result) == (1, "pending", "HTTP 503")
    assert delivery.next_attempt_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=10)
    assert sender.deliver_due(NOW + timedelta(seconds=5)) == 0, "not due yet"
    assert sender.deliver_due(NOW + timedelta(seconds=10)) == 0
    (delivery,) = Channels(db).deliveries(PROJECT)
    assert delivery.next_attempt_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=30)
    assert sender.deliver_due(NOW + timedelta(seconds=30)) == 1
    assert sender.deliver_due(NOW + timedelta(hours=1)) == 0, "delivered once"
    (delivery,) = Channels(db).deliveries(PROJECT, channel_id=channel.id, alert_id=alert_id)
    assert (delivery.attempts, delivery.state) == (3, "delivered")
    ((headers, body),) = receiver.taken
    assert headers["X-Draas-Signature"] == signature("s" * 20, body)
    assert headers["X-Draas-Delivery"] == delivery.id
    sender.close()
    receiver.server.shutdown()


def test_a_receiver_that_never_takes_it_is_given_up_after_the_last_attempt(db):
    receiver = FlakyReceiver(failures=100)
    Channels(db).create(PROJECT, NewChannel("hook", "webhook", receiver.url), NOW)
    fire(db)
    sender = Sender(settings(), db, "test")
    for minute in range(10):
        sender.deliver_due(NOW + timedelta(minutes=minute))
    (delivery,) = Channels(db).deliveries(PROJECT)
    assert (delivery.attempts, delivery.state, delivery.next_attempt_at) == (4, "failed", None)
    assert receiver.tries == 4
    sender.close()
    receiver.server.shutdown()


def test_a_delivery_held_by_one_sender_is_not_sent_by_another(db):
    receiver = FlakyReceiver(failures=0)
    Channels(db).create(PROJECT, NewChannel("hook", "webhook", receiver.url), NOW)
    fire(db)
    first, second = Sender(settings(), db, "one"), Sender(settings(), db, "two")
    claimed = first._claim(NOW)
    assert second.deliver_due(NOW) == 0
    assert [first._attempt(d, NOW) for d in claimed] == [1]
    assert len(receiver.taken) == 1
    first.close()
    second.close()
    receiver.server.shutdown()


def test_an_unreachable_receiver_is_logged_with_the_error(db):
    Channels(db).create(PROJECT, NewChannel("hook", "webhook", "http://127.0.0.1:9/x"), NOW)
    fire(db)
    sender = Sender(settings(), db, "test")
    sender.deliver_due(NOW)
    (delivery,) = Channels(db).deliveries(PROJECT)
    assert delivery.state == "pending" and "ConnectError" in delivery.last_result
    sender.close()


def test_mail_without_an_smtp_server_configured_says_so(db):
    Channels(db).create(PROJECT, NewChannel("mail", "email", "a@example.com"), NOW)
    fire(db)
    sender = Sender(settings(), db, "test")
    sender.deliver_due(NOW)
    (delivery,) = Channels(db).deliveries(PROJECT)
    assert "smtp_host" in delivery.last_result
    sender.close()


@pytest.mark.parametrize(
    ("channel", "field"),
    [
        (NewChannel("", "webhook", "http://example.com"), "name"),
        (NewChannel("x", "sms", "123"), "kind"),
        (NewChannel("x", "webhook", "file:///etc/passwd"), "address"),
        (NewChannel("x", "webhook", "http://user:pw@example.com/"), "address"),
        (NewChannel("x", "webhook", "http://example.com", secret="short"), "secret"),
        (NewChannel("x", "email", "a@example.com, not-an-address"), "address"),
        (NewChannel("x", "email", ",".join(f"u{i}@example.com" for i in range(11))), "address"),
        (NewChannel("x", "email", "a@example.com", secret="s" * 20), "secret"),
        (NewChannel("x", "webhook", "http://example.com", min_severity="info"), "min_severity"),
    ],
)
def test_a_wrong_channel_is_refused_naming_the_field(db, channel, field):
    with pytest.raises(InvalidArgument) as refused:
        Channels(db).create(PROJECT, channel, NOW)
    assert refused.value.field == field
    assert Channels(db).of_project(PROJECT) == []


def test_channel_names_are_unique_in_a_project(db):
    Channels(db).create(PROJECT, NewChannel("ops", "email", "a@example.com"), NOW)
    with pytest.raises(AlreadyExists):
        Channels(db).create(PROJECT, NewChannel("ops", "email", "b@example.com"), NOW)
    Channels(db).create("project-2", NewChannel("ops", "email", "b@example.com"), NOW)


def test_alerts_below_a_channels_least_severity_are_not_queued_for_it(db):
    Channels(db).create(
        PROJECT, NewChannel("pager", "email", "p@example.com", min_severity="critical"), NOW
    )
    warning = Condition(PROJECT, "group-1", "web", "test_overdue", "warning", "overdue")
    AlertStore(db, "site-b").reconcile(Judged([warning], {("group-1", "test_overdue")}), NOW)
    with db.transaction() as session:
        assert session.query(DeliveryRecord).count() == 0
