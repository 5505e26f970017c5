"""The policies share of the fake gateway (`fakes.FakeGateway` inherits it): DR policies
(a project's own, or published by an admin), groups made from them taking their changes (the
answer says what changed in each, or why not), and each group's scheduled tests (their state,
and a test run now at the target site), held in memory and refused as the gateway refuses
them."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from draas_dashboard.api import errors
from draas_dashboard.api.records import Operation, Policy, PolicyChange, ScheduleState
from draas_dashboard.testing.fake_monitoring import MIN_TEST_INTERVAL, bad_request, rfc3339

POLICY_FUNCTIONS = (
    "list_policies",
    "get_policy",
    "create_policy",
    "update_policy",
    "delete_policy",
    "get_test_schedule",
    "run_scheduled_test",
)
# What a group made from a policy takes from it: the policy's field -> the group's.
TAKEN = {
    "replication_type": "replication_type",
    "target_site": "target_site",
    "rpo_target_seconds": "rpo_target",
    "rto_target_seconds": "rto_target",
    "test_interval_seconds": "test_interval",
}
NO_SCHEDULE = {"enabled": False, "windows": [], "timezone": "", "cleanup_after": 0.0}
NO_AUTOMATION: dict[str, list[Any]] = {"hooks": [], "checks": []}


def conflict(detail: str) -> errors.DraasRecoverable:
    return errors.DraasRecoverable(409, "Conflict", detail)


def forbidden(detail: str) -> errors.DraasRecoverable:
    return errors.DraasRecoverable(403, "Forbidden", detail)


def schedule_json(body: dict[str, Any] | None) -> dict[str, Any]:
    """A request's test_schedule as the gateway shows it (cleanup_after in seconds)."""
    body = body or {}
    return {
        "enabled": bool(body.get("enabled")),
        "windows": [str(w).strip().lower() for w in body.get("windows") or []],
        "timezone": str(body.get("timezone") or ""),
        "cleanup_after": float(body.get("cleanup_after_seconds") or 0.0),
    }


