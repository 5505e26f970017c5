"""Where a project's alerts go, and getting them there: webhooks (the alert as JSON, signed
with HMAC-SHA256 of the body) and e-mail over SMTP. Each queued delivery is claimed by one
sender at a time, tried until the receiver takes it, with a backoff that doubles, and given up
after the last attempt; every attempt's result is kept (the delivery log).

A webhook's secret is the tenant's: it is stored to sign with, shown once when the channel is
made, and never logged or returned again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from common.db import Database
from common.errors import AlreadyExists, InvalidArgument, NotFound
from services.orchestrator.models import AlertChannelRecord, DeliveryRecord
from services.orchestrator.monitoring.alerts import CRITICAL, SEVERITY_RANK, WARNING
from services.orchestrator.settings import OrchestratorSettings

log = logging.getLogger(__name__)

WEBHOOK, EMAIL = "webhook", "email"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SIGNATURE_HEADER = "X-Draas-Signature"
MAX_NAME, MAX_URL, MAX_ADDRESSES = 255, 2048, 10
MIN_SECRET = 16
CLAIM_SECONDS = 120.0
MAX_BACKOFF_SECONDS = 3600.0
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class NewChannel:
    """A channel as the tenant asks for it; `secret` only for webhooks."""

    name: str
    kind: str
    address: str
    min_severity: str = WARNING
    secret: str = ""


def signature(secret: str, body: bytes) -> str:
    """The X-Draas-Signature header's value for a body: sha256=<hex HMAC-SHA256>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Channels:
    """The projects' alert channels here."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, project_id: str, new: NewChannel, now: datetime) -> AlertChannelRecord:
        """Makes the channel; for a webhook without a secret, one is made. The record
        returned holds the secret (shown to the tenant this once).

        :raises InvalidArgument: naming the field that is wrong.
        :raises AlreadyExists: the project has a channel of that name.
        """
        _check(new)
        secret = (new.secret or secrets.token_urlsafe(32)) if new.kind == WEBHOOK else None
        record = AlertChannelRecord(
            id=str(uuid.uuid4()),
            project_id=project_id,
            name=new.name,
            kind=new.kind,
            address=_normalized_address(new),
            min_severity=new.min_severity,
            secret=secret,
            created_at=now,
        )
        try:
            with self.db.transaction() as session:
                session.add(record)
        except IntegrityError:
            raise AlreadyExists(
                f"the project has an alert channel named {new.name} already"
            ) from None
        return record

    def of_project(self, project_id: str) -> list[AlertChannelRecord]:
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    select(AlertChannelRecord)
                    .where(AlertChannelRecord.project_id == project_id)
                    .order_by(AlertChannelRecord.created_at, AlertChannelRecord.id)
                )
            )

    def delete(self, project_id: str, channel_id: str) -> None:
        """Deletes the channel and its delivery log.

        :raises NotFound: the project has no such channel here.
        """
        with self.db.transaction() as session:
            channel = session.get(AlertChannelRecord, channel_id)
            if channel is None or channel.project_id != project_id:
                raise NotFound(f"project {project_id} has no alert channel {channel_id} here")
            session.delete(channel)

    def deliveries(
        self, project_id: str, channel_id: str = "", alert_id: str = "", limit: int = 100
    ) -> list[DeliveryRecord]:
        """The delivery log, newest first."""
        query = select(DeliveryRecord).where(DeliveryRecord.project_id == project_id)
        if channel_id:
            query = query.where(DeliveryRecord.channel_id == channel_id)
        if alert_id:
            query = query.where(DeliveryRecord.alert_id == alert_id)
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    query.order_by(DeliveryRecord.created_at.desc(), DeliveryRecord.id).limit(limit)
                )
            )


class Sender:
    """Sends the deliveries that are due."""

    def __init__(self, settings: OrchestratorSettings, db: Database, owner: str) -> None:
        self.settings = settings
        self.db = db
        self.owner = owner
        self._http = httpx.Client(timeout=settings.delivery_timeout_seconds, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def deliver_due(self, now: datetime) -> int:
        """Tries every delivery that is due and not held by another sender; returns how many
        were delivered."""
        delivered = 0
        for delivery_id in self._claim(now):
            delivered += self._attempt(delivery_id, now)
        return delivered

    def _claim(self, now: datetime) -> list[str]:
        with self.db.transaction() as session:
            due = session.scalars(
                select(DeliveryRecord.id).where(
                    DeliveryRecord.state == PENDING,
                    DeliveryRecord.next_attempt_at <= now,
                    or_(DeliveryRecord.claimed_until.is_(None), DeliveryRecord.claimed_until < now),
                )
            ).all()
        claimed = []
        for delivery_id in due:
            with self.db.transaction() as session:
                result: Any = session.execute(
                    update(DeliveryRecord)
                    .where(
                        DeliveryRecord.id == delivery_id,
                        DeliveryRecord.state == PENDING,
                        or_(
                            DeliveryRecord.claimed_until.is_(None),
                            DeliveryRecord.claimed_until < now,
                        ),
                    )
                    .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                )
            # A CursorResult's count of matched rows (the typed Result hides it).
            if result.rowcount:
                claimed.append(delivery_id)
        return claimed

    def _attempt(self, delivery_id: str, now: datetime) -> int:
        with self.db.transaction() as session:
            delivery = session.get(DeliveryRecord, delivery_id)
            channel = session.get(AlertChannelRecord, delivery.channel_id) if delivery else None
        if delivery is None or channel is None:
            return 0
        try:
            result = self._send(channel, delivery.payload)
            ok = True
        except DeliveryError as error:
            result, ok = str(error), False
        attempts = delivery.attempts + 1
        with self.db.transaction() as session:
            record = session.get(DeliveryRecord, delivery_id)
            if record is None:
                return 0
            record.attempts, record.last_result, record.claimed_until = attempts, result, None
            if ok:
                record.state, record.delivered_at, record.next_attempt_at = DELIVERED, now, None
            elif attempts >= self.settings.delivery_attempts:
                record.state, record.next_attempt_at = FAILED, None
            else:
                wait = min(
                    self.settings.delivery_backoff_seconds * 2 ** (attempts - 1),
                    MAX_BACKOFF_SECONDS,
                )
                record.next_attempt_at = now + timedelta(seconds=wait)
        if not ok:
            log.info(
                "delivery %s to channel %s failed (attempt %d): %s",
                delivery_id,
                channel.id,
                attempts,
                result,
            )
        return 1 if ok else 0

    def _send(self, channel: AlertChannelRecord, payload: dict[str, Any]) -> str:
        if channel.kind == WEBHOOK:
            return self._post(channel, payload)
        return self._mail(channel, payload)

    def _post(self, channel: AlertChannelRecord, payload: dict[str, Any]) -> str:
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "draas-alerts/1",
            "X-Draas-Delivery": str(payload.get("delivery_id", "")),
            "X-Draas-Event": str(payload.get("event", "")),
            SIGNATURE_HEADER: signature(channel.secret or "", body),
        }
        try:
            answer = self._http.post(channel.address, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from None
        if not 200 <= answer.status_code < 300:
            raise DeliveryError(f"HTTP {answer.status_code}")
        return f"HTTP {answer.status_code}"

    def _mail(self, channel: AlertChannelRecord, payload: dict[str, Any]) -> str:
        settings = self.settings
        if not settings.smtp_host:
            raise DeliveryError("this site has no SMTP server configured (smtp_host)")
        alert = payload.get("alert", {})
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = channel.address
        message["Subject"] = _subject(payload)
        message["X-Draas-Delivery"] = str(payload.get("delivery_id", ""))
        message.set_content(_mail_text(payload, alert))
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.delivery_timeout_seconds
            ) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_username:
                    password = (
                        settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                    )
                    smtp.login(settings.smtp_username, password)
                refused = smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from None
        if refused:
            raise DeliveryError(f"SMTP refused {', '.join(sorted(refused))}")
        return f"sent to {channel.address}"


class DeliveryError(Exception):
    """An attempt that the receiver did not take (kept in the log, tried again)."""


def _check(new: NewChannel) -> None:
    if not new.name or len(new.name) > MAX_NAME or not new.name.isprintable():
        raise InvalidArgument("name", f"must be 1 to {MAX_NAME} printable characters")
    if new.min_severity not in SEVERITY_RANK:
        raise InvalidArgument("min_severity", f"must be {WARNING} or {CRITICAL}")
    if new.kind == WEBHOOK:
        parts = urlsplit(new.address)
        if (
            len(new.address) > MAX_URL
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username
            or parts.password
        ):
            raise InvalidArgument(
                "address",
                "must be an http or https URL with a host and no user or password in it",
            )
        if new.secret and (len(new.secret) < MIN_SECRET or len(new.secret) > 256):
            raise InvalidArgument("secret", f"must be {MIN_SECRET} to 256 characters")
    elif new.kind == EMAIL:
        addresses = _addresses(new.address)
        if not addresses or len(addresses) > MAX_ADDRESSES:
            raise InvalidArgument("address", f"must name 1 to {MAX_ADDRESSES} e-mail addresses")
        wrong = [a for a in addresses if not _EMAIL.match(a)]
        if wrong:
            raise InvalidArgument("address", f"{wrong[0]!r} is not an e-mail address")
        if new.secret:
            raise InvalidArgument("secret", "is for webhooks only")
    else:
        raise InvalidArgument("kind", f"must be {WEBHOOK} or {EMAIL}")


def _addresses(text: str) -> list[str]:
    return [a.strip() for a in text.split(",") if a.strip()]


def _normalized_address(new: NewChannel) -> str:
    return ", ".join(_addresses(new.address)) if new.kind == EMAIL else new.address


def _subject(payload: dict[str, Any]) -> str:
    alert = payload.get("alert", {})
    state = "RESOLVED" if payload.get("event") == "resolved" else "FIRING"
    return (
        f"[draas] {state} {alert.get('severity', '')}: {alert.get('rule', '').replace('_', ' ')}"
        f" - {alert.get('group_name', '')}"
    )


def _mail_text(payload: dict[str, Any], alert: dict[str, Any]) -> str:
    lines = [
        alert.get("summary", ""),
        "",
        f"Group: {alert.get('group_name')} ({alert.get('group_id')})",
        f"Project: {alert.get('project_id')}",
        f"Raised at site: {alert.get('site')}",
        f"Rule: {alert.get('rule')}  Severity: {alert.get('severity')}",
        f"Fired: {alert.get('fired_at')}",
    ]
    if payload.get("event") == "resolved":
        lines.append(f"Resolved: {alert.get('resolved_at')}")
    lines += ["", f"Alert id: {alert.get('id')}  Delivery id: {payload.get('delivery_id')}"]
    return "\n".join(lines) + "\n"
