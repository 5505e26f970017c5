"""The simulator's control API, under /_sim/ (a prefix the real REST API never uses): fault
injection, links, time-free data-plane writes and reads. No authentication: it exists only where
the simulator does.

    GET    /_sim/arrays                          every array: address, online, latency, injection
    POST   /_sim/arrays/{a}/offline | /online    take an array down (connections refused) or up
    PUT    /_sim/arrays/{a}/latency              {"seconds": 0.05} added to every REST call
    PUT    /_sim/arrays/{a}/errors               {"status": 500, "message": "...", "count": 2}
                                                 or {"rate": 0.1}; optional "path_contains"
    DELETE /_sim/arrays/{a}/errors               stop injecting
    POST   /_sim/arrays/{a}/sessions/expire      every session token is now refused (401)
    POST   /_sim/arrays/{a}/writes               {"volume": "v", "count": 1, "size": 4096}
    GET    /_sim/arrays/{a}/data?volume=v        which writes a volume holds
    GET    /_sim/arrays/{a}/data?snapshot=s      ... or a volume snapshot
    GET    /_sim/links                           every link
    PUT    /_sim/links/{a}/{b}                   {"up": false, "bandwidth_bytes_per_s": 1e6,
                                                  "latency_s": 0.01}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.flasharray import pods
from simulators.flasharray.errors import ArrayApiError
from simulators.flasharray.fabric import ErrorInjection, Fabric, Link, SimArray

PREFIX = "/_sim/"


def handle(
    fabric: Fabric,
    set_online: Callable[[str, bool], None],
    method: str,
    path: str,
    query: dict[str, str],
    body: dict[str, Any],
) -> tuple[int, Any]:
    """Runs one control call; returns the status and the JSON body."""
    parts = [p for p in path[len(PREFIX) :].split("/") if p]
    try:
        return 200, _dispatch(fabric, set_online, method, parts, query, body)
    except ArrayApiError as error:
        return error.status, error.body()
    except (KeyError, TypeError, ValueError) as error:
        return 400, {"errors": [{"message": f"bad control request: {error}"}]}


def _dispatch(
    fabric: Fabric,
    set_online: Callable[[str, bool], None],
    method: str,
    parts: list[str],
    query: dict[str, str],
    body: dict[str, Any],
) -> Any:
    if parts == ["arrays"] and method == "GET":
        with fabric.lock:
            return [_describe_array(a) for a in fabric.arrays.values()]
    if parts == ["links"] and method == "GET":
        with fabric.lock:
            return [_describe_link(link) for link in fabric.links.values()]
    if len(parts) == 3 and parts[0] == "links" and method == "PUT":
        return _set_link(fabric, parts[1], parts[2], body)
    if len(parts) >= 3 and parts[0] == "arrays":
        with fabric.lock:
            array = fabric.array(parts[1])
        return _array_call(fabric, set_online, array, method, parts[2:], query, body)
    raise ArrayApiError(f"no control endpoint {method} /_sim/{'/'.join(parts)}", status=404)


def _array_call(
    fabric: Fabric,
    set_online: Callable[[str, bool], None],
    array: SimArray,
    method: str,
    rest: list[str],
    query: dict[str, str],
    body: dict[str, Any],
) -> Any:
    action = (method, "/".join(rest))
    if action in (("POST", "offline"), ("POST", "online")):
        set_online(array.name, rest[0] == "online")
        with fabric.lock:
            pods.refresh_pods(fabric)
            return _describe_array(array)
    with fabric.lock:
        if action == ("PUT", "latency"):
            array.latency_s = max(0.0, float(body["seconds"]))
        elif action == ("PUT", "errors"):
            array.injection = ErrorInjection(
                status=int(body.get("status", 500)),
                message=str(body.get("message", "Injected failure.")),
                remaining=int(body["count"]) if "count" in body else None,
                rate=float(body["rate"]) if "rate" in body else None,
                path_contains=str(body.get("path_contains", "")),
            )
        elif action == ("DELETE", "errors"):
            array.injection = None
        elif action == ("POST", "sessions/expire"):
            array.sessions.clear()
        elif action == ("POST", "writes"):
            writes = fabric.write(
                array.name,
                str(body["volume"]),
                int(body.get("count", 1)),
                int(body.get("size", 4096)),
            )
            volume = array.volume(str(body["volume"]))
            return {
                "writes": [
                    {"sequence": w.sequence, "time": w.time, "size": w.size} for w in writes
                ],
                "holds": fabric.volume_point(array, volume).describe(),
            }
        elif action == ("GET", "data"):
            return _data(fabric, array, query)
        else:
            raise ArrayApiError(
                f"no control endpoint {method} /_sim/arrays/{array.name}/{'/'.join(rest)}",
                status=404,
            )
        return _describe_array(array)


def _data(fabric: Fabric, array: SimArray, query: dict[str, str]) -> dict[str, Any]:
    if "volume" in query:
        point = fabric.volume_point(array, array.volume(query["volume"]))
    elif "snapshot" in query:
        snapshot = array.volume_snapshots.get(query["snapshot"])
        if snapshot is None:
            raise ArrayApiError("No such volume or snapshot.", query["snapshot"])
        point = snapshot.point
    else:
        raise ArrayApiError("give volume= or snapshot=")
    described = point.describe()
    if query.get("sequences") == "true":
        described["sequences"] = point.sequences()
    return described


def _set_link(fabric: Fabric, a: str, b: str, body: dict[str, Any]) -> dict[str, Any]:
    with fabric.lock:
        link = fabric.link(a, b)
        if link is None:
            raise ArrayApiError("Array connection does not exist.", f"{a},{b}", status=404)
        if "up" in body:
            link.up = bool(body["up"])
        if "bandwidth_bytes_per_s" in body:
            link.bandwidth_bytes_per_s = max(1.0, float(body["bandwidth_bytes_per_s"]))
        if "latency_s" in body:
            link.latency_s = max(0.0, float(body["latency_s"]))
        pods.refresh_pods(fabric)
        return _describe_link(link)


def _describe_array(array: SimArray) -> dict[str, Any]:
    injection = array.injection
    return {
        "name": array.name,
        "address": array.management_address,
        "online": array.online,
        "latency_s": array.latency_s,
        "errors": None
        if injection is None
        else {
            "status": injection.status,
            "message": injection.message,
            "remaining": injection.remaining,
            "rate": injection.rate,
        },
    }


def _describe_link(link: Link) -> dict[str, Any]:
    return {
        "arrays": sorted(link.arrays),
        "type": link.type,
        "up": link.up,
        "bandwidth_bytes_per_s": link.bandwidth_bytes_per_s,
        "latency_s": link.latency_s,
    }
