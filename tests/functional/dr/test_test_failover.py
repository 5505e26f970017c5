"""Test failovers at the target site: copies booted on isolated networks, production untouched,
and a cleanup that leaves both sites as they were."""

from __future__ import annotations

import grpc
import pytest

from draas.orchestrator.v1 import orchestrator_pb2 as opb
from tests.functional.dr.conftest import (
    TENANT,
    finished,
    key,
    listing,
    make_vm,
    project,
    protect,
)
from tests.functional.lab import tenant_connection


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_a_test_failover_boots_copies_in_isolation_and_its_cleanup_leaves_nothing(
    sites, lab, tenant_network, kind
):
    vms = [make_vm(lab, tenant_network, kind), make_vm(lab, tenant_network, kind, volumes=1)]
    group = protect(sites, lab, kind, vms, tiers=[1, 2])
    a, b = sites["site-a"].orchestrator, sites["site-b"].orchestrator
    before = {site: listing(lab, site) for site in ("site-a", "site-b")}
    at_b = project(lab, "site-b")
    request = opb.StartTestFailoverRequest(
        project_id=at_b, group_id=group.id, idempotency_key=key()
    )

    started = b.StartTestFailover(request)
    assert b.StartTestFailover(request).id == started.id, "a repeat is the same operation"
    test = finished(b, at_b, started.id)

    assert test.state == opb.OPERATION_STATE_SUCCEEDED, [
        test.error,
        *(s.error for v in test.vms for s in v.steps),
    ]
    report = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=test.id))
    assert [v.recovered for v in report.vms] == [True, True]
    assert report.rto.ToTimedelta().total_seconds() > 0
    assert report.recovery_point.id
    conn_b = tenant_connection(lab, "site-b", TENANT)
    for vm in report.vms:
        copy = conn_b.compute.get_server(vm.recovered_server_id)
        assert copy.status == "ACTIVE" and copy.name == vm.name
    routers_b = [r for r in conn_b.network.routers() if r.name == "dr-edge"]
    assert routers_b and all(not r.external_gateway_info for r in routers_b), "isolated"
    assert listing(lab, "site-a") == before["site-a"], "production is not touched"
    held = b.GetFailoverGroup(opb.GetFailoverGroupRequest(project_id=at_b, group_id=group.id))
    assert held.state == opb.GROUP_STATE_TESTING
    with pytest.raises(grpc.RpcError) as refused:
        b.StartFailover(
            opb.StartFailoverRequest(
                project_id=at_b,
                group_id=group.id,
                idempotency_key=key(),
                mode=opb.FAILOVER_MODE_PLANNED,
            )
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"is held by test_failover {test.id}" in refused.value.details()

    cleanup = b.StartTestCleanup(
        opb.StartTestCleanupRequest(project_id=at_b, operation_id=test.id, idempotency_key=key())
    )
    cleaned = finished(b, at_b, cleanup.id)

    assert cleaned.state == opb.OPERATION_STATE_SUCCEEDED, cleaned
    removed = b.GetReport(opb.GetReportRequest(project_id=at_b, operation_id=cleanup.id)).removed
    assert {r.split(" ")[0] for r in removed} >= {"server", "volume", "port", "network"}
    assert {site: listing(lab, site) for site in ("site-a", "site-b")} == before
    released = a.GetFailoverGroup(
        opb.GetFailoverGroupRequest(project_id=project(lab), group_id=group.id)
    )
    assert released.state == opb.GROUP_STATE_PROTECTED
