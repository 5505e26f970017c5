"""Settings of the storage service (environment prefix DRAAS_STORAGE_).

Arrays come as a list, e.g. in the settings file:

    [[storage.arrays]]
    name = "array-a"
    address = "10.0.0.10"        # or host:port
    api_token = "..."            # a secret: never logged
    ca_file = "/etc/draas/array-a-ca.pem"

or as JSON in DRAAS_STORAGE_ARRAYS.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from common.settings import ServiceSettings


class ArraySettings(BaseModel):
    """One FlashArray this site's storage service may call: its own, and its peers' targets."""

    model_config = {"extra": "forbid", "frozen": True}

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", description="The array's name.")
    address: str = Field(min_length=1, description="Management address, host or host:port.")
    api_token: SecretStr = Field(description="API token of the array user draas acts as.")
    ca_file: Path | None = Field(None, description="CA to verify the array's certificate with.")
    verify_tls: bool = Field(True, description="Verify the array's certificate.")

    @field_validator("api_token")
    @classmethod
    def _token_not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


class RetentionSettings(BaseModel):
    """What the target array keeps by default."""

    model_config = {"extra": "forbid", "frozen": True}

    all_for_seconds: int = Field(86400, ge=0)
    per_day: int = Field(4, ge=0)
    days: int = Field(7, ge=0)


class StorageSettings(ServiceSettings):
    """The common service settings, the arrays, and how patient to be with them."""

    service_name: ClassVar[str] = "storage"

    arrays: list[ArraySettings] = Field(default_factory=list)
    connect_timeout_seconds: float = Field(5.0, gt=0, le=120)
    request_timeout_seconds: float = Field(60.0, gt=0, le=3600)
    retry_attempts: int = Field(3, ge=1, le=10, description="Tries per call on transient errors.")
    retry_base_delay_seconds: float = Field(0.2, ge=0, le=30)
    poll_interval_seconds: float = Field(0.2, gt=0, le=60)
    replicate_wait_timeout_seconds: float = Field(900.0, gt=0)
    target_ready_timeout_seconds: float = Field(60.0, gt=0)
    min_replication_interval_seconds: float = Field(
        300.0, gt=0, description="The shortest replication interval an RPO target may ask for."
    )
    copy_concurrency: int = Field(8, ge=1, le=64, description="Volume copies at once per request.")
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _unique_names(self) -> StorageSettings:
        names = [a.name for a in self.arrays]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"arrays named more than once: {', '.join(duplicates)}")
        return self
