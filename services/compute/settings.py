"""Settings of the compute service (environment prefix DRAAS_COMPUTE_).

The service acts in tenants' projects as a service user that holds the admin role in each
protected project (as OpenStack DR tools do): it scopes a connection to each project it works
in. In the settings file:

    [compute.cloud]
    auth_url = "https://keystone.site-a:5000/v3"
    username = "draas"
    password = "..."              # a secret: never logged
    project_name = "service"
    region_name = "RegionA"
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr

from common.settings import ServiceSettings


class CloudSettings(BaseModel):
    """How to reach this site's OpenStack region."""

    model_config = {"extra": "forbid", "frozen": True}

    auth_url: str = Field(min_length=1, description="Keystone v3 URL.")
    username: str = Field(min_length=1)
    password: SecretStr
    project_name: str = Field(min_length=1, description="The service user's own project.")
    user_domain_name: str = "Default"
    project_domain_name: str = "Default"
    region_name: str = Field(min_length=1)
    interface: str = "public"
    ca_file: Path | None = Field(None, description="CA to verify the APIs with.")
    verify_tls: bool = True


class ComputeSettings(ServiceSettings):
    """The common service settings, the cloud, and how patient to be with it."""

    service_name: ClassVar[str] = "compute"

    cloud: CloudSettings | None = Field(None, description="Unset: every call says so.")
    api_timeout_seconds: float = Field(60.0, gt=0, le=3600)
    retry_attempts: int = Field(3, ge=1, le=10)
    retry_base_delay_seconds: float = Field(0.5, ge=0, le=30)
    manage_attempts: int = Field(
        5,
        ge=1,
        le=20,
        description="Tries of a manage (or an unmanage) that Cinder's driver failed for a reason "
        "that may pass (the array errored, was busy or did not answer); a refusal is not retried.",
    )
    delete_attempts: int = Field(
        5,
        ge=1,
        le=20,
        description="Deletes of a volume that Cinder left error_deleting (its array call failed).",
    )
    poll_interval_seconds: float = Field(1.0, gt=0, le=60)
    volume_timeout_seconds: float = Field(600.0, gt=0)
    boot_timeout_seconds: float = Field(900.0, gt=0)
    delete_timeout_seconds: float = Field(600.0, gt=0)
    capture_concurrency: int = Field(8, ge=1, le=64)
