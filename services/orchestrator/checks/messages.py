"""Hooks and checks between their protobuf messages (policies.proto) and checks/config.py."""

from __future__ import annotations

from typing import Any

from common.protobuf import duration
from draas.orchestrator.v1 import policies_pb2 as pol
from services.orchestrator.checks.config import Automation, parse


def automation_from(message: pol.Automation) -> Automation:
    """:raises InvalidArgument: naming the field (hooks[0].url, ...) that is wrong."""
    hooks: list[dict[str, Any]] = [
        {
            "name": h.name,
            "url": h.url,
            "when": h.when,
            "kinds": list(h.kinds),
            "timeout_seconds": _seconds(h.timeout, 10.0),
            "retries": h.retries,
            "on_failure": h.on_failure or "fail",
            "vms": list(h.vms),
            "tiers": list(h.tiers),
        }
        for h in message.hooks
    ]
    checks: list[dict[str, Any]] = [
        {
            "name": c.name,
            "type": c.type,
            "port": c.port,
            "path": c.path or "/",
            "expect_status": c.expect_status or 200,
            "expect_text": c.expect_text,
            "url": c.url,
            "timeout_seconds": _seconds(c.timeout, 60.0),
            "in_failovers": c.in_failovers,
            "on_failure": c.on_failure or "fail",
            "vms": list(c.vms),
            "tiers": list(c.tiers),
        }
        for c in message.checks
    ]
    return parse(hooks, checks)


def automation_message(automation: Automation) -> pol.Automation:
    return pol.Automation(
        hooks=[
            pol.Hook(
                name=h.name,
                url=h.url,
                when=h.when,
                kinds=list(h.kinds),
                timeout=duration(h.timeout_seconds),
                retries=h.retries,
                on_failure=h.on_failure,
                vms=list(h.vms),
                tiers=list(h.tiers),
            )
            for h in automation.hooks
        ],
        checks=[
            pol.AppCheck(
                name=c.name,
                type=c.type,
                port=c.port,
                path=c.path,
                expect_status=c.expect_status,
                expect_text=c.expect_text,
                url=c.url,
                timeout=duration(c.timeout_seconds),
                in_failovers=c.in_failovers,
                on_failure=c.on_failure,
                vms=list(c.vms),
                tiers=list(c.tiers),
            )
            for c in automation.checks
        ],
    )


def _seconds(value: Any, default: float) -> float:
    seconds = float(value.ToTimedelta().total_seconds())
    return seconds if seconds else default
