"""The HTTP app of one simulated region: Keystone, Nova, Cinder, Neutron and Glance under
/identity, /compute, /volume, /network and /image, and the control API under /_sim/."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.common.http import App, HttpRequest, HttpResponse
from simulators.openstack import (
    block_storage,
    compute,
    identity,
    image,
    network,
    volume_snapshots,
)
from simulators.openstack.errors import ApiError
from simulators.openstack.routing import Call, Router
from simulators.openstack.store import Store

SERVICES = ("identity", "compute", "volume", "network", "image")
_MICROVERSIONED = {
    "compute": ((2, 1), compute.MAX_MICROVERSION),
    "volume": ((3, 0), block_storage.MAX_MICROVERSION),
}
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


@dataclass
class Injection:
    status: int
    message: str
    remaining: int | None = None
    rate: float | None = None

    def fires(self, draw: Callable[[], float]) -> bool:
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
        return self.rate is not None and draw() < self.rate


@dataclass
class Faults:
    """What the control API sets: latency and injected errors per service."""

    latency: dict[str, float] = field(default_factory=dict)
    injections: dict[str, Injection] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    random: random.Random = field(default_factory=lambda: random.Random(7))  # noqa: S311

    def injected(self, service: str) -> Injection | None:
        with self.lock:
            injection = self.injections.get(service)
            if injection is not None and injection.fires(self.random.random):
                return injection
        return None


def region_app(store: Store, faults: Faults, base_url: Callable[[], str], control: App) -> App:
    """The app a region's listener serves."""

    def app(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/_sim/"):
            return control(request)
        service, _, rest = request.path.lstrip("/").partition("/")
        if service not in SERVICES:
            return HttpResponse(
                404, {"error": {"code": 404, "message": f"No service at {request.path}"}}
            )
        delay = faults.latency.get(service, 0.0)
        if delay:
            time.sleep(delay)
        injection = faults.injected(service)
        if injection is not None:
            return HttpResponse(
                injection.status, ApiError(injection.status, injection.message).body(service)
            )
        try:
            if request.malformed_body:
                raise ApiError(400, "Malformed request body: it is not JSON.")
            return _serve(store, service, "/" + rest, request, base_url())
        except ApiError as error:
            return HttpResponse(error.status, error.body(service))

    return app


def _serve(
    store: Store, service: str, path: str, request: HttpRequest, base_url: str
) -> HttpResponse:
    path = path.rstrip("/") or "/"
    if service == "identity":
        return identity.handle(store, request, base_url, "" if path == "/" else path)
    discovery = _discovery(service, path, base_url)
    if discovery is not None and request.method == "GET":
        return discovery
    router, inner, url_project = _route(service, path)
    caller = identity.authenticate(store, request.header("x-auth-token"))
    version = _microversion(service, request)
    with store.lock:
        call = Call(request, caller, store, version, base_url)
        if url_project is not None and url_project != caller.project_id and not caller.is_admin:
            raise ApiError(403, "Policy doesn't allow this project to be used in the URL.")
        response = router.dispatch(call, inner)
    if service in _MICROVERSIONED:
        header = f"{service} {version[0]}.{version[1]}"
        response.headers.update({"OpenStack-API-Version": header, "Vary": "OpenStack-API-Version"})
        if service == "compute":
            response.headers["X-OpenStack-Nova-API-Version"] = f"{version[0]}.{version[1]}"
    return response


def _discovery(service: str, path: str, base_url: str) -> HttpResponse | None:
    if service == "compute":
        if path == "/":
            return HttpResponse(200, {"versions": [compute.version_document(base_url)]})
        if path == "/v2.1":
            return HttpResponse(200, {"version": compute.version_document(base_url)})
    if service == "volume":
        if path == "/":
            return HttpResponse(300, {"versions": block_storage.versions(base_url)})
        if path == "/v3":
            return HttpResponse(200, {"versions": block_storage.versions(base_url)})
    if service == "network":
        if path == "/":
            return HttpResponse(
                200,
                {
                    "versions": [
                        {
                            "id": "v2.0",
                            "status": "CURRENT",
                            "links": [{"rel": "self", "href": f"{base_url}/network/v2.0/"}],
                        }
                    ]
                },
            )
        if path == "/v2.0":
            return HttpResponse(200, {"resources": []})
    if service == "image" and path == "/":
        return HttpResponse(300, {"versions": image.versions(base_url)})
    return None


# Cinder's API, from its modules.
CINDER = Router.joined(block_storage.router, volume_snapshots.router)


def _route(service: str, path: str) -> tuple[Router, str, str | None]:
    prefixes = {
        "compute": ("/v2.1", compute.router),
        "network": ("/v2.0", network.router),
        "image": ("/v2", image.router),
    }
    if service in prefixes:
        prefix, router = prefixes[service]
        if path.startswith(prefix + "/"):
            return router, path[len(prefix) :], None
    if service == "volume" and path.startswith("/v3/"):
        project, _, inner = path[len("/v3/") :].partition("/")
        return CINDER, "/" + inner, project
    raise ApiError(404, f"The resource /{service}{path} could not be found.")


def _microversion(service: str, request: HttpRequest) -> tuple[int, int]:
    if service not in _MICROVERSIONED:
        return (0, 0)
    minimum, maximum = _MICROVERSIONED[service]
    value = None
    for part in (request.header("openstack-api-version") or "").split(","):
        kind, _, number = part.strip().partition(" ")
        if kind in (service, "block-storage") and number:
            value = number.strip()
    if value is None and service == "compute":
        value = request.header("x-openstack-nova-api-version")
    if value is None:
        return minimum
    if value == "latest":
        return maximum
    match = _VERSION.match(value)
    if not match:
        raise ApiError(400, f"Invalid microversion {value!r}.")
    version = (int(match[1]), int(match[2]))
    if not minimum <= version <= maximum:
        raise ApiError(
            406,
            f"Version {value} is not supported by the API. Minimum is "
            f"{minimum[0]}.{minimum[1]} and maximum is {maximum[0]}.{maximum[1]}.",
        )
    return version


def describe_faults(faults: Faults) -> dict[str, Any]:
    with faults.lock:
        return {
            "latency": dict(faults.latency),
            "errors": {
                k: {
                    "status": v.status,
                    "message": v.message,
                    "remaining": v.remaining,
                    "rate": v.rate,
                }
                for k, v in faults.injections.items()
            },
        }
