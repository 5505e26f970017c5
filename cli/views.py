"""The gateway's objects as text: what each command prints in table format."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cli import automation
from cli.output import NONE, clock, fields, seconds, table, text

# Kinds whose end is worth a recovery summary (RTO, RPO, what recovered).
FAILOVER_KINDS = frozenset(
    {"test_failover", "planned_failover", "unplanned_failover", "failback", "move"}
)

Json = Mapping[str, Any]


def group(g: Json) -> str:
    """A failover group, field by field, its VMs one per line."""
    vms = [
        f"{vm.get('name') or NONE} ({vm.get('server_id')}), tier {vm.get('tier')}"
        + (" (by tag)" if vm.get("added_by") == "tag" else "")
        for vm in _list(g, "vms")
    ]
    return fields(
        [
            ("id", g.get("id")),
            ("name", g.get("name")),
            ("description", g.get("description")),
            ("project_id", g.get("project_id")),
            ("replication_type", g.get("replication_type")),
            ("source_site", g.get("source_site")),
            ("target_site", g.get("target_site")),
            ("rpo_target", seconds(g.get("rpo_target") or None)),
            ("rto_target", seconds(g.get("rto_target") or None)),
            ("test_interval", seconds(g.get("test_interval") or None)),
            ("policy", g.get("policy_name") or None),
            ("split_from", g.get("split_from") or None),
            ("scheduled_tests", "on" if (g.get("test_schedule") or {}).get("enabled") else None),
            ("hooks_and_checks", automation.summary(g.get("automation")) or None),
            ("state", g.get("state")),
            ("vms", vms),
            ("created_at", g.get("created_at")),
            ("updated_at", g.get("updated_at")),
        ]
    )


def groups(items: Iterable[Json], projects: bool = False) -> str:
    """Failover groups, one row each (with their project, for an admin's every project)."""
    items = list(items)
    head = ("ID", "Name", "Replication", "Source site", "Target site", "State", "VMs", "Last test")
    rows = [
        (
            g.get("id"),
            g.get("name"),
            g.get("replication_type"),
            g.get("source_site"),
            g.get("target_site"),
            g.get("state"),
            str(len(_list(g, "vms"))),
            _last_test(g.get("last_test")),
        )
        for g in items
    ]
    if projects:
        return table(
            ("Project", *head),
            [(g.get("project_id"), *row) for g, row in zip(items, rows, strict=True)],
        )
    return table(head, rows)


def _last_test(test: Json | None) -> str:
    """E.g. "succeeded 03:40:12": the newest test here (its state and when it ended), or -."""
    if not test:
        return NONE
    return f"{test.get('state')} {clock(test.get('finished_at'))}"


def vms(items: Iterable[Json]) -> str:
    """VMs and their protection, one row each; a VM no group can protect lists its reasons."""
    rows = []
    for v in items:
        state = v.get("state")
        if state == "protected":
            protection = f"protected in {v.get('group_name')} (tier {v.get('tier')})"
        elif state == "eligible":
            protection = "not protected; eligible for " + ", ".join(_list(v, "eligible_for"))
        else:
            protection = "not eligible: " + "; ".join(_list(v, "reasons"))
        rows.append((v.get("server_id"), v.get("name"), v.get("status"), protection))
    return table(("ID", "Name", "Status", "Protection"), rows)


def site_status(s: Json) -> str:
    """A site's health, then a row per dependency."""
    head = fields([("Site", s.get("site")), ("Healthy", s.get("healthy"))])
    rows = [
        (
            d.get("name"),
            d.get("state"),
            seconds(d.get("latency")),
            d.get("address"),
            d.get("detail"),
        )
        for d in _list(s, "dependencies")
    ]
    return head + "\n\n" + table(("Dependency", "State", "Latency", "Address", "Detail"), rows)


def readiness(r: Json, names: Mapping[str, str]) -> str:
    """A readiness check: the verdict, then every check of the group and of each VM."""
    rows = [("(group)", c.get("name"), c.get("ok"), c.get("reason")) for c in _list(r, "checks")]
    for vm in _list(r, "vms"):
        label = f"{_vm_label(vm.get('server_id', ''), names)} (ready: {text(vm.get('ready'))})"
        rows.extend(
            (label, c.get("name"), c.get("ok"), c.get("reason")) for c in _list(vm, "checks")
        )
    head = fields(
        [
            ("group_id", r.get("group_id")),
            ("failover_ready", r.get("failover_ready")),
            ("checked_at", r.get("checked_at")),
        ]
    )
    return head + "\n\n" + table(("VM", "Check", "OK", "Reason"), rows)


def recovery_points(points: Iterable[Json], names: Mapping[str, str] | None = None) -> str:
    """Recovery points, one row each, with the VMs each holds."""
    names = names or {}
    return table(
        ("ID", "Created", "Completed", "Progress", "Source array", "Target array", "Holds"),
        [
            (
                p.get("id"),
                p.get("created_at"),
                p.get("completed_at"),
                f"{float(p.get('progress') or 0.0):.0%}",
                p.get("source_array"),
                p.get("target_array"),
                ", ".join(_vm_label(s, names) for s in p.get("server_ids") or []) or NONE,
            )
            for p in points
        ],
    )


def replication_health(h: Json) -> str:
    """A group's replication health, field by field."""
    newest = h.get("newest_recovery_point") or {}
    return fields(
        [
            ("group_id", h.get("group_id")),
            ("storage_link_up", h.get("storage_link_up")),
            ("newest_recovery_point", newest.get("id")),
            ("newest_recovery_point_created_at", newest.get("created_at")),
            ("recovery_point_age", seconds(h.get("recovery_point_age"))),
            ("within_rpo_target", h.get("within_rpo_target")),
            ("metadata_changes_behind", h.get("metadata_changes_behind")),
            ("metadata_seconds_behind", seconds(h.get("metadata_seconds_behind"))),
        ]
    )


def operation(o: Json) -> str:
    """An operation, field by field, then its VMs' progress."""
    head = fields(
        [
            ("id", o.get("id")),
            ("kind", o.get("kind")),
            ("state", o.get("state")),
            ("group_id", o.get("group_id")),
            ("partial", "yes: only the VMs below" if o.get("partial") else "no"),
            ("parent_operation_id", o.get("parent_operation_id")),
            ("idempotency_key", o.get("idempotency_key")),
            ("created_at", o.get("created_at")),
            ("started_at", o.get("started_at")),
            ("finished_at", o.get("finished_at")),
            ("cleanup_at", o.get("cleanup_at")),
            ("error", o.get("error")),
            ("trace_id", o.get("trace_id")),
        ]
    )
    vms = _list(o, "vms")
    if not vms:
        return head
    return head + "\n\n" + operation_vms(vms)


def operation_vms(vms: Iterable[Json]) -> str:
    """Each VM's progress in an operation, one row each."""
    return table(
        ("VM", "Server ID", "Tier", "State", "Current step", "Recovered server"),
        [
            (
                vm.get("name"),
                vm.get("server_id"),
                vm.get("tier"),
                vm.get("state"),
                vm.get("current_step"),
                vm.get("recovered_server_id"),
            )
            for vm in vms
        ],
    )


def operations(
    items: Iterable[Json], projects: bool = False, group_names: Mapping[str, str] | None = None
) -> str:
    """Operations, one row each (with their project, for an admin's every project), each
    group by its name when `group_names` has it (a deleted group by its id)."""
    items = list(items)
    names = group_names or {}
    head = ("ID", "Kind", "State", "Group", "Created", "Finished")
    rows = [
        (
            o.get("id"),
            o.get("kind"),
            o.get("state"),
            names.get(str(o.get("group_id")), o.get("group_id")),
            o.get("created_at"),
            o.get("finished_at"),
        )
        for o in items
    ]
    if projects:
        return table(
            ("Project", *head),
            [(o.get("project_id"), *row) for o, row in zip(items, rows, strict=True)],
        )
    return table(head, rows)


def report(r: Json) -> str:
    """An operation's report: what it did, RTO and RPO, each VM, then every step."""
    timing = r.get("timing") or {}
    point = r.get("recovery_point") or {}
    head = fields(
        [
            ("operation_id", r.get("operation_id")),
            ("kind", r.get("kind")),
            ("state", r.get("state")),
            ("group_id", r.get("group_id")),
            ("started_at", timing.get("started_at")),
            ("finished_at", timing.get("finished_at")),
            ("elapsed", seconds(timing.get("elapsed"))),
            ("rto", seconds(r.get("rto"))),
            ("recovery_point", point.get("id")),
            ("recovery_point_created_at", point.get("created_at")),
            ("rpo", seconds(r.get("rpo"))),
            ("errors", _list(r, "errors")),
            ("removed", _list(r, "removed")),
            ("kept", _list(r, "kept")),
            ("trace_id", r.get("trace_id")),
        ]
    )
    parts = [head]
    vms = _list(r, "vms")
    if vms:
        parts.append(report_vms(vms))
    steps = [("(group)", s) for s in _list(r, "group_steps")]
    steps += [(vm.get("name") or vm.get("server_id"), s) for vm in vms for s in _list(vm, "steps")]
    if steps:
        parts.append(
            table(
                ("VM", "Step", "State", "Attempts", "Elapsed", "Error"),
                [
                    (
                        who,
                        s.get("name"),
                        s.get("state"),
                        s.get("attempts"),
                        seconds((s.get("timing") or {}).get("elapsed")),
                        s.get("error"),
                    )
                    for who, s in steps
                ],
            )
        )
    return "\n\n".join(parts)


def report_vms(vms: Iterable[Json]) -> str:
    """What became of each VM, one row each."""
    return table(
        ("VM", "Server ID", "Tier", "Recovered", "Recovered server", "Recovery time", "Error"),
        [
            (
                vm.get("name"),
                vm.get("server_id"),
                vm.get("tier"),
                vm.get("recovered"),
                vm.get("recovered_server_id"),
                seconds(vm.get("recovery_time")),
                vm.get("error"),
            )
            for vm in vms
        ],
    )


def summary(final: Json, rep: Json | None) -> str:
    """The end of a waited-on operation: its state, and for a failover its RTO, RPO and what
    recovered (from its report), otherwise each VM's state."""
    lines = [f"Operation {final.get('id')} ({final.get('kind')}) ended {final.get('state')}"]
    if final.get("error"):
        lines.append(f"Error: {text(final.get('error'))}")
    if rep is not None:
        point = (rep.get("recovery_point") or {}).get("id")
        if any(vm.get("recovered") for vm in _list(rep, "vms")):
            lines.append(
                f"RTO {seconds(rep.get('rto'))}, RPO {seconds(rep.get('rpo'))}, "
                f"recovery point {point or NONE}"
            )
        said = {str(final.get("error") or "")}
        lines.extend(f"Error: {text(e)}" for e in _list(rep, "errors") if str(e) not in said)
        vms = _list(rep, "vms")
        if vms:
            lines.extend(["", report_vms(vms)])
        return "\n".join(lines)
    vms = _list(final, "vms")
    if vms:
        lines.extend(["", operation_vms(vms)])
    return "\n".join(lines)


UNSPECIFIED = "unspecified"


# The longest step name (remove_test_resources), so that the state column lines up;
# tests/unit/test_flows.py checks that every step fits.
STEP_WIDTH = 21


class EventLine:
    """Formats progress events one line each: time, VM (or "operation"), step, state, message;
    VMs by name where the operation named them."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names: dict[str, str] = {}
        self.width = len("operation")
        self.learn(names)

    def learn(self, names: Mapping[str, str]) -> None:
        """Adds VM names (server id to name)."""
        self.names.update(names)
        self.width = max([self.width, *(len(n) for n in self.names.values())])

    def __call__(self, event: Json) -> str:
        server_id = str(event.get("server_id") or "")
        who = _vm_label(server_id, self.names) if server_id else "operation"
        step = str(event.get("step") or "")
        state = str(event.get("step_state") if step else event.get("operation_state") or "")
        state = "" if state == UNSPECIFIED else state
        # A step's start and end say all in the columns; its failure says why in the message.
        message = str(event.get("message") or "")
        if step and state not in ("failed", "reverted"):
            message = ""
        cells = [
            clock(event.get("time")),
            text(who).ljust(self.width),
            text(step or NONE).ljust(STEP_WIDTH),
            text(state or NONE).ljust(11),
            text(message) if message else "",
        ]
        return "  ".join(cells).rstrip()


def vm_names(vms: Iterable[Json]) -> dict[str, str]:
    """Server id to name, for the VMs that have a name."""
    return {str(vm.get("server_id")): str(vm.get("name")) for vm in vms if vm.get("name")}


def _vm_label(server_id: str, names: Mapping[str, str]) -> str:
    return names.get(server_id) or server_id


def _list(document: Json, key: str) -> list[Any]:
    value = document.get(key)
    return value if isinstance(value, list) else []
