"""Two simulated sites for tests, the demo and benchmarks: FlashArrays array-a and array-b
(connected for sync and async replication), and OpenStack regions RegionA and RegionB whose
Cinder backends sit on them. Each tenant gets, in each region, an async and a sync Pure backend
(its own protection group and pod, replicating to the other site) with private volume types
`<tenant>-async` and `<tenant>-sync`, plus public non-replicated types: `pure` on the site's
array (what recovered volumes are managed as) and `standard`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from simulators.flasharray.simulator import (
    ArrayConfig,
    ConnectionConfig,
    FlashArraySimulator,
    SimulatorConfig,
)
from simulators.openstack.config import (
    ExternalNetworkConfig,
    ProjectConfig,
    RegionConfig,
    UserConfig,
    VolumeTypeConfig,
)
from simulators.openstack.simulator import OpenStackSimulator

ARRAYS = {"site-a": "array-a", "site-b": "array-b"}
REGIONS = {"site-a": "RegionA", "site-b": "RegionB"}
TOKENS = {"array-a": "lab-token-array-a-1", "array-b": "lab-token-array-b-2"}
USER_PASSWORD = "tenant-password"  # noqa: S105 - the simulated tenants' users


def cinder_conf(fa: FlashArraySimulator, site: str, tenants: list[str]) -> str:
    """cinder.conf of a site: per tenant an async and a sync Pure backend, a plain (not
    replicated) Pure backend, and lvm."""
    local = ARRAYS[site]
    peer = next(a for s, a in ARRAYS.items() if s != site)
    sections = ["lvm", "pure"]
    lines = [
        "[lvm]",
        "volume_backend_name = lvm",
        "volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver",
        "",
        "[pure]",
        "volume_backend_name = pure",
        "volume_driver = cinder.volume.drivers.pure.PureISCSIDriver",
        f"san_ip = {fa.address(local)}",
        f"pure_api_token = {TOKENS[local]}",
        "driver_ssl_cert_verify = true",
        f"driver_ssl_cert_path = {fa.ca_file}",
        "",
    ]
    for tenant in tenants:
        for kind in ("async", "sync"):
            name = f"{tenant}-{kind}"
            sections.append(name)
            lines += [
                f"[{name}]",
                f"volume_backend_name = {name}",
                "volume_driver = cinder.volume.drivers.pure.PureISCSIDriver",
                f"san_ip = {fa.address(local)}",
                f"pure_api_token = {TOKENS[local]}",
                "driver_ssl_cert_verify = true",
                f"driver_ssl_cert_path = {fa.ca_file}",
                f"pure_replication_pg_name = {tenant}-pg",
                f"pure_replication_pod_name = {tenant}-pod",
                f"replication_device = backend_id:{peer},san_ip:{fa.address(peer)},"
                f"api_token:{TOKENS[peer]},type:{kind}",
                "",
            ]
    return "\n".join(["[DEFAULT]", f"enabled_backends = {','.join(sections)}", "", *lines])


def lab_ports(base_port: int) -> dict[str, int]:
    """Where each part of the lab listens: from `base_port` up, or anywhere free (0)."""
    names = ["array-a", "array-b", "flasharray-control"]
    names += [f"{site}-{part}" for site in ARRAYS for part in ("api", "control")]
    return {name: base_port + i if base_port else 0 for i, name in enumerate(names)}


def region_config(
    fa: FlashArraySimulator,
    site: str,
    tenants: list[str],
    boot_seconds: float,
    ports: dict[str, int] | None = None,
) -> RegionConfig:
    types = [
        VolumeTypeConfig(name="standard", extra_specs={"volume_backend_name": "lvm"}),
        VolumeTypeConfig(name="pure", extra_specs={"volume_backend_name": "pure"}),
    ]
    for tenant in tenants:
        for kind in ("async", "sync"):
            types.append(
                VolumeTypeConfig(
                    name=f"{tenant}-{kind}",
                    extra_specs={
                        "volume_backend_name": f"{tenant}-{kind}",
                        "replication_enabled": "<is> True",
                        "replication_type": f"<in> {kind}",
                    },
                    is_public=False,
                    projects=[tenant],
                )
            )
    return RegionConfig(
        region=REGIONS[site],
        projects=[ProjectConfig(name=t) for t in tenants],
        users=[
            UserConfig(name=f"{t}-user", password=USER_PASSWORD, roles={t: ["member"]})
            for t in tenants
        ]
        + [
            UserConfig(name=f"{t}-reader", password=USER_PASSWORD, roles={t: ["reader"]})
            for t in tenants
        ],
        volume_types=types,
        external_networks=[
            ExternalNetworkConfig(
                name="public", cidr="203.0.113.0/24" if site == "site-a" else "198.51.100.0/24"
            )
        ],
        cinder_conf=cinder_conf(fa, site, tenants),
        boot_seconds=boot_seconds,
        port=(ports or {}).get(f"{site}-api", 0),
        control_port=(ports or {}).get(f"{site}-control", 0),
    )


@dataclass
class TwoSiteLab:
    """Use as a context manager; everything stops when it ends."""

    tenants: list[str] = field(default_factory=lambda: ["tenant1"])
    boot_seconds: float = 0.2
    bandwidth_bytes_per_s: float = 200e6
    # 0: every part on a free port; otherwise each on its own from here up (see lab_ports).
    base_port: int = 0
    # Where the arrays' TLS files go (default: a temporary directory).
    state_dir: Path | None = None
    flasharrays: FlashArraySimulator | None = None
    regions: dict[str, OpenStackSimulator] = field(default_factory=dict)

    def start(self) -> TwoSiteLab:
        ports = lab_ports(self.base_port)
        config = SimulatorConfig(
            control_port=ports["flasharray-control"],
            arrays=[ArrayConfig(name=n, api_token=t, port=ports[n]) for n, t in TOKENS.items()],
            connections=[
                ConnectionConfig(
                    arrays=("array-a", "array-b"),
                    bandwidth_bytes_per_s=self.bandwidth_bytes_per_s,
                    latency_s=0.005,
                )
            ],
            replication_tick_s=0.01,
        )
        self.flasharrays = FlashArraySimulator(config, self.state_dir).start()
        try:
            for site in ARRAYS:
                region = OpenStackSimulator(
                    region_config(self.flasharrays, site, self.tenants, self.boot_seconds, ports)
                )
                self.regions[site] = region.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for region in self.regions.values():
            region.stop()
        if self.flasharrays is not None:
            self.flasharrays.stop()

    def __enter__(self) -> TwoSiteLab:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
