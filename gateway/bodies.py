"""What the REST API accepts: request bodies, path identifiers and query values, each with its
limits, so that malformed input is refused (400 naming the field) before anything is asked."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import Header, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from common.errors import InvalidArgument

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
Identifier = Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)]
# A recovery point is named by the array (<protection group>.<suffix>, <pod>::...).
PointId = Annotated[str, Field(min_length=1, max_length=255, pattern=ID_PATTERN)]
ServerId = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN)]
# Sequences and page offsets fit a signed 64-bit integer with room to spare.
LARGEST_NUMBER = 10**18 - 1
Seconds = Annotated[float, Field(gt=0, le=86400)]
# An RTO target or a test interval (0: none), up to a year.
Target = Annotated[float, Field(ge=0, le=366 * 86400)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="The same key again returns the operation it started instead of another.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
PageToken = Annotated[
    str, Query(max_length=18, pattern=r"^[0-9]*$", description="next_page_token of a page.")
]
GroupFilter = Annotated[
    str,
    Query(max_length=128, pattern=r"^[A-Za-z0-9_.:-]*$", description="Only this group's."),
]
After = Annotated[int, Query(ge=0, le=LARGEST_NUMBER, description="Events after this sequence.")]
LastEventId = Annotated[
    str | None,
    Header(alias="Last-Event-ID", max_length=18, pattern=r"^[0-9]+$"),
]
AllProjects = Annotated[
    bool, Query(description="Admins only: every project's, each naming its project_id.")
]
ProjectId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Admins only: act in this project instead of the token's.",
    ),
]
TargetToken = Annotated[
    str | None,
    Header(
        alias="X-Target-Auth-Token",
        min_length=1,
        max_length=8192,
        pattern=r"^[\x21-\x7e]+$",
        description="A Keystone token of the target site, scoped to your project there: the "
        "proof that links your projects at both sites (needed once, unless both sites share "
        "one Keystone).",
    ),
]


# What no text field may hold: C0 and C1 controls and DEL reach terminals, logs and the
# dashboard as commands rather than text, and the Unicode bidirectional marks, embeddings,
# overrides and isolates make text display otherwise than it is stored ("Trojan Source": a
# name that reads as another one). Lone surrogates never get this far (pydantic refuses them).
_CONTROLS = ((0x00, 0x1F), (0x7F, 0x9F))
_BIDI_CONTROLS = ((0x061C, 0x061C), (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069))


def _character_class(allowed: str) -> str:
    """The refused characters but `allowed`, as a regular expression class body that Python
    and JSON Schema (ECMA-262) read alike."""
    refused = {c for low, high in _CONTROLS + _BIDI_CONTROLS for c in range(low, high + 1)}
    codes = sorted(refused - {ord(c) for c in allowed})
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in spans
    )


def _plain_text(allowed: str = "") -> tuple[AfterValidator, FieldInfo]:
    """The validator and the published pattern of text without the characters above (except
    `allowed`); a refusal names the first one, what it is and where."""
    body = _character_class(allowed)
    refused = re.compile(f"[{body}]")

    def check(value: str) -> str:
        found = refused.search(value)
        if found is None:
            return value
        code = ord(found.group())
        bidi = any(low <= code <= high for low, high in _BIDI_CONTROLS)
        raise PydanticCustomError(
            "text_character",
            "must not hold a {kind} ({code}, character {position})",
            {
                "kind": "bidirectional control" if bidi else "control character",
                "code": f"U+{code:04X}",
                "position": found.start() + 1,
            },
        )

    return AfterValidator(check), Field(json_schema_extra={"pattern": f"^[^{body}]*$"})


# Free text in a request body: a name, a volume type (one line), or a description, which may
# also hold newlines and tabs. Any other character of any script is welcome.
PlainText = Annotated[str, *_plain_text()]
MultilineText = Annotated[str, *_plain_text("\n\t")]


class Body(BaseModel):
    """Unknown fields are refused, so a misspelt option is never silently ignored. Free-text
    fields are `PlainText` (one line: no control or bidirectional control characters) or, for
    a description, `MultilineText` (newlines and tabs too)."""

    model_config = ConfigDict(extra="forbid")


class TestScheduleBody(Body):
    enabled: bool = Field(False, description="Tests run by themselves at the test interval.")
    windows: list[Annotated[str, Field(max_length=64)]] = Field(
        [],
        max_length=20,
        description="When tests may start, e.g. 'mon-fri 20:00-06:00', 'sat,sun 00:00-24:00'; "
        "none: any time.",
    )
    timezone: str = Field("", max_length=64, description="The windows' IANA zone; empty: UTC.")
    cleanup_after_seconds: Target = Field(
        0, description="How long a scheduled test stands; 0: the site's default."
    )


HookName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_. -]+$")]
HookUrl = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^https?://")]
HookTimeout = Annotated[float, Field(gt=0, le=600)]


class HookBody(Body):
    name: HookName
    url: HookUrl
    when: Literal["pre_operation", "post_operation", "pre_tier", "post_tier", "pre_vm", "post_vm"]
    kinds: list[
        Literal["test_failover", "planned_failover", "unplanned_failover", "failback", "move"]
    ] = Field([], description="The operations it runs in; none: every one that recovers VMs.")
    timeout_seconds: HookTimeout = 10
    retries: int = Field(1, ge=0, le=5)
    on_failure: Literal["fail", "warn"] = "fail"
    vms: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        [], max_length=100, description="A VM hook's VMs (server ids or names); none: every one."
    )
    tiers: list[Annotated[int, Field(ge=1, le=100)]] = Field([], max_length=100)


class CheckBody(Body):
    name: HookName
    type: Literal["tcp", "http", "hook"]
    port: int = Field(0, ge=0, le=65535, description="tcp and http.")
    path: str = Field("/", max_length=1024, pattern=r"^/[\x21-\x7e]*$")
    expect_status: int = Field(200, ge=100, le=599)
    expect_text: PlainText = Field("", max_length=1024)
    url: str = Field(
        "",
        max_length=2048,
        description='hook: where to POST; it answers {"passed": bool, "output": "..."}.',
    )
    timeout_seconds: HookTimeout = Field(60, description="Tried until it passes or this is over.")
    in_failovers: bool = Field(False, description="Also in real failovers (always in tests).")
    on_failure: Literal["fail", "warn"] = "fail"
    vms: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        [], max_length=100, description="The VMs it checks (server ids or names); none: every one."
    )
    tiers: list[Annotated[int, Field(ge=1, le=100)]] = Field([], max_length=100)


class AutomationBody(Body):
    """Hooks around an operation and its VMs, and checks of each recovered VM's application."""

    hooks: list[HookBody] = Field([], max_length=20)
    checks: list[CheckBody] = Field([], max_length=20)


