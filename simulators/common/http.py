"""A small threaded HTTP/1.1 server for the simulators.

An `App` is a callable taking the request and returning (status, JSON body, headers). The
listener negotiates TLS (when given a context) in each connection's own thread, answers with
TCP_NODELAY (headers and body are separate writes; without it every reply waits for the
client's delayed ACK), echoes X-Request-ID, and can be stopped and started again on the same
port: stopping closes the socket and every open connection, so clients see a dead service.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)


@dataclass
class HttpRequest:
    """One request as the apps see it."""

    method: str
    path: str
    query: dict[str, str]
    # Repeated query keys keep every value, in order.
    query_lists: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw_query: str = ""
    request_id: str = ""
    # The body was sent but is not JSON; the app answers in its own error format.
    malformed_body: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class HttpResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


App = Callable[[HttpRequest], HttpResponse]


class BadBody(ValueError):
    """The request body is not JSON."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        tls: ssl.SSLContext | None,
    ) -> None:
        self.tls = tls
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection = request
        self._track(request)
        try:
            if self.tls is not None:
                connection = self.tls.wrap_socket(request, server_side=True)
                self._track(connection)
            super().finish_request(connection, client_address)
        except (ssl.SSLError, OSError):
            pass  # the client went away or could not speak TLS: nothing to answer
        finally:
            with self.sockets_lock:
                self.open_sockets.discard(request)
                self.open_sockets.discard(connection)
            if connection is not request:
                connection.close()

    def _track(self, sock: socket.socket) -> None:
        with self.sockets_lock:
            self.open_sockets.add(sock)

    def drop_connections(self) -> None:
        with self.sockets_lock:
            for sock in list(self.open_sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class Listener:
    """Serves one app on host:port (port 0 picks a free port the first time)."""

    def __init__(
        self, app: App, host: str, port: int, tls: ssl.SSLContext | None, name: str
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.tls = tls
        self.name = name
        self._server: _Server | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.address}"

    @property
    def serving(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        self._server = _Server((self.host, self.port), _handler_for(self.app), self.tls)
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sim-{self.name}",
            daemon=True,
        ).start()

    def stop(self) -> None:
        """Stops listening and drops every open connection."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.shutdown()
        server.server_close()
        server.drop_connections()


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.app = staticmethod(app)
    return Handler


class _Handler(BaseHTTPRequestHandler):
    app: App
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        request_id = self.headers.get("X-Request-ID") or f"req-{uuid.uuid4()}"
        url = urlsplit(self.path)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        lists: dict[str, list[str]] = {}
        for key, value in pairs:
            lists.setdefault(key, []).append(value)
        malformed = False
        try:
            body = self._read_body()
        except BadBody:
            body, malformed = None, True
        request = HttpRequest(
            method=method,
            path=url.path,
            query=dict(pairs),
            query_lists=lists,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw_query=url.query,
            request_id=request_id,
            malformed_body=malformed,
        )
        try:
            response = self.app(request)
        except Exception:
            log.exception("simulator failed on %s %s", method, self.path)
            response = HttpResponse(500, {"error": {"code": 500, "message": "simulator bug"}})
        self._reply(response, request_id, method == "HEAD")

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise BadBody from None

    def _reply(self, response: HttpResponse, request_id: str, head: bool) -> None:
        data = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        if response.body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", request_id)
        self.send_header("X-Openstack-Request-Id", request_id)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)
