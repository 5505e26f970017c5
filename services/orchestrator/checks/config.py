"""Hooks and application checks as a group (or its policy) carries them.

A hook is an HTTP POST to the tenant's URL at one moment of an operation: before or after the
whole operation (`pre_operation`, `post_operation`), each tier of VMs (`pre_tier`, once before
any VM of the tier starts; `post_tier`, once every VM of the tier has ended) or each VM's
recovery (`pre_vm`, `post_vm`), for the operation kinds it names (none: every kind that
recovers VMs), with a timeout, retries, and what its failure does (`fail`: the VM, or for an
operation or tier hook the operation, whose work so far is undone; `warn`: noted in the
report, and the operation goes on).

An application check runs once a recovered VM is verified: a TCP port that accepts, an HTTP
GET that answers an expected status (and text), or a hook that answers pass or fail. Checks run
in test failovers, and in real failovers too when `in_failovers`; a check that fails fails its
VM in a test (its output in the report), and follows `on_failure` in a failover.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from common.errors import InvalidArgument

# The key of a unit's inputs that carries them (flows.py puts them there, steps/app.py reads).
AUTOMATION = "automation"
WHEN = ("pre_operation", "post_operation", "pre_tier", "post_tier", "pre_vm", "post_vm")
RECOVERING_KINDS = ("test_failover", "planned_failover", "unplanned_failover", "failback", "move")
CHECK_TYPES = ("tcp", "http", "hook")
ON_FAILURE = ("fail", "warn")
MAX_HOOKS = MAX_CHECKS = 20
MAX_TIMEOUT_SECONDS = 600.0
MAX_RETRIES = 5


@dataclass(frozen=True)
class Hook:
    name: str
    url: str
    when: str
    kinds: tuple[str, ...] = ()
    timeout_seconds: float = 10.0
    retries: int = 1
    on_failure: str = "fail"
    # A VM hook's VMs (server ids or names) and tiers; none: every one.
    vms: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()

    def runs_in(self, kind: str, when: str) -> bool:
        return self.when == when and (not self.kinds or kind in self.kinds)

    def applies_to(self, server_id: str, name: str, tier: int) -> bool:
        return _applies(self.vms, self.tiers, server_id, name, tier)

    def applies_to_tier(self, tier: int) -> bool:
        return not self.tiers or tier in self.tiers


@dataclass(frozen=True)
class AppCheck:
    name: str
    type: str
    port: int = 0
    path: str = "/"
    expect_status: int = 200
    expect_text: str = ""
    url: str = ""
    timeout_seconds: float = 60.0
    in_failovers: bool = False
    on_failure: str = "fail"
    # The VMs (server ids or names) and tiers it checks; none: every one.
    vms: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()

    def runs_in(self, kind: str) -> bool:
        return kind == "test_failover" or (self.in_failovers and kind in RECOVERING_KINDS)

    def applies_to(self, server_id: str, name: str, tier: int) -> bool:
        return _applies(self.vms, self.tiers, server_id, name, tier)


@dataclass(frozen=True)
class Automation:
    """A group's hooks and checks."""

    hooks: tuple[Hook, ...] = field(default=())
    checks: tuple[AppCheck, ...] = field(default=())

    def hooks_for(self, kind: str, when: str) -> list[Hook]:
        return [h for h in self.hooks if h.runs_in(kind, when)]

    def checks_for(self, kind: str) -> list[AppCheck]:
        return [c for c in self.checks if c.runs_in(kind)]

    def body(self) -> dict[str, Any]:
        return {
            "hooks": [_plain(asdict(h)) for h in self.hooks],
            "checks": [_plain(asdict(c)) for c in self.checks],
        }


def parse(hooks: list[dict[str, Any]], checks: list[dict[str, Any]]) -> Automation:
    """Checked hooks and checks.

    :raises InvalidArgument: naming the field (hooks[1].url, checks[0].port, ...) that is wrong.
    """
    if len(hooks) > MAX_HOOKS:
        raise InvalidArgument("hooks", f"at most {MAX_HOOKS}")
    if len(checks) > MAX_CHECKS:
        raise InvalidArgument("checks", f"at most {MAX_CHECKS}")
    made_hooks = tuple(_hook(h, f"hooks[{i}]") for i, h in enumerate(hooks))
    made_checks = tuple(_check(c, f"checks[{i}]") for i, c in enumerate(checks))
    for what, items in (("hooks", made_hooks), ("checks", made_checks)):
        names = [item.name for item in items]
        if len(set(names)) != len(names):
            raise InvalidArgument(what, "names must be unique")
    return Automation(made_hooks, made_checks)