class NewPolicy(Body):
    name: PlainText = Field(min_length=1, max_length=255)
    description: MultilineText = Field("", max_length=1024)
    replication_type: Literal["async", "sync"]
    target_site: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    rpo_target_seconds: Seconds | None = None
    rto_target_seconds: Target = 0
    test_interval_seconds: Target = 0
    test_schedule: TestScheduleBody | None = None
    automation: AutomationBody | None = None
    default_tier: int = Field(1, ge=1, le=100, description="For VMs protected by tag.")


class NewGroup(Body):
    name: PlainText = Field(min_length=1, max_length=255)
    description: MultilineText = Field("", max_length=1024)
    policy: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="A policy (id or name) that gives the group its replication type, target "
        "site, targets and test schedule.",
    )
    replication_type: Literal["async", "sync"] | None = Field(
        None, description="Required without a policy."
    )
    rpo_target_seconds: Seconds | None = None
    rto_target_seconds: Target = Field(
        0, description="A test's measured RTO is judged against it; 0: none."
    )
    test_interval_seconds: Target = Field(
        0,
        description="A successful test failover is due within each interval (at least an "
        "hour); 0: none.",
    )
    target_site: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Required without a policy.",
    )
    test_schedule: TestScheduleBody | None = None
    automation: AutomationBody | None = None
    target_project_id: str = Field(
        "",
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Your project at the target site. Empty: the project this one is linked "
        "to, or else the one X-Target-Auth-Token is scoped to (or the same id, one Keystone).",
    )


