"""What a changing request was, as a CADF event (pycadf): who (initiator: user, project, roles,
address), what (action), to what (target: type and id), where (observer: this site's gateway),
and how it ended (outcome, with the HTTP status as its reason).

Action and target come from the route's template, so a new route is described without code
here: `.../things/{thing_id}` is the thing (DELETE delete, PUT/PATCH/POST update); a POST to a
collection (a path whose items are routes of their own, or a top-level one) creates one of them;
a POST to a word after an id (`/failover-groups/{group_id}/failover`) is `update/<word>` of
that thing.

Request bodies are never kept: only the names of the fields sent and the values of the
identifier fields (`id`, `*_id`). Secrets (tokens, passwords) are never put in an event, and
every value the request carried as one is removed from the event text as well (`scrub`)."""

from __future__ import annotations

import json
import re
import uuid
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from pycadf import cadftaxonomy, event, host, reason, resource
from pycadf.attachment import Attachment

from gateway.auth import Caller

# pycadf warns about every identifier that is not a UUID; Keystone ids are hex, Nova's UUIDs,
# but draas's own (groups, points) and "unknown" are not, and they are valid CADF identifiers.
warnings.filterwarnings("ignore", message="Invalid uuid", module="pycadf.identifier")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UNKNOWN = cadftaxonomy.UNKNOWN
USER = cadftaxonomy.ACCOUNT_USER
TYPE_PREFIX = "service/draas"
PENDING, SUCCESS, FAILURE = (
    cadftaxonomy.OUTCOME_PENDING,
    cadftaxonomy.OUTCOME_SUCCESS,
    cadftaxonomy.OUTCOME_FAILURE,
)
_BY_METHOD = {"POST": "update", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
# Headers whose values are credentials: never stored, and scrubbed wherever they would appear.
_SECRET_HEADER = re.compile(r"token|password|secret|authorization|cookie|api[-_]?key", re.I)
_SECRET_FIELD = re.compile(r"token|password|passwd|secret|credential|private|api[-_]?key", re.I)
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:-]{1,255}$")
# As the routes take it (gateway/bodies.py, ProjectId); anything else was refused, not acted in.
_PROJECT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Shorter "secrets" (an empty or one-letter header) would scrub ordinary words.
_SHORTEST_SECRET = 6
_LONGEST_TEXT = 512


