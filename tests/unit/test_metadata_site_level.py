"""Which captured resources are the site's, and how the store files them over time (issue 14):
on a SQLite file, without sockets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from common.db import Database
from services.metadata.capture import references, site_level
from services.metadata.models import MIGRATIONS
from services.metadata.store import SITE_LEVEL, EntityKey, MetadataStore, Observed

SITE = "site-a"
KINDS = {"SERVER", "FLAVOR"}


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("FLAVOR", {"is_public": True}, True),
        ("FLAVOR", {}, False),
        ("VOLUME_TYPE", {"is_public": True}, True),
        ("VOLUME_TYPE", {"name": "tenant-async"}, False),
        ("IMAGE", {"visibility": "public"}, True),
        ("IMAGE", {"visibility": "community"}, True),
        ("IMAGE", {"visibility": "shared"}, False),
        ("IMAGE", {"visibility": "private"}, False),
        ("NETWORK", {"shared": True, "project_id": "p1"}, True),
        ("NETWORK", {"external": True}, True),
        ("NETWORK", {"project_id": "admin"}, True),
        ("NETWORK", {"project_id": "p1"}, False),
        ("SUBNET", {"network_id": "shared-net"}, True),
        ("SUBNET", {"network_id": "own-net"}, False),
        ("ROUTER", {"project_id": "admin"}, True),
        ("ROUTER", {"project_id": "p1"}, False),
        ("SECURITY_GROUP", {"project_id": "p1"}, False),
        ("SERVER", {"project_id": "admin"}, False),
        ("KEY_PAIR", {"name": "default"}, False),
    ],
)
def test_what_the_cloud_lets_every_project_use_is_the_sites(
    kind: str, body: dict[str, Any], expected: bool
) -> None:
    assert site_level(kind, body, "p1", {"shared-net"}) is expected


def test_what_captured_records_name_is_what_may_have_vanished() -> None:
    def seen(kind: str, entity_id: str, **body: Any) -> tuple[EntityKey, Observed]:
        return EntityKey(SITE, kind, entity_id), Observed("", body)

    observed = dict(
        [
            seen("SERVER", "s1", flavor_id="2", image_id=""),
            seen("VOLUME", "v1", image_metadata={"image_id": "img"}),
            seen(
                "PORT",
                "port1",
                network_id="n1",
                fixed_ips=[{"subnet_id": "sub1"}],
                security_group_ids=["sg1"],
            ),
        ]
    )
    assert references(SITE, observed) == {
        EntityKey(SITE, kind, i)
        for kind, i in [
            ("FLAVOR", "2"),
            ("IMAGE", "img"),
            ("NETWORK", "n1"),
            ("SUBNET", "sub1"),
            ("SECURITY_GROUP", "sg1"),
        ]
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetadataStore]:
    database = Database(f"sqlite:///{tmp_path}/metadata.sqlite3")
    MIGRATIONS.upgrade(database.engine)
    yield MetadataStore(database, SITE)
    database.close()


FLAVOR = EntityKey(SITE, "FLAVOR", "private-ish")
KEY_PAIR = EntityKey(SITE, "KEY_PAIR", "default")


def uses(project: str, flavor: bool = True) -> dict[EntityKey, Observed]:
    """A project's server, and the flavor it runs on (as its capture finds them)."""
    server = EntityKey(SITE, "SERVER", f"server-of-{project}")
    found = {server: Observed("", {"flavor_id": FLAVOR.id} if flavor else {})}
    if flavor:
        found[FLAVOR] = Observed("", {"name": "m1.custom"}, shareable=True)
    return found


def filed(store: MetadataStore, project: str, at: datetime | None = None) -> set[str]:
    return {
        e.key.kind
        for e in store.entities(project, kinds={"FLAVOR"}, as_of=at, site_level=True)
        if not e.deleted
    }


def moment() -> datetime:
    time.sleep(0.01)
    at = datetime.now(UTC)
    time.sleep(0.01)
    return at


def test_a_flavor_two_projects_use_becomes_the_sites_and_history_follows(
    store: MetadataStore,
) -> None:
    store.capture("p1", uses("p1"), KINDS)
    only_p1 = moment()
    assert store.get(FLAVOR).project_id == "p1"
    assert filed(store, "p2") == set()

    # p2's servers use it too: it is the site's, counted as changed, not duplicated.
    counts = store.capture("p2", uses("p2"), KINDS)
    assert (counts.created, counts.updated) == (1, 1)
    both = moment()
    assert store.get(FLAVOR).project_id == SITE_LEVEL
    # A capture of p1 neither takes it back nor changes it.
    assert store.capture("p1", uses("p1"), KINDS).unchanged == 2
    assert store.get(FLAVOR).project_id == SITE_LEVEL

    # p1 stops using it: still the site's, still there for p2.
    assert store.capture("p1", uses("p1", flavor=False), KINDS).deleted == 0
    assert store.get(FLAVOR).deleted is False
    assert filed(store, "p2") == {"FLAVOR"}

    # As it was: p1's alone before p2 used it, the site's after.
    assert filed(store, "p1", only_p1) == {"FLAVOR"}
    assert filed(store, "p2", only_p1) == set()
    assert filed(store, "p2", both) == {"FLAVOR"}


def test_a_private_resource_is_refiled_only_once_its_project_let_it_go(
    store: MetadataStore,
) -> None:
    store.capture("p1", uses("p1"), KINDS)
    store.capture("p1", uses("p1", flavor=False), KINDS)
    assert store.get(FLAVOR).deleted is True
    gone = moment()

    store.capture("p2", uses("p2"), KINDS)
    assert (store.get(FLAVOR).project_id, store.get(FLAVOR).deleted) == ("p2", False)
    assert filed(store, "p1") == set()
    assert filed(store, "p1", gone) == set()
    assert filed(store, "p2") == {"FLAVOR"}


def test_a_key_pair_of_the_same_name_in_another_project_is_not_taken(
    store: MetadataStore,
) -> None:
    store.capture("p1", {KEY_PAIR: Observed("", {"public_key": "p1's"})}, {"KEY_PAIR"})
    counts = store.capture("p2", {KEY_PAIR: Observed("", {"public_key": "p2's"})}, {"KEY_PAIR"})
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 0)
    kept = store.get(KEY_PAIR)
    assert (kept.project_id, kept.body) == ("p1", {"public_key": "p1's"})


def test_only_a_site_level_resource_gone_from_the_cloud_is_marked_deleted(
    store: MetadataStore,
) -> None:
    public = EntityKey(SITE, "IMAGE", "public")
    store.capture("p1", {public: Observed("", {}, site_level=True)}, {"IMAGE"})
    assert store.get(public).project_id == SITE_LEVEL
    # Neither when p1 no longer uses it, nor by a partial capture.
    assert store.capture("p1", {}, {"IMAGE"}).deleted == 0
    assert store.capture("p1", {}, {"IMAGE"}, partial=True, vanished=[public]).deleted == 0
    assert store.get(public).deleted is False

    assert store.capture("p1", {}, {"IMAGE"}, vanished=[public]).deleted == 1
    gone = store.get(public)
    assert (gone.deleted, gone.project_id) == (True, SITE_LEVEL)
