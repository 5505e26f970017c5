"""Bad requests to the metadata service get INVALID_ARGUMENT (or the fitting code) naming the
field and why, and change nothing."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from draas.common.v1 import types_pb2
from draas.metadata.v1 import metadata_pb2 as pb
from tests.functional.metadata.conftest import all_entities, entity, status

SERVER = pb.ENTITY_KIND_SERVER


def refused(call: Any, request: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        response = call(request)
        if not hasattr(response, "ListFields"):
            list(response)
    return raised.value.code(), raised.value.details()


BAD_PUTS = {
    "another site's key": (
        [entity("site-b", SERVER, "x")],
        "entities[0].key.site: must be site-a: a site makes only its own entities (it may change "
        "another site's only after their ownership moved here)",
    ),
    "no kind": (
        [entity("site-a", pb.ENTITY_KIND_UNSPECIFIED, "x")],
        "entities[0].key.kind: must be a known entity kind",
    ),
    "no id": ([entity("site-a", SERVER, "")], "entities[0].key.id: is required"),
    "no project": (
        [entity("site-a", SERVER, "ok"), entity("site-a", SERVER, "x", project="")],
        "entities[1].project_id: is required",
    ),
    "another owner": (
        [
            pb.Entity(
                key=pb.EntityKey(site="site-a", kind=SERVER, id="x"),
                project_id="p1",
                owner_site="site-b",
            )
        ],
        "entities[0].owner_site: must be site-a (or empty)",
    ),
    "a long id": (
        [entity("site-a", SERVER, "x" * 256)],
        "entities[0].key.id: must be at most 255 characters",
    ),
    "a long project": (
        [entity("site-a", SERVER, "x", project="p" * 65)],
        "entities[0].project_id: must be at most 64 characters",
    ),
    "a NaN": (
        [entity("site-a", SERVER, "x", size=float("inf"))],
        "entities[0].body: must be JSON: no NaN or infinite numbers",
    ),
}


@pytest.mark.parametrize("case", BAD_PUTS)
def test_a_bad_put_names_the_field_and_writes_nothing(start: Any, case: str) -> None:
    a = start("site-a")
    entities, message = BAD_PUTS[case]
    code, details = refused(a.stub.PutEntities, pb.PutEntitiesRequest(entities=entities))
    assert (code, details) == (grpc.StatusCode.INVALID_ARGUMENT, message)
    assert all_entities(a) == {}
    assert status(a).local_sequence == 0


def test_bad_queries_name_the_field(start: Any) -> None:
    a = start("site-a")
    page = types_pb2.PageRequest
    cases = [
        (
            a.stub.ListEntities,
            pb.ListEntitiesRequest(project_id="p1", page=page(page_size=5000)),
            "page.page_size: must be 0 to 1000",
        ),
        (
            a.stub.ListEntities,
            pb.ListEntitiesRequest(project_id="p1", page=page(page_token="x")),
            "page.page_token: is not a token this service gave",
        ),
        (
            a.stub.ListEntities,
            pb.ListEntitiesRequest(project_id="p1", page=page(page_token="\u00b2")),
            "page.page_token: is not a token this service gave",
        ),
        (
            a.stub.ListEntities,
            pb.ListEntitiesRequest(project_id="p1", as_of=Timestamp(seconds=-(10**12))),
            "as_of: is out of range",
        ),
        (
            a.stub.GetRecoveryBundle,
            pb.GetRecoveryBundleRequest(project_id="p1", group_id="g" * 65),
            "group_id: must be at most 64 characters",
        ),
        (
            a.stub.ListEntities,
            pb.ListEntitiesRequest(project_id="p1", kinds=[99]),
            "kinds[0]: must be a known entity kind",
        ),
        (a.stub.ListChanges, pb.ListChangesRequest(limit=-1), "limit: must be 0 to 1000"),
        (
            a.stub.GetRecoveryBundle,
            pb.GetRecoveryBundleRequest(project_id="p1"),
            "group_id: is required",
        ),
        (
            a.stub.TransferOwnership,
            pb.TransferOwnershipRequest(project_id="p1", group_id="g1"),
            "new_owner_site: is required",
        ),
    ]
    for call, request, message in cases:
        assert refused(call, request) == (grpc.StatusCode.INVALID_ARGUMENT, message)


def test_missing_things_and_wrong_sites_get_their_own_codes(start: Any) -> None:
    a = start("site-a", peers=["site-b"])
    key = pb.EntityKey(site="site-a", kind=SERVER, id="nope")
    assert refused(a.stub.GetEntity, pb.GetEntityRequest(key=key)) == (
        grpc.StatusCode.NOT_FOUND,
        "no SERVER nope of site site-a",
    )
    transfer = pb.TransferOwnershipRequest(project_id="p1", group_id="g1", new_owner_site="site-b")
    assert refused(a.stub.TransferOwnership, transfer) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ownership moves at the new owner's site: ask site-b, not site-a",
    )
    transfer.new_owner_site = "site-a"
    assert refused(a.stub.TransferOwnership, transfer) == (
        grpc.StatusCode.NOT_FOUND,
        "site site-a holds no record of group g1 in project p1",
    )
    for origin, code, message in (
        ("site-c", grpc.StatusCode.PERMISSION_DENIED, "site site-c is not a peer of site site-a"),
        (
            "site-a",
            grpc.StatusCode.INVALID_ARGUMENT,
            "hello.origin_site: site-a is this site; a site does not replicate to itself",
        ),
    ):
        hello = pb.ReplicationMessage(hello=pb.ReplicationHello(origin_site=origin))
        assert refused(a.stub.Replicate, iter([hello])) == (code, message)


def test_a_site_without_peers_accepts_no_replication(start: Any) -> None:
    alone = start("site-b")
    hello = pb.ReplicationMessage(hello=pb.ReplicationHello(origin_site="site-a"))
    assert refused(alone.stub.Replicate, iter([hello])) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "site site-a is not a peer of site site-b",
    )


def test_a_write_that_names_a_version_lands_only_on_that_version(start: Any) -> None:
    a = start("site-a")
    first = a.stub.PutEntities(pb.PutEntitiesRequest(entities=[entity("site-a", SERVER, "x")]))
    update = entity("site-a", SERVER, "x", name="renamed")
    update.version = first.entities[0].version
    assert a.stub.PutEntities(pb.PutEntitiesRequest(entities=[update])).entities[0].version == 2
    stale = entity("site-a", SERVER, "x", name="lost update")
    stale.version = 1
    assert refused(a.stub.PutEntities, pb.PutEntitiesRequest(entities=[stale])) == (
        grpc.StatusCode.ABORTED,
        "SERVER x is at version 2, not 1: read it again",
    )
    stored = a.stub.GetEntity(pb.GetEntityRequest(key=update.key))
    assert (stored.version, stored.body["name"]) == (2, "renamed")