class GroupChange(Body):
    """What changes; a field left out stays as it is."""

    description: MultilineText | None = Field(None, max_length=1024)
    rpo_target_seconds: Seconds | None = None
    rto_target_seconds: Target | None = None
    test_interval_seconds: Target | None = None
    test_schedule: TestScheduleBody | None = None
    automation: AutomationBody | None = Field(
        None, description="Replaces the group's hooks and checks ({} removes them)."
    )


class NewVm(Body):
    server_id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    tier: int = Field(1, ge=1, le=100)


class Split(Body):
    server_ids: list[ServerId] = Field(
        min_length=1, max_length=1000, description="The VMs to move: some of the group's, not all."
    )
    name: PlainText = Field("", max_length=255, description="Empty: <group>-<first VM's name>.")
    description: PlainText = Field("", max_length=1024)


class TestFailover(Body):
    recovery_point_id: PointId | None = None
    cleanup_after_seconds: float | None = Field(
        None, ge=0, le=30 * 86400, description="0: never; unset: the site's default."
    )
    stop_on_vm_failure: bool = False
    server_ids: list[ServerId] = Field(
        [],
        max_length=1000,
        description="Only these of the group's VMs (a partial test: not the group's last test, "
        "nor in its compliance); empty: every VM.",
    )


class Failover(Body):
    mode: Literal["planned", "unplanned"]
    recovery_point_id: PointId | None = Field(None, description="Unplanned only.")
    quiesce: bool = Field(False, description="Async planned: stop the VMs before the last copy.")
    stop_on_vm_failure: bool = False


class Reprotect(Body):
    method: Literal["volume-type", "retype"]
    target_replication_type: Literal["async", "sync"]
    volume_type: PlainText = Field("", max_length=255)
    rpo_target_seconds: Seconds | None = None


class Failback(Body):
    pass


class NewAlertChannel(Body):
    name: PlainText = Field(min_length=1, max_length=255)
    kind: Literal["webhook", "email"]
    address: str = Field(
        min_length=1,
        max_length=2048,
        description="Webhook: the http(s) URL it posts to. E-mail: up to 10 addresses, "
        "comma-separated.",
    )
    min_severity: Literal["warning", "critical"] = "warning"
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=256,
        pattern=r"^[\x21-\x7e]+$",
        description="Webhooks: the HMAC-SHA256 key to sign with; left out, one is made. Shown "
        "in this answer only.",
    )


class Acknowledgement(Body):
    comment: MultilineText = Field("", max_length=1024)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


async def unique_keys(request: Request) -> None:
    """Refuses a JSON body in which an object gives a key twice: parsers disagree on which
    value wins (FastAPI's keeps the last), so a proxy, a log or an auditor could read another
    request than the one carried out. An app-wide dependency, so every route has it; it runs
    before the route's own dependencies (authentication included), like FastAPI's refusal of
    a body that is not JSON, on the body FastAPI has read already.

    :raises InvalidArgument: names the key.
    """
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not media_type.startswith("application/") or not media_type.endswith(("/json", "+json")):
        return
    body = await request.body()
    if not body:
        return
    try:
        json.loads(body, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as duplicate:
        raise InvalidArgument(
            duplicate.key or '""', "is given more than once in one JSON object"
        ) from None
    except ValueError:
        return  # not JSON: refused as such when the route takes a body, ignored when not
