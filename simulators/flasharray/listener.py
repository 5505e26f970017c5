"""The HTTP apps of the FlashArray simulator: one per array (REST 2.x and the control API) and a
control-only one, served by the shared listener."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from simulators.common.http import App, HttpRequest, HttpResponse
from simulators.flasharray import control, rest
from simulators.flasharray.errors import ArrayApiError
from simulators.flasharray.fabric import Fabric, SimArray

# py-pure-client picks the newest version it knows from the end of this list. 2.39: Pure's
# Ansible collection (purestorage.flasharray 1.40) reads the tags of protection groups, pods and
# hosts, which py-pure-client's clients have from 2.39 on.
_MAX_MINOR = 39
API_VERSIONS = ["1.19"] + [f"2.{n}" for n in range(0, _MAX_MINOR + 1)]

SetOnline = Callable[[str, bool], None]


def control_app(fabric: Fabric, set_online: SetOnline) -> App:
    """Only the control API (the separate control listener)."""

    def app(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(control.PREFIX):
            return _control(fabric, set_online, request)
        return HttpResponse(404, {"errors": [{"message": "This is the control endpoint."}]})

    return app


def array_app(fabric: Fabric, array: SimArray, set_online: SetOnline) -> App:
    """One array's REST API, its control API, latency and injected errors."""

    def app(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(control.PREFIX):
            return _control(fabric, set_online, request)
        if array.latency_s:
            time.sleep(array.latency_s)
        with fabric.lock:
            injection = array.injection
            fires = injection is not None and injection.fires(request.path, fabric.draw)
        if fires and injection is not None:
            error = ArrayApiError(injection.message, status=injection.status)
            return HttpResponse(injection.status, error.body())
        if request.malformed_body:
            return HttpResponse(400, {"errors": [{"message": "Request body is not valid JSON."}]})
        return _api(fabric, array, request)

    return app


def _control(fabric: Fabric, set_online: SetOnline, request: HttpRequest) -> HttpResponse:
    body = request.body if isinstance(request.body, dict) else {}
    status, payload = control.handle(
        fabric, set_online, request.method, request.path, request.query, body
    )
    return HttpResponse(status, payload)


def _api(fabric: Fabric, array: SimArray, request: HttpRequest) -> HttpResponse:
    path = request.path
    if path == "/api/api_version" and request.method == "GET":
        return HttpResponse(200, {"version": API_VERSIONS})
    version, _, resource = path.removeprefix("/api/").partition("/")
    resource = "/" + resource
    if not path.startswith("/api/") or not _supported(version):
        return HttpResponse(404, {"errors": [{"message": f"Unsupported API path {path}."}]})
    if resource == "/login" and request.method == "POST":
        if request.header("api-token") != array.api_token:
            return HttpResponse(401, {"errors": [{"message": "Invalid API token."}]})
        session = uuid.uuid4().hex
        with fabric.lock:
            array.sessions.add(session)
        return HttpResponse(200, {"items": [{"username": "pureuser"}]}, {"x-auth-token": session})
    token = request.header("x-auth-token")
    with fabric.lock:
        authenticated = token is not None and token in array.sessions
        if resource == "/logout" and request.method == "POST":
            array.sessions.discard(token or "")
            return HttpResponse(200, {})
    if not authenticated:
        return HttpResponse(401, {"errors": [{"message": "Authentication failed: log in again."}]})
    call = rest.Request.parse(request.method, resource, request.raw_query, request.body)
    try:
        return HttpResponse(200, rest.handle(fabric, array, call))
    except ArrayApiError as error:
        return HttpResponse(error.status, error.body())


def _supported(version: str) -> bool:
    major, _, minor = version.partition(".")
    return major == "2" and minor.isdigit() and int(minor) <= _MAX_MINOR
