"""A request that goes out as the server closes its connection, over real sockets: idempotent
requests are sent once more (common.keepalive, the gateway's token validation), a POST and a
slow answer fail as they did."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from common.errors import ServiceUnavailable
from common.keepalive import replaying_adapter
from gateway.auth import KeystoneTokens, Roles

TOKEN_BODY = {
    "token": {
        "user": {"id": "u1", "name": "alice"},
        "project": {"id": "p1"},
        "roles": [{"name": "member"}],
        "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
}


class ScriptedServer:
    """An HTTP/1.1 server on 127.0.0.1 that treats the n-th request as `script[n]` says (the
    last entry repeats): "drop" closes the connection without an answer, "slow" answers after
    a second, "answer" answers 200 at once. Each connection carries one request."""

    def __init__(self, script: list[str]) -> None:
        self.script = script
        self.requests: list[str] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode()
                length = 0
                while (header := self.rfile.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                self.rfile.read(length)
                server.requests.append(line.split(" ")[0])
                how = server.script[min(len(server.requests), len(server.script)) - 1]
                if how == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if how == "slow":
                    time.sleep(1.0)
                body = json.dumps(TOKEN_BODY).encode()
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def serve() -> Iterator[list[ScriptedServer]]:
    made: list[ScriptedServer] = []
    yield made
    for server in made:
        server.close()


def _replaying() -> requests.Session:
    session = requests.Session()
    session.mount("http://", replaying_adapter())
    return session


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_idempotent_request_is_sent_once_more_when_its_connection_drops(serve, method):
    server = ScriptedServer(["drop", "answer"])
    serve.append(server)
    response = _replaying().request(method, f"{server.url}/v3/thing", json={"a": 1}, timeout=5)
    assert response.status_code == 200
    assert server.requests == [method, method]


def test_a_post_is_not_sent_again(serve):
    server = ScriptedServer(["drop", "answer"])
    serve.append(server)
    with pytest.raises(requests.ConnectionError, match="closed connection without response"):
        _replaying().post(f"{server.url}/v3/thing", json={"a": 1}, timeout=5)
    assert server.requests == ["POST"]


def test_only_once_and_a_slow_answer_is_not_sent_again(serve):
    dropping = ScriptedServer(["drop"])
    slow = ScriptedServer(["slow", "answer"])
    serve.extend([dropping, slow])
    with pytest.raises(requests.ConnectionError):
        _replaying().get(f"{dropping.url}/v3/thing", timeout=5)
    assert dropping.requests == ["GET", "GET"]
    with pytest.raises(requests.ReadTimeout):
        _replaying().get(f"{slow.url}/v3/thing", timeout=0.3)
    assert slow.requests == ["GET"]


def test_without_the_policy_the_dropped_request_fails(serve):
    server = ScriptedServer(["drop", "answer"])
    serve.append(server)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/v3/thing", timeout=5)


def test_the_gateway_validates_a_token_again_when_keystone_drops_the_connection(serve):
    roles = Roles(admin=frozenset({"admin"}), member=frozenset({"member"}))
    flaky = ScriptedServer(["drop", "answer"])
    down = ScriptedServer(["drop"])
    serve.extend([flaky, down])
    caller = KeystoneTokens(f"{flaky.url}/v3", 60, roles).caller("a-token")
    assert (caller.user_id, caller.project_id, caller.may_write) == ("u1", "p1", True)
    assert flaky.requests == ["GET", "GET"]
    with pytest.raises(ServiceUnavailable, match="does not answer"):
        KeystoneTokens(f"{down.url}/v3", 60, roles).caller("a-token")
    assert down.requests == ["GET", "GET"]
