"""Site B's orchestrator as processes on one PostgreSQL database (the other services in this
process): killed with SIGKILL in the middle of a failover and started again, it finishes the
failover with nothing made twice; two of them share one operation's VMs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import sqlalchemy as sa

from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from simulators.lab import TwoSiteLab
from tests.conftest import postgres_schema
from tests.functional.dr.twosite import (
    TENANT,
    finished,
    key,
    make_network,
    make_vm,
    project,
    protect,
    region_control,
    wait_for,
)
from tests.functional.lab import tenant_connection
from tools.launcher import ServiceProcess, free_port, spawn_service
from tools.stack import Site, running_compute, running_sites

LEASE_SECONDS = 2.0


@pytest.fixture(scope="module")
def lab() -> Iterator[TwoSiteLab]:
    with TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as running:
        yield running


@pytest.fixture(scope="module")
def compute_addresses(lab: TwoSiteLab, tmp_path_factory: Any) -> Iterator[dict[str, str]]:
    with running_compute(lab, tmp_path_factory.mktemp("compute")) as addresses:
        yield addresses


class SiteB:
    """Site B with its orchestrator as processes; `start` adds one (on the given port)."""

    def __init__(self, sites: dict[str, Site], database_url: str, state: Any) -> None:
        self.sites, self.database_url, self.state = sites, database_url, state
        self.processes: list[ServiceProcess] = []

    @property
    def settings(self) -> Any:
        return self.sites["site-b"].settings["orchestrator"]

    def start(self, port: int | None = None, **extra: str) -> ServiceProcess:
        settings = self.settings
        env = {
            "DRAAS_ORCHESTRATOR_DATABASE_URL": self.database_url,
            "DRAAS_ORCHESTRATOR_METADATA_ADDRESS": settings.metadata_address,
            "DRAAS_ORCHESTRATOR_STORAGE_ADDRESS": settings.storage_address,
            "DRAAS_ORCHESTRATOR_COMPUTE_ADDRESS": settings.compute_address,
            "DRAAS_ORCHESTRATOR_PEERS": json.dumps([p.model_dump() for p in settings.peers]),
            "DRAAS_ORCHESTRATOR_LEASE_SECONDS": str(LEASE_SECONDS),
            "DRAAS_ORCHESTRATOR_POLL_SECONDS": "0.05",
            "DRAAS_ORCHESTRATOR_RETRY_DELAY_SECONDS": "0.05",
            "DRAAS_ORCHESTRATOR_BOOT_TIMEOUT_SECONDS": "60",
            "DRAAS_ORCHESTRATOR_DEFAULT_RECOVERY_VOLUME_TYPE": "pure",
            **extra,
        }
        process = spawn_service(
            "orchestrator",
            "site-b",
            self.state,
            port if port is not None else settings.port,
            extra_env=env,
        )
        process.wait_until_serving(60)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture
def site_b(lab, compute_addresses, tmp_path) -> Iterator[SiteB]:
    with postgres_schema() as metadata_b, postgres_schema() as orchestrator_b:
        databases = {
            "site-a-metadata": f"sqlite:///{tmp_path}/a-metadata.sqlite3",
            "site-a-orchestrator": f"sqlite:///{tmp_path}/a-orchestrator.sqlite3",
            "site-b-metadata": metadata_b,
            "site-b-orchestrator": orchestrator_b,
        }
        with running_sites(
            lab, compute_addresses, tmp_path, databases, orchestrated=("site-a",)
        ) as sites:
            made = SiteB(sites, orchestrator_b, tmp_path)
            try:
                yield made
            finally:
                made.stop()


def made_at_b(lab: TwoSiteLab, operation_id: str, vm_names: list[str]) -> dict[str, Counter[str]]:
    """How many servers, volumes and ports site B has for each source VM."""
    conn = tenant_connection(lab, "site-b", TENANT)
    servers = Counter(s.name for s in conn.compute.servers() if s.name in vm_names)
    volumes = Counter(
        v.name.rsplit("-disk", 1)[0]
        for v in conn.block_storage.volumes()
        if v.name and v.name.rsplit("-disk", 1)[0] in vm_names
    )
    ports = Counter(
        p.description.split("src=")[1]
        for p in conn.network.ports()
        if (p.description or "").startswith(f"draas op={operation_id} ")
    )
    return {"servers": servers, "volumes": volumes, "ports": ports}


def test_a_failover_whose_orchestrator_is_killed_finishes_after_a_restart_making_nothing_twice(
    lab, site_b
):
    site_b.start()
    network = make_network(lab)
    vms = [make_vm(lab, network, "async", volumes=1, name=f"kill-{i}") for i in range(6)]
    group = protect(site_b.sites, lab, "async", vms)
    at_b = project(lab, "site-b")
    stub = orchestrator_pb2_grpc.OrchestratorServiceStub(
        site_b.sites["site-b"].channels["orchestrator"]
    )
    region_control(lab, "site-b", "PUT", "boot_time", seconds=1.5)
    try:
        started = stub.StartFailover(
            opb.StartFailoverRequest(
                project_id=at_b,
                group_id=group.id,
                idempotency_key=key(),
                mode=opb.FAILOVER_MODE_UNPLANNED,
            )
        )
        request = opb.GetOperationRequest(project_id=at_b, operation_id=started.id)

        def booting() -> bool:
            vms_now = stub.GetOperation(request).vms
            steps = [s for vm in vms_now for s in vm.steps if s.name == "boot_server"]
            return any(s.state == opb.STEP_STATE_RUNNING for s in steps)

        wait_for(booting, timeout=60)
        killed = site_b.processes[0].process
        killed.kill()
        assert killed.wait(10) == -9
        with pytest.raises(grpc.RpcError):
            stub.GetOperation(request, timeout=1)

        site_b.start()
        done = finished(stub, at_b, started.id)
    finally:
        region_control(lab, "site-b", "PUT", "boot_time", seconds=0.05)

    assert done.state == opb.OPERATION_STATE_SUCCEEDED, done.error
    counts = made_at_b(lab, started.id, [vm.name for vm in vms])
    assert counts["servers"] == Counter({vm.name: 1 for vm in vms})
    assert counts["volumes"] == Counter({vm.name: 1 for vm in vms})
    assert sorted(counts["ports"].values()) == [1] * len(vms)
    resumed = [s for vm in done.vms for s in vm.steps if s.attempts > 1]
    assert resumed, "some step was taken over and run again after the kill"


def test_two_orchestrators_on_one_database_share_an_operations_vms(lab, site_b):
    # Each with room for three units at once: eight VMs need both.
    site_b.start(DRAAS_ORCHESTRATOR_WORKER_THREADS="3")
    site_b.start(port=free_port(), DRAAS_ORCHESTRATOR_WORKER_THREADS="3")
    network = make_network(lab)
    vms = [make_vm(lab, network, "async", volumes=1, name=f"share-{i}") for i in range(8)]
    group = protect(site_b.sites, lab, "async", vms)
    at_b = project(lab, "site-b")
    stub = orchestrator_pb2_grpc.OrchestratorServiceStub(
        site_b.sites["site-b"].channels["orchestrator"]
    )
    region_control(lab, "site-b", "PUT", "boot_time", seconds=0.5)
    try:
        started = stub.StartTestFailover(
            opb.StartTestFailoverRequest(project_id=at_b, group_id=group.id, idempotency_key=key())
        )
        done = finished(stub, at_b, started.id)
    finally:
        region_control(lab, "site-b", "PUT", "boot_time", seconds=0.05)

    assert done.state == opb.OPERATION_STATE_SUCCEEDED, done.error
    engine = sa.create_engine(site_b.database_url)
    with engine.connect() as connection:
        owners = (
            connection.execute(
                sa.text(
                    "SELECT DISTINCT a.owner FROM step_attempts a JOIN units u ON u.id = a.unit_id "
                    "WHERE u.operation_id = :op AND u.role = 'vm'"
                ),
                {"op": started.id},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    processes = {owner.split(":")[1] for owner in owners}
    assert processes == {str(p.process.pid) for p in site_b.processes}
    counts = made_at_b(lab, started.id, [vm.name for vm in vms])
    assert counts["servers"] == Counter({vm.name: 1 for vm in vms})
    assert counts["volumes"] == Counter({vm.name: 1 for vm in vms})
