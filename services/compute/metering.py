"""Every HTTP request the compute service makes to its OpenStack region, in the backend metrics
(common.metrics): which API it went to, what it asked for, how long the answer took, and whether
it failed for a reason of the region. Retries, sign-ins and version discovery count too: each is
a request the region had to answer."""

from __future__ import annotations

import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from keystoneauth1.session import TCPKeepAliveAdapter
from requests import PreparedRequest, Response

from common.metrics import BackendError, record_backend_request

# Service types of a Keystone catalog, as the API names the metrics use.
APIS = {
    "identity": "keystone",
    "compute": "nova",
    "block-storage": "cinder",
    "volumev3": "cinder",
    "volume": "cinder",
    "network": "neutron",
    "image": "glance",
}
OTHER = "other"
_VERSION = re.compile(r"^v\d+(\.\d+)?$")
# Ids in a path (UUIDs, Keystone's hex ids, numbers) are never an operation's name.
_ID = re.compile(r"^([0-9a-fA-F-]{16,}|\d+)$")


class Endpoints:
    """Which API a URL is of: the longest endpoint root it starts with. A root is an endpoint's
    URL cut before its first version segment (http://host/compute/v2.1 -> http://host/compute),
    so that a request for the versions at the root counts as the API's too."""

    def __init__(self, auth_url: str = "") -> None:
        self._roots: dict[str, str] = {}
        self._lock = threading.Lock()
        if auth_url:
            self.add("identity", auth_url)

    def add(self, service_type: str, url: str) -> None:
        """Adds an endpoint of a catalog service type (unknown types are left out)."""
        api = APIS.get(service_type)
        if api is None:
            return
        parts = urlsplit(url)
        kept = []
        for segment in parts.path.split("/"):
            if _VERSION.match(segment):
                break
            kept.append(segment)
        root = f"{parts.scheme}://{parts.netloc}{'/'.join(kept).rstrip('/')}"
        with self._lock:
            self._roots[root] = api

    def learn(self, catalog: list[dict[str, Any]]) -> None:
        """Adds every endpoint of a Keystone v3 service catalog."""
        for service in catalog:
            for endpoint in service.get("endpoints", []):
                if endpoint.get("url"):
                    self.add(str(service.get("type", "")), str(endpoint["url"]))

    def classify(self, method: str, url: str) -> tuple[str, str]:
        """(api, operation) of a request: the operation is the method and the first path
        segment after the root that is neither a version nor an id, e.g. "GET servers"."""
        with self._lock:
            roots = sorted(self._roots.items(), key=lambda item: -len(item[0]))
        plain = url.split("?", 1)[0]
        for root, api in roots:
            if plain == root or plain.startswith(root + "/"):
                rest = plain[len(root) :].split("/")
                named = [s for s in rest if s and not _VERSION.match(s) and not _ID.match(s)]
                return api, f"{method} {named[0] if named else '/'}"
        return OTHER, method


class MeteredAdapter(TCPKeepAliveAdapter):
    """keystoneauth's pooled adapter, recording each request it sends."""

    def __init__(self, endpoints: Endpoints, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.endpoints = endpoints

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        api, operation = self.endpoints.classify(request.method or "GET", request.url or "")
        started = time.perf_counter()
        try:
            response: Response = super().send(request, *args, **kwargs)
        except Exception:
            elapsed = time.perf_counter() - started
            record_backend_request(api, operation, elapsed, BackendError.UNREACHABLE)
            raise
        elapsed = time.perf_counter() - started
        record_backend_request(
            api, operation, elapsed, BackendError.of_status(response.status_code)
        )
        return response
