"""How the compute service copes when the FlashArray under Cinder errors while Cinder manages
or deletes a volume: a transient failure is tried again, a refusal fails at once, and nothing
is left behind either way."""

import uuid

import grpc
import pytest
from pypureclient import flasharray as fa

from draas.compute.v1 import compute_pb2 as pb
from simulators.flasharray.control_client import SimulatorControl
from tests.functional.lab import array_client, tenant_connection

HOST = "cinder@tenant1-async#tenant1-async"


@pytest.fixture
def control(lab):
    control = SimulatorControl(lab.flasharrays.control_url)
    yield control
    control.clear_errors("array-b")
    control.close()


@pytest.fixture
def project_b(lab):
    return lab.regions["site-b"].project_id("tenant1")


def array_b(lab):
    return lab.flasharrays.fabric.arrays["array-b"]


def recovered_copy(lab, control, name):
    """An array volume on array-b with three writes, as the storage service would recover it."""
    made = array_client(lab, "array-b").post_volumes(
        names=[name], volume=fa.VolumePost(provisioned=2 * 2**30)
    )
    assert made.status_code == 200, made.errors
    control.write("array-b", name, count=3)
    return name


def cinder_volumes(lab):
    return {v.id: v for v in tenant_connection(lab, "site-b").block_storage.volumes()}


def manage(compute, project_b, source, request_id):
    return compute["site-b"].ManageVolume(
        pb.ManageVolumeRequest(
            project_id=project_b,
            host=HOST,
            source_name=source,
            volume_type="tenant1-async",
            request_id=request_id,
        )
    )


def rpc_error(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value


@pytest.mark.parametrize(
    ("path", "count"),
    [
        # Before the array volume changes: looking it up fails, twice.
        ("/volumes", 2),
        # After Cinder's driver renamed it: adding it to the protection group fails.
        ("protection-groups/volumes", 1),
    ],
    ids=["before-the-rename", "after-the-rename"],
)
def test_a_manage_succeeds_after_transient_array_errors(
    compute, lab, control, project_b, path, count
):
    source = recovered_copy(lab, control, f"flaky-{uuid.uuid4().hex[:8]}")
    before, array = cinder_volumes(lab), array_b(lab)
    names = set(array.volumes)
    control.inject_errors("array-b", count=count, path_contains=path)

    managed = manage(compute, project_b, source, f"flaky-{uuid.uuid4().hex[:8]}")

    name = f"volume-{managed.id}-cinder"
    assert (managed.status, managed.array_volume_name) == ("available", name)
    # The same data, under Cinder's name, replicated; no other array volume came or went.
    assert control.volume_data("array-b", name)["count"] == 3
    assert name in [v.name for v in array.protection_groups["tenant1-pg"].volumes]
    assert set(array.volumes) == names - {source} | {name}
    # The failed tries left no volume in Cinder: only the managed one is new.
    assert set(cinder_volumes(lab)) - set(before) == {managed.id}


def test_a_manage_of_a_missing_array_volume_fails_at_once(compute, lab, project_b):
    before = cinder_volumes(lab)
    refused = rpc_error(manage, compute, project_b, "never-recovered", "manage-never")
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert refused.details() == (
        "Cinder could not manage array volume never-recovered: manage existing volume failed: "
        "Manage existing volume failed due to invalid backend reference "
        "{'source-name': 'never-recovered'}: no such volume on array array-b."
    )
    assert set(cinder_volumes(lab)) == set(before)
    # One try only: Cinder said so about one volume.
    conn = tenant_connection(lab, "site-b")
    listed = conn.block_storage.get("/messages").json()["messages"]
    assert len([m for m in listed if "never-recovered" in m["user_message"]]) == 1


def test_an_array_that_keeps_failing_is_unavailable_and_leaves_the_copy(
    compute, lab, control, project_b
):
    source = recovered_copy(lab, control, f"down-{uuid.uuid4().hex[:8]}")
    before = cinder_volumes(lab)
    control.inject_errors("array-b", rate=1.0, path_contains="/volumes")

    failed = rpc_error(manage, compute, project_b, source, f"manage-{source}")

    control.clear_errors("array-b")
    assert failed.code() == grpc.StatusCode.UNAVAILABLE
    assert failed.details() == (
        f"Cinder could not manage array volume {source} in 5 tries; the last failed: manage "
        f"existing volume failed: FlashArray error while trying to look up volume {source} "
        "(HTTP 500): Injected failure."
    )
    assert set(cinder_volumes(lab)) == set(before)
    assert control.volume_data("array-b", source)["count"] == 3


def test_cleanup_deletes_a_volume_cinder_left_error_deleting(compute, lab, control, project_b):
    conn = tenant_connection(lab, "site-b")
    made = conn.block_storage.wait_for_status(
        conn.block_storage.create_volume(size=1, volume_type="tenant1-async"),
        "available",
        interval=0.02,
        wait=20,
    )
    name = made.metadata["array_volume_name"]
    control.inject_errors("array-b", count=1, path_contains="/volumes")
    conn.block_storage.delete_volume(made)
    conn.block_storage.wait_for_status(made, "error_deleting", failures=[], interval=0.02, wait=20)
    assert not array_b(lab).volumes[name].destroyed
    # The cleanup's own first delete fails on the array too.
    control.inject_errors("array-b", count=1, path_contains="/volumes")

    removed = compute["site-b"].DeleteResources(
        pb.DeleteResourcesRequest(
            project_id=project_b,
            resources=[pb.ResourceRef(type=pb.RESOURCE_TYPE_VOLUME, id=made.id)],
        )
    )

    assert [(r.type, r.id) for r in removed.deleted] == [(pb.RESOURCE_TYPE_VOLUME, made.id)]
    assert conn.block_storage.find_volume(made.id, ignore_missing=True) is None
    assert array_b(lab).volumes[name].destroyed
