"""Settings of the compute service (environment prefix DRAAS_COMPUTE_)."""

from __future__ import annotations

from typing import ClassVar

from common.settings import ServiceSettings


class ComputeSettings(ServiceSettings):
    """The common service settings; the compute service adds its own as it grows."""

    service_name: ClassVar[str] = "compute"
