"""Everything needed to rebuild a failover group's VMs: the group record, its servers and what
they use, found by following the ids in the captured records.

Only the project's own records and the site-level ones are followed: a public flavor or a
shared network is in every bundle whose servers use it, another project's private flavor,
image or network in none, whatever a record names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from common.errors import NotFound
from services.metadata.store import FAILOVER_GROUP, Entity, MetadataStore


def recovery_bundle(
    store: MetadataStore, project_id: str, group_id: str, as_of: datetime | None
) -> tuple[Entity, list[Entity], int]:
    """The group, the entities its VMs need, and how far this site has the group owner's
    changes (its own sequence, when it owns the group; with `as_of`, the owner's last change
    made by then).

    :raises NotFound: when this site holds no such group (at that time).
    """
    entities = store.entities(project_id, as_of=as_of, site_level=True)
    own = [e for e in entities if e.project_id == project_id]
    group = next((e for e in own if e.key.kind == FAILOVER_GROUP and e.key.id == group_id), None)
    if group is None:
        raise NotFound(f"site {store.site} holds no group {group_id} in project {project_id}")
    # Both sites' records of a project may be here (a group that failed over): a server's
    # flavor "2" or volume type "gold" is the one recorded at the server's own site.
    by_id = {(e.key.site, e.key.kind, e.key.id): e for e in entities}
    by_name = {(e.key.site, e.key.kind, str(e.body.get("name", ""))): e for e in entities}
    chosen: dict[tuple[str, str], Entity] = {}

    def take(
        site: str,
        kind: str,
        ids: Iterable[Any],
        lookup: dict[tuple[str, str, str], Entity] = by_id,
    ) -> list[Entity]:
        found = [lookup[(site, kind, str(i))] for i in ids if i and (site, kind, str(i)) in lookup]
        for entity in found:
            chosen[(entity.key.kind, entity.key.id)] = entity
        return found

    members = {str(vm.get("server_id")) for vm in group.body.get("vms", [])}
    servers = [e for e in own if e.key.kind == "SERVER" and e.key.id in members]
    for entity in servers:
        chosen[(entity.key.kind, entity.key.id)] = entity
    for server in servers:
        body, site = server.body, server.key.site
        take(site, "FLAVOR", [body.get("flavor_id")])
        take(site, "IMAGE", [body.get("image_id")])
        take(site, "KEY_PAIR", [body.get("key_name")])
        take(site, "SERVER_GROUP", [body.get("server_group_id")])
        for volume in take(
            site, "VOLUME", [d.get("volume_id") for d in body.get("block_devices", [])]
        ):
            take(site, "VOLUME_TYPE", [volume.body.get("volume_type")], by_name)
            take(site, "IMAGE", [volume.body.get("image_metadata", {}).get("image_id")])
        ports = take(site, "PORT", body.get("port_ids", []))
        networks = take(site, "NETWORK", {p.body.get("network_id") for p in ports})
        network_ids = {n.key.id for n in networks}
        subnets = take(
            site,
            "SUBNET",
            [
                e.key.id
                for e in entities
                if e.key.kind == "SUBNET"
                and e.key.site == site
                and e.body.get("network_id") in network_ids
            ],
        )
        subnet_ids = {s.key.id for s in subnets}
        take(
            site,
            "ROUTER",
            [
                e.key.id
                for e in entities
                if e.key.kind == "ROUTER"
                and e.key.site == site
                and any(i.get("subnet_id") in subnet_ids for i in e.body.get("interfaces", []))
            ],
        )
        groups = {g for p in ports for g in p.body.get("security_group_ids", [])}
        while groups:
            found = take(site, "SECURITY_GROUP", groups)
            groups = {
                r.get("remote_group_id")
                for g in found
                for r in g.body.get("rules", [])
                if r.get("remote_group_id")
            } - {key for kind, key in chosen if kind == "SECURITY_GROUP"}
    if as_of is not None:
        applied = store.sequence_at(group.owner_site, as_of)
    elif group.owner_site == store.site:
        applied = store.local_sequence()
    else:
        applied = store.applied(group.owner_site)
    return group, sorted(chosen.values(), key=lambda e: e.key), applied
