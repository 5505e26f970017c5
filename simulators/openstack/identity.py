"""Keystone v3: version discovery, password and token authentication with project scope, the
per-token service catalog, token validation, and the read-only admin lists."""

from __future__ import annotations

import time
import uuid
from typing import Any

from simulators.common.http import HttpRequest, HttpResponse
from simulators.openstack.errors import ApiError
from simulators.openstack.routing import Caller
from simulators.openstack.store import Project, Store, Token, User, iso

TOKEN_LIFETIME_S = 3600.0
SERVICES = (
    # type, name, path (appended to the base URL)
    ("identity", "keystone", "/identity"),
    ("compute", "nova", "/compute/v2.1"),
    ("block-storage", "cinder", "/volume/v3/{project_id}"),
    ("volumev3", "cinderv3", "/volume/v3/{project_id}"),
    ("network", "neutron", "/network"),
    ("image", "glance", "/image"),
)


def version_document(base_url: str) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": f"{base_url}/identity/v3/"}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
    }


def handle(store: Store, request: HttpRequest, base_url: str, path: str) -> HttpResponse:
    """Everything under /identity."""
    if path in ("", "/") and request.method == "GET":
        return HttpResponse(300, {"versions": {"values": [version_document(base_url)]}})
    if path in ("/v3", "/v3/") and request.method == "GET":
        return HttpResponse(200, {"version": version_document(base_url)})
    if path == "/v3/auth/tokens" and request.method == "POST":
        return _issue(store, request, base_url)
    caller = authenticate(store, request.header("x-auth-token"))
    if path == "/v3/auth/tokens":
        return _validate(store, request, caller, base_url)
    return _admin_lists(store, request, caller, path)


def authenticate(store: Store, token_id: str | None) -> Caller:
    """The caller behind a token.

    :raises ApiError: 401 for a missing, unknown or expired token.
    """
    with store.lock:
        token = store.tokens.get(token_id or "")
        if token is None or token.expires_at <= time.time():
            raise ApiError(401, "The request you have made requires authentication.")
        return Caller(
            token.user.id,
            token.user.name,
            token.project.id if token.project else None,
            tuple(token.roles),
            token.id,
        )


def _issue(store: Store, request: HttpRequest, base_url: str) -> HttpResponse:
    auth = (request.body or {}).get("auth") if isinstance(request.body, dict) else None
    if not isinstance(auth, dict):
        raise ApiError(400, "Expecting to find auth in the request body.")
    identity = auth.get("identity") or {}
    with store.lock:
        user = _identify(store, identity)
        project = _scope(store, auth.get("scope"), user)
        roles = user.roles.get(project.id, []) if project else []
        if project is not None and not roles:
            raise ApiError(401, f"User {user.name} has no access to project {project.name}.")
        now = time.time()
        token = Token(
            uuid.uuid4().hex,
            user,
            project,
            list(roles),
            now,
            now + TOKEN_LIFETIME_S,
            list(identity.get("methods") or ["password"]),
        )
        store.tokens[token.id] = token
        body = _token_body(store, token, base_url)
    return HttpResponse(201, body, {"X-Subject-Token": token.id})


def _identify(store: Store, identity: dict[str, Any]) -> User:
    methods = identity.get("methods") or []
    if "password" in methods:
        spec = (identity.get("password") or {}).get("user") or {}
        user = _find_user(store, spec)
        if user is None or spec.get("password") != user.password:
            raise ApiError(401, "The request you have made requires authentication.")
        return user
    if "token" in methods:
        existing = store.tokens.get((identity.get("token") or {}).get("id", ""))
        if existing is None or existing.expires_at <= time.time():
            raise ApiError(401, "The request you have made requires authentication.")
        return existing.user
    raise ApiError(401, "Unsupported authentication method.")


def _find_user(store: Store, spec: dict[str, Any]) -> User | None:
    if spec.get("id"):
        return store.users.get(spec["id"])
    domain = _domain_id(store, spec.get("domain") or {})
    return next(
        (u for u in store.users.values() if u.name == spec.get("name") and u.domain_id == domain),
        None,
    )


def _domain_id(store: Store, spec: dict[str, Any]) -> str | None:
    if spec.get("id"):
        return str(spec["id"])
    domain = store.domain_by_name(spec.get("name", ""))
    return domain.id if domain else None


def _scope(store: Store, scope: Any, user: User) -> Project | None:
    if not isinstance(scope, dict) or "project" not in scope:
        return None
    spec = scope["project"] or {}
    if spec.get("id"):
        project = store.projects.get(spec["id"])
    else:
        domain = _domain_id(store, spec.get("domain") or {})
        project = store.project_by_name(spec.get("name", ""), domain or "")
    if project is None:
        raise ApiError(401, "The project you asked to scope to does not exist.")
    return project


