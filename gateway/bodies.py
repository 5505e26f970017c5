"""What the REST API accepts: request bodies, path identifiers and query values, each with its
limits, so that malformed input is refused (400 naming the field) before anything is asked."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
Identifier = Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)]
# A recovery point is named by the array (<protection group>.<suffix>, <pod>::...).
PointId = Annotated[str, Field(min_length=1, max_length=255, pattern=ID_PATTERN)]
# Sequences and page offsets fit a signed 64-bit integer with room to spare.
LARGEST_NUMBER = 10**18 - 1
Seconds = Annotated[float, Field(gt=0, le=86400)]

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


class Body(BaseModel):
    """Unknown fields are refused, so a misspelt option is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class NewGroup(Body):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=1024)
    replication_type: Literal["async", "sync"]
    rpo_target_seconds: Seconds | None = None
    target_site: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    target_project_id: str = Field(
        "",
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Your project at the target site. Empty: the project this one is linked "
        "to, or else the one X-Target-Auth-Token is scoped to (or the same id, one Keystone).",
    )


class NewVm(Body):
    server_id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    tier: int = Field(1, ge=1, le=100)


class TestFailover(Body):
    recovery_point_id: PointId | None = None
    cleanup_after_seconds: float | None = Field(
        None, ge=0, le=30 * 86400, description="0: never; unset: the site's default."
    )
    stop_on_vm_failure: bool = False


class Failover(Body):
    mode: Literal["planned", "unplanned"]
    recovery_point_id: PointId | None = Field(None, description="Unplanned only.")
    quiesce: bool = Field(False, description="Async planned: stop the VMs before the last copy.")
    stop_on_vm_failure: bool = False


class Reprotect(Body):
    method: Literal["volume-type", "retype"]
    target_replication_type: Literal["async", "sync"]
    volume_type: str = Field("", max_length=255)
    rpo_target_seconds: Seconds | None = None


class Failback(Body):
    pass
