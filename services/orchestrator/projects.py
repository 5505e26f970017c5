"""Tenants across sites. Each site may have its own Keystone, where one tenant's project has
another id; a group's source site links the two when the group is made, and both sites
remember the link, so a tenant's requests at either site find the group whichever project id
its record is filed under (the one of the site the group runs at)."""

from __future__ import annotations

from sqlalchemy import select

from common.db import Database
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator.clients import Clients
from services.orchestrator.engine.store import now
from services.orchestrator.models import ProjectLinkRecord


class ProjectLinks:
    """This site's links between its projects and peer sites' projects."""

    def __init__(self, database: Database, clients: Clients, site: str) -> None:
        self.db = database
        self.clients = clients
        self.site = site

    def remember(self, local_project_id: str, peer_site: str, peer_project_id: str) -> None:
        with self.db.transaction() as session:
            link = session.get(ProjectLinkRecord, (local_project_id, peer_site))
            if link is None:
                session.add(
                    ProjectLinkRecord(
                        local_project_id=local_project_id,
                        peer_site=peer_site,
                        peer_project_id=peer_project_id,
                        linked_at=now(),
                    )
                )
            else:
                link.peer_project_id, link.linked_at = peer_project_id, now()

    def known_as(self, local_project_id: str) -> list[str]:
        """The project ids a record of this tenant may be filed under: its own, then the
        linked ones."""
        with self.db.transaction() as session:
            linked = session.scalars(
                select(ProjectLinkRecord.peer_project_id)
                .where(ProjectLinkRecord.local_project_id == local_project_id)
                .order_by(ProjectLinkRecord.peer_site)
            )
            return [local_project_id, *[p for p in linked if p != local_project_id]]

    def local_id(self, filed_under: str) -> str:
        """The project here that a record filed under `filed_under` belongs to: the one linked
        to it, or that project itself."""
        with self.db.transaction() as session:
            local = session.scalars(
                select(ProjectLinkRecord.local_project_id)
                .where(ProjectLinkRecord.peer_project_id == filed_under)
                .order_by(ProjectLinkRecord.peer_site)
            ).first()
        return local or filed_under

    def link_with(self, local_project_id: str, peer_site: str, given: str = "") -> str:
        """Asks the peer which project there is this tenant's (`given`, or the one with this
        project's name), remembers it, and returns it.

        :raises NotFound: the peer has no such project.
        """
        with mapped_errors():
            own = self.clients.compute.FindProject(
                cpb.FindProjectRequest(project_id=local_project_id)
            )
            linked = self.clients.peer(peer_site).LinkProject(
                opb.LinkProjectRequest(
                    source_site=self.site,
                    source_project_id=local_project_id,
                    project_name=own.name,
                    target_project_id=given,
                )
            )
        self.remember(local_project_id, peer_site, linked.project_id)
        return linked.project_id

    def accept(self, source_site: str, source_project_id: str, name: str, given: str) -> str:
        """The peer side of link_with: finds the project here and remembers the link.

        :raises NotFound: no such project here.
        """
        with mapped_errors():
            found = self.clients.compute.FindProject(
                cpb.FindProjectRequest(project_id=given)
                if given
                else cpb.FindProjectRequest(name=name)
            )
        self.remember(found.id, source_site, source_project_id)
        return found.id