def _token_body(store: Store, token: Token, base_url: str) -> dict[str, Any]:
    user_domain = store.domains[token.user.domain_id]
    body: dict[str, Any] = {
        "methods": token.methods,
        "audit_ids": [uuid.uuid4().hex[:22]],
        "is_domain": False,
        "expires_at": iso(token.expires_at),
        "issued_at": iso(token.issued_at),
        "user": {
            "id": token.user.id,
            "name": token.user.name,
            "domain": {"id": user_domain.id, "name": user_domain.name},
            "password_expires_at": None,
        },
    }
    if token.project is not None:
        domain = store.domains[token.project.domain_id]
        body["project"] = {
            "id": token.project.id,
            "name": token.project.name,
            "domain": {"id": domain.id, "name": domain.name},
        }
        body["roles"] = [{"id": f"role-{name}", "name": name} for name in token.roles]
        body["catalog"] = catalog(store, base_url, token.project.id)
    return {"token": body}


def catalog(store: Store, base_url: str, project_id: str) -> list[dict[str, Any]]:
    """One endpoint per interface per service, all in this region: the simulated ones, then
    those registered from outside."""
    services = [
        (kind, name, base_url + path.format(project_id=project_id)) for kind, name, path in SERVICES
    ] + [(kind, name, url) for kind, (name, url) in sorted(store.endpoints.items())]
    return [
        {
            "id": f"svc-{name}",
            "type": kind,
            "name": name,
            "endpoints": [
                {
                    "id": f"ep-{name}-{interface}",
                    "interface": interface,
                    "region_id": store.region,
                    "region": store.region,
                    "url": url,
                }
                for interface in ("public", "internal", "admin")
            ],
        }
        for kind, name, url in services
    ]


def _validate(store: Store, request: HttpRequest, caller: Caller, base_url: str) -> HttpResponse:
    subject = request.header("x-subject-token") or ""
    with store.lock:
        token = store.tokens.get(subject)
        if token is None or token.expires_at <= time.time():
            raise ApiError(404, "Could not find token.")
        if request.method == "DELETE":
            del store.tokens[subject]
            return HttpResponse(204)
        if subject != caller.token and not caller.is_admin:
            raise ApiError(403, "You are not authorized to validate other users' tokens.")
        if request.method == "HEAD":
            return HttpResponse(200, headers={"X-Subject-Token": subject})
        if request.method == "GET":
            return HttpResponse(
                200, _token_body(store, token, base_url), {"X-Subject-Token": subject}
            )
    raise ApiError(405, "Method not allowed.")


def _admin_lists(store: Store, request: HttpRequest, caller: Caller, path: str) -> HttpResponse:
    if request.method != "GET":
        raise ApiError(403, "The simulator's Keystone is configured, not changed, through its API.")
    with store.lock:
        if path == "/v3/auth/projects":
            user = store.users[caller.user_id]
            return HttpResponse(
                200, {"projects": [_project(store.projects[p]) for p in user.roles]}
            )
        if not caller.is_admin:
            raise ApiError(403, "You are not authorized to perform the requested action.")
        lists = {
            "/v3/projects": ("projects", [_project(p) for p in store.projects.values()]),
            "/v3/users": (
                "users",
                [
                    {"id": u.id, "name": u.name, "domain_id": u.domain_id, "enabled": True}
                    for u in store.users.values()
                ],
            ),
            "/v3/domains": (
                "domains",
                [{"id": d.id, "name": d.name, "enabled": True} for d in store.domains.values()],
            ),
            "/v3/roles": (
                "roles",
                [{"id": f"role-{r}", "name": r} for r in ("admin", "member", "reader")],
            ),
        }
        if path in lists:
            key, items = lists[path]
            name = request.query.get("name")
            return HttpResponse(200, {key: [i for i in items if not name or i["name"] == name]})
        for prefix, key in (("/v3/projects/", "project"), ("/v3/users/", "user")):
            if path.startswith(prefix):
                found = _by_id(store, key, path[len(prefix) :])
                return HttpResponse(200, {key: found})
    raise ApiError(404, f"Could not find {path}.")


def _by_id(store: Store, kind: str, key: str) -> dict[str, Any]:
    if kind == "project" and key in store.projects:
        return _project(store.projects[key])
    if kind == "user" and key in store.users:
        user = store.users[key]
        return {"id": user.id, "name": user.name, "domain_id": user.domain_id, "enabled": True}
    raise ApiError(404, f"Could not find {kind}: {key}.")


def _project(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": True,
        "is_domain": False,
        "parent_id": project.domain_id,
        "tags": [],
    }