@dataclass
class Attempt:
    """A request that may change something, as the gateway saw it: filled in as the request
    goes through the gateway, recorded once (see AuditTrail)."""

    event_id: str
    request_id: str
    method: str
    path: str
    address: str
    agent: str
    started: datetime
    secrets: set[str] = field(default_factory=set, repr=False)
    body: bytearray = field(default_factory=bytearray, repr=False)
    body_complete: bool = False
    template: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    requested_project: str | None = None
    caller: Caller | None = None
    # What was recorded ahead of the change (outcome pending), if it was.
    ahead: Description | None = None

    @property
    def written_ahead(self) -> bool:
        """Whether the attempt was recorded before anything was asked to change."""
        return self.ahead is not None

    @classmethod
    def of(cls, scope: Mapping[str, Any], request_id: str) -> Attempt:
        """The attempt of an ASGI HTTP request (its headers' secrets noted, never kept)."""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        secrets = {v.strip() for k, v in headers if _SECRET_HEADER.search(k)}
        for k, v in headers:
            if k.lower() == "authorization" and " " in v:
                secrets.add(v.split(" ", 1)[1].strip())
        client = scope.get("client")
        return cls(
            event_id=str(uuid.uuid4()),
            request_id=request_id,
            method=str(scope["method"]),
            path=str(scope["path"]),
            address=str(client[0]) if client else UNKNOWN,
            agent=next((v for k, v in headers if k.lower() == "user-agent"), "")[:255],
            started=datetime.now(UTC),
            secrets={s for s in secrets if len(s) >= _SHORTEST_SECRET},
        )

    def routed(self, scope: Mapping[str, Any]) -> None:
        """Notes the route the request reached (its template and path parameters)."""
        route = scope.get("route")
        template = getattr(route, "path", None)
        if isinstance(template, str):
            self.template = template
            self.path_params = {str(k): str(v) for k, v in (scope.get("path_params") or {}).items()}
        for name, value in _query(scope):
            if name == "project_id" and _PROJECT.match(value):
                self.requested_project = value

    @property
    def project_id(self) -> str | None:
        """The project the request acted in: the token's, or the one an admin named."""
        if self.caller is None:
            return None
        if self.caller.is_admin and self.requested_project:
            return self.requested_project
        return self.caller.project_id

    def fields(self) -> tuple[list[str], dict[str, str]]:
        """The names of the body's top-level fields, and the values of its identifier fields
        (never any other value); the names of fields holding secrets are noted as secrets'
        values, to scrub."""
        if not self.body:
            return [], {}
        try:
            document = json.loads(bytes(self.body))
        except ValueError:
            return [], {}
        if not isinstance(document, dict):
            return [], {}
        names, ids = [], {}
        for name, value in document.items():
            names.append(str(name)[:64])
            if isinstance(value, str) and _SECRET_FIELD.search(str(name)):
                if len(value) >= _SHORTEST_SECRET:
                    self.secrets.add(value)
            elif (
                (name == "id" or str(name).endswith("_id"))
                and isinstance(value, str)
                and _IDENTIFIER.match(value)
            ):
                ids[str(name)] = value
        return names, ids

    def scrub(self, text: str) -> str:
        """`text` without any secret value the request carried."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _query(scope: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    raw = scope.get("query_string") or b""
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


@dataclass(frozen=True)
class Description:
    """What a request did to what: a CADF action, the target's type URI and id (None when only
    the answer will tell, as for a create), and which identifier of the answer is the target's
    (`id` for a create)."""

    action: str
    target_type: str
    target_id: str | None


def describe(
    method: str,
    template: str | None,
    params: Mapping[str, str],
    ids: Mapping[str, str],
    templates: Iterable[str],
) -> Description:
    """The action and target of a request to the route `template` (None: no route took it),
    given the app's route templates (to tell a collection from a verb)."""
    if not template or not template.startswith("/v1/"):
        return Description(_BY_METHOD.get(method, UNKNOWN), TYPE_PREFIX, UNKNOWN)
    parts: list[list[str | None]] = []
    for segment in template.removeprefix("/v1/").split("/"):
        if segment.startswith("{") and parts:
            parts[-1][1] = segment[1:-1]
        else:
            parts.append([segment, None])
    words = [str(word) for word, _ in parts]
    last_word, last_param = parts[-1]
    if last_param is not None:
        return Description(
            _BY_METHOD.get(method, UNKNOWN),
            "/".join([TYPE_PREFIX, *words]),
            params.get(last_param, UNKNOWN),
        )
    prefix = template + "/{"
    child = next(
        (t for t in templates if t.startswith(prefix) and "/" not in t[len(prefix) :]), None
    )
    if child is not None or len(parts) == 1:
        # A collection: what is made there is named by the body (e.g. server_id) or the answer.
        item_param = child[len(prefix) : -1] if child else ""
        action = "create" if method == "POST" else _BY_METHOD.get(method, UNKNOWN)
        return Description(action, "/".join([TYPE_PREFIX, *words]), ids.get(item_param))
    owner_param = parts[-2][1]
    verb = _BY_METHOD.get(method, UNKNOWN)
    return Description(
        f"{verb}/{last_word}",
        "/".join([TYPE_PREFIX, *words[:-1]]),
        params.get(owner_param, UNKNOWN) if owner_param else UNKNOWN,
    )


