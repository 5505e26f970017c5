"""Requests that go out on a kept-alive connection just as the server closes it.

HTTP/1.1 lets a server close an idle persistent connection at any moment (Apache's and
HAProxy's keep-alive timeouts in front of every OpenStack API do); a request sent on it at that
instant gets no answer at all ("Remote end closed connection without response"). RFC 9112
§9.3.1 lets a client send an idempotent request again on a new connection. urllib3, as requests
and keystoneauth configure it, never does, so one such moment failed a whole step of a failover.
The policy here sends GET, HEAD, PUT, DELETE and OPTIONS once more when their connection closed
before any answer, and changes nothing else: a POST, a refused connection and a slow answer
fail as they did.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from keystoneauth1.session import TCPKeepAliveAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry


class _ReplayDropped(Retry):
    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> _ReplayDropped:
        if isinstance(error, ReadTimeoutError):
            # A slow answer is not a dropped connection: it times out as it would have.
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def replay_dropped() -> Retry:
    """urllib3's retry policy for one more try of an idempotent request whose connection closed
    before any answer; every other failure is raised as without retries."""
    return _ReplayDropped(
        total=None, connect=0, read=1, redirect=0, status=0, other=0, raise_on_status=False
    )


def replaying_adapter(**kwargs: Any) -> TCPKeepAliveAdapter:
    """keystoneauth's pooled adapter (what an SDK session mounts) with `replay_dropped`."""
    return TCPKeepAliveAdapter(max_retries=replay_dropped(), **kwargs)
