"""Recording: an ASGI middleware that gives every response an `X-OpenStack-Request-Id` and
records one audit event per changing request (POST, PUT, PATCH or DELETE under /v1), refused
ones included (401, 403, 400, 404, 405, 409, ...), with an unknown initiator when the token was
not accepted.

No change is made unaudited: before a request asks the orchestrator to change anything, its
attempt is written (outcome `pending`, `before_change`); if it cannot be, the request is
refused with 503 and nothing is asked. Its outcome is written once the answer is known, before
the answer leaves. If only that second write fails, the answer still goes out (the change was
made) and the event stays `pending`: the trail says the change was attempted, the log says the
outcome was not recorded. A request that never got as far as `before_change` (a refusal) is
recorded once, whole, with its outcome; a success that could not be recorded at all (a route
that changes something without `before_change`) is answered 503 rather than passed on
unaudited."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from common.errors import DraasError, ServiceUnavailable
from gateway.audit.events import (
    MUTATING,
    PENDING,
    Attempt,
    Description,
    cadf_event,
    final,
    outcome_of,
    reason_of,
    response_of,
)
from gateway.audit.store import AuditTrail
from gateway.problems import problem

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-openstack-request-id"
_STATE_KEY = "draas_audit"
# Bodies are read for their field names only; a larger one is not described.
_LONGEST_BODY = 64 * 1024


class Recorder:
    """Writes a request's audit event: its attempt ahead of a change, then its outcome; or the
    whole event at once."""

    def __init__(self, trail: AuditTrail, site: str) -> None:
        self.trail = trail
        self.site = site
        self._templates: frozenset[str] | None = None

    def templates(self, scope: Scope) -> frozenset[str]:
        """The paths of the app's published OpenAPI document (read once: routes do not change
        once serving)."""
        if self._templates is None:
            document = getattr(scope.get("app"), "openapi", None)
            self._templates = frozenset(document()["paths"]) if document else frozenset()
        return self._templates

    def _prepare(self, scope: Scope, attempt: Attempt) -> tuple[dict[str, Any], Description]:
        attempt.routed(scope)
        caller = (scope.get("state") or {}).get("caller")
        if caller is not None:
            attempt.caller = caller
        return cadf_event(attempt, self.site, self.templates(scope))

    def ahead(self, scope: Scope, attempt: Attempt) -> None:
        """Writes the attempt, outcome pending.

        :raises ServiceUnavailable: it could not be written (so nothing may be changed).
        """
        document, described = self._prepare(scope, attempt)
        try:
            self.trail.record(_row(attempt, described, document, PENDING, None))
        except (SQLAlchemyError, DraasError) as error:
            log.error(
                "audit: cannot record request %s (%s); refusing it",
                attempt.request_id,
                type(error).__name__,
            )
            raise ServiceUnavailable(
                "the audit trail cannot be written (its database does not answer), so nothing "
                "was changed; try again later"
            ) from None
        attempt.ahead = described

    def outcome(
        self, scope: Scope, attempt: Attempt, status: int, body: bytes, content_type: str
    ) -> bool:
        """Writes how the request ended; whether it was written (else it is logged)."""
        response = response_of(attempt, status, body, content_type)
        outcome, reason = outcome_of(status), reason_of(status)
        try:
            if attempt.ahead is not None:
                described = attempt.ahead
                answered = response.get("id") if described.target_id is None else None
                self.trail.record_outcome(
                    {
                        "event_id": attempt.event_id,
                        "outcome": outcome,
                        "status": status,
                        "target_id": attempt.scrub(str(answered))[:255] if answered else None,
                        "reason": reason,
                        "response": response,
                    }
                )
                return True
            document, described = self._prepare(scope, attempt)
            answered = response.get("id") if described.target_id is None else None
            document = final(document, outcome, reason, response, answered)
            self.trail.record(_row(attempt, described, document, outcome, status, answered))
            return True
        except (SQLAlchemyError, DraasError, ValueError) as error:
            log.error(
                "audit: the outcome of request %s was not recorded (%s): %s %s -> %d",
                attempt.request_id,
                type(error).__name__,
                attempt.method,
                attempt.scrub(attempt.path),
                status,
            )
            return False


def _row(
    attempt: Attempt,
    described: Description,
    document: dict[str, Any],
    outcome: str,
    status: int | None,
    answered: str | None = None,
) -> dict[str, Any]:
    caller = attempt.caller
    target = answered or described.target_id
    return {
        "id": attempt.event_id,
        "event_time": attempt.started,
        "project_id": attempt.project_id,
        "initiator_id": caller.user_id[:64] if caller else None,
        "action": described.action[:64],
        "target_type": described.target_type[:255],
        "target_id": attempt.scrub(target)[:255] if target else None,
        "request_id": attempt.request_id,
        "outcome": outcome,
        "status": status,
        "event": json.loads(attempt.scrub(json.dumps(document))),
    }


def before_change(request: Request) -> None:
    """Records the request's attempt before it changes anything (once per request; nothing for
    a request that changes nothing). Every route that changes something calls it first; the
    orchestrator client's accessor does (gateway/routes/common.py).

    :raises ServiceUnavailable: the attempt could not be recorded: change nothing.
    """
    state = request.scope.get("state") or {}
    found = state.get(_STATE_KEY)
    if found is None:
        return
    attempt, recorder = found
    if not attempt.written_ahead:
        recorder.ahead(request.scope, attempt)


class AuditMiddleware:
    """ASGI middleware: a request id on every response, an audit event for every changing
    request under /v1 (see the module)."""

    def __init__(self, app: App, trail: AuditTrail, site: str) -> None:
        self.app = app
        self.recorder = Recorder(trail, site)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req-{uuid.uuid4()}"
        if scope["method"] not in MUTATING or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, _identified(send, request_id))
            return
        attempt = Attempt.of(scope, request_id)
        scope.setdefault("state", {})[_STATE_KEY] = (attempt, self.recorder)
        held: list[Message] = []
        chunks: list[bytes] = []
        answered = False

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(attempt.body) < _LONGEST_BODY:
                attempt.body += message.get("body", b"")[: _LONGEST_BODY - len(attempt.body)]
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                held.append(message)
                return
            if message["type"] != "http.response.body" or answered:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            answered = True
            start, body = await self._finish(scope, attempt, held[0], b"".join(chunks))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if not answered:
                answered = True
                await anyio.to_thread.run_sync(self.recorder.outcome, scope, attempt, 500, b"", "")
            raise

    async def _finish(
        self, scope: Scope, attempt: Attempt, start: Message, body: bytes
    ) -> tuple[Message, bytes]:
        status = int(start["status"])
        headers = list(start.get("headers", []))
        content_type = next(
            (v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), ""
        )
        recorded = await anyio.to_thread.run_sync(
            self.recorder.outcome, scope, attempt, status, body, content_type
        )
        if not recorded and not attempt.written_ahead and status < 400:
            refused = problem(
                503,
                "the audit trail could not record this request; it may have been carried out: "
                "check before repeating it",
            )
            status, headers, body = 503, list(refused.raw_headers), bytes(refused.body)
        headers.append((REQUEST_ID_HEADER, attempt.request_id.encode()))
        return {**start, "status": status, "headers": headers}, body


def _identified(send: Send, request_id: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(k.lower() == REQUEST_ID_HEADER for k, _ in headers):
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending
