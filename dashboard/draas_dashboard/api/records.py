"""The gateway's JSON objects as read-only records with attribute access (what Horizon's tables
and templates read), plus what the pages derive from them. Fields are as the gateway names
them (see gateway/views.py: enums as short words, durations in seconds, RFC 3339 times)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Operation states (OperationState) that are not final yet.
ACTIVE_STATES = frozenset({"pending", "running", "compensating"})
# Operation kinds (OperationKind) that recover VMs somewhere.
FAILOVER_KINDS = frozenset(
    {"test_failover", "planned_failover", "unplanned_failover", "failback", "move"}
)


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime; None for none or nonsense."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Record:
    """A JSON object: each key an attribute (the gateway sends every field of its objects;
    a key it does not send is an AttributeError, as for any object)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._data:
            raise AttributeError(name)
        return self._data[name]

    def get(self, name: str, default: Any = None) -> Any:
        """The raw value of a key."""
        value = self._data.get(name)
        return default if value is None else value

    def raw(self) -> dict[str, Any]:
        """The JSON object."""
        return dict(self._data)

    def time(self, name: str) -> datetime | None:
        """A timestamp field as a datetime."""
        return parse_time(self._data.get(name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data.get('id') or self._data.get('server_id')!r})"


def _records(cls: type[Record], items: Any) -> list[Any]:
    return [cls(i) for i in items] if isinstance(items, list) else []


class ProtectedVm(Record):
    """A VM of a group: server_id, name, tier, added_at, added_by ("tag": protected because
    its server is tagged with the group's policy; empty: added by hand)."""

    @property
    def id(self) -> str:
        return str(self._data.get("server_id") or "")

    @property
    def by_tag(self) -> bool:
        return self._data.get("added_by") == "tag"


class TestSchedule(Record):
    """When tests run by themselves (a group's or a policy's `test_schedule`): enabled,
    windows (e.g. "mon-fri 20:00-06:00"; none: any time), timezone (empty: UTC),
    cleanup_after (s; 0: the site's default)."""

    @property
    def enabled(self) -> bool:
        return bool(self._data.get("enabled"))

    @property
    def windows(self) -> list[str]:
        value = self._data.get("windows")
        return [str(w) for w in value] if isinstance(value, list) else []

    @property
    def zone(self) -> str:
        return str(self._data.get("timezone") or "UTC")

    @property
    def cleanup_after_seconds(self) -> float | None:
        value = self._data.get("cleanup_after")
        return float(value) if value else None


class Hook(Record):
    """An HTTP hook: name, url, when (pre_operation, post_operation, pre_tier, post_tier,
    pre_vm, post_vm), kinds, timeout (s), retries, on_failure (fail, warn), vms, tiers."""


class AppCheck(Record):
    """An application check: name, type (tcp, http, hook), port, path, expect_status,
    expect_text, url (a hook's), timeout (s), in_failovers, on_failure, vms, tiers."""

    @property
    def target(self) -> str:
        """What it checks, in one line: `tcp :5432`, `http :80/health -> 200 "ok"`, `hook
        https://...`."""
        kind = self._data.get("type")
        if kind == "hook":
            return f"hook {self._data.get('url') or '?'}"
        text = f"{kind} :{self._data.get('port') or '?'}"
        if kind == "http":
            text += f"{self._data.get('path') or '/'} -> {self._data.get('expect_status') or 200}"
            if self._data.get("expect_text"):
                text += f' "{self._data["expect_text"]}"'
        return text


class Automation(Record):
    """A group's or a policy's hooks and application checks."""

    @property
    def hooks(self) -> list[Hook]:
        return _records(Hook, self._data.get("hooks"))

    @property
    def checks(self) -> list[AppCheck]:
        return _records(AppCheck, self._data.get("checks"))

    @property
    def empty(self) -> bool:
        return not self.hooks and not self.checks


def _schedule(value: Any) -> TestSchedule:
    return TestSchedule(value if isinstance(value, dict) else {})


def _automation(value: Any) -> Automation:
    return Automation(value if isinstance(value, dict) else {})


class Group(Record):
    """A failover group as the gateway shows it."""

    @property
    def vms(self) -> list[ProtectedVm]:
        return _records(ProtectedVm, self._data.get("vms"))

    @property
    def vm_count(self) -> int:
        return len(self.vms)

    @property
    def rpo_target_seconds(self) -> float | None:
        value = self._data.get("rpo_target")
        return float(value) if value else None

    @property
    def rto_target_seconds(self) -> float | None:
        """The RTO a test's measured RTO is judged against; None: none."""
        value = self._data.get("rto_target")
        return float(value) if value else None

    @property
    def test_interval_seconds(self) -> float | None:
        """A successful test failover is due within each interval; None: none."""
        value = self._data.get("test_interval")
        return float(value) if value else None

    @property
    def policy(self) -> str | None:
        """The policy the group takes its targets from (by name), if any."""
        if not self._data.get("policy_id"):
            return None
        return str(self._data.get("policy_name") or self._data.get("policy_id"))

    @property
    def schedule(self) -> TestSchedule:
        """When its tests run by themselves (off when the gateway does not say)."""
        return _schedule(self._data.get("test_schedule"))

    @property
    def hooks_and_checks(self) -> Automation:
        return _automation(self._data.get("automation"))

    @property
    def home_site(self) -> str | None:
        """Where the group was made (a failback brings it back there), when the gateway says."""
        value = self._data.get("home_site")
        return str(value) if value else None

    @property
    def reports_last_test(self) -> bool:
        """Whether the gateway says the group's last test here (`last_test`, null for none)."""
        return "last_test" in self._data

    @property
    def last_test(self) -> Operation | None:
        """The newest ended test failover of the group at this site, as an operation (id,
        state, finished_at, rto), when the gateway says."""
        summary = self._data.get("last_test")
        if not isinstance(summary, dict) or not summary.get("operation_id"):
            return None
        return Operation(
            {
                "id": summary["operation_id"],
                "kind": "test_failover",
                "state": summary.get("state"),
                "finished_at": summary.get("finished_at"),
                "created_at": summary.get("finished_at"),
                "rto": summary.get("rto"),
            }
        )

    @property
    def route(self) -> str:
        return f"{self._data.get('source_site') or '?'} → {self._data.get('target_site') or '?'}"

    @property
    def display_name(self) -> str:
        return str(self._data.get("name") or self._data.get("id") or "")


class Vm(Record):
    """A VM of the project at this site with its protection (GET /v1/vms): state is
    protected, eligible or not_eligible."""

    @property
    def id(self) -> str:
        return str(self._data.get("server_id") or "")

    @property
    def reasons(self) -> list[str]:
        value = self._data.get("reasons")
        return [str(r) for r in value] if isinstance(value, list) else []

    @property
    def eligible_for(self) -> list[str]:
        value = self._data.get("eligible_for")
        return [str(r) for r in value] if isinstance(value, list) else []


class Check(Record):
    """A readiness check: name, ok, reason."""


class VmReadiness(Record):
    @property
    def checks(self) -> list[Check]:
        return _records(Check, self._data.get("checks"))

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


class Readiness(Record):
    """A group's readiness at its target site: failover_ready, the group's checks, each VM's."""

    @property
    def checks(self) -> list[Check]:
        return _records(Check, self._data.get("checks"))

    @property
    def vms(self) -> list[VmReadiness]:
        return _records(VmReadiness, self._data.get("vms"))

    def vm(self, server_id: str) -> VmReadiness | None:
        return next((v for v in self.vms if v.server_id == server_id), None)

    @property
    def problems(self) -> list[str]:
        """Every failed check, as `check: reason` (a VM's prefixed with its server id)."""
        found = [f"{c.name}: {c.reason}" for c in self.checks if not c.ok]
        for vm in self.vms:
            found += [f"{vm.server_id} {c.name}: {c.reason}" for c in vm.failed]
        return found


class RecoveryPoint(Record):
    """A point the target site holds: id, created_at, completed_at, progress (0..1), arrays,
    server_ids (the group's VMs it holds: those that had joined when it was taken)."""

    @property
    def complete(self) -> bool:
        return float(self._data.get("progress") or 0.0) >= 1.0

    @property
    def server_ids(self) -> list[str]:
        value = self._data.get("server_ids")
        return [str(s) for s in value] if isinstance(value, list) else []


class Health(Record):
    """A group's replication health: storage_link_up, newest_recovery_point,
    recovery_point_age (s), within_rpo_target, metadata_changes_behind, metadata_seconds_behind."""

    @property
    def newest(self) -> RecoveryPoint | None:
        point = self._data.get("newest_recovery_point")
        return RecoveryPoint(point) if isinstance(point, dict) and point.get("id") else None

    @property
    def age_seconds(self) -> float | None:
        """The newest point's age; None when there is no point yet."""
        if self.newest is None:
            return None
        value = self._data.get("recovery_point_age")
        return float(value) if value is not None else None


class Step(Record):
    """A step of a VM (or of the group) in an operation: name, state, attempts, timing, error."""

    @property
    def started(self) -> datetime | None:
        return parse_time((self._data.get("timing") or {}).get("started_at"))

    @property
    def finished(self) -> datetime | None:
        return parse_time((self._data.get("timing") or {}).get("finished_at"))

    @property
    def elapsed(self) -> float | None:
        value = (self._data.get("timing") or {}).get("elapsed")
        return float(value) if value is not None and self.finished is not None else None


class CheckResult(Record):
    """A hook or application check that ran to its end: name, passed, output, elapsed (s),
    on_failure (fail, warn)."""

    @property
    def outcome(self) -> str:
        """passed, failed, or warned (failed with on_failure warn: noted, and on it went)."""
        if self._data.get("passed"):
            return "passed"
        return "warned" if self._data.get("on_failure") == "warn" else "failed"


class VmProgress(Record):
    """A VM in an operation: server_id, name, tier, state, current_step, steps,
    recovered_server_id (and in a report: recovered, recovery_time, error, and its
    application checks and hooks)."""

    @property
    def id(self) -> str:
        return str(self._data.get("server_id") or "")

    @property
    def steps(self) -> list[Step]:
        return _records(Step, self._data.get("steps"))

    @property
    def checks(self) -> list[CheckResult]:
        return _records(CheckResult, self._data.get("checks"))

    @property
    def hooks(self) -> list[CheckResult]:
        return _records(CheckResult, self._data.get("hooks"))

    @property
    def done_steps(self) -> int:
        return sum(1 for s in self.steps if s.state in ("succeeded", "skipped"))


class Operation(Record):
    """An operation at this site, with each VM's progress."""

    @property
    def vms(self) -> list[VmProgress]:
        return _records(VmProgress, self._data.get("vms"))

    @property
    def active(self) -> bool:
        return self._data.get("state") in ACTIVE_STATES

    @property
    def created(self) -> datetime | None:
        return self.time("created_at")

    @property
    def ended(self) -> datetime | None:
        return self.time("finished_at")

    @property
    def duration_seconds(self) -> float | None:
        start = self.time("started_at") or self.time("created_at")
        end = self.time("finished_at")
        return (end - start).total_seconds() if start and end else None


class Dependency(Record):
    """A dependency of the site's orchestrator: name, address, state (serving, not_serving,
    unreachable), detail, latency (s)."""


class SiteStatus(Record):
    """GET /v1/site/status: the site's name, whether it is healthy, its dependencies."""

    @property
    def dependencies(self) -> list[Dependency]:
        return _records(Dependency, self._data.get("dependencies"))


