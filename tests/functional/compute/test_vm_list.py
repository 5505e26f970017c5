"""The list of every VM (`volumes_only`, read as the APIs' JSON) says of each server and volume
what the full capture (openstacksdk's resources) says, across pages as Nova and Cinder cap
them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from draas.compute.v1 import compute_pb2 as pb

SERVER_FIELDS = (
    "id",
    "name",
    "project_id",
    "status",
    "image_id",
    "key_name",
    "server_group_id",
    "availability_zone",
    "metadata",
    "block_devices",
    "created_at",
)


def _listed(compute, source) -> pb.Inventory:
    return compute["site-a"].CaptureInventory(
        pb.CaptureInventoryRequest(project_id=source.project_id, volumes_only=True)
    )


@pytest.fixture
def small_pages(lab) -> Iterator[None]:
    """Site A's Nova and Cinder answer one item a page."""
    store = lab.regions["site-a"].store
    kept = store.max_limit
    store.max_limit = 1
    try:
        yield
    finally:
        store.max_limit = kept


def _agrees_with_capture(listed: pb.Inventory, compute, source) -> None:
    names = sorted(source.servers)
    captured = compute["site-a"].CaptureInventory(
        pb.CaptureInventoryRequest(
            project_id=source.project_id, server_ids=[source.servers[n].id for n in names]
        )
    )
    listed_servers = {s.id: s for s in listed.servers}
    assert {s.id for s in captured.servers} <= set(listed_servers)
    for server in captured.servers:
        mine = listed_servers[server.id]
        for name in SERVER_FIELDS:
            assert getattr(mine, name) == getattr(server, name), (server.name, name)
    listed_volumes = {v.id: v for v in listed.volumes}
    for volume in captured.volumes:
        assert listed_volumes[volume.id] == volume
    assert any(v.bootable for v in captured.volumes)
    assert {t.name for t in listed.volume_types} >= {v.volume_type for v in captured.volumes}


def test_every_vm_listed_as_the_capture_reads_it(compute, source):
    _agrees_with_capture(_listed(compute, source), compute, source)


def test_every_page_is_read_when_the_apis_cap_a_page(compute, source, small_pages):
    listed = _listed(compute, source)
    assert len({s.id for s in listed.servers}) == len(listed.servers) >= len(source.servers)
    _agrees_with_capture(listed, compute, source)
