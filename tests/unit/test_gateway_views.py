"""The gateway's JSON of the orchestrator's messages: converted by field type."""

from __future__ import annotations

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway.views import as_json


def test_enums_and_durations_are_converted_and_the_tenants_text_is_left_alone():
    group = opb.FailoverGroup(
        name="30s",
        description="GROUP_STATE_PROTECTED until Friday",
        state=opb.GROUP_STATE_FAILED_OVER,
        replication_type=types_pb2.REPLICATION_TYPE_SYNC,
    )
    group.rpo_target.FromSeconds(90)
    body = as_json(group)
    assert (body["name"], body["description"]) == ("30s", "GROUP_STATE_PROTECTED until Friday")
    assert (body["state"], body["replication_type"], body["rpo_target"]) == (
        "failed_over",
        "sync",
        90.0,
    )
    assert body["vms"] == [] and body["created_at"] is None