class Report(Record):
    """What an operation did: timing, rto, recovery_point, rpo, vms (with steps, checks and
    hooks), group_steps, errors, removed, kept, trace_id, hooks (the operation's own)."""

    @property
    def vms(self) -> list[VmProgress]:
        return _records(VmProgress, self._data.get("vms"))

    @property
    def hooks(self) -> list[CheckResult]:
        return _records(CheckResult, self._data.get("hooks"))

    @property
    def results(self) -> list[tuple[str, str, CheckResult]]:
        """Every hook and check result as (whose: "" for the operation's or a VM's name,
        "hook" or "check", the result): the operation's hooks first, then each VM's."""
        found = [("", "hook", h) for h in self.hooks]
        for vm in self.vms:
            name = str(vm.name or vm.server_id)
            found += [(name, "check", c) for c in vm.checks]
            found += [(name, "hook", h) for h in vm.hooks]
        return found

    @property
    def group_steps(self) -> list[Step]:
        return _records(Step, self._data.get("group_steps"))

    @property
    def recovery_point(self) -> RecoveryPoint | None:
        point = self._data.get("recovery_point")
        return RecoveryPoint(point) if isinstance(point, dict) and point.get("id") else None

    @property
    def started(self) -> datetime | None:
        return parse_time((self._data.get("timing") or {}).get("started_at"))

    @property
    def finished(self) -> datetime | None:
        return parse_time((self._data.get("timing") or {}).get("finished_at"))

    def strings(self, name: str) -> list[str]:
        value = self._data.get(name)
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def recovers(self) -> bool:
        """Whether it is a kind that recovers VMs (RTO and RPO mean something)."""
        return self._data.get("kind") in FAILOVER_KINDS


# Monitoring ---------------------------------------------------------------------------------------


class HealthPoint(Record):
    """One step of a group's health history: start, observed_seconds, worst_rpo_seconds,
    last_rpo_seconds, within_target_seconds, link_down_seconds, worst_metadata_lag_seconds,
    protected_vms (a step with nothing observed has observed_seconds 0 and no RPO)."""

    @property
    def moment(self) -> datetime | None:
        return self.time("start")

    @property
    def observed(self) -> bool:
        return float(self._data.get("observed_seconds") or 0.0) > 0

    @property
    def worst_rpo(self) -> float | None:
        value = self._data.get("worst_rpo_seconds")
        return float(value) if value is not None and self.observed else None

    @property
    def link_down(self) -> float:
        return float(self._data.get("link_down_seconds") or 0.0)


class HealthHistory(Record):
    """A group's replication health over a range, as its target site sampled it:
    rpo_target_seconds, step (s), resolution (raw, hour or day), site, points."""

    @property
    def points(self) -> list[HealthPoint]:
        return _records(HealthPoint, self._data.get("points"))

    @property
    def step_seconds(self) -> float:
        return float(self._data.get("step") or 60.0)

    @property
    def target_seconds(self) -> float:
        return float(self._data.get("rpo_target_seconds") or 0.0)

    @property
    def observed_seconds(self) -> float:
        return sum(float(p.observed_seconds or 0.0) for p in self.points)

    @property
    def within_seconds(self) -> float:
        return sum(float(p.within_target_seconds or 0.0) for p in self.points)

    @property
    def link_down_seconds(self) -> float:
        return sum(p.link_down for p in self.points)

    @property
    def compliance_percent(self) -> float | None:
        """The observed time within target with the link up, in percent; None: nothing
        observed."""
        observed = self.observed_seconds
        return 100.0 * self.within_seconds / observed if observed > 0 else None

    @property
    def worst_rpo_seconds(self) -> float | None:
        found = [p.worst_rpo for p in self.points if p.worst_rpo is not None]
        return max(found) if found else None


class AlertEvent(Record):
    """A step of an alert's history: at, kind (fired, acknowledged, resolved), by (a Keystone
    user id, for an acknowledgement), detail (the comment, or why)."""


class Alert(Record):
    """An alert: id, site (where it was raised), project_id, group_id, group_name, rule,
    severity (warning, critical), subject, summary, state (firing, resolved), fired_at,
    resolved_at, acknowledged_at, acknowledged_by, history."""

    @property
    def history(self) -> list[AlertEvent]:
        return _records(AlertEvent, self._data.get("history"))

    @property
    def firing(self) -> bool:
        return self._data.get("state") == "firing"

    @property
    def acknowledged(self) -> bool:
        return bool(self._data.get("acknowledged_at"))


