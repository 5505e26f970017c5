"""The CLI's text output: the table formatter and the renderings of the gateway's objects."""

from __future__ import annotations

import json

import yaml

from cli import views
from cli.output import dump, fields, seconds, table, text


def test_columns_align_on_the_widest_cell_under_a_ruled_header():
    out = table(("ID", "Name"), [("g1", "Finance-Production"), ("group-22", "x")])
    assert out.splitlines() == [
        "ID        Name",
        "--------  ------------------",
        "g1        Finance-Production",
        "group-22  x",
    ]


def test_a_cell_with_several_lines_makes_its_row_that_tall():
    out = fields([("vms", ["web-1", "db-1"]), ("state", "protected")])
    assert out.splitlines() == [
        "Field  Value",
        "-----  ---------",
        "vms    web-1",
        "       db-1",
        "state  protected",
    ]


def test_cells_show_nothing_as_a_dash_booleans_as_words_and_no_control_characters():
    assert [text(None), text(""), text([]), text(True), text(False), text(3)] == [
        "-",
        "-",
        "-",
        "yes",
        "no",
        "3",
    ]
    assert text("evil\x1b[2Jname") == "evil [2Jname"


def test_an_empty_list_is_just_its_header():
    assert table(("ID", "Name"), []).splitlines() == ["ID  Name", "--  ----"]


def test_durations_read_as_people_write_them():
    assert [seconds(None), seconds(0.25), seconds(59.94), seconds(75.5), seconds(3723)] == [
        "-",
        "0.2s",
        "59.9s",
        "1m16s",
        "1h02m03s",
    ]


def test_json_and_yaml_are_the_document_as_it_is():
    document = {"name": "30s", "vms": [], "rpo_target": 90.0, "updated_at": None}
    assert json.loads(dump(document, "json")) == document
    assert yaml.safe_load(dump(document, "yaml")) == document
    assert list(yaml.safe_load(dump(document, "yaml"))) == [
        "name",
        "vms",
        "rpo_target",
        "updated_at",
    ]


GROUP = {
    "id": "g1",
    "name": "Finance-Production",
    "replication_type": "async",
    "source_site": "site-a",
    "target_site": "site-b",
    "rpo_target": 300.0,
    "state": "protected",
    "vms": [
        {"server_id": "s1", "name": "web-1", "tier": 1},
        {"server_id": "s2", "name": "", "tier": 2},
    ],
}


def test_a_group_lists_its_vms_one_per_line():
    out = views.group(GROUP)
    assert "rpo_target        5m00s" in out
    assert "web-1 (s1), tier 1" in out and "- (s2), tier 2" in out


def test_the_group_list_has_the_key_columns_a_vm_count_and_the_last_test():
    header, _, row = views.groups([GROUP]).splitlines()
    assert header.split() == [
        "ID",
        "Name",
        "Replication",
        "Source",
        "site",
        "Target",
        "site",
        "State",
        "VMs",
        "Last",
        "test",
    ]
    assert row.split() == [
        "g1",
        "Finance-Production",
        "async",
        "site-a",
        "site-b",
        "protected",
        "2",
        "-",
    ]
    tested = {**GROUP, "last_test": {"state": "succeeded", "finished_at": "2026-12-06T03:40:12Z"}}
    assert views.groups([tested]).splitlines()[2].split()[-2] == "succeeded"


def test_readiness_shows_each_vm_by_name_with_its_checks():
    readiness = {
        "group_id": "g1",
        "failover_ready": False,
        "checks": [{"name": "metadata_replicated", "ok": True, "reason": ""}],
        "vms": [
            {
                "server_id": "s1",
                "ready": False,
                "checks": [{"name": "eligible", "ok": False, "reason": "volume v1 is encrypted"}],
            }
        ],
    }
    out = views.readiness(readiness, {"s1": "web-1"})
    assert "failover_ready  no" in out
    assert any(
        line.split()
        == ["web-1", "(ready:", "no)", "eligible", "no", "volume", "v1", "is", "encrypted"]
        for line in out.splitlines()
    )


def test_a_progress_line_names_the_vm_its_step_and_state():
    line = views.EventLine({"s1": "web-1"})
    vm_event = {
        "time": "2026-11-25T10:03:02Z",
        "server_id": "s1",
        "step": "boot",
        "operation_state": "running",
        "step_state": "succeeded",
        "message": "booted on host-3",
    }
    assert line(vm_event).split()[1:] == ["web-1", "boot", "succeeded"]
    failed = {**vm_event, "step_state": "failed", "message": "boot failed: no valid host"}
    assert line(failed).split()[3:] == ["failed", "boot", "failed:", "no", "valid", "host"]
    whole = {**vm_event, "server_id": "", "step": "", "operation_state": "failed", "message": ""}
    assert line(whole).split()[1:] == ["operation", "-", "failed"]
    group_step = {**whole, "step": "recover_volumes", "step_state": "running"}
    assert line(group_step).split()[1:] == ["operation", "recover_volumes", "running"]
    unit = {**whole, "operation_state": "unspecified", "message": "prepare: succeeded"}
    assert line(unit).split()[1:] == ["operation", "-", "-", "prepare:", "succeeded"]
    # The step column is as wide as the longest step's name.
    cleanup = {**whole, "step": "remove_test_resources", "step_state": "succeeded"}
    short = {**whole, "step": "boot_server", "step_state": "succeeded"}
    assert line(cleanup).index("succeeded") == line(short).index("succeeded")
    assert line({**vm_event, "server_id": "s9"}).split()[1] == "s9"


def test_the_summary_of_a_failover_has_rto_rpo_and_what_recovered():
    final = {"id": "op1", "kind": "unplanned_failover", "state": "partially_succeeded"}
    report = {
        "rto": 41.25,
        "rpo": 3.0,
        "recovery_point": {"id": "pg1.42"},
        "vms": [
            {"name": "web-1", "server_id": "s1", "recovered": True, "recovered_server_id": "n1"},
            {"name": "db-1", "server_id": "s2", "recovered": False, "error": "boot: no valid host"},
        ],
    }
    out = views.summary(final, report)
    assert out.splitlines()[:2] == [
        "Operation op1 (unplanned_failover) ended partially_succeeded",
        "RTO 41.2s, RPO 3.0s, recovery point pg1.42",
    ]
    assert "boot: no valid host" in out


def test_the_summary_of_another_operation_shows_each_vms_state():
    final = {
        "id": "op2",
        "kind": "reprotect",
        "state": "succeeded",
        "vms": [{"name": "web-1", "server_id": "s1", "state": "succeeded"}],
    }
    out = views.summary(final, None)
    assert out.splitlines()[0] == "Operation op2 (reprotect) ended succeeded"
    assert "RTO" not in out and "web-1" in out
