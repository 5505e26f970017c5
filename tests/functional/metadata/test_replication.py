"""Two metadata services, site-a on SQLite and site-b on PostgreSQL, replicating over gRPC."""

import threading

import grpc
import pytest

from draas.metadata.v1 import metadata_pb2 as pb
from services.metadata.codec import checksum
from tests.functional.metadata.conftest import all_entities, entity, status
from tests.waiting import wait_until

SERVER, VOLUME, GROUP = pb.ENTITY_KIND_SERVER, pb.ENTITY_KIND_VOLUME, pb.ENTITY_KIND_FAILOVER_GROUP


def put(service, entities):
    return service.stub.PutEntities(pb.PutEntitiesRequest(entities=entities)).entities


def write_changes(service, count, prefix="vm", batch=250):
    """`count` changes: 70% new entities, then updates of the first ones."""
    created = int(count * 0.7)
    for start in range(0, created, batch):
        put(
            service,
            [
                entity(service.site, SERVER, f"{prefix}-{i}", name=f"{prefix}-{i}", revision=0)
                for i in range(start, min(start + batch, created))
            ],
        )
    updates = count - created
    for start in range(0, updates, batch):
        put(
            service,
            [
                entity(service.site, SERVER, f"{prefix}-{i}", name=f"{prefix}-{i}", revision=1)
                for i in range(start, min(start + batch, updates))
            ],
        )


def converged(origin, peer):
    return status(origin).peers[0].changes_behind == 0 and all_entities(origin) == all_entities(
        peer
    )


def test_ten_thousand_changes_replicate_with_nothing_lost_or_duplicated(start):
    receiver = start("site-b", peers=["site-a"])
    sender = start("site-a", peers=["site-b"])

    write_changes(sender, 10_000)

    wait_until(lambda: status(sender).peers[0].changes_behind == 0)
    assert all_entities(receiver) == all_entities(sender)
    assert len(all_entities(receiver)) == 7_000
    sequences, after = [], 0
    while True:
        changes = receiver.stub.ListChanges(
            pb.ListChangesRequest(origin_site="site-a", after_sequence=after, limit=1000)
        ).changes
        if not changes:
            break
        sequences += [c.sequence for c in changes]
        after = changes[-1].sequence
    assert sequences == list(range(1, 10_001))
    peer = status(sender).peers[0]
    assert (peer.peer_site, peer.connected, peer.acknowledged_sequence) == ("site-b", True, 10_000)


def test_concurrent_changes_at_both_sites_converge_at_both(start):
    a = start("site-a", peers=["site-b"])
    b = start("site-b", peers=["site-a"])
    writers = [
        threading.Thread(target=write_changes, args=(site, 1_000, f"{site.site}-vm", 50))
        for site in (a, b)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    wait_until(lambda: converged(a, b) and converged(b, a))
    entities = all_entities(a)
    assert len(entities) == 1_400
    assert {owner for owner, *_ in entities.values()} == {"site-a", "site-b"}


def test_lag_is_reported_while_behind_and_goes_to_zero(start):
    sender = start("site-a", peers=["site-b"])
    write_changes(sender, 500)

    def failing():
        peer = status(sender).peers[0]
        return peer if peer.last_error else None

    behind = wait_until(failing)
    assert behind.changes_behind == 500
    assert behind.seconds_behind > 0
    assert not behind.connected
    assert "UNAVAILABLE" in behind.last_error

    receiver = start("site-b", peers=["site-a"])
    wait_until(lambda: status(sender).peers[0].changes_behind == 0)
    caught_up = status(sender).peers[0]
    assert (caught_up.seconds_behind, caught_up.connected, caught_up.last_error) == (0.0, True, "")
    assert all_entities(receiver) == all_entities(sender)


def test_a_write_from_a_site_that_does_not_own_the_entity_is_refused_and_changes_nothing(start):
    a = start("site-a", peers=["site-b"])
    b = start("site-b", peers=["site-a"])
    put(
        a,
        [
            entity("site-a", GROUP, "g1", group="", name="finance"),
            entity("site-a", SERVER, "vm-1", group="g1", name="vm-1"),
        ],
    )
    wait_until(lambda: converged(a, b))
    before = (all_entities(b), status(b).local_sequence)

    with pytest.raises(grpc.RpcError) as elsewhere:
        put(b, [entity("site-a", SERVER, "vm-1", group="g1", name="changed at b")])
    assert (elsewhere.value.code(), elsewhere.value.details()) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SERVER vm-1 of site-a is owned by site site-a; write it there",
    )
    assert (all_entities(b), status(b).local_sequence) == before

    moved = b.stub.TransferOwnership(
        pb.TransferOwnershipRequest(project_id="p1", group_id="g1", new_owner_site="site-b")
    )
    assert moved.entities_transferred == 2
    wait_until(lambda: converged(b, a))
    sequence = status(a).local_sequence
    with pytest.raises(grpc.RpcError) as old_owner:
        put(a, [entity("site-a", SERVER, "vm-1", group="g1", name="changed at a")])
    assert old_owner.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (
        old_owner.value.details() == "SERVER vm-1 of site-a is owned by site site-b; write it there"
    )
    assert status(a).local_sequence == sequence
    changed = put(b, [entity("site-a", SERVER, "vm-1", group="g1", name="changed at b")])
    assert (changed[0].owner_site, changed[0].body["name"]) == ("site-b", "changed at b")
    owners = {key[2]: value[0] for key, value in all_entities(a).items()}
    assert owners == {"g1": "site-b", "vm-1": "site-b"}


