"""Which requests a group's state allows, and where; refusals name the state and the way on."""

import pytest

from common.errors import FailedPrecondition
from services.orchestrator import lifecycle
from services.orchestrator.groups import Group


def group(state="protected", source="site-a", target="site-b"):
    return Group(
        id="g1",
        project_id="p",
        name="payroll",
        description="",
        replication_type="async",
        source_site=source,
        target_site=target,
        rpo_target_seconds=60,
        state=state,
        created_at="",
        updated_at="",
        record_site="site-a",
    )


def test_each_state_allows_its_requests_at_their_sites():
    assert lifecycle.allowed(group()) == [
        (lifecycle.TEST_FAILOVER, "site-b"),
        (lifecycle.FAILOVER, "site-b"),
        (lifecycle.MOVE, "site-b"),
        (lifecycle.CHANGE, "site-a"),
    ]
    assert lifecycle.allowed(group("failed_over", "site-b", "site-a")) == [
        (lifecycle.REPROTECT, "site-b")
    ]
    reversed_ = lifecycle.allowed(group("protected", "site-b", "site-a"))
    assert (lifecycle.FAILBACK, "site-a") in reversed_
    assert (lifecycle.FAILOVER, "site-a") in reversed_


@pytest.mark.parametrize(
    ("state", "request_", "site", "message"),
    [
        (
            "protected",
            lifecycle.REPROTECT,
            "site-b",
            "is protected .* allowed: test failover at site-b",
        ),
        ("protected", lifecycle.FAILBACK, "site-a", "a failback is not allowed now"),
        (
            "protected",
            lifecycle.FAILOVER,
            "site-a",
            "a failover of failover group payroll runs at site-b",
        ),
        (
            "failed_over",
            lifecycle.FAILOVER,
            "site-b",
            "is failed over .* allowed: reprotect at site-b",
        ),
    ],
)
def test_a_request_the_state_does_not_allow_is_refused_with_the_way_on(
    state, request_, site, message
):
    source, target = ("site-b", "site-a") if state == "failed_over" else ("site-a", "site-b")
    with pytest.raises(FailedPrecondition, match=message):
        lifecycle.require(group(state, source, target), request_, site)
    lifecycle.require(group(), lifecycle.FAILOVER, "site-b")
