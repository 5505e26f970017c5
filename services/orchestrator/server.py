"""Wiring of the orchestrator: clients, the engine and its steps, the cleanup scheduler, the
monitor, the servicer and the gRPC server."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider

from common.grpc_server import ServiceBinding, ServiceServer, create_grpc_server
from common.process import ServiceDeps, ServiceSpec, open_database
from common.tls import Callers
from draas.compute.v1 import compute_pb2
from draas.metadata.v1 import metadata_pb2
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from draas.storage.v1 import storage_pb2
from services.orchestrator.cleanup_scheduler import CleanupScheduler
from services.orchestrator.clients import Clients
from services.orchestrator.engine.store import EngineStore
from services.orchestrator.engine.worker import Engine, EngineSettings
from services.orchestrator.groups import GroupRecords
from services.orchestrator.hooks import OperationHooks
from services.orchestrator.models import MIGRATIONS
from services.orchestrator.monitoring.compliance import Compliance
from services.orchestrator.monitoring.monitor import Monitor
from services.orchestrator.operations import Operations
from services.orchestrator.policies.scheduler import TestScheduler
from services.orchestrator.policies.store import Policies
from services.orchestrator.policies.tags import TagReconciler
from services.orchestrator.projects import ProjectLinks
from services.orchestrator.protection import Protection
from services.orchestrator.readiness import ReadinessChecker
from services.orchestrator.servicer import SERVICE, OrchestratorServicer
from services.orchestrator.settings import OrchestratorSettings
from services.orchestrator.source_site import SourceSite
from services.orchestrator.steps import StepDeps, build_registry
from services.orchestrator.system_status import ServiceDependency, SystemStatusChecker

# How often each replica looks for test failovers due for cleanup.
CLEANUP_INTERVAL_SECONDS = 5.0


@dataclass
class OrchestratorDeps(ServiceDeps):
    """The database, the clients, the engine running operations, and the cleanup scheduler."""

    clients: Clients
    links: ProjectLinks
    records: GroupRecords
    engine: Engine
    operations: Operations
    scheduler: CleanupScheduler
    readiness: ReadinessChecker
    monitor: Monitor
    tests: TestScheduler
    policies: Policies
    protection: Protection

    def close(self) -> None:
        """Stops scheduling, the monitor and the engine (units under way end their current
        step), then closes the channels and the database."""
        self.scheduler.stop()
        self.monitor.stop()
        self.engine.stop()
        self.clients.close()
        super().close()


def build_deps(settings: OrchestratorSettings, tracer_provider: TracerProvider) -> OrchestratorDeps:
    """Opens (and migrates) the database, opens the channels, starts the engine."""
    database = open_database(settings, MIGRATIONS)
    clients = Clients.open(settings, tracer_provider)
    links = ProjectLinks(database, clients, settings.site, settings.link_roles)
    records = GroupRecords(clients.metadata, settings.site, links)
    store = EngineStore(database, OperationHooks())
    engine = Engine(
        store,
        build_registry(StepDeps(settings.site, settings, clients, records)),
        EngineSettings(
            worker_threads=settings.worker_threads,
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.poll_seconds,
            retry_delay_seconds=settings.retry_delay_seconds,
            limits=dict(settings.limits),
            unreachable_wait_seconds=settings.unreachable_wait_seconds,
        ),
        tracer_provider,
    ).start()
    operations = Operations(settings, clients, records, store, engine.wake)
    scheduler = CleanupScheduler(operations, CLEANUP_INTERVAL_SECONDS).start()
    readiness = ReadinessChecker(settings, clients, records)
    tests = TestScheduler(settings, database, operations)
    policies = Policies(database, settings)
    protection = Protection(settings, clients, records, links)
    monitor = Monitor(settings, database, records, readiness)
    monitor.scheduler = tests
    monitor.tags = TagReconciler(settings, clients, records, protection, policies)
    monitor.start()
    return OrchestratorDeps(
        tracer_provider=tracer_provider,
        database=database,
        clients=clients,
        links=links,
        records=records,
        engine=engine,
        operations=operations,
        scheduler=scheduler,
        readiness=readiness,
        monitor=monitor,
        tests=tests,
        policies=policies,
        protection=protection,
    )


def create_server(
    settings: OrchestratorSettings, deps: OrchestratorDeps
) -> tuple[ServiceServer, int]:
    """The orchestrator's gRPC server, bound but not started, and its port."""
    channels = deps.clients.channels
    status = SystemStatusChecker(
        deps.database,
        [
            ServiceDependency(
                "metadata",
                settings.metadata_address,
                channels["metadata"],
                metadata_pb2.DESCRIPTOR.services_by_name["MetadataService"].full_name,
            ),
            ServiceDependency(
                "storage",
                settings.storage_address,
                channels["storage"],
                storage_pb2.DESCRIPTOR.services_by_name["StorageService"].full_name,
            ),
            ServiceDependency(
                "compute",
                settings.compute_address,
                channels["compute"],
                compute_pb2.DESCRIPTOR.services_by_name["ComputeService"].full_name,
            ),
        ],
        settings.dependency_timeout_seconds,
    )
    servicer = OrchestratorServicer(
        settings.site,
        status,
        deps.clients,
        deps.records,
        deps.protection,
        deps.operations,
        deps.readiness,
        SourceSite(settings.site, deps.clients, deps.records, deps.database),
        deps.links,
        settings,
        deps.monitor,
        Compliance(settings.site, deps.database, deps.monitor.history, deps.readiness),
        deps.policies,
        deps.tests,
    )
    binding = ServiceBinding(
        SERVICE, servicer, orchestrator_pb2_grpc.add_OrchestratorServiceServicer_to_server
    )
    # This site's gateway and the peers' orchestrators; a site linking a project must be the
    # site its certificate names.
    callers = Callers(
        frozenset({settings.site, *(p.site for p in settings.peers)}),
        claims={
            f"/{SERVICE.full_name}/LinkProject": lambda request: str(request.source_site),
        },
    )
    return create_grpc_server(settings, [binding], deps.tracer_provider, callers=callers)


SPEC = ServiceSpec("orchestrator", OrchestratorSettings, build_deps, create_server, MIGRATIONS)
