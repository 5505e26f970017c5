"""What may be asked of a group or an operation, and where: the orchestrator's rules
(services/orchestrator/lifecycle.py, operations.py) as the dashboard sees them, so that an
action is offered only in the states and at the site where the gateway allows it.

    protected: test failover, failover and move at the target site; add or remove VMs and
        delete at the source site; failback at the home site when the group runs elsewhere.
    failed_over: reprotect at the site it failed over to (now its source site).
    testing, failing_over, reprotecting, failing_back: nothing until the operation ends.

A test failover holds its group (state testing at the target site) until it is cleaned up; a
cleanup is asked of a test that has ended and has no cleanup under way or done.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from draas_dashboard.api.records import ACTIVE_STATES, Group, Operation

TEST_FAILOVER = "test_failover"
FAILOVER = "failover"
REPROTECT = "reprotect"
FAILBACK = "failback"
MOVE = "move"
CHANGE = "change"

LABELS = {
    TEST_FAILOVER: _("Test failover"),
    FAILOVER: _("Failover"),
    REPROTECT: _("Reprotect"),
    FAILBACK: _("Failback"),
    MOVE: _("Move (planned failover, then reprotect back)"),
    CHANGE: _("Add, remove or split off VMs, delete"),
}


def allowed(group: Group) -> dict[str, str | None]:
    """Each request the group's state allows, and the site it runs at (None: unknown)."""
    state = group.state
    if state == "failed_over":
        return {REPROTECT: group.source_site}
    if state != "protected":
        return {}
    requests: dict[str, str | None] = {
        TEST_FAILOVER: group.target_site,
        FAILOVER: group.target_site,
        MOVE: group.target_site,
        CHANGE: group.source_site,
    }
    home = group.home_site
    if home is None:
        # The gateway does not say where the group was made. With two sites, a failback can
        # only run at the target site (home is one of the two, and not the source).
        requests[FAILBACK] = None
    elif home != group.source_site:
        requests[FAILBACK] = home
    return requests


def may(group: Group, request_name: str, here: str | None) -> bool:
    """Whether `request_name` may be asked of the group at site `here` (None: unknown, then
    only the state decides). A failback whose home is unknown is offered at the target site
    only."""
    rules = allowed(group)
    if request_name not in rules:
        return False
    site = rules[request_name]
    if request_name == FAILBACK and site is None:
        site = group.target_site
    return here is None or site is None or site == here


def where(group: Group, request_name: str) -> str | None:
    """The site a request runs at now, if the state allows it anywhere."""
    rules = allowed(group)
    if request_name == FAILBACK and rules.get(FAILBACK, "") is None:
        return group.target_site
    return rules.get(request_name)


def cleaned_up(test: Operation, operations: Iterable[Operation]) -> Operation | None:
    """The cleanup of `test` under way or done, among `operations` (this site's)."""
    for op in operations:
        if (
            op.kind == "test_cleanup"
            and op.parent_operation_id == test.id
            and (op.state in ACTIVE_STATES or op.state == "succeeded")
        ):
            return op
    return None


def may_clean_up(test: Operation, operations: Iterable[Operation]) -> bool:
    """A test failover that has ended and has no cleanup under way or done."""
    return (
        test.kind == TEST_FAILOVER
        and test.state not in ACTIVE_STATES
        and cleaned_up(test, operations) is None
    )