def from_body(body: dict[str, Any] | None) -> Automation:
    """From a group record (checked when it was written)."""
    body = body or {}
    try:
        return parse(list(body.get("hooks") or []), list(body.get("checks") or []))
    except InvalidArgument:
        return Automation()


def _hook(item: dict[str, Any], where: str) -> Hook:
    name = _name(item, where)
    when = str(item.get("when", ""))
    if when not in WHEN:
        raise InvalidArgument(f"{where}.when", f"must be one of {', '.join(WHEN)}")
    kinds = tuple(str(k) for k in item.get("kinds") or ())
    wrong = [k for k in kinds if k not in RECOVERING_KINDS]
    if wrong:
        raise InvalidArgument(
            f"{where}.kinds", f"{wrong[0]!r} is not one of {', '.join(RECOVERING_KINDS)}"
        )
    retries = int(item.get("retries", 1))
    if not 0 <= retries <= MAX_RETRIES:
        raise InvalidArgument(f"{where}.retries", f"must be 0 to {MAX_RETRIES}")
    return Hook(
        name=name,
        url=_url(item.get("url"), f"{where}.url"),
        when=when,
        kinds=kinds,
        timeout_seconds=_timeout(item.get("timeout_seconds", 10.0), where),
        retries=retries,
        on_failure=_on_failure(item, where),
        **_filters(item, where),
    )


def _check(item: dict[str, Any], where: str) -> AppCheck:
    name = _name(item, where)
    kind = str(item.get("type", ""))
    if kind not in CHECK_TYPES:
        raise InvalidArgument(f"{where}.type", f"must be one of {', '.join(CHECK_TYPES)}")
    port, url = int(item.get("port", 0) or 0), ""
    if kind in ("tcp", "http") and not 1 <= port <= 65535:
        raise InvalidArgument(f"{where}.port", "must be 1 to 65535")
    if kind == "hook":
        url = _url(item.get("url"), f"{where}.url")
    path = str(item.get("path", "/") or "/")
    if not path.startswith("/") or len(path) > 1024 or not path.isprintable() or " " in path:
        raise InvalidArgument(f"{where}.path", "must be an absolute path without spaces")
    status = int(item.get("expect_status", 200))
    if not 100 <= status <= 599:
        raise InvalidArgument(f"{where}.expect_status", "must be an HTTP status")
    text = str(item.get("expect_text", ""))
    if len(text) > 1024:
        raise InvalidArgument(f"{where}.expect_text", "must be at most 1024 characters")
    return AppCheck(
        name=name,
        type=kind,
        port=port,
        path=path,
        expect_status=status,
        expect_text=text,
        url=url,
        timeout_seconds=_timeout(item.get("timeout_seconds", 60.0), where),
        in_failovers=bool(item.get("in_failovers", False)),
        on_failure=_on_failure(item, where),
        **_filters(item, where),
    )


def _applies(
    vms: tuple[str, ...], tiers: tuple[int, ...], server_id: str, name: str, tier: int
) -> bool:
    return (not vms or server_id in vms or name in vms) and (not tiers or tier in tiers)


def _filters(item: dict[str, Any], where: str) -> dict[str, Any]:
    vms = tuple(str(v) for v in item.get("vms") or ())
    if len(vms) > 100 or any(not v or len(v) > 255 for v in vms):
        raise InvalidArgument(f"{where}.vms", "at most 100 server ids or names")
    tiers = tuple(int(t) for t in item.get("tiers") or ())
    if any(not 1 <= t <= 100 for t in tiers):
        raise InvalidArgument(f"{where}.tiers", "tiers are 1 to 100")
    return {"vms": vms, "tiers": tiers}


def _name(item: dict[str, Any], where: str) -> str:
    name = str(item.get("name", ""))
    if not name or len(name) > 64 or not name.isprintable():
        raise InvalidArgument(f"{where}.name", "must be 1 to 64 printable characters")
    return name


def _url(value: Any, field: str) -> str:
    url = str(value or "")
    parts = urlsplit(url)
    if (
        len(url) > 2048
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
    ):
        raise InvalidArgument(field, "must be an http or https URL without a user or password")
    return url


def _timeout(value: Any, where: str) -> float:
    seconds = float(value)
    if not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise InvalidArgument(
            f"{where}.timeout_seconds", f"must be over 0, at most {MAX_TIMEOUT_SECONDS:.0f}"
        )
    return seconds


def _on_failure(item: dict[str, Any], where: str) -> str:
    value = str(item.get("on_failure", "fail"))
    if value not in ON_FAILURE:
        raise InvalidArgument(f"{where}.on_failure", "must be fail or warn")
    return value


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
