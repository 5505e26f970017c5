"""What a simulated region holds at start: identity, flavors, images, volume types, external
networks, and the Cinder backends (cinder.conf text)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# The image every region has unless configured otherwise.
CIRROS_IMAGE_ID = "a1b2c3d4-0000-4000-8000-000000000001"


class ProjectConfig(BaseModel):
    name: str
    description: str = ""


class UserConfig(BaseModel):
    name: str
    password: str = Field(min_length=1)
    # project name -> roles (admin, member, reader)
    roles: dict[str, list[Literal["admin", "member", "reader"]]] = Field(default_factory=dict)


class FlavorConfig(BaseModel):
    id: str
    name: str
    vcpus: int = Field(ge=1)
    ram: int = Field(ge=1)
    disk: int = Field(0, ge=0)
    extra_specs: dict[str, str] = Field(default_factory=dict)


class ImageConfig(BaseModel):
    id: str
    name: str
    properties: dict[str, str] = Field(default_factory=dict)


class VolumeTypeConfig(BaseModel):
    name: str
    extra_specs: dict[str, str] = Field(default_factory=dict)
    is_public: bool = True
    # Project names that may use a private type.
    projects: list[str] = Field(default_factory=list)
    encrypted: bool = False


class ExternalNetworkConfig(BaseModel):
    name: str
    cidr: str
    gateway_ip: str | None = None


class RegionConfig(BaseModel):
    """One region. The admin user has the admin role on every project."""

    region: str = "RegionOne"
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)
    control_port: int = Field(0, ge=0, le=65535)
    availability_zone: str = "nova"
    # Nova's [api] max_limit and Cinder's osapi_max_limit: the most servers or volumes one
    # page of a list holds, whatever limit the client asks for; a next link names the rest.
    max_limit: int = Field(1000, ge=1)
    admin_password: str = Field("secret", min_length=1)
    projects: list[ProjectConfig] = Field(default_factory=list)
    users: list[UserConfig] = Field(default_factory=list)
    flavors: list[FlavorConfig] = Field(
        default_factory=lambda: [
            FlavorConfig(id="1", name="m1.tiny", vcpus=1, ram=512, disk=1),
            FlavorConfig(id="2", name="m1.small", vcpus=1, ram=2048, disk=20),
            FlavorConfig(id="3", name="m1.medium", vcpus=2, ram=4096, disk=40),
            FlavorConfig(id="4", name="m1.large", vcpus=4, ram=8192, disk=80),
        ]
    )
    images: list[ImageConfig] = Field(
        default_factory=lambda: [
            ImageConfig(
                id=CIRROS_IMAGE_ID,
                name="cirros-0.6.2",
                properties={"hw_qemu_guest_agent": "yes"},
            ),
        ]
    )
    volume_types: list[VolumeTypeConfig] = Field(default_factory=list)
    external_networks: list[ExternalNetworkConfig] = Field(default_factory=list)
    cinder_conf: str = "[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_backend_name = lvm\n"
    boot_seconds: float = Field(0.5, ge=0)
    writes_per_second: float = Field(0.0, ge=0)
    write_size: int = Field(4096, ge=1)
