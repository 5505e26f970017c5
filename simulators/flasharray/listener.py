"""HTTPS listeners: one per simulated array (REST 2.x and the control API), and a plain-HTTP one
for the control API alone. TLS is negotiated in the connection's own thread, so a slow client
never holds up the others; an array taken offline closes its socket and every open connection,
so clients see it refuse, as a dead array does."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from simulators.flasharray import control, rest
from simulators.flasharray.errors import ArrayApiError
from simulators.flasharray.fabric import Fabric, SimArray

log = logging.getLogger(__name__)

# py-pure-client picks the newest version it knows from the end of this list.
API_VERSIONS = ["1.19"] + [f"2.{n}" for n in range(0, 37)]
_MAX_MINOR = 36


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


class Endpoint:
    """One listener. `array` is None for the control-only listener."""

    def __init__(
        self,
        fabric: Fabric,
        array: SimArray | None,
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        set_online: Callable[[str, bool], None],
    ) -> None:
        self.fabric = fabric
        self.array = array
        self.host = host
        self.port = port
        self.tls = tls
        self.set_online = set_online
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> None:
        """Binds (the configured port, or a free one the first time) and serves."""
        self._server = _Server((self.host, self.port), _handler_for(self), self.tls)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fa-sim-{self.array.name if self.array else 'control'}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stops listening and drops every open connection."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        self._server = None


def _handler_for(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.endpoint = endpoint
    return Handler


class _Handler(BaseHTTPRequestHandler):
    endpoint: Endpoint
    protocol_version = "HTTP/1.1"
    server_version = "Purity"
    # Headers and body go out in separate writes; without this each reply waits for the
    # client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        request_id = self.headers.get("X-Request-ID") or str(uuid.uuid4())
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError:
            self._reply(
                400, {"errors": [{"message": "Request body is not valid JSON."}]}, request_id
            )
            return
        endpoint = self.endpoint
        if url.path.startswith(control.PREFIX):
            query = dict(rest.Request.parse(method, url.path, url.query, body).query)
            status, payload = control.handle(
                endpoint.fabric, endpoint.set_online, method, url.path, query, body
            )
            self._reply(status, payload, request_id)
            return
        array = endpoint.array
        if array is None:
            self._reply(404, {"errors": [{"message": "This is the control endpoint."}]}, request_id)
            return
        if array.latency_s:
            time.sleep(array.latency_s)
        with endpoint.fabric.lock:
            injection = array.injection
            fires = injection is not None and injection.fires(url.path, endpoint.fabric.draw)
        if fires and injection is not None:
            error = ArrayApiError(injection.message, status=injection.status)
            self._reply(injection.status, error.body(), request_id)
            return
        status, payload, headers = self._api(method, url.path, url.query, body, array)
        self._reply(status, payload, request_id, headers)

    def _api(
        self, method: str, path: str, query: str, body: Any, array: SimArray
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/api/api_version" and method == "GET":
            return 200, {"version": API_VERSIONS}, {}
        version, _, resource = path.removeprefix("/api/").partition("/")
        resource = "/" + resource
        if not path.startswith("/api/") or not _supported(version):
            return 404, {"errors": [{"message": f"Unsupported API path {path}."}]}, {}
        if resource == "/login" and method == "POST":
            if self.headers.get("api-token") != array.api_token:
                return 401, {"errors": [{"message": "Invalid API token."}]}, {}
            session = uuid.uuid4().hex
            with self.endpoint.fabric.lock:
                array.sessions.add(session)
            return 200, {"items": [{"username": "pureuser"}]}, {"x-auth-token": session}
        token = self.headers.get("x-auth-token")
        with self.endpoint.fabric.lock:
            authenticated = token is not None and token in array.sessions
            if resource == "/logout" and method == "POST":
                array.sessions.discard(token or "")
                return 200, {}, {}
        if not authenticated:
            return 401, {"errors": [{"message": "Authentication failed: log in again."}]}, {}
        try:
            return (
                200,
                rest.handle(
                    self.endpoint.fabric, array, rest.Request.parse(method, resource, query, body)
                ),
                {},
            )
        except ArrayApiError as error:
            return error.status, error.body(), {}

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else {}

    def _reply(
        self, status: int, payload: Any, request_id: str, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", request_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _supported(version: str) -> bool:
    major, _, minor = version.partition(".")
    return major == "2" and minor.isdigit() and int(minor) <= _MAX_MINOR
