"""Who is calling: the `X-Auth-Token` validated against the site's Keystone (kept briefly), the
project it is scoped to, and what its roles allow."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from common.errors import InvalidArgument, PermissionDenied, ServiceUnavailable, Unauthenticated

# Keystone tokens are short printable ASCII; anything else is refused without asking Keystone.
_LONGEST_TOKEN = 8192


@dataclass(frozen=True)
class Roles:
    """Which Keystone roles may change things and which make an admin (the rest only read)."""

    admin: frozenset[str]
    member: frozenset[str]


@dataclass(frozen=True)
class Caller:
    """A validated token's user, project and roles, and what those allow."""

    user_id: str
    project_id: str
    roles: frozenset[str]
    expires_at: float
    is_admin: bool = False
    may_write: bool = False
    user_name: str = ""

    def require_write(self) -> None:
        """:raises PermissionDenied: a reader (or a role that may not change anything)."""
        if not self.may_write:
            raise PermissionDenied(
                "your roles in this project only allow reading (a member or admin role may "
                "change it)"
            )

    def listing(self, all_projects: bool, project_id: str | None) -> str:
        """The project a list is of (see acting_in); with all_projects, an admin's every one.

        :raises PermissionDenied: all_projects, or another project, asked by a non-admin.
        :raises InvalidArgument: both all_projects and a project_id.
        """
        if all_projects:
            self.require_admin("all_projects")
            if project_id:
                raise InvalidArgument(
                    "project_id", "names one project; all_projects lists every one: give one"
                )
        return self.acting_in(project_id)

    def acting_in(self, project_id: str | None) -> str:
        """The project a request acts in: the token's own, or for an admin the one it names.

        :raises PermissionDenied: a non-admin names another project.
        """
        if not project_id or project_id == self.project_id:
            return self.project_id
        if not self.is_admin:
            raise PermissionDenied("project_id: only an admin may act in another project")
        return project_id

    def require_admin(self, what: str) -> None:
        """:raises PermissionDenied: the caller is not an admin."""
        if not self.is_admin:
            raise PermissionDenied(f"{what}: only an admin may")


class KeystoneTokens:
    """Validates tokens against Keystone (`GET /v3/auth/tokens`, the token validating itself),
    keeping each result for `cache_seconds` (never past the token's expiry); only a digest of a
    token is kept."""

    def __init__(
        self, keystone_url: str, cache_seconds: float, roles: Roles, verify: str | bool = True
    ) -> None:
        self._url = keystone_url.rstrip("/")
        self._roles = roles
        self._cache_seconds = cache_seconds
        self._client = httpx.Client(timeout=10.0, verify=verify)
        self._cache: dict[str, tuple[Caller, float]] = {}
        self._lock = threading.Lock()

    def caller(self, token: str | None) -> Caller:
        """:raises Unauthenticated: no token, or Keystone does not accept it.
        :raises PermissionDenied: the token is not scoped to a project.
        :raises ServiceUnavailable: Keystone does not answer."""
        if not token:
            raise Unauthenticated("X-Auth-Token is required: a Keystone token scoped to a project")
        if len(token) > _LONGEST_TOKEN or not (token.isascii() and token.isprintable()):
            raise Unauthenticated("X-Auth-Token is not a Keystone token")
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.time()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[1] > now:
                return cached[0]
        caller = self._validate(token)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
            self._cache[key] = (caller, min(now + self._cache_seconds, caller.expires_at))
        return caller

    def _get_validation(self, token: str) -> httpx.Response:
        def get() -> httpx.Response:
            return self._client.get(
                f"{self._url}/auth/tokens",
                headers={"X-Auth-Token": token, "X-Subject-Token": token},
            )

        try:
            try:
                return get()
            except httpx.RemoteProtocolError:
                # The kept-alive connection closed as the request went out (see
                # common.keepalive): a validation is a GET, sent once more on a new connection.
                return get()
        except httpx.HTTPError as error:
            raise ServiceUnavailable(
                f"Keystone at {self._url} does not answer ({type(error).__name__})"
            ) from None

    def _validate(self, token: str) -> Caller:
        response = self._get_validation(token)
        if 400 <= response.status_code < 500:
            raise Unauthenticated("the token is not valid (expired, revoked or unknown)")
        if response.status_code != 200:
            raise ServiceUnavailable(f"Keystone answered {response.status_code} to a validation")
        body = response.json()["token"]
        project = (body.get("project") or {}).get("id")
        if not project:
            raise PermissionDenied("the token is not scoped to a project; scope it to one")
        roles = frozenset(str(r["name"]) for r in body.get("roles", []))
        return Caller(
            user_id=str(body["user"]["id"]),
            project_id=str(project),
            roles=roles,
            expires_at=_timestamp(str(body["expires_at"])),
            is_admin=bool(roles & self._roles.admin),
            may_write=bool(roles & (self._roles.admin | self._roles.member)),
            user_name=str(body["user"].get("name") or ""),
        )

    def close(self) -> None:
        self._client.close()


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
