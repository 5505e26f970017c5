"""A small stateful fake of the draas gateway for the plugin's unit tests: the functions of
`draas_dashboard.api.draas`, with their signatures, over groups, VMs and operations held in
memory (and, from `fake_monitoring`, health history, alerts, channels and reports; from
`fake_policies`, policies and scheduled tests), refusing
what the gateway refuses (a reader's change, a VM that is not eligible, an operation the
group's state does not allow at this site) with the same problem statuses. Browser tests
never use it: they run against the real gateways."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from draas_dashboard.api import errors
from draas_dashboard.api.records import (
    Group,
    Health,
    Operation,
    Readiness,
    RecoveryPoint,
    Report,
    SiteStatus,
    Vm,
)
from draas_dashboard.testing.fake_monitoring import (
    MIN_TEST_INTERVAL,
    MONITORING_FUNCTIONS,
    FakeMonitoring,
    bad_request,
)
from draas_dashboard.testing.fake_policies import (
    NO_AUTOMATION,
    NO_SCHEDULE,
    POLICY_FUNCTIONS,
    FakePolicies,
)

# The functions of draas_dashboard.api.draas that the fake stands in for.
FUNCTIONS = (
    "list_groups",
    "get_group",
    "create_group",
    "delete_group",
    "add_vm",
    "remove_vm",
    "split_group",
    "readiness",
    "recovery_points",
    "replication_health",
    "list_vms",
    "list_operations",
    "get_operation",
    "get_report",
    "start_test_failover",
    "start_cleanup",
    "start_failover",
    "start_reprotect",
    "start_failback",
    "start_move",
    "site_status",
    *MONITORING_FUNCTIONS,
    *POLICY_FUNCTIONS,
)

PROJECT = "project-a"


def stamp(seconds_ago: float = 0.0) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat().replace("+00:00", "Z")


def conflict(detail: str) -> errors.DraasRecoverable:
    return errors.DraasRecoverable(409, "Conflict", detail)


class FakeGateway(FakeMonitoring, FakePolicies):
    """One site's gateway (`site`) for one project."""

    def __init__(self, site: str = "site-a") -> None:
        FakeMonitoring.__init__(self)
        FakePolicies.__init__(self)
        self.site = site
        self.groups: dict[str, dict[str, Any]] = {}
        self.vms: list[dict[str, Any]] = []
        self.operations: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.health: dict[str, dict[str, Any]] = {}
        self.points: dict[str, list[dict[str, Any]]] = {}
        self.not_ready: dict[str, list[dict[str, Any]]] = {}
        self.keys: dict[str, str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.writable = True
        self.admin = False
        self.healthy = True

    # Set-up helpers -------------------------------------------------------------------------------

    def add_server(
        self, name: str, state: str = "eligible", reasons: tuple[str, ...] = (), **extra: Any
    ) -> dict[str, Any]:
        server = {
            "server_id": extra.pop("server_id", f"srv-{name}"),
            "name": name,
            "status": "ACTIVE",
            "state": state,
            "group_id": "",
            "group_name": "",
            "tier": 0,
            "eligible_for": ["async", "sync"] if state == "eligible" else [],
            "reasons": list(reasons),
            **extra,
        }
        self.vms.append(server)
        return server

    def add_group(
        self,
        name: str,
        source: str = "site-a",
        target: str = "site-b",
        replication_type: str = "async",
        state: str = "protected",
        rpo: float = 60.0,
        vms: tuple[tuple[str, int], ...] = (),
        **extra: Any,
    ) -> dict[str, Any]:
        group_id = extra.pop("id", f"grp-{name.lower()}")
        group = {
            "id": group_id,
            "project_id": PROJECT,
            "name": name,
            "description": "",
            "replication_type": replication_type,
            "source_site": source,
            "target_site": target,
            "rpo_target": rpo if replication_type == "async" else 0.0,
            "rto_target": 0.0,
            "test_interval": 0.0,
            "policy_id": "",
            "policy_name": "",
            "test_schedule": dict(NO_SCHEDULE),
            "automation": copy.deepcopy(NO_AUTOMATION),
            "state": state,
            "split_from": "",
            "vms": [],
            "created_at": stamp(3600),
            "updated_at": stamp(60),
            **extra,
        }
        self.groups[group_id] = group
        for vm_name, tier in vms:
            server = next((s for s in self.vms if s["name"] == vm_name), None)
            server = server or self.add_server(vm_name)
            self._protect(group, server, tier)
        self.health[group_id] = {
            "group_id": group_id,
            "storage_link_up": True,
            "newest_recovery_point": {"id": f"{group_id}.pgroup.1", "created_at": stamp(42)},
            "recovery_point_age": 42.0,
            "within_rpo_target": rpo >= 42.0,
            "metadata_changes_behind": 0,
            "metadata_seconds_behind": 0.0,
        }
        self.points[group_id] = [
            {
                "id": f"{group_id}.pgroup.1",
                "group_id": group_id,
                "replication_type": replication_type,
                "created_at": stamp(42),
                "completed_at": stamp(40),
                "progress": 1.0,
                "source_array": "array-a",
                "target_array": "array-b",
                "server_ids": [vm["server_id"] for vm in group["vms"]],
            }
        ]
        return group

    def add_operation(
        self, group_id: str, kind: str = "test_failover", state: str = "succeeded", **extra: Any
    ) -> dict[str, Any]:
        group = self.groups[group_id]
        op_id = extra.pop("id", f"op-{len(self.operations) + 1}")
        finished = state not in ("pending", "running", "compensating")
        operation = {
            "id": op_id,
            "project_id": PROJECT,
            "group_id": group_id,
            "kind": kind,
            "state": state,
            "idempotency_key": f"key-{op_id}",
            "created_at": stamp(300),
            "started_at": stamp(299),
            "finished_at": stamp(200) if finished else None,
            "vms": [self._progress(vm, finished) for vm in group["vms"]],
            "trace_id": "0af7651916cd43dd8448eb211c80319c",
            "error": "",
            "parent_operation_id": "",
            "cleanup_at": None,
            "partial": False,
            **extra,
        }
        self.operations[op_id] = operation
        self.reports[op_id] = self._report(operation)
        return operation

    def _progress(self, vm: dict[str, Any], finished: bool) -> dict[str, Any]:
        steps = ["recover_volumes", "manage_volumes", "create_ports", "boot", "verify"]
        done = "succeeded" if finished else "pending"
        return {
            "server_id": vm["server_id"],
            "name": vm["name"],
            "tier": vm["tier"],
            "state": "succeeded" if finished else "running",
            "current_step": "" if finished else steps[0],
            "steps": [
                {
                    "name": step,
                    "state": done if (finished or index) else "running",
                    "attempts": 1 if finished or not index else 0,
                    "timing": {
                        "started_at": stamp(299 - index * 10) if finished or not index else None,
                        "finished_at": stamp(290 - index * 10) if finished else None,
                        "elapsed": 9.0 if finished else 0.0,
                    },
                    "error": "",
                }
                for index, step in enumerate(steps)
            ],
            "recovered_server_id": f"new-{vm['server_id']}" if finished else "",
        }

    def _report(self, operation: dict[str, Any]) -> dict[str, Any]:
        return {
            "operation_id": operation["id"],
            "kind": operation["kind"],
            "state": operation["state"],
            "group_id": operation["group_id"],
            "timing": {
                "started_at": operation["started_at"],
                "finished_at": operation["finished_at"],
                "elapsed": 99.0,
            },
            "rto": 95.5,
            "recovery_point": {"id": f"{operation['group_id']}.pgroup.1", "created_at": stamp(342)},
            "rpo": 42.0,
            "vms": [
                {
                    "server_id": vm["server_id"],
                    "name": vm["name"],
                    "tier": vm["tier"],
                    "recovered": operation["state"] == "succeeded",
                    "recovered_server_id": vm["recovered_server_id"],
                    "steps": vm["steps"],
                    "recovery_time": 90.0,
                    "error": "",
                    "checks": [],
                    "hooks": [],
                }
                for vm in operation["vms"]
            ],
            "errors": [],
            "trace_id": operation["trace_id"],
            "removed": [],
            "group_steps": [],
            "kept": [],
            "hooks": [],
        }

    def _protect(
        self, group: dict[str, Any], server: dict[str, Any], tier: int, added_by: str = ""
    ) -> None:
        group["vms"].append(
            {
                "server_id": server["server_id"],
                "name": server["name"],
                "tier": tier,
                "added_at": stamp(1800),
                "added_by": added_by,
            }
        )
        server.update(state="protected", group_id=group["id"], group_name=group["name"])
        server["tier"] = tier

    # What the gateway checks -------------------------------------------------------------------

    def _call(self, _function: str, **arguments: Any) -> None:
        self.calls.append((_function, arguments))

    def called(self, name: str) -> list[dict[str, Any]]:
        return [arguments for called, arguments in self.calls if called == name]

    def _group(self, group_id: str) -> dict[str, Any]:
        if group_id not in self.groups:
            raise errors.DraasNotFound(404, "Not found", f"failover group {group_id} not found")
        return self.groups[group_id]

    def _write(self) -> None:
        if not self.writable:
            raise errors.DraasRecoverable(
                403,
                "Forbidden",
                "your roles in this project only allow reading (a member or admin role may "
                "change it)",
            )

    def _require(self, group: dict[str, Any], request: str, site: str, state: str) -> None:
        if group["state"] != state or self.site != site:
            raise conflict(
                f"failover group {group['name']} is {group['state'].replace('_', ' ')}: a "
                f"{request} is not allowed at {self.site} now"
            )

    def _start(self, group: dict[str, Any], kind: str, key: str, **extra: Any) -> Operation:
        if key in self.keys:
            return Operation(copy.deepcopy(self.operations[self.keys[key]]))
        operation = self.add_operation(
            group["id"], kind, "running", id=f"op-{uuid.uuid4().hex[:8]}", **extra
        )
        operation["idempotency_key"] = key
        self.keys[key] = operation["id"]
        return Operation(copy.deepcopy(operation))

    # The API ----------------------------------------------------------------------------------

    def _shown(self, group: dict[str, Any]) -> Group:
        """The group as the gateway shows it: with its newest ended test here."""
        tests = [
            o
            for o in self.operations.values()
            if o["group_id"] == group["id"]
            and o["kind"] == "test_failover"
            and not o.get("partial")
            and o["state"] not in ("pending", "running", "compensating")
        ]
        newest = max(tests, key=lambda o: str(o["finished_at"]), default=None)
        summary = None
        if newest is not None:
            summary = {
                "operation_id": newest["id"],
                "state": newest["state"],
                "finished_at": newest["finished_at"],
                "rto": 95.5,
            }
        return Group({**copy.deepcopy(group), "last_test": summary})

    def list_groups(self, request: Any, all_projects: bool = False) -> list[Group]:
        self._call("list_groups", all_projects=all_projects)
        return [self._shown(g) for g in self.groups.values()]

    def get_group(self, request: Any, group_id: str, project_id: str | None = None) -> Group:
        self._call("get_group", group_id=group_id, project_id=project_id)
        return self._shown(self._group(group_id))

    def site_status(self, request: Any) -> SiteStatus:
        self._call("site_status")
        if not self.admin:
            raise errors.DraasRecoverable(403, "Forbidden", "the site's status: only an admin may")
        return SiteStatus(
            {
                "site": self.site,
                "healthy": self.healthy,
                "dependencies": [
                    {
                        "name": name,
                        "address": "127.0.0.1:5005x",
                        "state": "serving" if self.healthy or name != "storage" else "unreachable",
                        "detail": "" if self.healthy or name != "storage" else "UNAVAILABLE",
                        "latency": 0.002,
                    }
                    for name in ("database", "metadata", "storage", "compute")
                ],
            }
        )

    def create_group(
        self,
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
        self._call(
            "create_group",
            name=name,
            replication_type=replication_type,
            target_site=target_site,
            description=description,
            rpo_target_seconds=rpo_target_seconds,
            target_project_id=target_project_id,
            target_token=target_token,
            rto_target_seconds=rto_target_seconds,
            test_interval_seconds=test_interval_seconds,
            policy=policy,
        )
        self._write()
        taken: dict[str, Any] = self.made_from_policy(policy) if policy else {}
        replication_type = taken.get("replication_type", replication_type)
        target_site = taken.get("target_site", target_site)
        if not replication_type or not target_site:
            raise bad_request("replication_type", "is required (or name a policy)")
        if test_interval_seconds and test_interval_seconds < MIN_TEST_INTERVAL:
            raise bad_request("test_interval", "must be 0 (none) or 3600 to 31622400 s")
        if target_site == self.site:
            raise errors.DraasRecoverable(
                400, "Bad request", f"target_site: must be another site than this one ({self.site})"
            )
        if any(g["name"] == name for g in self.groups.values()):
            raise conflict(f"project {PROJECT} has a failover group named {name} already")
        if not target_token and not getattr(self, "linked", False):
            raise errors.DraasRecoverable(
                403,
                "Forbidden",
                f"your project is not linked to a project at {target_site}: send a token of "
                f"{target_site} scoped to your project there (X-Target-Auth-Token) to prove you "
                "hold it, or ask an admin to link the projects",
            )
        self.linked = True
        group = self.add_group(
            name,
            source=self.site,
            target=target_site,
            replication_type=replication_type,
            rpo=taken.get("rpo_target", rpo_target_seconds or 0.0),
            id=f"grp-{uuid.uuid4().hex[:8]}",
            description=description,
        )
        group["rto_target"] = rto_target_seconds or 0.0
        group["test_interval"] = test_interval_seconds or 0.0
        group.update(taken)
        return self._shown(group)

    def delete_group(self, request: Any, group_id: str) -> None:
        self._call("delete_group", group_id=group_id)
        self._write()
        group = self._group(group_id)
        self._require(group, "change", group["source_site"], "protected")
        del self.groups[group_id]

    def add_vm(self, request: Any, group_id: str, server_id: str, tier: int = 1) -> Group:
        self._call("add_vm", group_id=group_id, server_id=server_id, tier=tier)
        self._write()
        group = self._group(group_id)
        self._require(group, "change", group["source_site"], "protected")
        server = next((s for s in self.vms if s["server_id"] == server_id), None)
        if server is None:
            raise errors.DraasNotFound(404, "Not found", f"server {server_id} not found")
        if server["state"] == "not_eligible":
            reasons = "; ".join(server["reasons"])
            raise errors.DraasRecoverable(
                412, "Failed precondition", f"VM {server['name']} ({server_id}): {reasons}"
            )
        if server["state"] == "protected":
            raise conflict(f"VM {server['name']}: it is in failover group {server['group_name']}")
        self._protect(group, server, tier)
        return Group(copy.deepcopy(group))

    def split_group(
        self,
        request: Any,
        group_id: str,
        server_ids: list[str],
        name: str = "",
        description: str = "",
    ) -> Group:
        self._call(
            "split_group",
            group_id=group_id,
            server_ids=server_ids,
            name=name,
            description=description,
        )
        self._write()
        group = self._group(group_id)
        self._require(group, "change", group["source_site"], "protected")
        members = {vm["server_id"]: vm for vm in group["vms"]}
        if not server_ids or set(server_ids) - set(members):
            raise errors.DraasRecoverable(400, "Bad request", "server_ids: not VMs of the group")
        if len(set(server_ids)) == len(members):
            raise errors.DraasRecoverable(
                400, "Bad request", "server_ids: names every VM of the group"
            )
        moved = [members[s] for s in server_ids]
        new = self.add_group(
            name or f"{group['name']}-{moved[0]['name']}",
            group["source_site"],
            group["target_site"],
            group["replication_type"],
            rpo=group["rpo_target"],
            id=f"grp-{uuid.uuid4().hex[:8]}",
            description=description or f"split from {group['name']}",
            split_from=group["id"],
        )
        group["vms"] = [vm for vm in group["vms"] if vm["server_id"] not in server_ids]
        for vm in moved:
            server = next(s for s in self.vms if s["server_id"] == vm["server_id"])
            self._protect(new, server, vm["tier"])
        return Group(copy.deepcopy(new))

    def remove_vm(self, request: Any, group_id: str, server_id: str) -> Group:
        self._call("remove_vm", group_id=group_id, server_id=server_id)
        self._write()
        group = self._group(group_id)
        self._require(group, "change", group["source_site"], "protected")
        group["vms"] = [v for v in group["vms"] if v["server_id"] != server_id]
        for server in self.vms:
            if server["server_id"] == server_id:
                server.update(state="eligible", group_id="", group_name="", tier=0)
        return Group(copy.deepcopy(group))

    def readiness(self, request: Any, group_id: str, project_id: str | None = None) -> Readiness:
        self._call("readiness", group_id=group_id)
        group = self._group(group_id)
        if group["target_site"] != self.site:
            raise conflict(
                f"readiness of group {group['name']} is checked at its target site "
                f"{group['target_site']}, not at {self.site}"
            )
        failing = self.not_ready.get(group_id, [])
        return Readiness(
            {
                "group_id": group_id,
                "failover_ready": not failing,
                "checks": [{"name": "replicated_within_rpo", "ok": True, "reason": ""}],
                "vms": [
                    {
                        "server_id": vm["server_id"],
                        "ready": not any(f["server_id"] == vm["server_id"] for f in failing),
                        "checks": [{"name": "eligible", "ok": True, "reason": ""}]
                        + [
                            {"name": f["name"], "ok": False, "reason": f["reason"]}
                            for f in failing
                            if f["server_id"] == vm["server_id"]
                        ],
                    }
                    for vm in group["vms"]
                ],
                "checked_at": stamp(),
            }
        )

    def recovery_points(
        self, request: Any, group_id: str, project_id: str | None = None
    ) -> list[RecoveryPoint]:
        self._call("recovery_points", group_id=group_id)
        self._group(group_id)
        return [RecoveryPoint(copy.deepcopy(p)) for p in self.points.get(group_id, [])]

    def replication_health(
        self, request: Any, group_id: str, project_id: str | None = None
    ) -> Health:
        self._call("replication_health", group_id=group_id, project_id=project_id)
        self._group(group_id)
        return Health(copy.deepcopy(self.health[group_id]))

    def list_vms(self, request: Any) -> list[Vm]:
        self._call("list_vms")
        return [Vm(copy.deepcopy(v)) for v in self.vms]

    def list_operations(
        self, request: Any, group_id: str = "", all_projects: bool = False, limit: int | None = None
    ) -> list[Operation]:
        self._call("list_operations", group_id=group_id, all_projects=all_projects)
        found = [o for o in self.operations.values() if not group_id or o["group_id"] == group_id]
        found.sort(key=lambda o: str(o["created_at"]), reverse=True)
        return [Operation(copy.deepcopy(o)) for o in found[: limit or None]]

    def get_operation(
        self, request: Any, operation_id: str, project_id: str | None = None
    ) -> Operation:
        self._call("get_operation", operation_id=operation_id, project_id=project_id)
        if operation_id not in self.operations:
            raise errors.DraasNotFound(404, "Not found", f"operation {operation_id} not found")
        return Operation(copy.deepcopy(self.operations[operation_id]))

    def get_report(self, request: Any, operation_id: str, project_id: str | None = None) -> Report:
        self._call("get_report", operation_id=operation_id, project_id=project_id)
        if operation_id not in self.reports:
            raise errors.DraasNotFound(404, "Not found", f"operation {operation_id} not found")
        return Report(copy.deepcopy(self.reports[operation_id]))

    def start_test_failover(
        self,
        request: Any,
        group_id: str,
        idempotency_key: str,
        recovery_point_id: str | None = None,
        cleanup_after_seconds: float | None = None,
        stop_on_vm_failure: bool = False,
        server_ids: list[str] | None = None,
    ) -> Operation:
        self._call(
            "start_test_failover",
            group_id=group_id,
            idempotency_key=idempotency_key,
            recovery_point_id=recovery_point_id,
            cleanup_after_seconds=cleanup_after_seconds,
            stop_on_vm_failure=stop_on_vm_failure,
            server_ids=server_ids,
        )
        self._write()
        group = self._group(group_id)
        extra: dict[str, Any] = {}
        if idempotency_key not in self.keys:
            self._require(group, "test failover", group["target_site"], "protected")
            if server_ids:
                strangers = set(server_ids) - {vm["server_id"] for vm in group["vms"]}
                if strangers:
                    raise errors.DraasRecoverable(
                        400, "Bad request", f"server_ids: not VMs of the group: {strangers}"
                    )
                chosen = [vm for vm in group["vms"] if vm["server_id"] in server_ids]
                extra = {"partial": True, "vms": [self._progress(vm, False) for vm in chosen]}
            group["state"] = "testing"
        return self._start(group, "test_failover", idempotency_key, **extra)

    def start_cleanup(self, request: Any, operation_id: str, idempotency_key: str) -> Operation:
        self._call("start_cleanup", operation_id=operation_id, idempotency_key=idempotency_key)
        self._write()
        test = self.operations.get(operation_id)
        if test is None:
            raise errors.DraasNotFound(404, "Not found", f"operation {operation_id} not found")
        if test["state"] in ("pending", "running", "compensating"):
            raise conflict(
                f"test failover {operation_id} is still {test['state']}; clean it up when it "
                "has ended"
            )
        group = self._group(test["group_id"])
        operation = self._start(
            group, "test_cleanup", idempotency_key, parent_operation_id=operation_id
        )
        return operation

    def start_failover(
        self,
        request: Any,
        group_id: str,
        mode: str,
        idempotency_key: str,
        recovery_point_id: str | None = None,
        quiesce: bool = False,
        stop_on_vm_failure: bool = False,
    ) -> Operation:
        self._call(
            "start_failover",
            group_id=group_id,
            mode=mode,
            idempotency_key=idempotency_key,
            recovery_point_id=recovery_point_id,
            quiesce=quiesce,
            stop_on_vm_failure=stop_on_vm_failure,
        )
        self._write()
        group = self._group(group_id)
        if idempotency_key not in self.keys:
            self._require(group, "failover", group["target_site"], "protected")
            group["state"] = "failing_over"
        return self._start(group, f"{mode}_failover", idempotency_key)

    def start_reprotect(
        self,
        request: Any,
        group_id: str,
        method: str,
        target_replication_type: str,
        idempotency_key: str,
        volume_type: str = "",
        rpo_target_seconds: float | None = None,
    ) -> Operation:
        self._call(
            "start_reprotect",
            group_id=group_id,
            method=method,
            target_replication_type=target_replication_type,
            idempotency_key=idempotency_key,
            volume_type=volume_type,
            rpo_target_seconds=rpo_target_seconds,
        )
        self._write()
        group = self._group(group_id)
        if idempotency_key not in self.keys:
            self._require(group, "reprotect", group["source_site"], "failed_over")
            group["state"] = "reprotecting"
        return self._start(group, "reprotect", idempotency_key)

    def start_failback(self, request: Any, group_id: str, idempotency_key: str) -> Operation:
        self._call("start_failback", group_id=group_id, idempotency_key=idempotency_key)
        self._write()
        group = self._group(group_id)
        home = group.get("home_site") or group["target_site"]
        if idempotency_key not in self.keys:
            self._require(group, "failback", home, "protected")
            group["state"] = "failing_back"
        return self._start(group, "failback", idempotency_key)

    def start_move(self, request: Any, group_id: str, idempotency_key: str) -> Operation:
        self._call("start_move", group_id=group_id, idempotency_key=idempotency_key)
        self._write()
        group = self._group(group_id)
        if idempotency_key not in self.keys:
            self._require(group, "move", group["target_site"], "protected")
            group["state"] = "failing_over"
        return self._start(group, "move", idempotency_key)
