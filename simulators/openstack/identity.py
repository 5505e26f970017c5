"""Keystone v3: version discovery, password and token authentication with project scope (a
domain or system scope is refused: nobody holds a role there), the per-token service catalog,
token validation, the projects and domains a token may scope to (`/v3/auth/projects`,
`/v3/auth/domains`, `/v3/users/{id}/projects`, as Horizon's login asks), and the read-only
admin lists."""

from __future__ import annotations

import time
import uuid
from typing import Any

from simulators.common.http import HttpRequest, HttpResponse
from simulators.openstack.errors import ApiError
from simulators.openstack.routing import Caller
from simulators.openstack.store import Domain, Project, Store, Token, User, iso

TOKEN_LIFETIME_S = 3600.0
# Keystone's bootstrap makes admin imply member and member imply reader, and a token lists the
# implied roles too (Horizon's policies ask for "reader" of a member, for example).
IMPLIED_ROLES = {"admin": ("member",), "member": ("reader",)}
SERVICES = (
    # type, name, path (appended to the base URL)
    # Versioned, as Horizon's auth URL is: openstack_auth takes the region from the identity
    # endpoint equal to the URL it logged in at.
    ("identity", "keystone", "/identity/v3"),
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
    if request.method == "GET" and path in ("/v3/auth/projects", "/v3/auth/domains"):
        return _scope_targets(store, caller, base_url, path)
    if request.method == "GET" and path.startswith("/v3/users/") and path.endswith("/projects"):
        user_id = path[len("/v3/users/") : -len("/projects")]
        return _user_projects(store, request, caller, base_url, user_id)
    return _admin_lists(store, request, caller, path, base_url)


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
        roles = effective_roles(user.roles.get(project.id, [])) if project else []
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


def effective_roles(assigned: list[str]) -> list[str]:
    """The assigned roles and every role they imply, assigned ones first."""
    roles: list[str] = []
    pending = list(assigned)
    while pending:
        role = pending.pop(0)
        if role not in roles:
            roles.append(role)
            pending.extend(IMPLIED_ROLES.get(role, ()))
    return roles


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
    if not isinstance(scope, dict) or not scope:
        return None
    if "domain" in scope:
        # Nobody holds a role on a domain here, so Keystone refuses every domain scope.
        spec = scope["domain"] or {}
        domain = _domain_id(store, spec)
        if domain is None or domain not in store.domains:
            raise ApiError(401, f"Could not find domain: {spec.get('id') or spec.get('name')}.")
        raise ApiError(401, f"User {user.id} has no access to domain {domain}")
    if "system" in scope:
        raise ApiError(401, f"User {user.id} has no access to the system")
    if "project" not in scope:
        raise ApiError(400, "Expecting a project, domain or system in the scope.")
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


def _collection(base_url: str, path: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A Keystone list: the items and the collection's links (never paged here)."""
    return {
        key: items,
        "links": {"self": f"{base_url}/identity{path}", "previous": None, "next": None},
    }


def _scope_targets(store: Store, caller: Caller, base_url: str, path: str) -> HttpResponse:
    """What the token's user may scope to: the projects it holds a role in (Keystone's
    `GET /v3/auth/projects`) and the domains (none: there are no domain role assignments)."""
    with store.lock:
        if path == "/v3/auth/domains":
            return HttpResponse(200, _collection(base_url, path, "domains", []))
        user = store.users[caller.user_id]
        projects = [
            _project(store.projects[p], base_url) for p, roles in user.roles.items() if roles
        ]
    return HttpResponse(200, _collection(base_url, path, "projects", projects))


def _user_projects(
    store: Store, request: HttpRequest, caller: Caller, base_url: str, user_id: str
) -> HttpResponse:
    """`GET /v3/users/{user_id}/projects`, keystoneclient's `projects.list(user=...)`:
    Keystone's policy (identity:list_user_projects) lets the user itself (any token of it,
    unscoped too) and an admin ask; anyone else is refused, whether the user exists or not."""
    with store.lock:
        if caller.user_id != user_id and not caller.is_admin:
            raise ApiError(403, _refused("list_user_projects"))
        user = store.users.get(user_id)
        if user is None:
            raise ApiError(404, f"Could not find user: {user_id}.")
        projects = [
            _project(store.projects[p], base_url) for p, roles in user.roles.items() if roles
        ]
    name = request.query.get("name")
    enabled = request.query.get("enabled", "").lower()
    projects = [
        p
        for p in projects
        if (not name or p["name"] == name) and enabled not in ("0", "false", "no")
    ]
    path = f"/v3/users/{user_id}/projects"
    return HttpResponse(200, _collection(base_url, path, "projects", projects))


def _admin_lists(
    store: Store, request: HttpRequest, caller: Caller, path: str, base_url: str
) -> HttpResponse:
    if request.method != "GET":
        raise ApiError(403, "The simulator's Keystone is configured, not changed, through its API.")
    with store.lock:
        for prefix, kind in (
            ("/v3/projects/", "project"),
            ("/v3/users/", "user"),
            ("/v3/domains/", "domain"),
        ):
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                key = path[len(prefix) :]
                if not caller.is_admin and not _own(store, caller, kind, key):
                    raise ApiError(403, _refused(f"get_{kind}"))
                return HttpResponse(200, {kind: _by_id(store, kind, key)})
        if not caller.is_admin:
            raise ApiError(403, "You are not authorized to perform the requested action.")
        if path.startswith("/v3/services/"):
            key = path[len("/v3/services/") :]
            for service in _services(store, base_url, caller):
                if service["id"] == key:
                    return HttpResponse(200, {"service": service})
            raise ApiError(404, f"Could not find service: {key}.")
        lists = {
            "/v3/projects": ("projects", [_project(p) for p in store.projects.values()]),
            "/v3/users": ("users", [_user(u) for u in store.users.values()]),
            "/v3/domains": ("domains", [_domain(d) for d in store.domains.values()]),
            "/v3/roles": (
                "roles",
                [{"id": f"role-{r}", "name": r} for r in ("admin", "member", "reader")],
            ),
            "/v3/services": ("services", _services(store, base_url, caller)),
            "/v3/endpoints": ("endpoints", _endpoints(store, base_url, caller)),
            "/v3/role_assignments": ("role_assignments", _role_assignments(store, request)),
        }
        if path in lists:
            key, items = lists[path]
            name = request.query.get("name")
            return HttpResponse(200, {key: [i for i in items if not name or i.get("name") == name]})
    raise ApiError(404, f"Could not find {path}.")


def _services(store: Store, base_url: str, caller: Caller) -> list[dict[str, Any]]:
    """The catalog's services (the regions' catalogs name their project in some URLs)."""
    return [
        {"id": entry["id"], "type": entry["type"], "name": entry["name"], "enabled": True}
        for entry in catalog(store, base_url, caller.project_id or "")
    ]


def _endpoints(store: Store, base_url: str, caller: Caller) -> list[dict[str, Any]]:
    return [
        {**endpoint, "service_id": entry["id"], "enabled": True}
        for entry in catalog(store, base_url, caller.project_id or "")
        for endpoint in entry["endpoints"]
    ]


def _role_assignments(store: Store, request: HttpRequest) -> list[dict[str, Any]]:
    """Every user's roles on every project (filters: user.id, scope.project.id, role.id)."""
    user_id = request.query.get("user.id")
    project_id = request.query.get("scope.project.id")
    role_id = request.query.get("role.id")
    return [
        {
            "user": {"id": user.id},
            "scope": {"project": {"id": project}},
            "role": {"id": f"role-{role}"},
        }
        for user in store.users.values()
        for project, roles in user.roles.items()
        for role in roles
        if (not user_id or user.id == user_id)
        and (not project_id or project == project_id)
        and (not role_id or f"role-{role}" == role_id)
    ]


def _refused(action: str) -> str:
    return f"You are not authorized to perform the requested action: identity:{action}."


def _own(store: Store, caller: Caller, kind: str, key: str) -> bool:
    """What Keystone's policy lets a non-admin read: its own user, the project its token is
    scoped to, and that project's domain."""
    if kind == "user":
        return key == caller.user_id
    if kind == "project":
        return key == caller.project_id
    project = store.projects.get(caller.project_id or "")
    return project is not None and project.domain_id == key


def _by_id(store: Store, kind: str, key: str) -> dict[str, Any]:
    if kind == "project" and key in store.projects:
        return _project(store.projects[key])
    if kind == "user" and key in store.users:
        return _user(store.users[key])
    if kind == "domain" and key in store.domains:
        return _domain(store.domains[key])
    raise ApiError(404, f"Could not find {kind}: {key}.")


def _user(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "domain_id": user.domain_id, "enabled": True}


def _domain(domain: Domain) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "description": "",
        "enabled": True,
        "tags": [],
        "options": {},
    }


def _project(project: Project, base_url: str | None = None) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": True,
        "is_domain": False,
        "parent_id": project.domain_id,
        "tags": [],
        "options": {},
    }
    if base_url is not None:
        rendered["links"] = {"self": f"{base_url}/identity/v3/projects/{project.id}"}
    return rendered
