"""The gateway's settings: where it listens (HTTP), the site's orchestrator and Keystone, and
its database (the audit trail)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Environment `DRAAS_GATEWAY_*` or the [gateway] table; `port` is the HTTP port. With the
    site's TLS files (tls_ca_file, ...), the gateway calls its orchestrator over mutual TLS
    (`client_tls()`). Its own database holds the audit trail: a SQLite file under state_dir, or
    `database_url` (PostgreSQL, MariaDB), migrated at start unless db_auto_migrate is off."""

    service_name: ClassVar[str] = "gateway"

    orchestrator_address: str = Field(
        "127.0.0.1:50054", min_length=1, description="This site's orchestrator (gRPC)."
    )
    keystone_url: str = Field(
        min_length=1, description="This site's Keystone v3, e.g. https://keystone:5000/v3."
    )
    keystone_ca_file: Path | None = Field(None, description="CA to verify Keystone with.")
    token_cache_seconds: float = Field(
        30.0, ge=0, le=600, description="How long a validated token is trusted before asking again."
    )
    call_timeout_seconds: float = Field(30.0, gt=0, le=600)
    admin_roles: list[str] = Field(
        ["admin"],
        min_length=1,
        description="Keystone roles that make an admin: every project's groups and operations.",
    )
    member_roles: list[str] = Field(
        ["member", "_member_"],
        description="Keystone roles that may change their project's groups (any other reads).",
    )