def observer_id(site: str) -> str:
    """This site's gateway as a CADF identifier (the same at every start)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"draas:gateway:{site}"))


def cadf_event(
    attempt: Attempt, site: str, templates: Iterable[str]
) -> tuple[dict[str, Any], Description]:
    """The attempt as a CADF event (outcome pending) and its description."""
    names, ids = attempt.fields()
    described = describe(attempt.method, attempt.template, attempt.path_params, ids, templates)
    caller = attempt.caller
    initiator = resource.Resource(
        typeURI=USER,
        id=caller.user_id if caller else UNKNOWN,
        name=(caller.user_name or caller.user_id) if caller else UNKNOWN,
        host=host.Host(address=attempt.address, agent=attempt.agent or UNKNOWN),
    )
    # Extension attributes, as keystonemiddleware's audit puts project_id on its initiator.
    initiator.project_id = caller.project_id if caller else UNKNOWN
    initiator.roles = sorted(caller.roles) if caller else []
    target = resource.Resource(typeURI=described.target_type, id=described.target_id or UNKNOWN)
    target.project_id = attempt.project_id or UNKNOWN
    observer = resource.Resource(
        typeURI=f"{TYPE_PREFIX}/gateway", id=observer_id(site), name=f"draas gateway {site}"
    )
    made = event.Event(
        id=attempt.event_id,
        eventTime=attempt.started.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        action=described.action,
        outcome=PENDING,
        initiator=initiator,
        target=target,
        observer=observer,
    )
    made.add_attachment(
        Attachment(typeURI="mime:text/plain", content=attempt.request_id, name="request_id")
    )
    request: dict[str, Any] = {"method": attempt.method, "path": attempt.path[:_LONGEST_TEXT]}
    if attempt.template:
        request["route"] = attempt.template
    if attempt.requested_project:
        request["project_id"] = attempt.requested_project[:64]
    request["fields"] = names
    request["ids"] = ids
    made.add_attachment(
        Attachment(typeURI="mime:application/json", content=request, name="request")
    )
    if not made.is_valid():
        raise ValueError(f"not a valid CADF event: {described}")
    document: dict[str, Any] = json.loads(attempt.scrub(json.dumps(made.as_dict())))
    return document, described


def outcome_of(status: int) -> str:
    """success below 400, failure from 400 on."""
    return SUCCESS if status < 400 else FAILURE


def reason_of(status: int) -> dict[str, Any]:
    """The CADF reason of an HTTP status."""
    made = reason.Reason(reasonType="HTTP", reasonCode=str(status))
    found: dict[str, Any] = made.as_dict()
    return found


def response_of(attempt: Attempt, status: int, body: bytes, content_type: str) -> dict[str, Any]:
    """What the answer tells an auditor: its status, the id of what it made or started (an
    operation), and a refusal's detail, without any secret the request carried."""
    response: dict[str, Any] = {"status": status}
    if "json" not in content_type or not body:
        return response
    try:
        document = json.loads(body)
    except ValueError:
        return response
    if not isinstance(document, dict):
        return response
    if status >= 400:
        detail = document.get("detail")
        if isinstance(detail, str):
            response["detail"] = attempt.scrub(detail)[:_LONGEST_TEXT]
    else:
        found = document.get("id")
        if isinstance(found, str) and _IDENTIFIER.match(found):
            response["operation_id" if status == 202 else "id"] = found
    return response


def final(
    document: Mapping[str, Any],
    outcome: str,
    reason_doc: Mapping[str, Any],
    response: Mapping[str, Any],
    target_id: str | None,
) -> dict[str, Any]:
    """The event as read: the recorded one with its outcome, reason, answered target id and the
    `response` attachment."""
    merged = dict(document)
    merged["outcome"] = outcome
    merged["reason"] = dict(reason_doc)
    if target_id:
        merged["target"] = {**merged.get("target", {}), "id": target_id}
    attachments = [a for a in merged.get("attachments", []) if a.get("name") != "response"]
    attachments.append(
        {"typeURI": "mime:application/json", "content": dict(response), "name": "response"}
    )
    merged["attachments"] = attachments
    return merged
