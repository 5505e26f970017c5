"""Running hooks and application checks. Recovered VMs sit on tenant networks that the
orchestrator cannot reach by itself: with `guest_proxy` set (host:port of an HTTP CONNECT
proxy into them, as a bastion), TCP and HTTP checks go through it; without, directly."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpx

from services.orchestrator.checks.config import AppCheck, Hook

# The most of an answer kept as a check's output.
MAX_OUTPUT = 400
RETRY_PAUSE_SECONDS = 1.0


@dataclass(frozen=True)
class Result:
    """One hook call or check: whether it passed, what it said, how long it took."""

    name: str
    passed: bool
    output: str
    seconds: float
    on_failure: str = "fail"

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "output": self.output,
            "seconds": round(self.seconds, 3),
            "on_failure": self.on_failure,
        }


def call_hook(hook: Hook, payload: dict[str, Any]) -> Result:
    """POSTs the payload (JSON) to the hook, tried 1 + retries times; passed on a 2xx."""
    started = time.monotonic()
    output = ""
    for attempt in range(hook.retries + 1):
        if attempt:
            time.sleep(RETRY_PAUSE_SECONDS)
        try:
            answer = httpx.post(
                hook.url, json=payload, timeout=hook.timeout_seconds, follow_redirects=False
            )
        except httpx.HTTPError as error:
            output = f"{type(error).__name__}: {error}"
            continue
        output = f"HTTP {answer.status_code}: {answer.text[:MAX_OUTPUT]}".strip()
        if answer.is_success:
            return Result(hook.name, True, output, time.monotonic() - started, hook.on_failure)
    return Result(hook.name, False, output, time.monotonic() - started, hook.on_failure)


def run_check(check: AppCheck, addresses: list[str], proxy: str, payload: dict[str, Any]) -> Result:
    """Tries the check until it passes or its timeout is over (an application takes a while
    to start after its server boots)."""
    started = time.monotonic()
    deadline = started + check.timeout_seconds
    output = "not tried"
    while True:
        left = max(0.5, deadline - time.monotonic())
        passed, output = _once(check, addresses, proxy, payload, min(left, 10.0))
        if passed or time.monotonic() >= deadline:
            return Result(check.name, passed, output, time.monotonic() - started, check.on_failure)
        time.sleep(min(RETRY_PAUSE_SECONDS, max(0.0, deadline - time.monotonic())))


def _once(
    check: AppCheck, addresses: list[str], proxy: str, payload: dict[str, Any], timeout: float
) -> tuple[bool, str]:
    if check.type == "hook":
        return _hook_check(check, payload, timeout)
    if not addresses:
        return False, "the VM has no address to check"
    address = addresses[0]
    try:
        with _connect(address, check.port, proxy, timeout) as connection:
            if check.type == "tcp":
                return True, f"{address}:{check.port} accepts connections"
            return _http_check(check, connection, address)
    except (OSError, CheckError) as error:
        return False, f"{address}:{check.port}: {error}"


def _hook_check(check: AppCheck, payload: dict[str, Any], timeout: float) -> tuple[bool, str]:
    try:
        answer = httpx.post(check.url, json=payload, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        return False, f"{type(error).__name__}: {error}"
    if not answer.is_success:
        return False, f"HTTP {answer.status_code}: {answer.text[:MAX_OUTPUT]}"
    try:
        verdict = answer.json()
    except ValueError:
        return True, answer.text[:MAX_OUTPUT]
    if isinstance(verdict, dict) and "passed" in verdict:
        return bool(verdict["passed"]), str(verdict.get("output", ""))[:MAX_OUTPUT]
    return True, json.dumps(verdict)[:MAX_OUTPUT]


def _http_check(check: AppCheck, connection: socket.socket, address: str) -> tuple[bool, str]:
    connection.sendall(
        f"GET {check.path} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: draas-check/1\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    answer = _read_all(connection)
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return False, f"not an HTTP answer: {status_line[:80]!r}"
    text = body.decode("utf-8", "replace")
    output = f"{status_line}: {text[:MAX_OUTPUT]}".strip()
    if int(parts[1]) != check.expect_status:
        return False, f"expected {check.expect_status}, got {output}"
    if check.expect_text and check.expect_text not in text:
        return False, f"{check.expect_text!r} not in the answer ({output})"
    return True, output


class CheckError(Exception):
    """The proxy refused, or the answer was not what a check can read."""


def _connect(address: str, port: int, proxy: str, timeout: float) -> socket.socket:
    if not proxy:
        return socket.create_connection((address, port), timeout=timeout)
    host, _, proxy_port = proxy.rpartition(":")
    connection = socket.create_connection((host, int(proxy_port)), timeout=timeout)
    try:
        connection.sendall(
            f"CONNECT {address}:{port} HTTP/1.1\r\nHost: {address}:{port}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            chunk = connection.recv(1024)
            if not chunk:
                break
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        if " 200 " not in f"{status} ":
            raise CheckError(f"no route to it ({status or 'the proxy closed'})")
    except BaseException:
        connection.close()
        raise
    return connection


def _read_all(connection: socket.socket, limit: int = 65536) -> bytes:
    data = b""
    while len(data) < limit:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
