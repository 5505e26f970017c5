"""A client for the simulator's control API (see control.py), for tests, the demo and the
OpenStack simulator's workload."""

from __future__ import annotations

import ssl
from typing import Any

import httpx


class SimulatorControl:
    """Talks to /_sim/ on the control listener (or any array's listener)."""

    def __init__(
        self, base_url: str, verify: bool | ssl.SSLContext = True, timeout: float = 10.0
    ) -> None:
        self._http = httpx.Client(base_url=base_url, verify=verify, timeout=timeout)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"/_sim/{path}", **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(
                f"simulator control {method} {path}: {response.status_code} {response.text}"
            )
        return response.json()

    def write(self, array: str, volume: str, count: int = 1, size: int = 4096) -> dict[str, Any]:
        """Writes to a volume; returns the writes (sequence, time, size) and what it now holds."""
        return self._send(
            "POST", f"arrays/{array}/writes", json={"volume": volume, "count": count, "size": size}
        )

    def volume_data(self, array: str, volume: str, sequences: bool = False) -> dict[str, Any]:
        params = {"volume": volume, "sequences": str(sequences).lower()}
        return self._send("GET", f"arrays/{array}/data", params=params)

    def snapshot_data(self, array: str, snapshot: str, sequences: bool = False) -> dict[str, Any]:
        params = {"snapshot": snapshot, "sequences": str(sequences).lower()}
        return self._send("GET", f"arrays/{array}/data", params=params)

    def set_online(self, array: str, online: bool) -> dict[str, Any]:
        return self._send("POST", f"arrays/{array}/{'online' if online else 'offline'}")

    def set_latency(self, array: str, seconds: float) -> dict[str, Any]:
        return self._send("PUT", f"arrays/{array}/latency", json={"seconds": seconds})

    def inject_errors(
        self,
        array: str,
        status: int = 500,
        count: int | None = None,
        rate: float | None = None,
        message: str = "Injected failure.",
        path_contains: str = "",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": status,
            "message": message,
            "path_contains": path_contains,
        }
        if count is not None:
            body["count"] = count
        if rate is not None:
            body["rate"] = rate
        return self._send("PUT", f"arrays/{array}/errors", json=body)

    def clear_errors(self, array: str) -> dict[str, Any]:
        return self._send("DELETE", f"arrays/{array}/errors")

    def expire_sessions(self, array: str) -> dict[str, Any]:
        return self._send("POST", f"arrays/{array}/sessions/expire")

    def set_link(self, a: str, b: str, **settings: Any) -> dict[str, Any]:
        """up=False breaks the link; bandwidth_bytes_per_s and latency_s shape it."""
        return self._send("PUT", f"links/{a}/{b}", json=settings)

    def arrays(self) -> list[dict[str, Any]]:
        return list(self._send("GET", "arrays"))

    def close(self) -> None:
        self._http.close()
