"""The tenant REST API: `create_app(settings)` builds it. Every route acts in the caller's own
project, taken from its Keystone token (an admin may name another): a tenant cannot reach
another project's groups or operations. Readers may only read. OpenAPI at /v1/openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from opentelemetry.sdk.trace import TracerProvider

from common.telemetry import create_tracer_provider
from gateway import metrics, openapi, problems
from gateway.access import known_query
from gateway.audit import AuditMiddleware, AuditTrail
from gateway.auth import KeystoneTokens, Roles
from gateway.bodies import unique_keys
from gateway.orchestrator import Orchestrator
from gateway.routes import audit, groups, monitoring, operations, policies, site, vms
from gateway.settings import GatewaySettings
from gateway.tracing import TracingMiddleware
from gateway.watching import EventHub


def create_app(settings: GatewaySettings, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """The API over this site's Keystone and orchestrator."""
    provider = tracer_provider or create_tracer_provider("gateway", settings.site)
    ca = str(settings.keystone_ca_file) if settings.keystone_ca_file else True
    roles = Roles(frozenset(settings.admin_roles), frozenset(settings.member_roles))
    tokens = KeystoneTokens(settings.keystone_url, settings.token_cache_seconds, roles, ca)
    orchestrator = Orchestrator(
        settings.orchestrator_address,
        settings.call_timeout_seconds,
        provider,
        settings.client_tls(),
    )
    trail = AuditTrail(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        trail.open()
        yield
        await orchestrator.aclose()
        orchestrator.close()
        tokens.close()
        trail.close()

    app = FastAPI(
        title="draas",
        version="1",
        description=(
            "Disaster recovery of OpenStack VMs on Pure Storage FlashArrays. Every request "
            "carries X-Auth-Token, a Keystone token scoped to the tenant's project; errors are "
            "application/problem+json."
        ),
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(known_query), Depends(unique_keys)],
    )
    app.state.tokens = tokens
    app.state.orchestrator = orchestrator
    app.state.hub = EventHub(orchestrator)
    app.state.audit = trail
    app.state.query_names = {}
    problems.install(app)
    openapi.install(app)
    app.include_router(groups.router)
    app.include_router(operations.router)
    app.include_router(vms.router)
    app.include_router(site.router)
    app.include_router(audit.router)
    app.include_router(monitoring.router)
    app.include_router(policies.router)
    app.add_middleware(AuditMiddleware, trail=trail, site=settings.site)
    app.add_middleware(TracingMiddleware, tracer_provider=provider)
    metrics.install(app)

    @app.get("/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        """Unauthenticated: whether the gateway runs (not its dependencies)."""
        return {"status": "ok"}

    return app
