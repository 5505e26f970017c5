"""Everything one simulated region holds, under one lock."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_seconds(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Identity ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Domain:
    id: str
    name: str


@dataclass(eq=False)
class Project:
    id: str
    name: str
    domain_id: str
    description: str = ""


@dataclass(eq=False)
class User:
    id: str
    name: str
    domain_id: str
    password: str
    # project id -> role names
    roles: dict[str, list[str]] = field(default_factory=dict)


@dataclass(eq=False)
class Token:
    id: str
    user: User
    project: Project | None
    roles: list[str]
    issued_at: float
    expires_at: float
    methods: list[str]


# Compute -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Flavor:
    id: str
    name: str
    vcpus: int
    ram: int
    disk: int
    swap: int = 0
    ephemeral: int = 0
    is_public: bool = True
    description: str | None = None
    extra_specs: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class KeyPair:
    name: str
    user_id: str
    public_key: str
    fingerprint: str
    type: str = "ssh"
    created_at: float = field(default_factory=time.time)


@dataclass(eq=False)
class ServerGroup:
    id: str
    name: str
    policy: str
    project_id: str
    user_id: str
    rules: dict[str, Any] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)


@dataclass
class AttachedVolume:
    volume_id: str
    device: str
    boot_index: int | None
    delete_on_termination: bool


@dataclass(eq=False)
class Server:
    id: str
    name: str
    project_id: str
    user_id: str
    flavor: Flavor
    key_name: str | None
    metadata: dict[str, str]
    availability_zone: str
    created_at: float
    ready_at: float
    vm_state: str = "building"
    power_state: int = 0
    task_state: str | None = "spawning"
    port_ids: list[str] = field(default_factory=list)
    # Ports Nova made for {"uuid": net} entries, deleted with the server.
    owned_port_ids: list[str] = field(default_factory=list)
    volumes: list[AttachedVolume] = field(default_factory=list)
    server_group_id: str | None = None
    host: str = "cmp1"
    updated_at: float = field(default_factory=time.time)
    admin_pass: str = ""
    # Array connections still being made; the server stays in BUILD until they are.
    pending_attachments: int = 0
    fault: str | None = None
    # [started, stopped] times of each time it ran (stopped None while it runs).
    runs: list[list[float | None]] = field(default_factory=list)
    # When it was deleted (Nova's terminated_at).
    terminated_at: float | None = None
    # Nova's instance actions: what was asked of it, by whom, when (os-instance-actions).
    actions: list[dict[str, Any]] = field(default_factory=list)

    def set_state(self, vm_state: str, power_state: int, at: float | None = None) -> None:
        """Moves it to a vm_state, noting when it starts or stops running."""
        moment = time.time() if at is None else at
        if vm_state == "active" and self.vm_state != "active":
            self.runs.append([moment, None])
        elif vm_state != "active" and self.vm_state == "active" and self.runs:
            self.runs[-1][1] = moment
        self.vm_state, self.power_state, self.task_state = vm_state, power_state, None
        self.updated_at = time.time()


# Block storage -------------------------------------------------------------------------------


@dataclass(eq=False)
class VolumeType:
    id: str
    name: str
    extra_specs: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    is_public: bool = True
    access: set[str] = field(default_factory=set)
    # The type's encryption spec, when volumes of it are encrypted.
    encryption: dict[str, Any] | None = None


@dataclass(eq=False)
class Attachment:
    id: str
    server_id: str
    device: str
    attached_at: float


@dataclass(eq=False)
class Volume:
    id: str
    name: str | None
    project_id: str
    user_id: str
    size: int
    volume_type: VolumeType
    backend: str
    availability_zone: str
    created_at: float
    status: str = "available"
    description: str | None = None
    bootable: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    image_metadata: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # Where the backend put it, e.g. the array volume name.
    provider_id: str | None = None
    updated_at: float | None = None
    # What it was made from: a Cinder snapshot, or another volume.
    snapshot_id: str | None = None
    source_volid: str | None = None


@dataclass(eq=False)
class Snapshot:
    """A Cinder snapshot of a volume."""

    id: str
    name: str | None
    volume_id: str
    project_id: str
    user_id: str
    size: int
    created_at: float
    status: str = "creating"
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # Where the backend put it, e.g. the array snapshot name.
    provider_id: str | None = None
    updated_at: float | None = None


@dataclass(eq=False)
class VolumeService:
    host: str
    binary: str
    replication_status: str = "disabled"
    active_backend_id: str | None = None
    frozen: bool = False


# Network -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Network:
    id: str
    name: str
    project_id: str
    created_at: float
    admin_state_up: bool = True
    shared: bool = False
    external: bool = False
    mtu: int = 1500
    description: str = ""
    tags: list[str] = field(default_factory=list)
    port_security_enabled: bool = True
    revision: int = 1


@dataclass(eq=False)
class Subnet:
    id: str
    name: str
    network_id: str
    project_id: str
    cidr: str
    ip_version: int
    gateway_ip: str | None
    allocation_pools: list[dict[str, str]]
    created_at: float
    enable_dhcp: bool = True
    dns_nameservers: list[str] = field(default_factory=list)
    host_routes: list[dict[str, str]] = field(default_factory=list)
    description: str = ""
    tags: list[str] = field(default_factory=list)
    revision: int = 1


@dataclass(eq=False)
class Port:
    id: str
    name: str
    network_id: str
    project_id: str
    mac_address: str
    fixed_ips: list[dict[str, str]]
    security_group_ids: list[str]
    created_at: float
    device_id: str = ""
    device_owner: str = ""
    binding_host_id: str = ""
    admin_state_up: bool = True
    description: str = ""
    tags: list[str] = field(default_factory=list)
    port_security_enabled: bool = True
    revision: int = 1


@dataclass(eq=False)
class SecurityGroupRule:
    id: str
    security_group_id: str
    project_id: str
    direction: str
    ethertype: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""


@dataclass(eq=False)
class SecurityGroup:
    id: str
    name: str
    project_id: str
    created_at: float
    description: str = ""
    rules: list[SecurityGroupRule] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    revision: int = 1


@dataclass(eq=False)
class Router:
    id: str
    name: str
    project_id: str
    created_at: float
    external_network_id: str | None = None
    external_fixed_ips: list[dict[str, str]] = field(default_factory=list)
    enable_snat: bool = True
    admin_state_up: bool = True
    routes: list[dict[str, str]] = field(default_factory=list)
    description: str = ""
    tags: list[str] = field(default_factory=list)
    revision: int = 1


@dataclass(eq=False)
class FloatingIp:
    id: str
    address: str
    network_id: str
    project_id: str
    created_at: float
    port_id: str | None = None
    fixed_ip_address: str | None = None
    router_id: str | None = None
    description: str = ""
    tags: list[str] = field(default_factory=list)


# Image ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Image:
    id: str
    name: str
    owner: str
    created_at: float
    disk_format: str = "qcow2"
    container_format: str = "bare"
    visibility: str = "public"
    size: int = 0
    min_disk: int = 0
    min_ram: int = 0
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class Quota:
    instances: int = 50
    cores: int = 200
    ram: int = 512 * 1024
    volumes: int = 100
    snapshots: int = 100
    gigabytes: int = 10000
    ports: int = 500
    networks: int = 100
    subnets: int = 100
    routers: int = 20
    security_groups: int = 50
    security_group_rules: int = 100
    floatingips: int = 50


class Store:
    """One region's state. Every API call holds `lock` while it reads or changes it."""

    def __init__(self, region: str, availability_zone: str = "nova", max_limit: int = 1000) -> None:
        self.lock = threading.RLock()
        self.region = region
        self.availability_zone = availability_zone
        self.max_limit = max_limit
        self.domains: dict[str, Domain] = {}
        self.projects: dict[str, Project] = {}
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.flavors: dict[str, Flavor] = {}
        self.keypairs: dict[tuple[str, str], KeyPair] = {}
        self.server_groups: dict[str, ServerGroup] = {}
        self.servers: dict[str, Server] = {}
        # Deleted servers, by id: their runs and usage stay on record, as in Nova's database.
        self.deleted_servers: dict[str, Server] = {}
        self.volume_types: dict[str, VolumeType] = {}
        self.volumes: dict[str, Volume] = {}
        self.snapshots: dict[str, Snapshot] = {}
        self.volume_services: list[VolumeService] = []
        self.networks: dict[str, Network] = {}
        self.subnets: dict[str, Subnet] = {}
        self.ports: dict[str, Port] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.routers: dict[str, Router] = {}
        self.floating_ips: dict[str, FloatingIp] = {}
        self.images: dict[str, Image] = {}
        self.quotas: dict[str, Quota] = {}
        self.default_quota = Quota()
        self.boot_seconds = 0.5
        # Set by the simulator: Cinder backends by section, and where background work goes.
        self.backends: dict[str, Any] = {}
        self.worker: Any = None
        # Cinder user messages (why a volume went to error).
        self.messages: list[dict[str, Any]] = []
        # Services outside the simulator in the catalog (e.g. draas): type -> (name, url).
        self.endpoints: dict[str, tuple[str, str]] = {}

    def register_endpoint(self, service_type: str, name: str, url: str) -> None:
        """Puts a service that runs outside the simulator into every new token's catalog.

        :raises ValueError: the URL is not http(s).
        """
        if not url.startswith(("http://", "https://")):
            raise ValueError("url must be an http(s) URL")
        with self.lock:
            self.endpoints[service_type] = (name, url)

    def quota(self, project_id: str) -> Quota:
        return self.quotas.get(project_id, self.default_quota)

    def project_by_name(self, name: str, domain_id: str) -> Project | None:
        return next(
            (p for p in self.projects.values() if p.name == name and p.domain_id == domain_id), None
        )

    def domain_by_name(self, name: str) -> Domain | None:
        return next((d for d in self.domains.values() if d.name == name), None)