class Alerts(Record):
    """GET /v1/alerts: the alerts (newest first) and the sites that could not be asked."""

    @property
    def alerts(self) -> list[Alert]:
        return _records(Alert, self._data.get("alerts"))

    @property
    def unreachable_sites(self) -> list[str]:
        value = self._data.get("unreachable_sites")
        return [str(s) for s in value] if isinstance(value, list) else []


class AlertChannel(Record):
    """Where alerts raised at this site go: id, name, kind (webhook, email), address,
    min_severity, created_at; secret only in the answer that made a webhook."""


class Delivery(Record):
    """An alert event sent to a channel: id, alert_id, channel_id, event (fired, resolved),
    state (pending, delivered, failed), attempts, created_at, delivered_at, next_attempt_at,
    last_result."""


class GroupCompliance(Record):
    """A group's line of a compliance report (see ComplianceReport)."""


class ComplianceReport(Record):
    """DR compliance over a period: project_id, start, end, generated_at, site, groups,
    rpo_compliance_percent, breaches, tests_run, tests_passed, unreachable_sites."""

    @property
    def groups(self) -> list[GroupCompliance]:
        return _records(GroupCompliance, self._data.get("groups"))

    @property
    def unreachable_sites(self) -> list[str]:
        value = self._data.get("unreachable_sites")
        return [str(s) for s in value] if isinstance(value, list) else []


# Policies and scheduled tests ---------------------------------------------------------------------


class Policy(Record):
    """A DR policy at this site: id, project_id (empty: published by an admin for every
    project), name, description, replication_type, target_site, rpo_target, rto_target,
    test_interval (s; 0: none), test_schedule, default_tier, automation, group_ids (the groups
    here made from it), created_at, updated_at."""

    @property
    def published(self) -> bool:
        return not self._data.get("project_id")

    @property
    def schedule(self) -> TestSchedule:
        return _schedule(self._data.get("test_schedule"))

    @property
    def hooks_and_checks(self) -> Automation:
        return _automation(self._data.get("automation"))

    @property
    def group_ids(self) -> list[str]:
        value = self._data.get("group_ids")
        return [str(g) for g in value] if isinstance(value, list) else []

    @property
    def rpo_target_seconds(self) -> float | None:
        value = self._data.get("rpo_target")
        return float(value) if value else None

    @property
    def rto_target_seconds(self) -> float | None:
        value = self._data.get("rto_target")
        return float(value) if value else None

    @property
    def test_interval_seconds(self) -> float | None:
        value = self._data.get("test_interval")
        return float(value) if value else None

    @property
    def display_name(self) -> str:
        return str(self._data.get("name") or self._data.get("id") or "")


class GroupChangeResult(Record):
    """What a policy change did to one group made from it: group_id, group_name, changes
    (e.g. "rpo_target 60 s -> 30 s"; none: nothing changed), refused (why it kept its
    values)."""

    @property
    def changes(self) -> list[str]:
        value = self._data.get("changes")
        return [str(c) for c in value] if isinstance(value, list) else []


class PolicyChange(Record):
    """PUT /v1/policies/{policy}: the policy as it is now and each group's change."""

    @property
    def policy(self) -> Policy:
        value = self._data.get("policy")
        return Policy(value if isinstance(value, dict) else {})

    @property
    def groups(self) -> list[GroupChangeResult]:
        return _records(GroupChangeResult, self._data.get("groups"))


class ScheduleState(Record):
    """A group's scheduled tests as its target site (`site`) runs them: test_interval,
    test_schedule, last_success_at, last_scheduled_operation_id, last_scheduled_at,
    next_due_at, next_run_at (the first moment inside a window from when it is due),
    last_problem (why the last attempt could not start)."""

    @property
    def schedule(self) -> TestSchedule:
        return _schedule(self._data.get("test_schedule"))
