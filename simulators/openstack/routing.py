"""Routes by method and path pattern, and the context a handler gets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.common.http import HttpRequest, HttpResponse
from simulators.openstack.errors import ApiError, bad_request, forbidden
from simulators.openstack.store import Store


@dataclass(frozen=True)
class Caller:
    """Who a token belongs to."""

    user_id: str
    user_name: str
    project_id: str | None
    roles: tuple[str, ...]
    token: str

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def can_write(self) -> bool:
        return "admin" in self.roles or "member" in self.roles


@dataclass
class Call:
    """One authenticated API call, under the store's lock."""

    request: HttpRequest
    caller: Caller
    store: Store
    microversion: tuple[int, int]
    base_url: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> dict[str, Any]:
        return self.request.body if isinstance(self.request.body, dict) else {}

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def at_least(self, major: int, minor: int) -> bool:
        return self.microversion >= (major, minor)

    def project(self) -> str:
        """The caller's project; a request needing one without it is refused."""
        if self.caller.project_id is None:
            raise forbidden("A project-scoped token is required.")
        return self.caller.project_id

    def require_write(self) -> None:
        if not self.caller.can_write:
            raise forbidden("The reader role cannot change anything.")

    def require_admin(self) -> None:
        if not self.caller.is_admin:
            raise forbidden("Policy doesn't allow this operation to be performed (admin only).")

    def member(self, key: str, kind: type[Any] = dict) -> Any:
        """A top-level key of the body, e.g. {"server": {...}}."""
        value = self.body.get(key)
        if not isinstance(value, kind):
            raise bad_request(f"Missing or malformed '{key}' in the request body.")
        return value

    def flag(self, name: str) -> bool:
        value = self.query.get(name, "")
        return value.lower() in ("1", "true", "yes", "on")


Handler = Callable[[Call], HttpResponse]


class Router:
    """Patterns such as "/servers/{id}" matched in the order added."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "/?$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method, regex, handler))
            return handler

        return register

    @classmethod
    def joined(cls, *routers: Router) -> Router:
        """One router with the routes of each, in order (one service's API from its modules)."""
        joined = cls()
        for router in routers:
            joined._routes.extend(router._routes)
        return joined

    def dispatch(self, call: Call, path: str) -> HttpResponse:
        allowed = False
        for method, regex, handler in self._routes:
            match = regex.match(path)
            if match:
                if method == call.request.method:
                    call.params = match.groupdict()
                    return handler(call)
                allowed = True
        if allowed:
            raise ApiError(405, f"Method {call.request.method} is not allowed for {path}.")
        raise ApiError(404, f"The resource {path} could not be found.")


def ok(body: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, body, headers or {})
