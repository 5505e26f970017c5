"""Links between a tenant's projects at two sites are proven, never asserted, and never
replaced: every way a link is made or asked to change, through the orchestrators as the
gateway and the peer site call them. (The same through the gateways as processes, with two
tenants' groups and operations: tests/e2e/test_tenant_isolation.py.)"""

from __future__ import annotations

import grpc
import pytest

from draas.common.v1 import types_pb2
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from tests.functional.dr.gateway_client import token
from tests.functional.dr.twosite import rpo, wait_for
from tools import tenant_vms

VICTIM, ATTACKER, SHARED, ADMINS = "tenant2", "tenant3", "tenant5", "tenant1"


def create(sites, lab, tenant: str, name: str, **proof) -> opb.FailoverGroup:
    return sites["site-a"].orchestrator.CreateFailoverGroup(
        opb.CreateFailoverGroupRequest(
            project_id=lab.regions["site-a"].project_id(tenant),
            name=name,
            replication_type=types_pb2.REPLICATION_TYPE_ASYNC,
            target_site="site-b",
            rpo_target=rpo(60),
            **proof,
        )
    )


def refused(call, code: grpc.StatusCode) -> str:
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() == code, error.value.details()
    return str(error.value.details())


def seen_at_b(sites, project_id: str) -> set[str]:
    listed = sites["site-b"].orchestrator.ListFailoverGroups(
        opb.ListFailoverGroupsRequest(project_id=project_id)
    )
    return {g.id for g in listed.groups}


def links(sites, lab) -> dict[str, list]:
    """What each site's tenants see: per tenant, the groups listed at each site."""
    seen: dict[str, list] = {}
    for tenant in (VICTIM, ATTACKER):
        for site in ("site-a", "site-b"):
            listed = sites[site].orchestrator.ListFailoverGroups(
                opb.ListFailoverGroupsRequest(project_id=lab.regions[site].project_id(tenant))
            )
            seen[f"{tenant}@{site}"] = sorted(g.id for g in listed.groups)
    return seen


@pytest.fixture(scope="module")
def victims_group(sites, lab) -> opb.FailoverGroup:
    """The victim's group, its projects linked on the proof of its token at site B."""
    return create(
        sites, lab, VICTIM, "payroll", target_token=tenant_vms.token(lab, "site-b", VICTIM)
    )


def test_a_proven_link_is_made_once_and_then_found_without_proof(sites, lab, victims_group):
    at_b = lab.regions["site-b"].project_id(VICTIM)
    again = create(sites, lab, VICTIM, "payroll-2")
    # Site B sees both (their records replicate there) under the tenant's project there.
    assert wait_for(lambda: {victims_group.id, again.id} <= seen_at_b(sites, at_b))


def test_the_takeover_is_refused_every_way_and_changes_nothing(sites, lab, victims_group):
    victim_at_b = lab.regions["site-b"].project_id(VICTIM)
    wait_for(lambda: victims_group.id in seen_at_b(sites, victim_at_b))
    before = links(sites, lab)

    # No proof at all: the attacker's project is linked to nothing at site B.
    said = refused(
        lambda: create(sites, lab, ATTACKER, "steal", target_project_id=victim_at_b),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert f"nothing proves you hold project {victim_at_b} at site-b" in said
    # The attacker's own token at site B proves its own project there, not the victim's.
    own_token = tenant_vms.token(lab, "site-b", ATTACKER)
    said = refused(
        lambda: create(
            sites, lab, ATTACKER, "steal", target_project_id=victim_at_b, target_token=own_token
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert f"not {victim_at_b}" in said
    # A token of site A's Keystone means nothing to site B's.
    said = refused(
        lambda: create(
            sites,
            lab,
            ATTACKER,
            "steal",
            target_project_id=victim_at_b,
            target_token=tenant_vms.token(lab, "site-a", ATTACKER),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert "Keystone does not know the token" in said
    # Even an admin cannot replace the victim's link: it is named instead.
    said = refused(
        lambda: create(
            sites, lab, ATTACKER, "steal", target_project_id=victim_at_b, link_as_admin=True
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert f"project {victim_at_b} at site-b is linked to project" in said
    assert "never replaced" in said
    # Nor can the peer protocol itself, asked directly as site A's orchestrator asks.
    for proof in ({}, {"by_admin": True}, {"target_token": own_token}):
        refused(
            lambda proof=proof: sites["site-b"].orchestrator.LinkProject(
                opb.LinkProjectRequest(
                    source_site="site-a",
                    source_project_id=lab.regions["site-a"].project_id(ATTACKER),
                    target_project_id=victim_at_b,
                    **proof,
                )
            ),
            grpc.StatusCode.PERMISSION_DENIED
            if not proof.get("by_admin")
            else grpc.StatusCode.FAILED_PRECONDITION,
        )
    assert links(sites, lab) == before


def test_a_reader_cannot_prove_a_project(sites, lab):
    reader = token(lab, "site-b", f"{ATTACKER}-reader", ATTACKER)
    said = refused(
        lambda: create(sites, lab, ATTACKER, "by-reader", target_token=reader),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert "(reader) may not change it" in said


def test_a_link_that_exists_is_never_changed(sites, lab):
    own = tenant_vms.token(lab, "site-b", ATTACKER)
    first = create(sites, lab, ATTACKER, "own", target_token=own)
    assert first.id
    elsewhere = lab.regions["site-b"].project_id(SHARED)
    said = refused(
        lambda: create(sites, lab, ATTACKER, "moved", target_project_id=elsewhere),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert f"is linked to project {lab.regions['site-b'].project_id(ATTACKER)} at site-b" in said
    # A proof of another project changes nothing either: the link stands.
    said = refused(
        lambda: create(
            sites,
            lab,
            ATTACKER,
            "moved",
            target_project_id=elsewhere,
            target_token=tenant_vms.token(lab, "site-b", SHARED),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert "never replaced" in said


def test_one_keystone_for_both_sites_links_a_project_to_itself(sites, lab):
    # Site B's orchestrator is asked for a project whose id it knows: with one Keystone, that
    # is the caller's own project (site A authenticated it).
    same = lab.regions["site-b"].project_id(SHARED)
    linked = sites["site-b"].orchestrator.LinkProject(
        opb.LinkProjectRequest(source_site="site-a", source_project_id=same)
    )
    assert linked.project_id == same
    unknown = refused(
        lambda: sites["site-b"].orchestrator.LinkProject(
            opb.LinkProjectRequest(source_site="site-a", source_project_id="not-a-project-here")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert "is not linked to a project at site-b" in unknown


def test_an_admin_links_a_tenants_projects(sites, lab):
    at_b = lab.regions["site-b"].project_id(ADMINS)
    group = create(sites, lab, ADMINS, "by-admin", target_project_id=at_b, link_as_admin=True)
    assert wait_for(lambda: group.id in seen_at_b(sites, at_b))
