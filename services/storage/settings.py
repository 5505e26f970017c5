"""Settings of the storage service (environment prefix DRAAS_STORAGE_)."""

from __future__ import annotations

from typing import ClassVar

from common.settings import ServiceSettings


class StorageSettings(ServiceSettings):
    """The common service settings; the storage service adds its own as it grows."""

    service_name: ClassVar[str] = "storage"
