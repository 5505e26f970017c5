"""Which VMs may join a group, and why the others may not, from captured inventories."""

from draas.compute.v1 import compute_pb2 as cpb
from services.orchestrator.eligibility import check
from services.orchestrator.groups import Group

PAIRS = {"array-a": "array-b"}


def group(kind="async", **fields):
    return Group(
        id="g1",
        project_id="p",
        name="payroll",
        description="",
        replication_type=kind,
        source_site="site-a",
        target_site="site-b",
        rpo_target_seconds=60,
        state="protected",
        created_at="",
        updated_at="",
        **fields,
    )


def inventory(*volumes, types=None):
    return cpb.Inventory(
        servers=[
            cpb.Server(
                id="vm-1",
                name="web",
                block_devices=[cpb.BlockDevice(volume_id=v.id) for v in volumes],
            )
        ],
        volumes=list(volumes),
        volume_types=types
        or [
            cpb.VolumeType(name="rep-async", replication_enabled=True, replication_type="async"),
            cpb.VolumeType(name="rep-sync", replication_enabled=True, replication_type="sync"),
            cpb.VolumeType(
                name="secret", replication_enabled=True, replication_type="async", encrypted=True
            ),
            cpb.VolumeType(name="plain"),
        ],
    )


def volume(vid, vtype="rep-async", array="array-a", name=None, encrypted=False):
    return cpb.Volume(
        id=vid,
        volume_type=vtype,
        array_name=array,
        array_volume_name=name or f"volume-{vid}-cinder",
        encrypted=encrypted,
    )


def reasons(found):
    placement, refusals = found
    assert placement is None
    return [(r.volume_id, r.reason) for r in refusals]


def test_an_eligible_vm_is_placed_on_its_array_and_the_partner():
    placement, refusals = check(group(), inventory(volume("v1"), volume("v2")), "vm-1", PAIRS, {})
    assert refusals == []
    assert (placement.source_array, placement.target_array, placement.pod_name) == (
        "array-a",
        "array-b",
        "",
    )
    assert placement.volumes == ["volume-v1-cinder", "volume-v2-cinder"]


def test_every_reason_is_given_with_its_volume():
    found = check(
        group(),
        inventory(
            volume("v1", "plain"),
            volume("v2", "rep-sync"),
            volume("v3", "secret"),
            volume("v4", encrypted=True),
            volume("v5", array="array-c"),
        ),
        "vm-1",
        PAIRS,
        {"vm-1": "finance"},
    )
    assert reasons(found) == [
        ("", "it is in failover group finance already"),
        ("v1", "its type plain does not replicate"),
        ("v2", "its type rep-sync replicates sync, and group payroll replicates async"),
        ("v3", "it is encrypted; encrypted volumes cannot be recovered elsewhere"),
        ("v4", "it is encrypted; encrypted volumes cannot be recovered elsewhere"),
        ("v5", "its array array-c has no replication partner at site site-b"),
        ("", "its volumes are on array array-c; the group's are on array-a"),
    ]


def test_a_vm_without_volumes_or_on_another_array_or_pod_is_refused():
    assert reasons(check(group(), inventory(), "vm-1", PAIRS, {})) == [
        ("", "it has no volumes; only volume-backed VMs can be protected")
    ]
    on_b = group(source_array="array-b")
    assert ("", "its volumes are on array array-a; the group's are on array-b") in reasons(
        check(on_b, inventory(volume("v1")), "vm-1", {"array-a": "x", "array-b": "y"}, {})
    )
    synced = group("sync", pod_name="pod-1")
    found = check(
        synced,
        inventory(volume("v1", "rep-sync", name="pod-2::volume-v1-cinder")),
        "vm-1",
        PAIRS,
        {},
    )
    assert ("", "its volumes are in pods ['pod-2']; the group's in pod-1") in reasons(found)
    assert ("v1", "it is not in an ActiveCluster pod") in reasons(
        check(group("sync"), inventory(volume("v1", "rep-sync")), "vm-1", PAIRS, {})
    )
