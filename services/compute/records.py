"""openstacksdk resources as the captured records (the compute protobuf messages), which the
metadata service stores and the orchestrator rebuilds from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from draas.compute.v1 import compute_pb2 as pb
from services.compute.cloud import attr


def _dict(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(value or {}).items()}


def timestamp(text: str | None) -> Timestamp | None:
    if not text:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    return stamp


def spec_flag(value: str | None) -> bool:
    """Cinder's "<is> True"."""
    return bool(value) and str(value).split()[-1].lower() == "true"


def spec_choice(value: str | None) -> str:
    """Cinder's "<in> async"."""
    return value.split()[-1] if value else ""


def server(resource: Any, block_devices: list[pb.BlockDevice], port_ids: list[str]) -> pb.Server:
    image = attr(resource, "image", {})
    groups = list(attr(resource, "server_groups", []))
    return pb.Server(
        id=resource.id,
        name=resource.name,
        project_id=attr(resource, "project_id", ""),
        status=attr(resource, "status", ""),
        image_id=str(image.get("id", "") if isinstance(image, dict) else ""),
        key_name=attr(resource, "key_name", ""),
        server_group_id=groups[0] if groups else "",
        availability_zone=attr(resource, "availability_zone", ""),
        metadata=_dict(attr(resource, "metadata")),
        block_devices=block_devices,
        port_ids=port_ids,
        created_at=timestamp(attr(resource, "created_at")),
    )


def flavor(resource: Any) -> pb.Flavor:
    return pb.Flavor(
        id=str(attr(resource, "id", "")),
        name=attr(resource, "name", "") or attr(resource, "original_name", ""),
        vcpus=attr(resource, "vcpus", 0),
        ram_mb=attr(resource, "ram", 0),
        disk_gb=attr(resource, "disk", 0),
        extra_specs=_dict(attr(resource, "extra_specs")),
        is_public=attr(resource, "is_public", False) is True,
    )


def image(resource: Any) -> pb.Image:
    return pb.Image(
        id=resource.id,
        name=attr(resource, "name", ""),
        disk_format=attr(resource, "disk_format", ""),
        container_format=attr(resource, "container_format", ""),
        properties=_dict(attr(resource, "properties")),
        visibility=attr(resource, "visibility", "") or "",
    )


def key_pair(resource: Any) -> pb.KeyPair:
    return pb.KeyPair(
        name=resource.name,
        public_key=attr(resource, "public_key", ""),
        fingerprint=attr(resource, "fingerprint", ""),
        type=attr(resource, "type", "ssh"),
    )


def server_group(resource: Any) -> pb.ServerGroup:
    policies = attr(resource, "policies", [])
    return pb.ServerGroup(
        id=resource.id,
        name=resource.name,
        policy=attr(resource, "policy", "") or (policies[0] if policies else ""),
    )


def volume(resource: Any) -> pb.Volume:
    metadata = _dict(attr(resource, "metadata"))
    return pb.Volume(
        id=resource.id,
        name=attr(resource, "name", ""),
        project_id=attr(resource, "project_id", ""),
        size_gb=attr(resource, "size", 0),
        volume_type=attr(resource, "volume_type", ""),
        bootable=bool(attr(resource, "is_bootable", False)),
        encrypted=bool(attr(resource, "is_encrypted", False)),
        status=attr(resource, "status", ""),
        array_name=metadata.get("array_name", ""),
        array_volume_name=metadata.get("array_volume_name", ""),
        metadata=metadata,
        attachments=[
            pb.VolumeAttachment(server_id=a.get("server_id", ""), device=a.get("device", ""))
            for a in attr(resource, "attachments", [])
        ],
        image_metadata=_dict(attr(resource, "volume_image_metadata")),
    )


def volume_type(resource: Any, encrypted: bool) -> pb.VolumeType:
    specs = _dict(attr(resource, "extra_specs"))
    return pb.VolumeType(
        id=resource.id,
        name=resource.name,
        extra_specs=specs,
        replication_enabled=spec_flag(specs.get("replication_enabled")),
        replication_type=spec_choice(specs.get("replication_type"))
        if spec_flag(specs.get("replication_enabled"))
        else "",
        encrypted=encrypted,
        backend_name=specs.get("volume_backend_name", ""),
        is_public=attr(resource, "is_public", False) is True,
    )


def network(resource: Any) -> pb.Network:
    return pb.Network(
        id=resource.id,
        name=attr(resource, "name", ""),
        project_id=attr(resource, "project_id", ""),
        mtu=attr(resource, "mtu", 0),
        shared=bool(attr(resource, "is_shared", False)),
        external=bool(attr(resource, "is_router_external", False)),
        admin_state_up=bool(attr(resource, "is_admin_state_up", True)),
        tags=list(attr(resource, "tags", [])),
        description=attr(resource, "description", "") or "",
    )


def subnet(resource: Any) -> pb.Subnet:
    return pb.Subnet(
        id=resource.id,
        name=attr(resource, "name", ""),
        network_id=resource.network_id,
        cidr=resource.cidr,
        ip_version=attr(resource, "ip_version", 4),
        gateway_ip=attr(resource, "gateway_ip", ""),
        enable_dhcp=bool(attr(resource, "is_dhcp_enabled", True)),
        allocation_pools=[
            pb.AllocationPool(start=p["start"], end=p["end"])
            for p in attr(resource, "allocation_pools", [])
        ],
        dns_nameservers=list(attr(resource, "dns_nameservers", [])),
        host_routes=[
            pb.HostRoute(destination=r["destination"], nexthop=r["nexthop"])
            for r in attr(resource, "host_routes", [])
        ],
        description=attr(resource, "description", "") or "",
    )


def router(
    resource: Any, interfaces: list[pb.RouterInterface], external_network_name: str = ""
) -> pb.Router:
    gateway = attr(resource, "external_gateway_info", {}) or {}
    return pb.Router(
        id=resource.id,
        name=attr(resource, "name", ""),
        project_id=attr(resource, "project_id", ""),
        external_network_id=gateway.get("network_id", "") or "",
        interfaces=interfaces,
        external_network_name=external_network_name,
        description=attr(resource, "description", "") or "",
    )


def port(resource: Any) -> pb.Port:
    return pb.Port(
        id=resource.id,
        name=attr(resource, "name", ""),
        network_id=resource.network_id,
        mac_address=attr(resource, "mac_address", ""),
        fixed_ips=[
            pb.FixedIp(subnet_id=ip["subnet_id"], ip_address=ip["ip_address"])
            for ip in attr(resource, "fixed_ips", [])
        ],
        security_group_ids=list(attr(resource, "security_group_ids", [])),
        device_id=attr(resource, "device_id", ""),
        device_owner=attr(resource, "device_owner", ""),
    )


def security_group(resource: Any) -> pb.SecurityGroup:
    return pb.SecurityGroup(
        id=resource.id,
        name=attr(resource, "name", ""),
        description=attr(resource, "description", ""),
        project_id=attr(resource, "project_id", ""),
        rules=[rule(r) for r in attr(resource, "security_group_rules", [])],
    )


def rule(value: dict[str, Any]) -> pb.SecurityGroupRule:
    return pb.SecurityGroupRule(
        id=value.get("id", ""),
        direction=value.get("direction", ""),
        ethertype=value.get("ethertype", ""),
        protocol=value.get("protocol") or "",
        port_range_min=value.get("port_range_min") or 0,
        port_range_max=value.get("port_range_max") or 0,
        remote_ip_prefix=value.get("remote_ip_prefix") or "",
        remote_group_id=value.get("remote_group_id") or "",
    )
