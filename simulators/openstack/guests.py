"""What runs inside the region's servers, reached as a real deployment reaches tenant networks
from its control plane: through an HTTP CONNECT proxy (a bastion) into them.

A server runs the services its metadata names, as its image would: `sim:services` is a
comma-separated list of PORT=KIND, KIND being `tcp` (accepts connections), `http` (answers
every GET with 200 and "<server name> is up") or `http-NNN` (answers with status NNN). Only an
ACTIVE server answers; a CONNECT to an address no ACTIVE server holds, or to a port it runs
nothing on, is refused as a real network would refuse it (502 from the proxy).

The proxy resolves a fixed IP to the newest ACTIVE server holding it (a test failover's copy
of a VM has the VM's own addresses, on its isolated networks).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from typing import Any

from simulators.openstack.compute import refresh
from simulators.openstack.store import Server, Store

log = logging.getLogger(__name__)

SERVICES_KEY = "sim:services"
# How long a guest waits for a request (or a TCP client for nothing) before closing.
IDLE_SECONDS = 5.0


def services_of(server: Server) -> dict[int, str]:
    """Port -> kind of the services the server runs (from its metadata)."""
    found: dict[int, str] = {}
    for item in server.metadata.get(SERVICES_KEY, "").split(","):
        port, _, kind = item.strip().partition("=")
        if port.isdigit() and kind:
            found[int(port)] = kind.strip()
    return found


class GuestProxy:
    """An HTTP CONNECT proxy on host:port into the region's servers."""

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = store
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._connect(self.connection, self.rfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="guest-proxy", daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> GuestProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _connect(self, connection: socket.socket, reader: Any) -> None:
        connection.settimeout(IDLE_SECONDS)
        try:
            request = reader.readline(8192).decode("latin-1").split()
            while reader.readline(8192).strip():
                pass  # the CONNECT's headers
        except OSError:
            return
        if len(request) != 3 or request[0] != "CONNECT" or ":" not in request[1]:
            connection.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        address, _, port_text = request[1].rpartition(":")
        server = self._server_at(address)
        kind = services_of(server).get(int(port_text)) if server and port_text.isdigit() else None
        if server is None or kind is None:
            connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with contextlib.suppress(OSError):
            if kind == "tcp":
                reader.read(1)  # hold the connection until the client closes it
            else:
                _answer_http(connection, reader, server.name, kind)

    def _server_at(self, address: str) -> Server | None:
        with self.store.lock:
            holders = []
            for server in self.store.servers.values():
                refresh(server)
                if server.vm_state != "active":
                    continue
                for port_id in server.port_ids:
                    port = self.store.ports.get(port_id)
                    if port and any(ip.get("ip_address") == address for ip in port.fixed_ips):
                        holders.append(server)
            return max(holders, key=lambda s: s.created_at) if holders else None


def _answer_http(connection: socket.socket, reader: Any, name: str, kind: str) -> None:
    line = reader.readline(8192)
    while reader.readline(8192).strip():
        pass
    status = int(kind.removeprefix("http-")) if kind.startswith("http-") else 200
    body = f"{name} is up\n".encode() if status == 200 else f"{name} failed\n".encode()
    if not line:
        return
    head = (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    connection.sendall(head.encode() + body)