class FakePolicies:
    """Policies and scheduled tests of one site's fake gateway; the class it is mixed into
    gives `site`, `groups`, `operations`, `admin` and the helpers below."""

    site: str
    admin: bool
    groups: dict[str, dict[str, Any]]
    operations: dict[str, dict[str, Any]]

    # What the gateway's fake this is mixed into provides.
    def _call(self, _function: str, **arguments: Any) -> None:
        raise NotImplementedError

    def _write(self) -> None:
        raise NotImplementedError

    def _group(self, group_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def _require(self, group: dict[str, Any], request: str, site: str, state: str) -> None:
        raise NotImplementedError

    def _start(self, group: dict[str, Any], kind: str, key: str, **extra: Any) -> Operation:
        raise NotImplementedError

    def __init__(self) -> None:
        self.policies: dict[str, dict[str, Any]] = {}
        # Per group: the last test the schedule started (id, when) and why one could not.
        self.scheduled: dict[str, dict[str, Any]] = {}

    # Set-up helpers -------------------------------------------------------------------------

    def add_policy(
        self,
        name: str,
        target_site: str = "site-b",
        replication_type: str = "async",
        rpo: float = 60.0,
        published: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        policy = {
            "id": extra.pop("id", f"pol-{name.lower()}"),
            "project_id": "" if published else "project-a",
            "name": name,
            "description": "",
            "replication_type": replication_type,
            "target_site": target_site,
            "rpo_target": rpo if replication_type == "async" else 0.0,
            "rto_target": 0.0,
            "test_interval": 0.0,
            "test_schedule": dict(NO_SCHEDULE),
            "default_tier": 1,
            "automation": copy.deepcopy(NO_AUTOMATION),
            "created_at": rfc3339(datetime.now(UTC) - timedelta(days=1)),
            "updated_at": rfc3339(datetime.now(UTC) - timedelta(days=1)),
            **extra,
        }
        self.policies[policy["id"]] = policy
        return policy

    # Helpers ----------------------------------------------------------------------------------

    def _shown_policy(self, policy: dict[str, Any]) -> Policy:
        named = [g["id"] for g in self.groups.values() if g.get("policy_id") == policy["id"]]
        return Policy({**copy.deepcopy(policy), "group_ids": named})

    def _find_policy(self, id_or_name: str) -> dict[str, Any]:
        if id_or_name in self.policies:
            return self.policies[id_or_name]
        named = [p for p in self.policies.values() if p["name"] == id_or_name]
        named.sort(key=lambda p: not p["project_id"])  # the project's own first
        if not named:
            raise errors.DraasNotFound(
                404, "Not found", f"project project-a has no policy {id_or_name}"
            )
        return named[0]

    def _naming(self, policy: dict[str, Any]) -> list[dict[str, Any]]:
        return [g for g in self.groups.values() if g.get("policy_id") == policy["id"]]

    def _checked(self, body: dict[str, Any], exclude: str = "") -> dict[str, Any]:
        """The policy a body describes, as the gateway shows one.

        :raises DraasRecoverable: as the gateway refuses it (400 naming the field, 409 a
            name taken)."""
        name = str(body.get("name") or "")
        if not name:
            raise bad_request("name", "Field required")
        if any(p["name"] == name and p["id"] != exclude for p in self.policies.values()):
            raise conflict(f"there is a policy named {name} already")
        if body.get("target_site") == self.site:
            raise bad_request(
                "target_site", f"{body.get('target_site')!r} is not a peer site (peers: site-b)"
            )
        if body.get("replication_type") == "async" and not body.get("rpo_target_seconds"):
            raise bad_request("rpo_target", "is required for an async policy")
        interval = float(body.get("test_interval_seconds") or 0.0)
        if interval and interval < MIN_TEST_INTERVAL:
            raise bad_request("test_interval", "must be 0 (none) or 3600 to 31622400 s")
        schedule = schedule_json(body.get("test_schedule"))
        if schedule["enabled"] and not interval:
            raise bad_request("test_interval", "is required for tests that run by themselves")
        for window in schedule["windows"]:
            if " " not in window or "-" not in window.split()[-1]:
                raise bad_request(
                    "test_schedule.windows", f"{window!r}: a window is 'DAYS HH:MM-HH:MM'"
                )
        return {
            "name": name,
            "description": str(body.get("description") or ""),
            "replication_type": body.get("replication_type"),
            "target_site": body.get("target_site"),
            "rpo_target": float(body.get("rpo_target_seconds") or 0.0),
            "rto_target": float(body.get("rto_target_seconds") or 0.0),
            "test_interval": interval,
            "test_schedule": schedule,
            "default_tier": int(body.get("default_tier") or 1),
            "automation": copy.deepcopy(body.get("automation") or NO_AUTOMATION),
        }

    def _apply(self, group: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
        """A group made from the policy takes its values, as the gateway says what changed."""
        result: dict[str, Any] = {
            "group_id": group["id"],
            "group_name": group["name"],
            "changes": [],
            "refused": "",
        }
        changes = [
            f"{key} {group[key]:g} s -> {policy[key]:g} s"
            for key in ("rpo_target", "rto_target", "test_interval")
            if group[key] != policy[key]
        ]
        if group.get("test_schedule") != policy["test_schedule"]:
            changes.append("test_schedule")
        if group.get("automation") != policy["automation"]:
            changes.append("hooks and checks")
        if not changes:
            return result
        if group["source_site"] != self.site:
            result["refused"] = (
                f"it runs at {group['source_site']} now: it takes the change when it is back here"
            )
            return result
        if group["state"] != "protected":
            result["refused"] = (
                f"failover group {group['name']} is {group['state'].replace('_', ' ')}: a "
                "change is not allowed now"
            )
            return result
        for key in ("rpo_target", "rto_target", "test_interval"):
            group[key] = policy[key]
        group["test_schedule"] = copy.deepcopy(policy["test_schedule"])
        group["automation"] = copy.deepcopy(policy["automation"])
        group["policy_name"] = policy["name"]
        result["changes"] = changes
        return result

    def made_from_policy(self, policy_ref: str) -> dict[str, Any]:
        """What a group made from the policy takes from it (create_group's part)."""
        policy = self._find_policy(policy_ref)
        return {
            "replication_type": policy["replication_type"],
            "target_site": policy["target_site"],
            "rpo_target": policy["rpo_target"],
            "rto_target": policy["rto_target"],
            "test_interval": policy["test_interval"],
            "test_schedule": copy.deepcopy(policy["test_schedule"]),
            "automation": copy.deepcopy(policy["automation"]),
            "policy_id": policy["id"],
            "policy_name": policy["name"],
        }

    # The API ----------------------------------------------------------------------------------

    def list_policies(self, request: Any) -> list[Policy]:
        self._call("list_policies")
        ordered = sorted(self.policies.values(), key=lambda p: p["name"])
        return [self._shown_policy(p) for p in ordered]

    def get_policy(self, request: Any, policy: str) -> Policy:
        self._call("get_policy", policy=policy)
        return self._shown_policy(self._find_policy(policy))

    def create_policy(self, request: Any, body: dict[str, Any], publish: bool = False) -> Policy:
        self._call("create_policy", body=copy.deepcopy(body), publish=publish)
        self._write()
        if publish and not self.admin:
            raise forbidden("publish: only an admin may")
        made = self._checked(body)
        stamp = rfc3339(datetime.now(UTC))
        policy = {
            "id": str(uuid.uuid4()),
            "project_id": "" if publish else "project-a",
            **made,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.policies[policy["id"]] = policy
        return self._shown_policy(policy)

    def update_policy(self, request: Any, policy: str, body: dict[str, Any]) -> PolicyChange:
        self._call("update_policy", policy=policy, body=copy.deepcopy(body))
        self._write()
        current = self._find_policy(policy)
        if not current["project_id"] and not self.admin:
            raise forbidden(
                f"policy {current['name']} is published for every project: only an admin may "
                "change it"
            )
        changed = self._checked(body, exclude=current["id"])
        named = self._naming(current)
        moved = [
            f"{key} {current[key]} -> {changed[key]}"
            for key in ("replication_type", "target_site")
            if current[key] != changed[key]
        ]
        if moved and named:
            raise conflict(
                f"policy {current['name']}: {'; '.join(moved)} cannot change in place, "
                f"{len(named)} group(s) are made from it "
                f"({', '.join(g['name'] for g in named)}): make a new policy instead"
            )
        current.update(changed, updated_at=rfc3339(datetime.now(UTC)))
        results = [self._apply(g, current) for g in named]
        return PolicyChange({"policy": self._shown_policy(current).raw(), "groups": results})

    def delete_policy(self, request: Any, policy: str) -> None:
        self._call("delete_policy", policy=policy)
        self._write()
        current = self._find_policy(policy)
        named = self._naming(current)
        if named:
            raise conflict(
                f"policy {current['name']} is named by {len(named)} group(s) "
                f"({', '.join(g['name'] for g in named)}): delete them or change them first"
            )
        if not current["project_id"] and not self.admin:
            raise forbidden(
                f"policy {current['name']} is published for every project: only an admin may "
                "change it"
            )
        del self.policies[current["id"]]

    def get_test_schedule(self, request: Any, group_id: str) -> ScheduleState:
        self._call("get_test_schedule", group_id=group_id)
        group = self._group(group_id)
        tests = [
            o
            for o in self.operations.values()
            if o["group_id"] == group_id
            and o["kind"] == "test_failover"
            and o["state"] == "succeeded"
        ]
        last_success = max((str(o["finished_at"]) for o in tests), default=None)
        schedule = group.get("test_schedule") or NO_SCHEDULE
        interval = float(group.get("test_interval") or 0.0)
        memory = self.scheduled.get(group_id, {})
        due = run = None
        if schedule["enabled"] and interval:
            since = datetime.fromisoformat(
                (last_success or group["created_at"]).replace("Z", "+00:00")
            )
            due = since + timedelta(seconds=interval)
            run = max(due, datetime.now(UTC))
        return ScheduleState(
            {
                "group_id": group_id,
                "test_interval": interval,
                "test_schedule": copy.deepcopy(schedule),
                "last_success_at": last_success,
                "last_scheduled_operation_id": memory.get("operation_id", ""),
                "last_scheduled_at": memory.get("at"),
                "next_due_at": rfc3339(due) if due else None,
                "next_run_at": rfc3339(run) if run else None,
                "last_problem": memory.get("problem", ""),
                "site": group["target_site"],
            }
        )

    def run_scheduled_test(self, request: Any, group_id: str) -> Operation:
        self._call("run_scheduled_test", group_id=group_id)
        self._write()
        group = self._group(group_id)
        if group["target_site"] != self.site:
            raise conflict(
                f"the tests of group {group['name']} run at its target site "
                f"{group['target_site']}, not at {self.site}"
            )
        self._require(group, "test failover", group["target_site"], "protected")
        group["state"] = "testing"
        schedule: dict[str, Any] = group.get("test_schedule") or NO_SCHEDULE
        cleanup = float(schedule["cleanup_after"] or 3600.0)
        operation = self._start(
            group,
            "test_failover",
            f"run-now-{uuid.uuid4().hex}",
            cleanup_at=rfc3339(datetime.now(UTC) + timedelta(seconds=cleanup)),
        )
        self.scheduled[group_id] = {
            "operation_id": operation.id,
            "at": rfc3339(datetime.now(UTC)),
            "problem": "",
        }
        return operation
