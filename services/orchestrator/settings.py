"""Settings of the orchestrator (environment prefix DRAAS_ORCHESTRATOR_)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from common.settings import GrpcAddress, ServiceSettings


class OrchestratorSettings(ServiceSettings):
    """The common service settings, and where this site's other services answer."""

    service_name: ClassVar[str] = "orchestrator"

    metadata_address: GrpcAddress = Field(description="This site's metadata service, host:port.")
    storage_address: GrpcAddress = Field(description="This site's storage service, host:port.")
    compute_address: GrpcAddress = Field(description="This site's compute service, host:port.")
    dependency_timeout_seconds: float = Field(
        2.0, gt=0, le=60, description="How long a dependency health check may take."
    )
