"""Settings of the metadata service (environment prefix DRAAS_METADATA_)."""

from __future__ import annotations

from typing import ClassVar

from common.settings import ServiceSettings


class MetadataSettings(ServiceSettings):
    """The common service settings; the metadata service adds its own as it grows."""

    service_name: ClassVar[str] = "metadata"
