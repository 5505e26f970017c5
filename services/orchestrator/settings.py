"""Settings of the orchestrator (environment prefix DRAAS_ORCHESTRATOR_).

Peers are the other sites' orchestrators, with the arrays this site's arrays replicate to there:

    [[orchestrator.peers]]
    site = "site-b"
    address = "orchestrator.site-b:50054"
    array_pairs = { "array-a" = "array-b" }

Limits bound how many steps load each backend API at once: `array` (recoveries on the arrays),
`cinder` (manage), `neutron` (ports), `nova` (boots), `verify` (waiting for servers).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from common.settings import GrpcAddress, ServiceSettings

DEFAULT_LIMITS = {"array": 4, "cinder": 10, "neutron": 10, "nova": 10, "verify": 50}


class OrchestratorPeer(BaseModel):
    """Another site's orchestrator, and the arrays there that this site's arrays pair with."""

    model_config = {"extra": "forbid", "frozen": True}

    site: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    address: GrpcAddress
    array_pairs: dict[str, str] = Field(
        default_factory=dict, description="This site's array -> its replication partner there."
    )


class OrchestratorSettings(ServiceSettings):
    """The common service settings, this site's other services, peers, and how hard to work."""

    service_name: ClassVar[str] = "orchestrator"

    metadata_address: GrpcAddress = Field(description="This site's metadata service, host:port.")
    storage_address: GrpcAddress = Field(description="This site's storage service, host:port.")
    compute_address: GrpcAddress = Field(description="This site's compute service, host:port.")
    dependency_timeout_seconds: float = Field(
        2.0, gt=0, le=60, description="How long a dependency health check may take."
    )
    peers: list[OrchestratorPeer] = Field(default_factory=list)
    link_roles: list[str] = Field(
        default_factory=lambda: ["member", "_member_", "admin"],
        min_length=1,
        description="Roles in a project here that let a tenant link it to its project at a "
        "peer site (shown by a token of this site).",
    )

    worker_threads: int = Field(32, ge=1, le=512, description="Units run at once here.")
    lease_seconds: float = Field(30.0, gt=0, le=3600)
    poll_seconds: float = Field(0.5, gt=0, le=60, description="How often idle workers look.")
    retry_delay_seconds: float = Field(1.0, ge=0, le=300)
    unreachable_wait_seconds: float = Field(
        300.0,
        ge=0,
        le=3600,
        description="How long a step waits for a service of this site (or a peer orchestrator) "
        "that does not answer at all, e.g. while it restarts, before the attempt fails.",
    )
    limits: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_LIMITS))

    cleanup_retry_seconds: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="A test cleanup that did not succeed is tried again after this, doubled "
        "each time (at most an hour), until one does.",
    )
    test_cleanup_after_seconds: float = Field(
        86400.0, ge=0, description="A test failover is cleaned up after this; 0: only on request."
    )
    boot_timeout_seconds: float = Field(600.0, gt=0, description="For a server to be ACTIVE.")
    replication_timeout_seconds: float = Field(
        600.0, gt=0, description="For a planned failover's final replication to arrive."
    )
    metadata_timeout_seconds: float = Field(
        120.0, gt=0, description="For the source site's last metadata to arrive."
    )
    recovery_volume_types: dict[str, str] = Field(
        default_factory=dict,
        description="A source volume type -> the type recovered volumes are managed as here.",
    )
    default_recovery_volume_type: str = Field(
        "",
        description="For source types not in recovery_volume_types; empty: the same name. A "
        "type that does not replicate keeps test copies and failed-over volumes from "
        "replicating until the group is reprotected.",
    )
    external_networks: dict[str, str] = Field(
        default_factory=dict,
        description="A source site's external network name -> this site's (same name if absent).",
    )
    guest_proxy: str = Field(
        "",
        pattern=r"^$|^[^:\s]+:\d{1,5}$",
        description="host:port of an HTTP CONNECT proxy into the tenants' networks, through "
        "which application checks reach recovered VMs; empty: directly.",
    )
    # Monitoring (services/orchestrator/monitoring/).
    monitor_interval_seconds: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="How often the groups failing over to this site are sampled and alerts "
        "judged; 0: never (the monitor does not run).",
    )
    readiness_check_seconds: float = Field(
        300.0, gt=0, le=86400, description="How often protected VMs are checked for eligibility."
    )
    alert_metadata_lag_seconds: float = Field(
        300.0, gt=0, description="Metadata replication lag to this site that raises an alert."
    )
    alert_cleanup_grace_seconds: float = Field(
        600.0, ge=0, description="How long a test may stand past its cleanup time unalerted."
    )
    alert_operation_window_seconds: float = Field(
        7 * 86400.0,
        gt=0,
        description="Failed operations that ended longer ago than this raise no new alert.",
    )
    schedule_retry_seconds: float = Field(
        1800.0,
        gt=0,
        le=86400,
        description="Wait before trying again a scheduled test that could not start or failed.",
    )
    tag_reconcile_seconds: float = Field(
        300.0, gt=0, le=86400, description="How often servers tagged with a policy are looked at."
    )
    delivery_attempts: int = Field(8, ge=1, le=50, description="Tries before giving up.")
    delivery_backoff_seconds: float = Field(
        5.0, ge=0, le=3600, description="Wait after the first failed try; doubled each time."
    )
    delivery_timeout_seconds: float = Field(10.0, gt=0, le=120)
    smtp_host: str = Field("", description="SMTP server for e-mail alerts; empty: no e-mail.")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = Field("draas@localhost", min_length=3, description="Sender of alert mail.")
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr | None = None

    @model_validator(mode="after")
    def _peers_are_other_sites(self) -> OrchestratorSettings:
        sites = [p.site for p in self.peers]
        if self.site in sites:
            raise ValueError("peers must be other sites, not this one")
        if len(set(sites)) != len(sites):
            raise ValueError("a peer site is listed twice")
        return self

    @field_validator("limits")
    @classmethod
    def _known_limits(cls, limits: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(limits) - set(DEFAULT_LIMITS))
        if unknown:
            raise ValueError(f"unknown limits {unknown}: the limits are {sorted(DEFAULT_LIMITS)}")
        bad = {k: v for k, v in limits.items() if v < 1}
        if bad:
            raise ValueError(f"limits must be at least 1: {bad}")
        # The ones not given keep their defaults.
        return {**DEFAULT_LIMITS, **limits}

    def peer(self, site: str) -> OrchestratorPeer | None:
        return next((p for p in self.peers if p.site == site), None)
