"""The only place that talks to draas: its gateway's /v1 REST API, at the endpoint of the
catalog's `disaster-recovery` service for the user's region, with the user's own token
(X-Auth-Token). Problem documents become `errors.DraasError`s, which Horizon shows as messages.
Every POST that starts something carries an Idempotency-Key, so a repeated submit returns the
operation the first one started."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from horizon import exceptions
from openstack_dashboard.api import base

from draas_dashboard.api.errors import DraasRecoverable, DraasUnreachable, problem_error
from draas_dashboard.api.records import (
    Alert,
    AlertChannel,
    Alerts,
    ComplianceReport,
    Delivery,
    Group,
    Health,
    HealthHistory,
    Operation,
    Policy,
    PolicyChange,
    Readiness,
    RecoveryPoint,
    Report,
    ScheduleState,
    SiteStatus,
    Vm,
)

LOG = logging.getLogger(__name__)

SERVICE_TYPE = "disaster-recovery"
# One page of a list; a longer list is followed to its end (up to MAX_PAGES pages).
PAGE_SIZE = 500
MAX_PAGES = 20
TIMEOUT = httpx.Timeout(60.0, connect=10.0)

# Tests replace the transport (httpx.MockTransport); None is the network.
TRANSPORT: httpx.BaseTransport | None = None
_clients: dict[tuple[str, str], httpx.Client] = {}
_clients_lock = threading.Lock()


def endpoint(request: Any) -> str:
    """The gateway's root URL for the user's region (a trailing /v1 in the catalog is fine).

    :raises DraasRecoverable: no disaster-recovery service there.
    """
    try:
        url = str(base.url_for(request, SERVICE_TYPE))
    except exceptions.ServiceCatalogException:
        raise DraasRecoverable(
            503,
            "No draas here",
            f"the catalog of region {getattr(request.user, 'services_region', '?')} has no "
            f"{SERVICE_TYPE} service",
        ) from None
    return url.rstrip("/").removesuffix("/v1")


def _verify() -> bool | str:
    if getattr(settings, "OPENSTACK_SSL_NO_VERIFY", False):
        return False
    return getattr(settings, "OPENSTACK_SSL_CACERT", None) or True


def _client(root: str) -> httpx.Client:
    """A pooled client per gateway (thread-safe; Horizon serves requests in threads)."""
    verify = _verify()
    key = (root, str(verify))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = httpx.Client(
                base_url=root, timeout=TIMEOUT, verify=verify, transport=TRANSPORT
            )
            _clients[key] = client
        return client


def reset_clients() -> None:
    """Closes the pooled clients (tests change TRANSPORT between them)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def call(
    request: Any,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """One request to the gateway as the signed-in user; the decoded JSON (None if empty).

    :raises DraasError: the gateway refused or failed it (its problem document), or did not
        answer (DraasUnreachable).
    """
    root = endpoint(request)
    sent = {"X-Auth-Token": request.user.token.id, "Accept": "application/json"}
    sent.update(headers or {})
    query = {k: v for k, v in (params or {}).items() if v not in (None, "", False)}
    started = time.monotonic()
    try:
        response = _client(root).request(method, path, params=query, json=body, headers=sent)
    except httpx.HTTPError as error:
        raise DraasUnreachable(
            503,
            "draas does not answer",
            f"cannot reach the draas gateway at {root} ({type(error).__name__}); check the "
            "disaster-recovery endpoint of this region's catalog",
        ) from None
    LOG.debug(
        "%s %s -> %s in %.0f ms",
        method,
        path,
        response.status_code,
        (time.monotonic() - started) * 1000,
    )
    if response.status_code >= 400:
        raise problem_error(
            response.status_code,
            response.reason_phrase,
            response.headers.get("content-type", ""),
            response.content,
        )
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise DraasRecoverable(
            502, "Bad gateway", f"{path} answered with something not JSON"
        ) from None


def _pages(
    request: Any, path: str, key: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every item of a paged list (next_page_token followed to the end)."""
    items: list[dict[str, Any]] = []
    query = {"limit": PAGE_SIZE, **(params or {})}
    for _ in range(MAX_PAGES):
        page = call(request, "GET", path, params=query) or {}
        items.extend(page.get(key) or [])
        token = page.get("next_page_token") or ""
        if not token:
            break
        query["page_token"] = token
    return items


def _group_path(group_id: str, *rest: str) -> str:
    return "/".join(["/v1/failover-groups", _segment(group_id), *rest])


def _started(request: Any, path: str, body: dict[str, Any], key: str) -> Operation:
    """Starts an operation (202) under the idempotency key."""
    return Operation(call(request, "POST", path, body=body, headers={"Idempotency-Key": key}))


# Failover groups ---------------------------------------------------------------------------------


def list_groups(request: Any, all_projects: bool = False) -> list[Group]:
    """The project's failover groups at this site (an admin: every project's)."""
    params = {"all_projects": "true"} if all_projects else None
    return [Group(g) for g in _pages(request, "/v1/failover-groups", "failover_groups", params)]


def get_group(request: Any, group_id: str, project_id: str | None = None) -> Group:
    return Group(call(request, "GET", _group_path(group_id), params={"project_id": project_id}))


def create_group(
    request: Any,
    name: str,
    replication_type: str | None,
    target_site: str | None,
    description: str = "",
    rpo_target_seconds: float | None = None,
    target_project_id: str = "",
    target_token: str | None = None,
    rto_target_seconds: float | None = None,
    test_interval_seconds: float | None = None,
    policy: str | None = None,
) -> Group:
    """A group here (its source site) replicating to `target_site`. `target_token` (a token
    of the target site's Keystone, scoped to the tenant's project there) proves the project
    link the first time; it is sent once and kept nowhere. An RTO target or a test interval
    of None or 0 is none. With a `policy` (id or name) the group takes its replication type,
    target site, targets, test schedule, hooks and checks from it: those arguments are not
    sent."""
    body: dict[str, Any] = {"name": name, "description": description}
    if policy:
        body["policy"] = policy
    else:
        body["replication_type"] = replication_type
        body["target_site"] = target_site
        if rpo_target_seconds is not None:
            body["rpo_target_seconds"] = rpo_target_seconds
        if rto_target_seconds:
            body["rto_target_seconds"] = rto_target_seconds
        if test_interval_seconds:
            body["test_interval_seconds"] = test_interval_seconds
    if target_project_id:
        body["target_project_id"] = target_project_id
    headers = {"X-Target-Auth-Token": target_token} if target_token else None
    return Group(call(request, "POST", "/v1/failover-groups", body=body, headers=headers))


def delete_group(request: Any, group_id: str) -> None:
    call(request, "DELETE", _group_path(group_id))


def add_vm(request: Any, group_id: str, server_id: str, tier: int = 1) -> Group:
    """Protects a VM; refused (naming the volume and why) if it is not eligible."""
    body = {"server_id": server_id, "tier": tier}
    return Group(call(request, "POST", _group_path(group_id, "vms"), body=body))


def split_group(
    request: Any, group_id: str, server_ids: list[str], name: str = "", description: str = ""
) -> Group:
    """Moves some of the group's VMs into a new group of their own (at its source site);
    returns the new group."""
    body: dict[str, Any] = {"server_ids": list(server_ids)}
    if name:
        body["name"] = name
    if description:
        body["description"] = description
    return Group(call(request, "POST", _group_path(group_id, "split"), body=body))


def remove_vm(request: Any, group_id: str, server_id: str) -> Group:
    return Group(call(request, "DELETE", _group_path(group_id, "vms", _segment(server_id))))


def readiness(request: Any, group_id: str, project_id: str | None = None) -> Readiness:
    """What a failover would miss now (asked at the group's target site)."""
    path = _group_path(group_id, "readiness")
    return Readiness(call(request, "GET", path, params={"project_id": project_id}))


def recovery_points(
    request: Any, group_id: str, project_id: str | None = None
) -> list[RecoveryPoint]:
    """The points this site could recover the group from, newest first."""
    path = _group_path(group_id, "recovery-points")
    found = _pages(request, path, "recovery_points", {"project_id": project_id})
    return [RecoveryPoint(p) for p in found]


def replication_health(request: Any, group_id: str, project_id: str | None = None) -> Health:
    path = _group_path(group_id, "replication-health")
    return Health(call(request, "GET", path, params={"project_id": project_id}))


# VMs --------------------------------------------------------------------------------------------


def list_vms(request: Any) -> list[Vm]:
    """The project's VMs at this site, each protected, eligible or not (with every reason)."""
    return [Vm(v) for v in _pages(request, "/v1/vms", "vms")]


# The site --------------------------------------------------------------------------------------


def site_status(request: Any) -> SiteStatus:
    """This site's name and whether its orchestrator reaches its dependencies (admins)."""
    return SiteStatus(call(request, "GET", "/v1/site/status"))


# Operations -------------------------------------------------------------------------------------


def list_operations(
    request: Any, group_id: str = "", all_projects: bool = False, limit: int | None = None
) -> list[Operation]:
    """The project's operations at this site, newest first (`limit`: only the newest)."""
    params: dict[str, Any] = {"group_id": group_id}
    if all_projects:
        params["all_projects"] = "true"
    if limit is not None:
        params["limit"] = limit
        page = call(request, "GET", "/v1/operations", params=params) or {}
        return [Operation(o) for o in page.get("operations") or []]
    return [Operation(o) for o in _pages(request, "/v1/operations", "operations", params)]


def get_operation(request: Any, operation_id: str, project_id: str | None = None) -> Operation:
    path = f"/v1/operations/{_segment(operation_id)}"
    return Operation(call(request, "GET", path, params={"project_id": project_id}))


def get_report(request: Any, operation_id: str, project_id: str | None = None) -> Report:
    path = f"/v1/operations/{_segment(operation_id)}/report"
    return Report(call(request, "GET", path, params={"project_id": project_id}))


def start_test_failover(
    request: Any,
    group_id: str,
    idempotency_key: str,
    recovery_point_id: str | None = None,
    cleanup_after_seconds: float | None = None,
    stop_on_vm_failure: bool = False,
    server_ids: list[str] | None = None,
) -> Operation:
    """Tests the group, or only the VMs `server_ids` names (a partial test)."""
    body: dict[str, Any] = {"stop_on_vm_failure": stop_on_vm_failure}
    if recovery_point_id:
        body["recovery_point_id"] = recovery_point_id
    if cleanup_after_seconds is not None:
        body["cleanup_after_seconds"] = cleanup_after_seconds
    if server_ids:
        body["server_ids"] = list(server_ids)
    return _started(request, _group_path(group_id, "test-failover"), body, idempotency_key)


def start_cleanup(request: Any, operation_id: str, idempotency_key: str) -> Operation:
    """Cleans up a test failover (an operation of its own)."""
    path = f"/v1/operations/{_segment(operation_id)}/cleanup"
    return _started(request, path, {}, idempotency_key)


def start_failover(
    request: Any,
    group_id: str,
    mode: str,
    idempotency_key: str,
    recovery_point_id: str | None = None,
    quiesce: bool = False,
    stop_on_vm_failure: bool = False,
) -> Operation:
    """`mode` planned or unplanned; a recovery point only for unplanned."""
    body: dict[str, Any] = {
        "mode": mode,
        "quiesce": quiesce,
        "stop_on_vm_failure": stop_on_vm_failure,
    }
    if recovery_point_id:
        body["recovery_point_id"] = recovery_point_id
    return _started(request, _group_path(group_id, "failover"), body, idempotency_key)


def start_reprotect(
    request: Any,
    group_id: str,
    method: str,
    target_replication_type: str,
    idempotency_key: str,
    volume_type: str = "",
    rpo_target_seconds: float | None = None,
) -> Operation:
    """`method` volume-type or retype; `target_replication_type` async or sync."""
    body: dict[str, Any] = {
        "method": method,
        "target_replication_type": target_replication_type,
        "volume_type": volume_type,
    }
    if rpo_target_seconds is not None:
        body["rpo_target_seconds"] = rpo_target_seconds
    return _started(request, _group_path(group_id, "reprotect"), body, idempotency_key)


def start_failback(request: Any, group_id: str, idempotency_key: str) -> Operation:
    return _started(request, _group_path(group_id, "failback"), {}, idempotency_key)


def start_move(request: Any, group_id: str, idempotency_key: str) -> Operation:
    """At the group's target site, while it is protected: a planned failover there (no
    write lost), then a reprotect back towards the site it came from (kind `move`)."""
    return _started(request, _group_path(group_id, "move"), {}, idempotency_key)


# Policies and scheduled tests -------------------------------------------------------------------


def _policy_path(policy: str) -> str:
    return f"/v1/policies/{_segment(policy)}"


def list_policies(request: Any) -> list[Policy]:
    """The project's own policies at this site and those published for every project."""
    found = call(request, "GET", "/v1/policies") or {}
    return [Policy(p) for p in found.get("policies") or []]


def get_policy(request: Any, policy: str) -> Policy:
    """A policy by id or name (the project's own first, then a published one)."""
    return Policy(call(request, "GET", _policy_path(policy)))


def create_policy(request: Any, body: dict[str, Any], publish: bool = False) -> Policy:
    """A policy of the project, or with `publish` (admins only) one for every project of the
    site. `body` as the gateway's NewPolicy: name, description, replication_type,
    target_site, rpo_target_seconds, rto_target_seconds, test_interval_seconds,
    test_schedule {enabled, windows, timezone, cleanup_after_seconds}, automation,
    default_tier."""
    params = {"publish": "true"} if publish else None
    return Policy(call(request, "POST", "/v1/policies", params=params, body=body))


def update_policy(request: Any, policy: str, body: dict[str, Any]) -> PolicyChange:
    """Replaces the whole policy with `body` (as `create_policy`'s: what it leaves out is
    reset, so send its hooks and checks back); the groups here made from it take the change,
    and the answer says what changed in each or why it could not. Its replication type and
    target site cannot change while groups are made from it (409)."""
    return PolicyChange(call(request, "PUT", _policy_path(policy), body=body) or {})


def delete_policy(request: Any, policy: str) -> None:
    """Refused (409) while groups are made from it; a published one: admins only."""
    call(request, "DELETE", _policy_path(policy))


def get_test_schedule(request: Any, group_id: str) -> ScheduleState:
    """The group's scheduled tests as its target site runs them (asked here, forwarded
    there): the schedule, the last ones, when the next is due and would start, and why the
    last attempt could not start."""
    return ScheduleState(call(request, "GET", _group_path(group_id, "test-schedule")))


def run_scheduled_test(request: Any, group_id: str) -> Operation:
    """At the group's target site: a test failover now, as its schedule runs it (cleaned up
    after the schedule's cleanup time). The gateway takes no idempotency key here; a second
    request while the first test stands is refused (the test holds the group)."""
    return Operation(call(request, "POST", _group_path(group_id, "test-schedule", "run")))


# Audit trail -------------------------------------------------------------------------------------


class AuditEvent:
    """An audit event: the gateway's CADF event (initiator, action, target, outcome, reason,
    observer, attachments request_id, request and response), with what the tables show."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = dict(data)

    def raw(self) -> dict[str, Any]:
        """The CADF event."""
        return dict(self._data)

    @property
    def id(self) -> str:
        return str(self._data.get("id") or "")

    @property
    def action(self) -> str:
        return str(self._data.get("action") or "")

    @property
    def outcome(self) -> str:
        return str(self._data.get("outcome") or "")

    def attachment(self, name: str) -> Any:
        """The content of the attachment `name` (None without one)."""
        for found in self._data.get("attachments") or []:
            if found.get("name") == name:
                return found.get("content")
        return None

    @property
    def time(self) -> str:
        return str(self._data.get("eventTime") or "")

    @property
    def user(self) -> str:
        initiator = self._data.get("initiator") or {}
        name, user_id = initiator.get("name"), initiator.get("id")
        return str(name if name and name != user_id else user_id or "-")

    @property
    def project_id(self) -> str:
        return str((self._data.get("target") or {}).get("project_id") or "")

    @property
    def roles(self) -> list[str]:
        return list((self._data.get("initiator") or {}).get("roles") or [])

    @property
    def address(self) -> str:
        initiator = self._data.get("initiator") or {}
        return str((initiator.get("host") or {}).get("address") or "")

    @property
    def target_type(self) -> str:
        target = self._data.get("target") or {}
        return str(target.get("typeURI") or "").removeprefix("service/draas/")

    @property
    def target_id(self) -> str:
        return str((self._data.get("target") or {}).get("id") or "")

    @property
    def status(self) -> str:
        return str((self._data.get("reason") or {}).get("reasonCode") or "")

    @property
    def request_id(self) -> str:
        return str(self.attachment("request_id") or "")

    @property
    def detail(self) -> str:
        return str((self.attachment("response") or {}).get("detail") or "")


AUDIT_FILTERS = ("since", "until", "action", "outcome", "target_id", "initiator_id")


def _audit_params(all_projects: bool, filters: dict[str, Any]) -> dict[str, Any]:
    params = {k: v for k, v in filters.items() if k in AUDIT_FILTERS and v}
    if all_projects:
        params["all_projects"] = "true"
    return params


def list_audit_events(
    request: Any, all_projects: bool = False, limit: int = 200, **filters: Any
) -> list[AuditEvent]:
    """The newest `limit` audit events of the project at this site (an admin: every
    project's), filtered by `since`, `until` (ISO 8601), `action`, `outcome`, `target_id` and
    `initiator_id`."""
    params = {**_audit_params(all_projects, filters), "limit": limit}
    page = call(request, "GET", "/v1/audit-events", params=params) or {}
    return [AuditEvent(e) for e in page.get("audit_events") or []]


def get_audit_event(request: Any, event_id: str) -> AuditEvent:
    return AuditEvent(call(request, "GET", f"/v1/audit-events/{_segment(event_id)}"))


def audit_csv(request: Any, all_projects: bool = False, **filters: Any) -> bytes:
    """The gateway's CSV export of every matching audit event."""
    root = endpoint(request)
    params = {**_audit_params(all_projects, filters), "format": "csv"}
    sent = {"X-Auth-Token": request.user.token.id, "Accept": "text/csv"}
    try:
        response = _client(root).get("/v1/audit-events", params=params, headers=sent)
    except httpx.HTTPError as error:
        raise DraasUnreachable(
            503,
            "draas does not answer",
            f"cannot reach the draas gateway at {root} ({type(error).__name__})",
        ) from None
    if response.status_code >= 400:
        raise problem_error(
            response.status_code,
            response.reason_phrase,
            response.headers.get("content-type", ""),
            response.content,
        )
    return bytes(response.content)


# Monitoring --------------------------------------------------------------------------------------


def update_group(
    request: Any,
    group_id: str,
    description: str | None = None,
    rpo_target_seconds: float | None = None,
    rto_target_seconds: float | None = None,
    test_interval_seconds: float | None = None,
) -> Group:
    """Changes what is given (None: left as it is; an RTO target or test interval of 0
    clears it). Asked at the group's source site; a group made from a policy takes its
    targets from the policy, so only its description changes by hand."""
    fields = (
        ("description", description),
        ("rpo_target_seconds", rpo_target_seconds),
        ("rto_target_seconds", rto_target_seconds),
        ("test_interval_seconds", test_interval_seconds),
    )
    body = {name: value for name, value in fields if value is not None}
    return Group(call(request, "PATCH", _group_path(group_id), body=body))


def _moment(value: datetime | None) -> str | None:
    """A time as the gateway takes it: ISO 8601 naming its zone (naive times are UTC)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def health_history(
    request: Any,
    group_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
    step_seconds: int = 0,
) -> HealthHistory:
    """The group's replication health over [start, end) (by default the last day), one
    point per `step_seconds` (at least 60; 0: at most 200 points), as its target site
    sampled it (asked here, forwarded there)."""
    params = {"start": _moment(start), "end": _moment(end), "step_seconds": step_seconds}
    path = _group_path(group_id, "health-history")
    return HealthHistory(call(request, "GET", path, params=params))


def list_alerts(request: Any, state: str = "", group_id: str = "", limit: int = 100) -> Alerts:
    """The project's alerts, newest first, from every site of the project (`state` firing or
    resolved; empty: both); `unreachable_sites` names the sites that could not be asked."""
    params = {"state": state, "group_id": group_id, "limit": limit}
    return Alerts(call(request, "GET", "/v1/alerts", params=params) or {})


def get_alert(request: Any, alert_id: str) -> Alert:
    """An alert (raised at any site of the project) with its history."""
    return Alert(call(request, "GET", f"/v1/alerts/{_segment(alert_id)}"))


def acknowledge_alert(request: Any, alert_id: str, comment: str = "") -> Alert:
    """Marks the alert as seen by the user (once; it still resolves by itself)."""
    path = f"/v1/alerts/{_segment(alert_id)}/acknowledge"
    return Alert(call(request, "POST", path, body={"comment": comment}))


def list_alert_channels(request: Any) -> list[AlertChannel]:
    """Where the project's alerts raised at this site are delivered (no secret)."""
    found = call(request, "GET", "/v1/alert-channels") or {}
    return [AlertChannel(c) for c in found.get("alert_channels") or []]


def create_alert_channel(
    request: Any,
    name: str,
    kind: str,
    address: str,
    min_severity: str = "warning",
    secret: str | None = None,
) -> AlertChannel:
    """A webhook (`address` its URL) or e-mail (`address` comma-separated addresses) channel
    for the alerts raised at this site. The answer of a webhook holds its signing secret
    (made by the gateway when `secret` is None): the only time it is shown."""
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "address": address,
        "min_severity": min_severity,
    }
    if secret:
        body["secret"] = secret
    return AlertChannel(call(request, "POST", "/v1/alert-channels", body=body))


def delete_alert_channel(request: Any, channel_id: str) -> None:
    """Deletes the channel and its delivery log."""
    call(request, "DELETE", f"/v1/alert-channels/{_segment(channel_id)}")


def list_deliveries(
    request: Any, channel_id: str = "", alert_id: str = "", limit: int = 100
) -> list[Delivery]:
    """The delivery log at this site, newest first."""
    params = {"channel_id": channel_id, "alert_id": alert_id, "limit": limit}
    found = call(request, "GET", "/v1/alert-deliveries", params=params) or {}
    return [Delivery(d) for d in found.get("deliveries") or []]


def compliance_report(
    request: Any,
    start: datetime | None = None,
    end: datetime | None = None,
    group_id: str = "",
) -> ComplianceReport:
    """DR compliance of the project's groups (or one) over [start, end) (by default the last
    30 days), from every site that watches them."""
    params = {"start": _moment(start), "end": _moment(end), "group_id": group_id}
    return ComplianceReport(call(request, "GET", "/v1/reports/compliance", params=params))


REPORT_TYPES = {"csv": "text/csv", "html": "text/html"}


def compliance_file(
    request: Any,
    file_format: str,
    start: datetime | None = None,
    end: datetime | None = None,
    group_id: str = "",
) -> bytes:
    """The gateway's compliance report as a file: `file_format` csv (a row per group, then
    the totals) or html (a printable page).

    :raises DraasError: as `call`.
    """
    root = endpoint(request)
    params = {
        k: v
        for k, v in (
            ("start", _moment(start)),
            ("end", _moment(end)),
            ("group_id", group_id),
            ("format", file_format),
        )
        if v
    }
    sent = {"X-Auth-Token": request.user.token.id, "Accept": REPORT_TYPES[file_format]}
    try:
        response = _client(root).get("/v1/reports/compliance", params=params, headers=sent)
    except httpx.HTTPError as error:
        raise DraasUnreachable(
            503,
            "draas does not answer",
            f"cannot reach the draas gateway at {root} ({type(error).__name__})",
        ) from None
    if response.status_code >= 400:
        raise problem_error(
            response.status_code,
            response.reason_phrase,
            response.headers.get("content-type", ""),
            response.content,
        )
    return bytes(response.content)


_HOOK_FIELDS = ("name", "url", "when", "kinds", "retries", "on_failure", "vms", "tiers")
_CHECK_FIELDS = (
    "name",
    "type",
    "port",
    "url",
    "expect_text",
    "in_failovers",
    "on_failure",
    "vms",
    "tiers",
)


def automation_body(shown: dict[str, Any] | None) -> dict[str, Any]:
    """Hooks and checks as the gateway shows them (a group's or a policy's `automation`), as
    a request body takes them back (`timeout` is `timeout_seconds` there, and a value the
    answer leaves empty is the body's default), so that a change that sends the whole policy
    keeps them."""
    shown = shown or {}
    hooks = []
    for hook in shown.get("hooks") or []:
        body = {k: hook[k] for k in _HOOK_FIELDS if hook.get(k) not in (None, "")}
        if hook.get("timeout"):
            body["timeout_seconds"] = hook["timeout"]
        hooks.append(body)
    checks = []
    for check in shown.get("checks") or []:
        body = {k: check[k] for k in _CHECK_FIELDS if check.get(k) not in (None, "")}
        body["path"] = check.get("path") or "/"
        body["expect_status"] = check.get("expect_status") or 200
        if check.get("timeout"):
            body["timeout_seconds"] = check["timeout"]
        checks.append(body)
    return {"hooks": hooks, "checks": checks}
