"""The draas REST gateway over HTTP: JSON requests, problem documents as `GatewayError`, paged
lists, and an operation's progress stream (server-sent events) that survives a gateway restart."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from cli.errors import CliError, GatewayError, Unreachable
from cli.sse import SseEvent, StreamBroken, follow

# The events endpoint is quiet while a long step runs; after this long without a byte the
# stream is opened again (from the last event), which also notices a gateway that went away.
STREAM_SILENCE_SECONDS = 60.0
_RETRYABLE_STATUSES = frozenset({502, 503, 504})


def problem_error(status: int, reason: str, content_type: str, body: bytes) -> GatewayError:
    """The error a gateway response with an error status stands for: its problem document's
    title and detail, or just the status when the body is not one (a proxy's page)."""
    document: Any = None
    if "json" in content_type:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
    if not isinstance(document, dict):
        return GatewayError(status, reason or "Error", "")
    invalid = document.get("invalid_params") or []
    return GatewayError(
        status,
        str(document.get("title") or reason or "Error"),
        str(document.get("detail") or ""),
        tuple(str(item) for item in invalid) if isinstance(invalid, list) else (),
    )


def shown_url(url: str) -> str:
    """A URL fit for a message: without any user or password in it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def segment(value: str) -> str:
    """`value` as one path segment."""
    return quote(value, safe="")


class GatewayClient:
    """Calls the gateway at `base_url` (its root; a trailing `/v1` is tolerated) with a
    Keystone token."""

    def __init__(
        self, base_url: str, token: str, verify: bool | str = True, timeout: float = 60.0
    ) -> None:
        root = base_url.rstrip("/").removesuffix("/v1")
        try:
            self.url = shown_url(root)
            if urlsplit(root).scheme not in ("http", "https"):
                raise ValueError("not http(s)")
        except ValueError:
            raise Unreachable(
                "the draas gateway's URL is not an http(s) URL: check --draas-url (DRAAS_URL) "
                "or the catalog's disaster-recovery endpoint"
            ) from None
        try:
            tls: ssl.SSLContext | bool = (
                ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
            )
        except (OSError, ssl.SSLError) as error:
            raise Unreachable(
                f"cannot use the CA file {verify} ({type(error).__name__}): check --os-cacert "
                "(OS_CACERT)"
            ) from None
        self._http = httpx.Client(
            base_url=root,
            headers={"X-Auth-Token": token, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=10.0),
            verify=tls,
        )

    def close(self) -> None:
        """Closes the connections."""
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The decoded JSON answer (None for an empty one).

        :raises GatewayError: an error status.
        :raises Unreachable: no answer.
        """
        try:
            response = self._http.request(method, path, params=params, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise self._unreachable(error) from None
        if response.status_code >= 400:
            raise problem_error(
                response.status_code,
                response.reason_phrase,
                response.headers.get("content-type", ""),
                response.content,
            )
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CliError(
                f"the gateway at {self.url} answered {path} with something not JSON"
            ) from None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `path`."""
        return self.request("GET", path, params=params)

    def get_text(self, path: str, params: dict[str, Any] | None = None) -> str:
        """GET `path` as text (e.g. a CSV export), not JSON.

        :raises GatewayError: an error status.
        :raises Unreachable: no answer.
        """
        try:
            response = self._http.get(path, params=params, headers={"Accept": "*/*"})
        except httpx.HTTPError as error:
            raise self._unreachable(error) from None
        if response.status_code >= 400:
            raise problem_error(
                response.status_code,
                response.reason_phrase,
                response.headers.get("content-type", ""),
                response.content,
            )
        return response.text

    def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """POST `body` (a JSON object) to `path`, under an idempotency key if given."""
        sent = dict(headers or {})
        if idempotency_key:
            sent["Idempotency-Key"] = idempotency_key
        return self.request("POST", path, body=body if body is not None else {}, headers=sent)

    def delete(self, path: str) -> Any:
        """DELETE `path`."""
        return self.request("DELETE", path)

    def pages(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a paged list, following `next_page_token` to the end."""
        items: list[Any] = []
        query = dict(params or {})
        while True:
            page = self.get(path, query) or {}
            items.extend(page.get(key) or [])
            token = page.get("next_page_token") or ""
            if not token:
                return items
            query["page_token"] = token

    def events(self, operation_id: str, after: int = 0) -> Iterator[SseEvent]:
        """An operation's progress events after sequence `after`, through its `end` event,
        reconnecting when the stream drops."""
        return follow(lambda since: self._event_lines(operation_id, since), after)

    def _event_lines(self, operation_id: str, after: int) -> Iterator[str]:
        path = f"/v1/operations/{segment(operation_id)}/events"
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(after)}
        timeout = httpx.Timeout(10.0, read=STREAM_SILENCE_SECONDS)
        try:
            with self._http.stream(
                "GET", path, params={"after": after}, headers=headers, timeout=timeout
            ) as response:
                if response.status_code in _RETRYABLE_STATUSES:
                    raise StreamBroken(f"the gateway answered {response.status_code}")
                if response.status_code >= 400:
                    response.read()
                    raise problem_error(
                        response.status_code,
                        response.reason_phrase,
                        response.headers.get("content-type", ""),
                        response.content,
                    )
                yield from response.iter_lines()
        except httpx.ReadTimeout:
            return
        except httpx.HTTPError as error:
            raise StreamBroken(_describe(error)) from None

    def _unreachable(self, error: httpx.HTTPError) -> Unreachable:
        return Unreachable(
            f"cannot reach the draas gateway at {self.url} ({_describe(error)}); check "
            "--draas-url / DRAAS_URL, or the disaster-recovery endpoint in the Keystone catalog"
        )


def _describe(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "connection failed: " + (str(error) or "refused")
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
