"""A failover group's lifecycle: which requests each state allows, and where.

    protected --failover--> failing over --> failed over --reprotect--> reprotecting
        --> protected (in reverse) --failback--> failing back --> protected (home again)
    protected --move--> failing over, then reprotecting --> protected (in reverse)

A group's lasting state is in its record (protected or failed over); an operation under way
shows over it at the site running it (testing, failing over, reprotecting, failing back) and
holds the group there, so any other request waits for it to end. A request the state does not
allow is refused with the state and what it does allow.
"""

from __future__ import annotations

from common.errors import FailedPrecondition
from services.orchestrator.groups import FAILED_OVER, PROTECTED, Group

TEST_FAILOVER, FAILOVER = "test failover", "failover"
REPROTECT, FAILBACK, MOVE = "reprotect", "failback", "move"
CHANGE = "change (add, remove or split off VMs, delete)"


def allowed(group: Group) -> list[tuple[str, str]]:
    """(request, the site it runs at) pairs the group's lasting state allows."""
    if group.state == FAILED_OVER:
        return [(REPROTECT, group.source_site)]
    if group.state != PROTECTED:
        return []
    requests = [
        (TEST_FAILOVER, group.target_site),
        (FAILOVER, group.target_site),
        (MOVE, group.target_site),
        (CHANGE, group.source_site),
    ]
    if group.source_site != group.home_site:
        requests.insert(2, (FAILBACK, group.home_site))
    return requests


def require(group: Group, request: str, site: str) -> None:
    """:raises FailedPrecondition: the group's state does not allow `request` at `site`,
    naming the state and what it allows (and where)."""
    here = dict(allowed(group))
    if here.get(request) == site:
        return
    state = group.state.replace("_", " ")
    if request in here:
        raise FailedPrecondition(
            f"a {request} of failover group {group.name} runs at {here[request]}, not at {site}"
        )
    options = "; ".join(f"{r} at {s}" for r, s in allowed(group)) or "nothing"
    raise FailedPrecondition(
        f"failover group {group.name} is {state} (running at {group.source_site}): a {request} "
        f"is not allowed now; allowed: {options}"
    )
