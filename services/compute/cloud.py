"""This site's OpenStack region through openstacksdk: one connection per project, scoped as the
service user; every SDK failure turned into the draas error that says what happened."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import openstack
from keystoneauth1 import exceptions as auth_errors
from openstack import exceptions as sdk_errors
from openstack.connection import Connection

from common.errors import (
    AlreadyExists,
    DeadlineExceeded,
    DraasError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    ServiceUnavailable,
)
from common.keepalive import replay_dropped
from common.logs import mask
from services.compute.metering import Endpoints, MeteredAdapter
from services.compute.settings import CloudSettings, ComputeSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

# An openstacksdk Connection. Its own hints type proxies as unions (block storage v2 | v3) that
# do not fit a v3-only cloud, so the domain code treats it as untyped.
Conn = Any


class Cloud:
    """Connections to the region, and how to call it."""

    def __init__(self, settings: ComputeSettings) -> None:
        self.settings = settings
        self._connections: dict[str, Connection] = {}
        self._lock = threading.Lock()
        self._endpoints = Endpoints(settings.cloud.auth_url if settings.cloud else "")

    def connection(self, project_id: str) -> Conn:
        """A connection scoped to the project (the service user must hold a role in it).

        :raises InvalidArgument: for an empty project id.
        :raises Unimplemented: when no cloud is configured.
        """
        if not project_id:
            raise InvalidArgument("project_id", "is required")
        return self._connect(project_id, {"project_id": project_id})

    def home(self) -> Conn:
        """A connection scoped to the service user's own project, for Keystone lookups."""
        cloud = self._cloud()
        scope = {
            "project_name": cloud.project_name,
            "project_domain_name": cloud.project_domain_name,
        }
        return self._connect("", scope)

    def _cloud(self) -> CloudSettings:
        cloud = self.settings.cloud
        if cloud is None:
            raise FailedPrecondition(
                "no OpenStack cloud is configured for this site's compute service"
            )
        return cloud

    def _connect(self, key: str, scope: dict[str, str]) -> Conn:
        cloud = self._cloud()
        with self._lock:
            if key not in self._connections:
                made = openstack.connect(
                    load_yaml_config=False,
                    load_envvars=False,
                    auth={
                        "auth_url": cloud.auth_url,
                        "username": cloud.username,
                        "password": cloud.password.get_secret_value(),
                        "user_domain_name": cloud.user_domain_name,
                        **scope,
                    },
                    region_name=cloud.region_name,
                    interface=cloud.interface,
                    identity_api_version=3,
                    verify=str(cloud.ca_file) if cloud.ca_file else cloud.verify_tls,
                    api_timeout=self.settings.api_timeout_seconds,
                )
                # One pooled connection per concurrent request, not urllib3's ten: beyond ten,
                # every request opened (and threw away) a connection of its own.
                pooled = MeteredAdapter(
                    self._endpoints,
                    pool_maxsize=self.settings.max_workers,
                    max_retries=replay_dropped(),
                )
                for scheme in ("https://", "http://"):
                    made.session.session.mount(scheme, pooled)
                # Signing in now, not at the first use of a proxy, keeps its errors ours.
                with translated(f"signing in to project {key or cloud.project_name}"):
                    made.authorize()
                self._endpoints.learn(_catalog(made))
                self._connections[key] = made
            return self._connections[key]

    def call(self, what: str, action: Callable[[], T], retry: bool = True) -> T:
        """Runs SDK calls, retrying what may pass (the region down, 5xx) when `retry`.

        :raises DraasError: the subclass that matches the failure, naming `what`.
        """
        attempts = self.settings.retry_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                with translated(what):
                    return action()
            except ServiceUnavailable as error:
                if attempt == attempts:
                    raise
                self.back_off(attempt, str(error))
        raise AssertionError("unreachable")

    def made_once(self, what: str, find: Callable[[], T | None], make: Callable[[], T]) -> T:
        """Makes a resource that `find` finds by its mark: a make that failed for a reason
        that may pass (5xx, the region down) is tried again, but only after `find` says the
        failed try did not make it after all, so nothing is made twice.

        :raises DraasError: the subclass that matches the failure, naming `what`.
        """
        attempts = self.settings.retry_attempts
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                found = find()
                if found is not None:
                    return found
            try:
                with translated(what):
                    return make()
            except ServiceUnavailable as error:
                if attempt == attempts:
                    raise
                self.back_off(attempt, str(error))
        raise AssertionError("unreachable")

    def back_off(self, attempt: int, why: str) -> None:
        """Waits before the try after `attempt` of something that failed for a reason that may
        pass: exponentially longer from retry_base_delay_seconds, saying why in the log."""
        delay = self.settings.retry_base_delay_seconds * 2 ** (attempt - 1)
        log.warning("%s; trying again in %.1f s", why, delay)
        time.sleep(delay)

    def get_json(
        self,
        what: str,
        proxy: Any,
        path: str,
        params: dict[str, str] | None = None,
        microversion: str | None = None,
    ) -> Any:
        """A GET the SDK has no call for, through `call`: an error status raises (the proxy's
        own requests do not), so it is translated and retried like any other call."""

        def get() -> Any:
            response = proxy.get(path, params=params, microversion=microversion)
            sdk_errors.raise_from_response(response)
            return response.json()

        return self.call(what, get)

    def wait(self, what: str, timeout: float, probe: Callable[[], T | None]) -> T:
        """Polls probe until it returns something.

        :raises DeadlineExceeded: naming `what` after the timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.call(what, probe)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise DeadlineExceeded(f"{what} did not happen within {timeout:.0f} s")
            time.sleep(self.settings.poll_interval_seconds)

    def close(self) -> None:
        with self._lock:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()


@contextmanager
def translated(what: str) -> Iterator[None]:
    """SDK and keystoneauth exceptions as draas errors."""
    try:
        yield
    except DraasError:
        raise
    except sdk_errors.ResourceTimeout as error:
        raise DeadlineExceeded(f"{what}: {_text(error)}") from None
    except sdk_errors.HttpException as error:
        raise _from_status(what, error.status_code, _text(error)) from None
    except (
        auth_errors.ConnectFailure,
        auth_errors.ConnectTimeout,
        auth_errors.DiscoveryFailure,
        auth_errors.ServiceUnavailable,
        auth_errors.GatewayTimeout,
        auth_errors.BadGateway,
    ) as error:
        raise ServiceUnavailable(
            f"{what}: the region does not answer ({type(error).__name__})"
        ) from None
    except auth_errors.Unauthorized as error:
        raise FailedPrecondition(
            f"{what}: the region refused the service user ({_text(error)})"
        ) from None
    except sdk_errors.SDKException as error:
        raise ServiceUnavailable(f"{what}: {_text(error)}") from None


def _from_status(what: str, status: int | None, text: str) -> DraasError:
    message = f"{what}: {text}"
    if status == 404:
        return NotFound(message)
    if status == 409:
        return (
            AlreadyExists(message)
            if "already exists" in text.lower()
            else FailedPrecondition(message)
        )
    if status == 413 or (status == 403 and "quota" in text.lower()):
        return ResourceExhausted(message)
    if status in (401, 403):
        return PermissionDenied(message)
    if status == 400:
        return FailedPrecondition(message)
    return ServiceUnavailable(message)


def _text(error: Exception) -> str:
    details = getattr(error, "details", None) or getattr(error, "message", None) or str(error)
    return mask(str(details).splitlines()[0][:400])


def _catalog(connection: Conn) -> list[dict[str, Any]]:
    """The service catalog of a signed-in connection (empty when Keystone gave none)."""
    access = connection.session.auth.get_access(connection.session)
    return list(access.service_catalog.catalog or []) if access.has_service_catalog() else []


def attr(resource: Any, name: str, default: Any = None) -> Any:
    value = getattr(resource, name, None)
    return default if value is None else value
