"""Cinder backends, configured from an ini file in the form real Cinder uses:

    [DEFAULT]
    enabled_backends = tenant1-async,tenant1-sync

    [tenant1-async]
    volume_backend_name = tenant1-async
    volume_driver = cinder.volume.drivers.pure.PureISCSIDriver
    san_ip = 127.0.0.1:8443
    pure_api_token = ...
    driver_ssl_cert_verify = true
    driver_ssl_cert_path = /etc/cinder/fa-ca.pem
    pure_replication_pg_name = tenant1-pg
    replication_device = backend_id:array-b,san_ip:127.0.0.1:8444,api_token:...,type:async

A Pure backend drives the simulated FlashArray through py-pure-client, as Cinder's Pure driver
does: volumes are volume-<uuid>-cinder (pod::volume-<uuid>-cinder for sync), join the
backend's protection group or pod, and carry array_name / array_volume_name metadata. Any
other volume_driver is a backend with no array behind it.
"""

from __future__ import annotations

import configparser
import contextlib
import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pypureclient import flasharray as fa
from pypureclient.configuration import Configuration
from pypureclient.exceptions import PureError
from urllib3.exceptions import HTTPError as TransportError

GiB = 2**30
T = TypeVar("T")
PURE_DRIVERS = ("cinder.volume.drivers.pure.",)


class BackendError(Exception):
    """The backend could not do it; the message is what Cinder would tell the user.

    `provider_id` is set when the driver failed after it had already renamed the array volume:
    the name it now has, which Cinder keeps on the volume (so a later delete destroys it and an
    unmanage renames it, as with the real Pure driver).
    """

    def __init__(self, message: str, provider_id: str | None = None) -> None:
        super().__init__(message)
        self.provider_id = provider_id


@dataclass(frozen=True)
class ReplicationDevice:
    backend_id: str
    san_ip: str
    api_token: str
    type: str


class Backend:
    """A backend with no array behind it (e.g. LVM): volumes exist only in Cinder."""

    def __init__(self, section: str, options: dict[str, str]) -> None:
        self.section = section
        self.backend_name = options.get("volume_backend_name", section)
        self.driver = options.get("volume_driver", "cinder.volume.drivers.lvm.LVMVolumeDriver")
        self.options = options

    @property
    def host(self) -> str:
        return f"cinder@{self.section}"

    @property
    def pool_host(self) -> str:
        return f"{self.host}#{self.backend_name}"

    @property
    def replication(self) -> str | None:
        return None

    def create(self, volume_id: str, size_gb: int) -> tuple[str | None, dict[str, str]]:
        """Makes the volume; returns its provider id and metadata to add."""
        return None, {}

    def delete(self, provider_id: str | None) -> None:
        """Removes it from the backend."""

    def manage(self, volume_id: str, source_name: str) -> tuple[str, int, dict[str, str]]:
        raise BackendError(
            f"Manage existing volume failed due to invalid backend reference "
            f"{{'source-name': '{source_name}'}}: backend {self.section} has no volumes to manage."
        )

    def unmanage(self, provider_id: str | None) -> None:
        """Leaves it on the backend, no longer Cinder's."""

    def attach(self, provider_id: str | None, host: str) -> None:
        """Connects the volume to a compute host."""

    def detach(self, provider_id: str | None, host: str) -> None:
        """Disconnects it."""

    def extend(self, provider_id: str | None, size_gb: int) -> None:
        """Grows it."""

    def retype_to(self, provider_id: str | None, other: Backend) -> str | None:
        """Moves the volume under another backend without copying; returns its new provider id.

        :raises BackendError: when that needs a migration.
        """
        if other is not self:
            raise BackendError(
                f"Retype from {self.section} to {other.section} needs a migration, "
                "which the simulator does not do."
            )
        return provider_id

    def write_target(self, provider_id: str | None) -> tuple[str, str, str] | None:
        """Where the workload writes: (array address, array name, array volume name)."""
        return None

    def snapshot(self, provider_id: str | None, snapshot_id: str) -> str | None:
        """Takes a snapshot of the volume; returns the snapshot's provider id."""
        return None

    def delete_snapshot(self, provider_id: str | None) -> None:
        """Removes a snapshot from the backend."""

    def copy(
        self, volume_id: str, source: str | None, size_gb: int
    ) -> tuple[str | None, dict[str, str]]:
        """Makes a volume as a copy of a snapshot or a volume (by provider id), grown to
        `size_gb`; returns its provider id and metadata to add.

        :raises BackendError: with the new volume's provider id when it failed after making it.
        """
        return None, {}

    def manageable(self, managed: dict[str, str]) -> list[dict[str, Any]]:
        """Cinder's manageable-volumes entries for what is on the backend; `managed` maps the
        provider ids of Cinder's volumes to their ids."""
        return []

    def capabilities(self) -> dict[str, Any]:
        """What the driver reports of the backend (Cinder's capabilities API)."""
        return {
            "vendor_name": "Open Source",
            "driver_version": "3.0.0",
            "storage_protocol": "iSCSI",
            "properties": {
                "thin_provisioning": {
                    "title": "Thin Provisioning",
                    "description": "Sets thin provisioning.",
                    "type": "boolean",
                }
            },
        }

    def close(self) -> None:
        """Releases connections."""


