"""The OpenStack simulator's control API, under /_sim/ (a prefix the real APIs never use):

GET  /_sim/state                 counts, faults and settings
PUT  /_sim/latency               {"service": "compute", "seconds": 0.05}
PUT  /_sim/errors                {"service": "volume", "status": 503, "count": 2} or "rate"
DELETE /_sim/errors?service=S    stop injecting
POST /_sim/down | /_sim/up       the region's API refuses connections, or serves again
PUT  /_sim/boot_time             {"seconds": 2.0}: BUILD lasts this long
PUT  /_sim/write_rate            {"writes_per_second": 5, "size": 4096} per attached volume
PUT  /_sim/quotas/{project_id}   {"instances": 10, "cores": 20, ...}
GET  /_sim/server_runs           per server (deleted ones too): name and [started, stopped] runs
PUT  /_sim/catalog/{type}        {"name": "draas", "url": "http://..."}: a service outside the
                                 simulator, in every new token's catalog
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from simulators.common.http import App, HttpRequest, HttpResponse
from simulators.openstack.app import SERVICES, Faults, Injection, describe_faults
from simulators.openstack.compute import refresh
from simulators.openstack.store import Quota, Store
from simulators.openstack.workload import Workload


def control_app(
    store: Store, faults: Faults, workload: Workload, set_up: Callable[[bool], None]
) -> App:
    def app(request: HttpRequest) -> HttpResponse:
        body = request.body if isinstance(request.body, dict) else {}
        try:
            return HttpResponse(200, _dispatch(store, faults, workload, set_up, request, body))
        except UnknownEndpoint as error:
            return HttpResponse(404, {"error": {"code": 404, "message": str(error)}})
        except (KeyError, TypeError, ValueError) as error:
            return HttpResponse(
                400, {"error": {"code": 400, "message": f"bad control request: {error}"}}
            )

    return app


class UnknownEndpoint(Exception):
    """No such control endpoint."""


def _service(name: Any) -> str:
    if name not in SERVICES:
        raise ValueError(f"service must be one of {', '.join(SERVICES)}")
    return str(name)


def _dispatch(
    store: Store,
    faults: Faults,
    workload: Workload,
    set_up: Callable[[bool], None],
    request: HttpRequest,
    body: dict[str, Any],
) -> Any:
    path, method = request.path.removeprefix("/_sim/").rstrip("/"), request.method
    if (method, path) == ("GET", "state"):
        with store.lock:
            counts = {
                name: len(getattr(store, name))
                for name in (
                    "servers",
                    "volumes",
                    "networks",
                    "subnets",
                    "ports",
                    "security_groups",
                    "routers",
                )
            }
        return {
            "region": store.region,
            "counts": counts,
            "faults": describe_faults(faults),
            "boot_seconds": store.boot_seconds,
            "writes_per_second": workload.writes_per_second,
        }
    if (method, path) == ("GET", "server_runs"):
        with store.lock:
            for server in store.servers.values():
                refresh(server)
            every = store.deleted_servers | store.servers
            return {i: {"name": s.name, "runs": list(s.runs)} for i, s in every.items()}
    if method == "PUT" and path.startswith("catalog/"):
        return _register(store, path.removeprefix("catalog/"), body)
    if (method, path) == ("PUT", "latency"):
        with faults.lock:
            faults.latency[_service(body["service"])] = max(0.0, float(body["seconds"]))
    elif (method, path) == ("PUT", "errors"):
        injection = Injection(
            int(body.get("status", 500)),
            str(body.get("message", "Injected failure.")),
            int(body["count"]) if "count" in body else None,
            float(body["rate"]) if "rate" in body else None,
        )
        with faults.lock:
            faults.injections[_service(body["service"])] = injection
    elif (method, path) == ("DELETE", "errors"):
        with faults.lock:
            faults.injections.pop(_service(request.query.get("service")), None)
    elif (method, path) in (("POST", "down"), ("POST", "up")):
        set_up(path == "up")
    elif (method, path) == ("PUT", "boot_time"):
        store.boot_seconds = max(0.0, float(body["seconds"]))
    elif (method, path) == ("PUT", "write_rate"):
        workload.writes_per_second = max(0.0, float(body["writes_per_second"]))
        workload.write_size = int(body.get("size", workload.write_size))
    elif method == "PUT" and path.startswith("quotas/"):
        known = {f.name for f in fields(Quota)}
        quota = Quota(**{k: int(v) for k, v in body.items() if k in known})
        with store.lock:
            store.quotas[path.removeprefix("quotas/")] = quota
    else:
        raise UnknownEndpoint(f"no control endpoint {method} /_sim/{path}")
    return describe_faults(faults) | {
        "boot_seconds": store.boot_seconds,
        "writes_per_second": workload.writes_per_second,
    }


def _register(store: Store, service_type: str, body: dict[str, Any]) -> dict[str, Any]:
    store.register_endpoint(service_type, str(body["name"]), str(body["url"]))
    with store.lock:
        return {"catalog": {kind: found for kind, (_, found) in store.endpoints.items()}}