def test_a_transfer_wins_over_what_the_old_owner_wrote_while_cut_off(start):
    a = start("site-a", peers=["site-b"])
    b = start("site-b", peers=["site-a"])
    put(
        a,
        [
            entity("site-a", GROUP, "g2", name="payroll"),
            entity("site-a", VOLUME, "vol-1", group="g2", size=1),
        ],
    )
    wait_until(lambda: converged(a, b))
    b.stop()
    put(a, [entity("site-a", VOLUME, "vol-1", group="g2", size=2)])
    b = start("site-b", peers=["site-a"])
    b.stub.TransferOwnership(
        pb.TransferOwnershipRequest(project_id="p1", group_id="g2", new_owner_site="site-b")
    )

    wait_until(lambda: converged(a, b) and converged(b, a))
    volume = all_entities(a)[("site-a", VOLUME, "vol-1")]
    assert volume[0] == "site-b" and volume[1] == 1
    assert all_entities(a) == all_entities(b)


def replicate(receiver, *changes, checksum_of=None):
    """Sends a hello from site-a and one batch; returns how the receiver refused it."""
    hello = pb.ReplicationMessage(hello=pb.ReplicationHello(origin_site="site-a"))
    batch = pb.ReplicationBatch(changes=changes, checksum=checksum_of or checksum(changes))
    with pytest.raises(grpc.RpcError) as refused:
        list(receiver.stub.Replicate(iter([hello, pb.ReplicationMessage(batch=batch)])))
    return refused.value.code(), refused.value.details()


def change(sequence, owner="site-a", **entity_fields):
    made = entity("site-a", SERVER, "x", **entity_fields)
    made.owner_site = owner
    return pb.Change(sequence=sequence, origin_site="site-a", entity=made)


@pytest.mark.parametrize(
    ("changes", "checksum_of", "refusal"),
    [
        ([change(1)], "0" * 64, "batch.checksum: does not match the changes"),
        ([change(5)], None, "batch: changes of site-a must continue after 0, not start at 5"),
        (
            [change(1, owner="site-b")],
            None,
            "batch.changes[0].entity.owner_site: must be site-a: a site sends only changes it "
            "made as the owner",
        ),
        ([change(1, project="")], None, "batch.changes[0].entity.project_id: is required"),
        (
            [change(1), change(2, group="g" * 65)],
            None,
            "batch.changes[1].entity.group_id: must be at most 64 characters",
        ),
        (
            [change(1, size=float("nan"))],
            None,
            "batch.changes[0].entity.body: must be JSON: no NaN or infinite numbers",
        ),
    ],
    ids=["checksum", "gap", "not-the-owner", "no-project", "long-group", "nan"],
)
def test_a_bad_batch_is_refused_naming_why_and_applies_nothing(
    start, changes, checksum_of, refusal
):
    receiver = start("site-b", peers=["site-a"])
    assert replicate(receiver, *changes, checksum_of=checksum_of) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        refusal,
    )
    assert all_entities(receiver) == {}
    assert receiver.stub.ListChanges(pb.ListChangesRequest(origin_site="site-a")).changes == []


def test_a_site_whose_log_went_back_in_time_holds_replication_instead_of_reusing_sequences(
    start, tmp_path
):
    b = start("site-b", peers=["site-a"])
    a = start("site-a", peers=["site-b"])
    write_changes(a, 10, batch=5)
    wait_until(lambda: converged(a, b))
    a.stop()

    # As if site-a's database were restored from a backup taken before those changes.
    a = start("site-a", peers=["site-b"], database_url=f"sqlite:///{tmp_path}/restored.sqlite3")
    put(a, [entity("site-a", SERVER, "after-restore")])

    held = wait_until(lambda: status(a).peers[0].last_error)
    assert held.startswith("site-b has applied this site's changes up to 10 but this site's log")
    assert "restored from an older backup" in held
    assert not status(a).peers[0].connected
    received = b.stub.ListChanges(pb.ListChangesRequest(origin_site="site-a")).changes
    assert [c.entity.key.id for c in received if c.sequence == 1] == ["vm-0"]
    assert ("site-a", SERVER, "after-restore") not in all_entities(b)


def test_a_stopping_receiver_ends_an_idle_peers_stream_instead_of_waiting_out_its_grace(start):
    receiver = start("site-b", peers=["site-a"])
    sender = start("site-a", peers=["site-b"])
    write_changes(sender, 3)
    wait_until(
        lambda: status(sender).peers[0].changes_behind == 0 and status(sender).peers[0].connected
    )

    # The sender's stream is open and idle; a grace of ten minutes would be waited out whole.
    stopped = threading.Event()
    threading.Thread(target=lambda: (receiver.server.stop(600), stopped.set()), daemon=True).start()
    assert stopped.wait(60), "the server waited for the idle replication stream"
    peer = wait_until(
        lambda: status(sender).peers[0] if status(sender).peers[0].last_error else None
    )
    assert "UNAVAILABLE" in peer.last_error and not peer.connected