def _log_out(client: Any) -> None:
    """Ends a py-pure-client session now, while the array answers: py-pure-client would when
    the client is collected or at exit, when the lab's arrays may be gone (its token manager's
    close_session; it has no public call for it)."""
    manager: Any = getattr(client, "_token_man", None)
    configuration = getattr(manager, "_configuration", None)
    if configuration is not None:
        configuration.retries = 0  # one try: the array may be gone by now
    close_session = getattr(manager, "close_session", None)
    if close_session is not None:
        with contextlib.suppress(Exception):
            close_session()


UNREACHABLE = (PureError, TransportError, OSError)


def _reaching_array(method: Callable[..., T]) -> Callable[..., T]:
    """The array not answering is a BackendError like any refusal (and forgets the session)."""

    @functools.wraps(method)
    def call(self: PureBackend, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            raise self._unreachable(error) from None

    return call


class PureBackend(Backend):
    """A Pure FlashArray backend: the volume's data lives on the (simulated) array."""

    def __init__(self, section: str, options: dict[str, str]) -> None:
        super().__init__(section, options)
        self.san_ip = _required(section, options, "san_ip")
        self.token = _required(section, options, "pure_api_token")
        self.verify = options.get("driver_ssl_cert_verify", "false").lower() == "true"
        self.ca_file = options.get("driver_ssl_cert_path")
        self.pg_name = options.get("pure_replication_pg_name", "cinder-group")
        self.pod_name = options.get("pure_replication_pod_name", "cinder-pod")
        self.eradicate = options.get("pure_eradicate_on_delete", "false").lower() == "true"
        self.interval_s = int(options.get("pure_replica_interval_default", "3600"))
        self.device = _replication_device(section, options.get("replication_device"))
        self._client: Any = None
        self._array_name = ""
        self._ready = False
        self._lock = threading.Lock()

    @property
    def replication(self) -> str | None:
        return self.device.type if self.device else None

    def _unreachable(self, error: Exception, provider_id: str | None = None) -> BackendError:
        """The BackendError for an array that did not answer; the next call signs in again."""
        with self._lock:
            self._client = None
        reason = str(getattr(error, "reason", None) or error).splitlines()[0]
        return BackendError(
            f"Unable to reach the FlashArray at {self.san_ip}: {reason}", provider_id
        )

    def _connect(self, address: str, token: str) -> Any:
        configuration = Configuration()
        if self.ca_file:
            configuration.ssl_ca_cert = self.ca_file
        try:
            return fa.Client(
                target=address,
                api_token=token,
                verify_ssl=self.verify,
                configuration=configuration,
                timeout=(5, 30),
                retries=1,
                user_agent="OpenStack Cinder PureISCSIDriver/22.0 (draas simulator)",
            )
        except (PureError, TransportError, OSError) as error:
            raise BackendError(
                f"Unable to reach the FlashArray at {address}: {str(error).splitlines()[0]}"
            ) from None

    def close(self) -> None:
        """Logs out of the array while it still answers."""
        with self._lock:
            client, self._client = self._client, None
        _log_out(client)

    def _array(self) -> Any:
        with self._lock:
            if self._client is None:
                client = self._connect(self.san_ip, self.token)
                self._array_name = _items(client.get_arrays(), "get arrays")[0].name
                self._client = client
            if not self._ready:
                self._set_up_replication(self._client)
                self._ready = True
            return self._client

    def _set_up_replication(self, client: Any) -> None:
        """What the Pure driver's do_setup does for replication (tolerating what exists)."""
        if self.device is None:
            return
        target = self._connect(self.device.san_ip, self.device.api_token)
        try:
            target_name = _items(target.get_arrays(), "get arrays")[0].name
        finally:
            _log_out(target)
        if self.device.type == "sync":
            _tolerate(client.post_pods(names=[self.pod_name], pod=fa.PodPost()), "already exists")
            _tolerate(
                client.post_pods_arrays(group_names=[self.pod_name], member_names=[target_name]),
                "already exists",
                "already on",
                "limit reached",
            )
            return
        _tolerate(client.post_protection_groups(names=[self.pg_name]), "already exists")
        _items(
            client.patch_protection_groups(
                names=[self.pg_name],
                protection_group=fa.ProtectionGroup(
                    target_retention=fa.RetentionPolicy(all_for_sec=14400, per_day=3, days=7),
                    replication_schedule=fa.ReplicationSchedule(frequency=self.interval_s * 1000),
                ),
            ),
            "set schedule",
        )
        _tolerate(
            client.post_protection_groups_targets(
                group_names=[self.pg_name], member_names=[target_name]
            ),
            "already includes",
        )
        _tolerate(
            target.patch_protection_groups_targets(
                group_names=[f"{self._array_name}:{self.pg_name}"],
                target=fa.TargetProtectionGroupPostPatch(allowed=True),
            ),
            "already allowed",
        )
        _items(
            client.patch_protection_groups(
                names=[self.pg_name],
                protection_group=fa.ProtectionGroup(
                    replication_schedule=fa.ReplicationSchedule(enabled=True)
                ),
            ),
            "enable schedule",
        )

    def _name(self, volume_id: str) -> str:
        base = f"volume-{volume_id}-cinder"
        return f"{self.pod_name}::{base}" if self.replication == "sync" else base

    def _metadata(self, name: str) -> dict[str, str]:
        return {"array_name": self._array_name, "array_volume_name": name}

    @_reaching_array
    def create(self, volume_id: str, size_gb: int) -> tuple[str | None, dict[str, str]]:
        client = self._array()
        name = self._name(volume_id)
        groups = [self.pg_name] if self.replication == "async" else []
        _items(
            client.post_volumes(
                names=[name],
                volume=fa.VolumePost(provisioned=size_gb * GiB),
                add_to_protection_group_names=groups or None,
            ),
            f"create volume {name}",
        )
        return name, self._metadata(name)

    @_reaching_array
    def delete(self, provider_id: str | None) -> None:
        """As the Pure driver's delete_volume: disconnects every host still connected (a
        detach whose disconnect failed leaves one), then destroys (and eradicates)."""
        if not provider_id:
            return
        client = self._array()
        connections = _tolerate(
            client.get_connections(volume_names=[provider_id]),
            "does not exist",
            what=f"list the connections of volume {provider_id}",
        )
        for connection in connections:
            _tolerate(
                client.delete_connections(
                    host_names=[connection.host.name], volume_names=[provider_id]
                ),
                "does not exist",
                what=f"disconnect volume {provider_id}",
            )
        _tolerate(
            client.patch_volumes(names=[provider_id], volume=fa.VolumePatch(destroyed=True)),
            "does not exist",
            "has been destroyed",
            what=f"destroy volume {provider_id}",
        )
        if self.eradicate:
            _tolerate(
                client.delete_volumes(names=[provider_id]),
                "does not exist",
                what=f"eradicate volume {provider_id}",
            )

    @_reaching_array
    def manage(self, volume_id: str, source_name: str) -> tuple[str, int, dict[str, str]]:
        """As the Pure driver's manage_existing: checks the reference, renames the array volume
        to Cinder's name (moving it into the pod first for sync), then adds it to the
        protection group for async. A failure after the array volume has changed names carries
        its new name (see BackendError)."""
        client = self._array()
        found = client.get_volumes(names=[source_name])
        if _says(found, "does not exist"):
            raise _invalid_reference(source_name, f"no such volume on array {self._array_name}.")
        volume = _items(found, f"look up volume {source_name}")[0]
        if getattr(volume, "connection_count", 0):
            raise _invalid_reference(source_name, "it is connected to hosts.")
        pod = source_name.split("::", 1)[0] if "::" in source_name else None
        base = f"volume-{volume_id}-cinder"
        if self.replication == "sync":
            if pod not in (None, self.pod_name):
                raise _invalid_reference(source_name, f"it is in pod {pod}, not {self.pod_name}.")
            new_name = f"{self.pod_name}::{base}"
        else:
            if pod is not None:
                raise _invalid_reference(source_name, f"it is in pod {pod}.")
            new_name = base
        current = source_name
        try:
            if self.replication == "sync" and pod is None:
                _items(
                    client.patch_volumes(
                        names=[current],
                        volume=fa.VolumePatch(pod=fa.Reference(name=self.pod_name)),
                    ),
                    f"move volume {current} into pod {self.pod_name}",
                )
                current = f"{self.pod_name}::{source_name}"
            _items(
                client.patch_volumes(names=[current], volume=fa.VolumePatch(name=new_name)),
                f"rename volume {current} to {new_name}",
            )
            current = new_name
            if self.replication == "async":
                _tolerate(
                    client.post_protection_groups_volumes(
                        group_names=[self.pg_name], member_names=[new_name]
                    ),
                    "already belongs",
                    what=f"add volume {new_name} to protection group {self.pg_name}",
                )
        except BackendError as error:
            if current == source_name:
                raise
            raise BackendError(str(error), current) from None
        except UNREACHABLE as error:
            raise self._unreachable(error, None if current == source_name else current) from None
        size = math.ceil(int(volume.provisioned) / GiB)
        return new_name, size, self._metadata(new_name)

    @_reaching_array
    def unmanage(self, provider_id: str | None) -> None:
        if not provider_id:
            return
        client = self._array()
        if self.replication == "async":
            _tolerate(
                client.delete_protection_groups_volumes(
                    group_names=[self.pg_name], member_names=[provider_id]
                ),
                "not a member",
                "does not exist",
                what=f"remove volume {provider_id} from protection group {self.pg_name}",
            )
        _tolerate(
            client.patch_volumes(
                names=[provider_id], volume=fa.VolumePatch(name=f"{provider_id}-unmanaged")
            ),
            "does not exist",
            what=f"rename volume {provider_id} to {provider_id}-unmanaged",
        )

    def _host_name(self, host: str) -> str:
        return f"{host[:23]}-simulated-cinder"

    @_reaching_array
    def attach(self, provider_id: str | None, host: str) -> None:
        if not provider_id:
            return
        client = self._array()
        name = self._host_name(host)
        _tolerate(
            client.post_hosts(
                names=[name], host=fa.HostPost(iqns=[f"iqn.1994-05.com.redhat:{host}"])
            ),
            "already exists",
            "already in use",
        )
        _tolerate(
            client.post_connections(host_names=[name], volume_names=[provider_id]), "already exists"
        )

    @_reaching_array
    def detach(self, provider_id: str | None, host: str) -> None:
        if not provider_id:
            return
        _tolerate(
            self._array().delete_connections(
                host_names=[self._host_name(host)], volume_names=[provider_id]
            ),
            "does not exist",
        )

    @_reaching_array
    def extend(self, provider_id: str | None, size_gb: int) -> None:
        if provider_id:
            _items(
                self._array().patch_volumes(
                    names=[provider_id], volume=fa.VolumePatch(provisioned=size_gb * GiB)
                ),
                "extend",
            )

    @_reaching_array
    def retype_to(self, provider_id: str | None, other: Backend) -> str | None:
        if other is self:
            return provider_id
        if not isinstance(other, PureBackend) or other.san_ip != self.san_ip or not provider_id:
            return super().retype_to(provider_id, other)
        client = self._array()
        other._array()
        if self.replication == "async":
            _tolerate(
                client.delete_protection_groups_volumes(
                    group_names=[self.pg_name], member_names=[provider_id]
                ),
                "not a member",
            )
        name = provider_id
        if self.replication == "sync" and other.replication != "sync":
            raise BackendError(
                "Retype out of a sync pod needs a migration, which the simulator does not do."
            )
        if other.replication == "sync" and self.replication != "sync":
            _items(
                client.patch_volumes(
                    names=[provider_id],
                    volume=fa.VolumePatch(pod=fa.Reference(name=other.pod_name)),
                ),
                "move into pod",
            )
            name = f"{other.pod_name}::{provider_id}"
        if other.replication == "async":
            _tolerate(
                client.post_protection_groups_volumes(
                    group_names=[other.pg_name], member_names=[name]
                ),
                "already belongs",
            )
        return name

    @_reaching_array
    def write_target(self, provider_id: str | None) -> tuple[str, str, str] | None:
        if not provider_id:
            return None
        self._array()
        return self.san_ip, self._array_name, provider_id

    @_reaching_array
    def snapshot(self, provider_id: str | None, snapshot_id: str) -> str | None:
        """As the Pure driver's create_snapshot: `<volume>.snapshot-<uuid>` on the array."""
        if not provider_id:
            return None
        made = _items(
            self._array().post_volume_snapshots(
                source_names=[provider_id],
                volume_snapshot=fa.VolumeSnapshotPost(suffix=f"snapshot-{snapshot_id}"),
            ),
            f"snapshot volume {provider_id}",
        )
        return str(made[0].name) if made else f"{provider_id}.snapshot-{snapshot_id}"

    @_reaching_array
    def delete_snapshot(self, provider_id: str | None) -> None:
        if not provider_id:
            return
        client = self._array()
        _tolerate(
            client.patch_volume_snapshots(
                names=[provider_id], volume_snapshot=fa.VolumeSnapshotPatch(destroyed=True)
            ),
            "does not exist",
            "has been destroyed",
            what=f"destroy snapshot {provider_id}",
        )
        if self.eradicate:
            _tolerate(
                client.delete_volume_snapshots(names=[provider_id]),
                "does not exist",
                what=f"eradicate snapshot {provider_id}",
            )

    @_reaching_array
    def copy(
        self, volume_id: str, source: str | None, size_gb: int
    ) -> tuple[str | None, dict[str, str]]:
        """As the Pure driver's create_volume_from_snapshot and create_cloned_volume: an array
        copy, grown when asked bigger, in the backend's protection group or pod."""
        if not source:
            return self.create(volume_id, size_gb)
        client = self._array()
        name = self._name(volume_id)
        groups = [self.pg_name] if self.replication == "async" else []
        made = _items(
            client.post_volumes(
                names=[name],
                volume=fa.VolumePost(source=fa.Reference(name=source)),
                add_to_protection_group_names=groups or None,
            ),
            f"copy {source} to volume {name}",
        )
        try:
            if made and int(made[0].provisioned) < size_gb * GiB:
                _items(
                    client.patch_volumes(
                        names=[name], volume=fa.VolumePatch(provisioned=size_gb * GiB)
                    ),
                    f"extend volume {name}",
                )
        except BackendError as error:
            raise BackendError(str(error), name) from None
        except UNREACHABLE as error:
            raise self._unreachable(error, name) from None
        return name, self._metadata(name)

    @_reaching_array
    def manageable(self, managed: dict[str, str]) -> list[dict[str, Any]]:
        """As the Pure driver's get_manageable_volumes: every live volume of the array, safe
        to manage unless it is connected to a host, already Cinder's, or in a pod this backend
        does not replicate with."""
        entries = []
        for volume in _items(self._array().get_volumes(destroyed=False), "list volumes"):
            name = str(volume.name)
            pod = name.split("::", 1)[0] if "::" in name else None
            reason = None
            if name in managed:
                reason = "Volume already managed."
            elif getattr(volume, "connection_count", 0):
                reason = "Volume connected to a host."
            elif pod is not None and not (self.replication == "sync" and pod == self.pod_name):
                reason = f"Volume is in pod {pod}."
            entries.append(
                {
                    "reference": {"name": name},
                    "size": math.ceil(int(volume.provisioned) / GiB),
                    "safe_to_manage": reason is None,
                    "reason_not_safe": reason,
                    "cinder_id": managed.get(name),
                    "extra_info": None,
                }
            )
        return entries

    def capabilities(self) -> dict[str, Any]:
        return {
            "vendor_name": "Pure Storage",
            "driver_version": "22.0.0",
            "storage_protocol": "iSCSI",
            "replication_targets": [self.device.backend_id] if self.device else [],
            "properties": {
                "thin_provisioning": {
                    "title": "Thin Provisioning",
                    "description": "Sets thin provisioning.",
                    "type": "boolean",
                },
                "compression": {
                    "title": "Compression",
                    "description": "Enables compression.",
                    "type": "boolean",
                },
                "multiattach": {
                    "title": "Multi-attach",
                    "description": "Volumes may be attached to more than one server.",
                    "type": "boolean",
                },
            },
        }


def _required(section: str, options: dict[str, str], key: str) -> str:
    if not options.get(key):
        raise ValueError(f"cinder.conf [{section}]: {key} is required for a Pure backend")
    return options[key]


def _replication_device(section: str, value: str | None) -> ReplicationDevice | None:
    if not value:
        return None
    fields = dict(part.split(":", 1) for part in value.split(",") if ":" in part)
    try:
        return ReplicationDevice(
            fields["backend_id"], fields["san_ip"], fields["api_token"], fields.get("type", "async")
        )
    except KeyError as missing:
        raise ValueError(f"cinder.conf [{section}]: replication_device needs {missing}") from None


def _message(response: Any) -> str:
    errors = getattr(response, "errors", None) or []
    return str(getattr(errors[0], "message", "") or "") if errors else ""


def _says(response: Any, fragment: str) -> bool:
    """Whether the array refused the call (4xx) with a message containing `fragment`."""
    return 400 <= getattr(response, "status_code", 500) < 500 and fragment in _message(response)


def _items(response: Any, what: str) -> list[Any]:
    """The response's items.

    :raises BackendError: the array refused (4xx: what it said) or failed (5xx: the array
        errored or was busy, which may pass).
    """
    status = getattr(response, "status_code", 500)
    if status >= 500 or status == 429:
        raise BackendError(
            f"FlashArray error while trying to {what} (HTTP {status}): "
            f"{_message(response) or 'no details'}"
        )
    if status >= 400:
        raise BackendError(f"FlashArray refused to {what}: {_message(response) or status}")
    return list(getattr(response, "items", None) or [])


def _tolerate(response: Any, *fragments: str, what: str = "complete the request") -> list[Any]:
    """The response's items, or none when the array refused with one of `fragments` (what the
    call was meant to bring about is already so)."""
    if any(_says(response, f) for f in fragments):
        return []
    return _items(response, what)


def _invalid_reference(source_name: str, reason: str) -> BackendError:
    """Cinder's ManageExistingInvalidReference: this reference can never be managed."""
    return BackendError(
        f"Manage existing volume failed due to invalid backend reference "
        f"{{'source-name': '{source_name}'}}: {reason}"
    )


def load_backends(text: str) -> dict[str, Backend]:
    """Backends by section from cinder.conf text.

    :raises ValueError: naming the section and option that is wrong.
    """
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(text)
    enabled = [
        s.strip()
        for s in parser.get("DEFAULT", "enabled_backends", fallback="").split(",")
        if s.strip()
    ]
    backends: dict[str, Backend] = {}
    for section in enabled:
        if not parser.has_section(section):
            raise ValueError(f"cinder.conf: enabled backend {section} has no section")
        options = {k: v for k, v in parser.items(section) if k not in parser.defaults()}
        driver = options.get("volume_driver", "")
        backends[section] = (
            PureBackend(section, options)
            if driver.startswith(PURE_DRIVERS)
            else Backend(section, options)
        )
    return backends
