"""Tenants across sites. Each site may have its own Keystone, where one tenant's project has
another id; a group's source site links the two when the group is made, and both sites
remember the link, so a tenant's requests at either site find the group whichever project id
its record is filed under (the one of the site the group runs at).

A link decides whose VMs a tenant may recover and see at the other site, so it is proven, never
asserted (see docs/security.md):
- the caller shows a token of the target site, scoped to the project there, with a role that
  may change it (`link_roles`); the target site validates it with its own Keystone;
- or an admin of the source site links the projects;
- or both sites share one Keystone and the project has the same id at both (the caller's
  token for it is its proof).
A project is linked to at most one project per peer site, in both directions, and a link is
never replaced: a request that disagrees with one is refused, naming it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.db import Database
from common.errors import FailedPrecondition, NotFound, PermissionDenied, Unauthenticated
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from draas.orchestrator.v1 import orchestrator_pb2 as opb
from services.orchestrator.clients import Clients
from services.orchestrator.engine.store import now
from services.orchestrator.models import ProjectLinkRecord

DEFAULT_LINK_ROLES = ("member", "admin")


class ProjectLinks:
    """This site's links between its projects and peer sites' projects."""

    def __init__(
        self,
        database: Database,
        clients: Clients,
        site: str,
        link_roles: tuple[str, ...] | list[str] = DEFAULT_LINK_ROLES,
    ) -> None:
        self.db = database
        self.clients = clients
        self.site = site
        self.link_roles = frozenset(link_roles)

    def remember(self, local_project_id: str, peer_site: str, peer_project_id: str) -> None:
        """Records the link, or finds it recorded already.

        :raises FailedPrecondition: either project is linked to another one, naming that link.
        """
        with self.db.transaction() as session:
            mine = session.get(ProjectLinkRecord, (local_project_id, peer_site))
            if mine is not None:
                if mine.peer_project_id == peer_project_id:
                    return
                raise _conflict(self.site, mine)
            theirs = session.scalars(
                select(ProjectLinkRecord).where(
                    ProjectLinkRecord.peer_site == peer_site,
                    ProjectLinkRecord.peer_project_id == peer_project_id,
                )
            ).first()
            if theirs is not None:
                raise _conflict(self.site, theirs)
            session.add(
                ProjectLinkRecord(
                    local_project_id=local_project_id,
                    peer_site=peer_site,
                    peer_project_id=peer_project_id,
                    linked_at=now(),
                )
            )

    def linked(self, local_project_id: str, peer_site: str) -> str | None:
        """The project at `peer_site` this project is linked to, if any."""
        with self.db.transaction() as session:
            link = session.get(ProjectLinkRecord, (local_project_id, peer_site))
            return link.peer_project_id if link else None

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

    def link_with(
        self,
        local_project_id: str,
        peer_site: str,
        given: str = "",
        target_token: str = "",
        by_admin: bool = False,
    ) -> str:
        """The tenant's project at `peer_site`: the one this project is linked to, or else one
        the peer links it to on the proof given (see the module's docstring).

        :raises FailedPrecondition: `given` disagrees with the existing link, or the peer's
            project is linked to another one (naming the link).
        :raises PermissionDenied: nothing proves the caller holds the project at the peer.
        :raises NotFound: the peer has no such project.
        """
        existing = self.linked(local_project_id, peer_site)
        if existing is not None:
            if given and given != existing:
                raise FailedPrecondition(
                    f"target_project_id: project {local_project_id} is linked to project "
                    f"{existing} at {peer_site}, and a link is never replaced"
                )
            return existing
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
                    target_token=target_token,
                    by_admin=by_admin,
                )
            )
        self._remember_once(local_project_id, peer_site, linked.project_id)
        return linked.project_id

    def accept(self, request: opb.LinkProjectRequest) -> str:
        """The peer side of link_with: the project here, on its proof, linked and remembered.

        :raises PermissionDenied: the proof does not hold (naming what is wrong).
        :raises FailedPrecondition: either project is linked to another one already.
        :raises NotFound: no such project here.
        """
        project = self._proven(request)
        self._remember_once(project, request.source_site, request.source_project_id)
        return project

    def _proven(self, request: opb.LinkProjectRequest) -> str:
        given = request.target_project_id
        if request.target_token:
            identity = self._identify(request.target_token)
            if not identity.project_id:
                raise PermissionDenied(
                    f"target_token: the token of {self.site} is not scoped to a project"
                )
            if given and given != identity.project_id:
                raise PermissionDenied(
                    f"target_project_id: the token of {self.site} is scoped to project "
                    f"{identity.project_id}, not {given}"
                )
            if not self.link_roles & set(identity.roles):
                raise PermissionDenied(
                    f"target_token: its roles in project {identity.project_id} at {self.site} "
                    f"({', '.join(identity.roles) or 'none'}) may not change it (one of "
                    f"{', '.join(sorted(self.link_roles))} may)"
                )
            return identity.project_id
        if request.by_admin:
            with mapped_errors():
                found = self.clients.compute.FindProject(
                    cpb.FindProjectRequest(project_id=given)
                    if given
                    else cpb.FindProjectRequest(name=request.project_name)
                )
            return found.id
        same = request.source_project_id
        if given and given != same:
            raise PermissionDenied(
                f"target_project_id: nothing proves you hold project {given} at {self.site}: "
                f"send a token of {self.site} scoped to it (X-Target-Auth-Token), or ask an "
                "admin to link the projects"
            )
        try:
            with mapped_errors():
                found = self.clients.compute.FindProject(cpb.FindProjectRequest(project_id=same))
        except NotFound:
            raise PermissionDenied(
                f"your project is not linked to a project at {self.site}: send a token of "
                f"{self.site} scoped to your project there (X-Target-Auth-Token) to prove you "
                "hold it, or ask an admin to link the projects"
            ) from None
        return found.id

    def _identify(self, token: str) -> cpb.TokenIdentity:
        try:
            with mapped_errors():
                return self.clients.compute.IdentifyToken(cpb.IdentifyTokenRequest(token=token))
        except Unauthenticated as error:
            raise PermissionDenied(f"target_token: {error}") from None

    def _remember_once(self, local_project_id: str, peer_site: str, peer_project_id: str) -> None:
        try:
            self.remember(local_project_id, peer_site, peer_project_id)
        except IntegrityError:
            # A concurrent request recorded a link first (the unique keys let one in): judged
            # against what it recorded.
            self.remember(local_project_id, peer_site, peer_project_id)


def _conflict(site: str, link: ProjectLinkRecord) -> FailedPrecondition:
    since = link.linked_at
    when = since.isoformat(timespec="seconds") if isinstance(since, datetime) else str(since)
    return FailedPrecondition(
        f"project {link.local_project_id} at {site} is linked to project "
        f"{link.peer_project_id} at {link.peer_site} (since {when}), and a link is never "
        "replaced"
    )
