"""The tenant REST API: `create_app(settings)` builds it. Every route acts in the caller's own
project, taken from its Keystone token, never from the request: a tenant cannot name another
project's groups or operations. Readers may only read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import grpc
from fastapi import Depends, FastAPI, Header, Path, Request, Response
from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict, Field

from common.grpc_client import mapped_errors
from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from draas.orchestrator.v1 import orchestrator_pb2_grpc
from gateway import problems
from gateway.auth import Caller, KeystoneTokens
from gateway.settings import GatewaySettings
from gateway.views import as_json

_TYPES = {"async": types_pb2.REPLICATION_TYPE_ASYNC, "sync": types_pb2.REPLICATION_TYPE_SYNC}
Identifier = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewGroup(_Body):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=1024)
    replication_type: Literal["async", "sync"]
    rpo_target_seconds: float | None = Field(None, gt=0, le=86400)
    target_site: str = Field(min_length=1, max_length=64)


class NewVm(_Body):
    server_id: str = Field(min_length=1, max_length=128)
    tier: int = Field(1, ge=1, le=100)


class Gateway:
    """What the routes use: the token validator and the orchestrator."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        ca = str(settings.keystone_ca_file) if settings.keystone_ca_file else True
        self.tokens = KeystoneTokens(settings.keystone_url, settings.token_cache_seconds, ca)
        self.channel = grpc.insecure_channel(settings.orchestrator_address)
        self.orchestrator = orchestrator_pb2_grpc.OrchestratorServiceStub(self.channel)

    def call(self, method: str, request: Message) -> Any:
        """Calls the orchestrator; its errors become draas errors (and problem responses)."""
        with mapped_errors():
            return getattr(self.orchestrator, method)(
                request, timeout=self.settings.call_timeout_seconds
            )

    def close(self) -> None:
        self.channel.close()
        self.tokens.close()


def _caller(
    request: Request, x_auth_token: Annotated[str | None, Header(alias="X-Auth-Token")] = None
) -> Caller:
    return request.app.state.gateway.tokens.caller(x_auth_token)


def _writer(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    caller.require_write()
    return caller


# A caller that may read; one that may also change things (refused before the body is
# validated, so a reader learns it may not, whatever it sent).
Who = Annotated[Caller, Depends(_caller)]
Writer = Annotated[Caller, Depends(_writer)]


def create_app(settings: GatewaySettings) -> FastAPI:
    """The API, with its OpenAPI document at /v1/openapi.json."""
    gateway = Gateway(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        gateway.close()

    app = FastAPI(
        title="draas",
        version="1",
        description="Disaster recovery of OpenStack VMs on Pure Storage FlashArrays.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    problems.install(app)
    app.state.gateway = gateway

    @app.get("/v1/failover-groups", tags=["failover groups"])
    def list_groups(who: Who) -> dict[str, Any]:
        found = gateway.call(
            "ListFailoverGroups", opb.ListFailoverGroupsRequest(project_id=who.project_id)
        )
        return {"failover_groups": [as_json(g) for g in found.groups]}

    @app.post("/v1/failover-groups", status_code=201, tags=["failover groups"])
    def create_group(who: Writer, body: NewGroup) -> dict[str, Any]:
        request = opb.CreateFailoverGroupRequest(
            project_id=who.project_id,
            name=body.name,
            description=body.description,
            replication_type=_TYPES[body.replication_type],
            target_site=body.target_site,
        )
        if body.rpo_target_seconds is not None:
            request.rpo_target.FromNanoseconds(int(body.rpo_target_seconds * 1e9))
        return as_json(gateway.call("CreateFailoverGroup", request))

    @app.get("/v1/failover-groups/{group_id}", tags=["failover groups"])
    def show_group(who: Who, group_id: Identifier) -> dict[str, Any]:
        return as_json(
            gateway.call(
                "GetFailoverGroup",
                opb.GetFailoverGroupRequest(project_id=who.project_id, group_id=group_id),
            )
        )

    @app.delete("/v1/failover-groups/{group_id}", status_code=204, tags=["failover groups"])
    def delete_group(who: Writer, group_id: Identifier) -> Response:
        gateway.call(
            "DeleteFailoverGroup",
            opb.DeleteFailoverGroupRequest(project_id=who.project_id, group_id=group_id),
        )
        return Response(status_code=204)

    @app.post("/v1/failover-groups/{group_id}/vms", tags=["failover groups"])
    def add_vm(who: Writer, group_id: Identifier, body: NewVm) -> dict[str, Any]:
        return as_json(
            gateway.call(
                "AddVm",
                opb.AddVmRequest(
                    project_id=who.project_id,
                    group_id=group_id,
                    server_id=body.server_id,
                    tier=body.tier,
                ),
            )
        )

    @app.delete("/v1/failover-groups/{group_id}/vms/{server_id}", tags=["failover groups"])
    def remove_vm(who: Writer, group_id: Identifier, server_id: Identifier) -> dict[str, Any]:
        return as_json(
            gateway.call(
                "RemoveVm",
                opb.RemoveVmRequest(
                    project_id=who.project_id, group_id=group_id, server_id=server_id
                ),
            )
        )

    @app.get("/v1/failover-groups/{group_id}/readiness", tags=["failover groups"])
    def readiness(who: Who, group_id: Identifier) -> dict[str, Any]:
        return as_json(
            gateway.call(
                "GetReadiness",
                opb.GetReadinessRequest(project_id=who.project_id, group_id=group_id),
            )
        )

    @app.get("/v1/operations/{operation_id}", tags=["operations"])
    def show_operation(who: Who, operation_id: Identifier) -> dict[str, Any]:
        return as_json(
            gateway.call(
                "GetOperation",
                opb.GetOperationRequest(project_id=who.project_id, operation_id=operation_id),
            )
        )

    @app.get("/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        """Unauthenticated: whether the gateway runs (not its dependencies)."""
        return {"status": "ok"}

    return app
