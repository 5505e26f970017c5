"""One simulated OpenStack region, in-process (tests) or standalone
(`python -m simulators.openstack --config FILE`)."""

from __future__ import annotations

import ipaddress
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from simulators.common.http import Listener
from simulators.openstack.app import Faults, region_app
from simulators.openstack.backends import load_backends
from simulators.openstack.config import RegionConfig
from simulators.openstack.control import control_app
from simulators.openstack.guests import GuestProxy
from simulators.openstack.store import (
    Domain,
    Flavor,
    Image,
    Network,
    Project,
    Store,
    Subnet,
    User,
    VolumeService,
    VolumeType,
    new_id,
)
from simulators.openstack.worker import KeyedWorker
from simulators.openstack.workload import Workload

ADMIN_PROJECT = "admin"


class OpenStackSimulator:
    """Keystone, Nova, Cinder, Neutron and Glance of one region over HTTP. Use as a context
    manager."""

    def __init__(self, config: RegionConfig) -> None:
        self.config = config
        self.store = Store(config.region, config.availability_zone, config.max_limit)
        self.store.boot_seconds = config.boot_seconds
        self.store.backends = load_backends(config.cinder_conf)
        self.store.worker = KeyedWorker()
        self.faults = Faults()
        self.workload = Workload(self.store)
        self.workload.writes_per_second = config.writes_per_second
        self.workload.write_size = config.write_size
        self._seed()
        control = control_app(self.store, self.faults, self.workload, self.set_up)
        self.api = Listener(
            region_app(self.store, self.faults, lambda: self.url, control),
            config.host,
            config.port,
            None,
            f"os-{config.region}",
        )
        self.control = Listener(
            control, config.host, config.control_port, None, f"os-{config.region}-control"
        )
        # Into the region's tenant networks, as a bastion reaches them (guests.py).
        self.guests = GuestProxy(self.store, config.host)

    @property
    def url(self) -> str:
        return self.api.url

    @property
    def auth_url(self) -> str:
        return f"{self.url}/identity/v3"

    @property
    def control_url(self) -> str:
        return self.control.url

    @property
    def guest_proxy(self) -> str:
        """host:port of the HTTP CONNECT proxy into the region's servers."""
        return self.guests.address

    def project_id(self, name: str) -> str:
        project = self.store.project_by_name(name, "default")
        if project is None:
            raise KeyError(f"no project {name}")
        return project.id

    def register_endpoint(self, service_type: str, name: str, url: str) -> None:
        """Puts a service that runs outside the simulator (e.g. draas's gateway) into the
        catalog of every token issued from now on.

        :raises ValueError: the URL is not http(s).
        """
        self.store.register_endpoint(service_type, name, url)

    def start(self) -> OpenStackSimulator:
        self.api.start()
        self.control.start()
        self.guests.start()
        self.workload.start()
        return self

    def set_up(self, up: bool) -> None:
        """Region down: its API refuses connections (the control API stays) and its servers
        stop writing."""
        self.workload.paused = not up
        if up and not self.api.serving:
            self.api.start()
        elif not up and self.api.serving:
            self.api.stop()

    def stop(self) -> None:
        self.workload.stop()
        self.api.stop()
        self.control.stop()
        self.guests.stop()
        self.store.worker.close()
        for backend in self.store.backends.values():
            backend.close()

    def settle(self, timeout: float = 30.0) -> bool:
        """Waits until no background work (array calls) is left."""
        return bool(self.store.worker.wait_idle(timeout))

    def cloud(
        self, user: str = "admin", password: str | None = None, project: str = ADMIN_PROJECT
    ) -> dict[str, Any]:
        """openstacksdk connection settings (also a clouds.yaml entry)."""
        return {
            "auth": {
                "auth_url": self.auth_url,
                "username": user,
                "password": password if password is not None else self._password(user),
                "project_name": project,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": self.config.region,
            "interface": "public",
            "identity_api_version": 3,
            # A request whose kept-alive connection was closed under it (it happens to this
            # simulator now and then under load) is sent once more on a new one.
            "connect_retries": 1,
        }

    def write_clouds_yaml(self, path: Path, clouds: dict[str, dict[str, Any]]) -> Path:
        """Writes the clouds (with their passwords) readable by the owner only, as
        openstacksdk asks of a clouds.yaml."""
        path.unlink(missing_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as file:
            file.write(yaml.safe_dump({"clouds": clouds}))
        return path

    def _password(self, user: str) -> str:
        if user == "admin":
            return self.config.admin_password
        return next(u.password for u in self.config.users if u.name == user)

    def _seed(self) -> None:
        store, config = self.store, self.config
        store.domains["default"] = Domain("default", "Default")
        for spec in [
            {"name": ADMIN_PROJECT, "description": "Admin project"},
            *(p.model_dump() for p in config.projects),
        ]:
            project = Project(
                new_id().replace("-", ""), spec["name"], "default", spec["description"]
            )
            store.projects[project.id] = project
        admin = User(
            new_id().replace("-", ""),
            "admin",
            "default",
            config.admin_password,
            {p: ["admin"] for p in store.projects},
        )
        store.users[admin.id] = admin
        for user_spec in config.users:
            roles: dict[str, list[str]] = {
                self.project_id(name): list(r) for name, r in user_spec.roles.items()
            }
            user = User(
                new_id().replace("-", ""), user_spec.name, "default", user_spec.password, roles
            )
            store.users[user.id] = user
        for flavor in config.flavors:
            store.flavors[flavor.id] = Flavor(
                flavor.id,
                flavor.name,
                flavor.vcpus,
                flavor.ram,
                flavor.disk,
                extra_specs=dict(flavor.extra_specs),
            )
        admin_project = self.project_id(ADMIN_PROJECT)
        for image in config.images:
            store.images[image.id] = Image(
                image.id, image.name, admin_project, time.time(), properties=dict(image.properties)
            )
        default_type = VolumeType(new_id(), "__DEFAULT__", description="Default Volume Type")
        store.volume_types[default_type.id] = default_type
        for type_spec in config.volume_types:
            vtype = VolumeType(
                new_id(),
                type_spec.name,
                dict(type_spec.extra_specs),
                is_public=type_spec.is_public,
                access={self.project_id(p) for p in type_spec.projects},
            )
            if type_spec.encrypted:
                vtype.encryption = {
                    "provider": "luks",
                    "cipher": "aes-xts-plain64",
                    "key_size": 256,
                    "control_location": "front-end",
                }
            store.volume_types[vtype.id] = vtype
        for net_spec in config.external_networks:
            net = Network(new_id(), net_spec.name, admin_project, time.time(), external=True)
            cidr = ipaddress.ip_network(net_spec.cidr)
            hosts = list(cidr.hosts())
            gateway = net_spec.gateway_ip or str(hosts[0])
            store.networks[net.id] = net
            subnet = Subnet(
                new_id(),
                f"{net_spec.name}-subnet",
                net.id,
                admin_project,
                str(cidr),
                cidr.version,
                gateway,
                [{"start": str(hosts[1]), "end": str(hosts[-1])}],
                time.time(),
                enable_dhcp=False,
            )
            store.subnets[subnet.id] = subnet
        for backend in store.backends.values():
            store.volume_services.append(
                VolumeService(
                    backend.host, "cinder-volume", "enabled" if backend.replication else "disabled"
                )
            )

    def __enter__(self) -> OpenStackSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
