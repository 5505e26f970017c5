"""What a group's source site does when its target site asks: during a planned failover, stop
the group's VMs and capture them a last time, or start them again when the failover is given
up; during a reprotect, remove the group's old VMs, then the network copies made for them."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import json_format
from sqlalchemy import select

from common.db import Database
from common.errors import FailedPrecondition, InvalidArgument, ServiceUnavailable
from common.grpc_client import mapped_errors
from draas.common.v1 import types_pb2
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from services.orchestrator import network_copies
from services.orchestrator.clients import Clients
from services.orchestrator.groups import Group, GroupRecords
from services.orchestrator.models import SourceStopRecord
from services.orchestrator.steps.base import parallel


class SourceSite:
    """The source side of a planned failover."""

    def __init__(
        self, site: str, clients: Clients, records: GroupRecords, database: Database
    ) -> None:
        self.site = site
        self.clients = clients
        self.records = records
        self.db = database

    def stop(
        self, project_id: str, group_id: str, operation_id: str
    ) -> tuple[list[str], int, datetime]:
        """Stops the group's running VMs (all at once), captures the project, and returns the
        VMs the operation stopped (on this call or an earlier one: a repeat answers alike),
        this site's metadata sequence after the capture, and when they were all stopped.

        :raises FailedPrecondition: the group does not run here, or a VM cannot be stopped.
        """
        group = self.records.get(project_id, group_id)
        if group.owner_site != self.site:
            raise FailedPrecondition(
                f"failover group {group.name} runs at {group.owner_site}, not here"
            )
        compute = self.clients.compute

        def stop(server_id: str) -> str | None:
            with mapped_errors():
                server = compute.GetServer(
                    cpb.GetServerRequest(project_id=project_id, server_id=server_id)
                )
                if server.status == "SHUTOFF":
                    return None
                self._remember_stop(operation_id, server_id)
                compute.QuiesceServer(
                    cpb.QuiesceServerRequest(
                        project_id=project_id, server_id=server_id, mode=cpb.QUIESCE_MODE_STOP
                    )
                )
            return server_id

        parallel([vm.server_id for vm in group.vms], stop)
        stopped_at = datetime.now(UTC)
        stopped = self._stopped_by(operation_id, stopped_at)
        with mapped_errors():
            self.clients.metadata.CaptureProject(mpb.CaptureProjectRequest(project_id=project_id))
            sequence = self.clients.metadata.GetReplicationStatus(
                mpb.GetReplicationStatusRequest()
            ).local_sequence
        return stopped, sequence, stopped_at

    def _remember_stop(self, operation_id: str, server_id: str) -> None:
        with self.db.transaction() as session:
            if session.get(SourceStopRecord, (operation_id, server_id)) is None:
                session.add(SourceStopRecord(operation_id=operation_id, server_id=server_id))

    def _stopped_by(self, operation_id: str, moment: datetime) -> list[str]:
        """Every VM the operation stopped here, each marked stopped by `moment` at the latest."""
        with self.db.transaction() as session:
            rows = session.scalars(
                select(SourceStopRecord).where(SourceStopRecord.operation_id == operation_id)
            ).all()
            for row in rows:
                row.stopped_at = row.stopped_at or moment
            return sorted(row.server_id for row in rows)

    def restart(self, project_id: str, group_id: str, server_ids: list[str]) -> list[str]:
        """Starts those of the VMs that are stopped; returns them."""
        group = self.records.get(project_id, group_id)
        members = {vm.server_id for vm in group.vms}
        compute = self.clients.compute

        def start(server_id: str) -> str | None:
            with mapped_errors():
                server = compute.GetServer(
                    cpb.GetServerRequest(project_id=project_id, server_id=server_id)
                )
                if server.status == "ACTIVE":
                    return None
                compute.ThawServer(
                    cpb.ThawServerRequest(project_id=project_id, server_id=server_id)
                )
            return server_id

        wanted = [s for s in server_ids if s in members]
        return [s for s in parallel(wanted, start) if s]

    def retire(
        self, project_id: str, group_id: str, server_ids: list[str]
    ) -> tuple[list[str], list[str]]:
        """Deletes the group's old VMs here (servers, then their ports and volumes), once this
        site has seen the group run elsewhere; returns what it deleted and what was gone.

        :raises ServiceUnavailable: this site still sees the group running here (its metadata
            has not caught up with the move yet): ask again.
        :raises InvalidArgument: a server that was not a VM of the group here.
        """
        group = self._moved_away(project_id, group_id)
        servers = {e.key.id: e for e in self._own_entities(project_id, group_id)}
        strangers = [s for s in server_ids if s not in servers]
        if strangers:
            raise InvalidArgument(
                "server_ids",
                f"{', '.join(strangers)} were not VMs of group {group.name} at {self.site}",
            )
        refs = []
        for server_id in server_ids:
            body = json_format.MessageToDict(servers[server_id].body)
            refs.append(cpb.ResourceRef(type=cpb.RESOURCE_TYPE_SERVER, id=server_id))
            refs += [
                cpb.ResourceRef(type=cpb.RESOURCE_TYPE_PORT, id=str(p))
                for p in body.get("port_ids", [])
            ]
            refs += [
                cpb.ResourceRef(type=cpb.RESOURCE_TYPE_VOLUME, id=str(d["volume_id"]))
                for d in body.get("block_devices", [])
                if d.get("volume_id")
            ]
        with mapped_errors():
            done = self.clients.compute.DeleteResources(
                cpb.DeleteResourcesRequest(project_id=project_id, resources=refs)
            )
            self.clients.metadata.CaptureProject(mpb.CaptureProjectRequest(project_id=project_id))
        return [_named(r) for r in done.deleted], [_named(r) for r in done.absent]

    def retire_networks(self, project_id: str, group_id: str) -> cpb.RemoveNetworkCopiesResponse:
        """Removes the network copies made here when the group failed over here (see
        network_copies), once this site has seen the group run elsewhere; returns what was
        removed, what was kept (with why) and what was gone.

        :raises ServiceUnavailable: this site still sees the group running here: ask again.
        """
        group = self._moved_away(project_id, group_id)
        copies, needed = network_copies.to_retire(
            self.db, self.site, project_id, group, self.records.list(project_id)
        )
        if not copies:
            return cpb.RemoveNetworkCopiesResponse()
        with mapped_errors():
            done = self.clients.compute.RemoveNetworkCopies(
                cpb.RemoveNetworkCopiesRequest(
                    project_id=project_id,
                    resources=[cpb.ResourceRef(type=t, id=i) for i, t in copies.items()],
                    needed=needed,
                )
            )
            if done.removed:
                self.clients.metadata.CaptureProject(
                    mpb.CaptureProjectRequest(project_id=project_id)
                )
        return done

    def _moved_away(self, project_id: str, group_id: str) -> Group:
        """The group's record, which must say that it runs elsewhere now.

        :raises ServiceUnavailable: it does not (this site's metadata has not caught up yet).
        """
        group = self.records.get(project_id, group_id)
        if self.site in (group.owner_site, group.source_site):
            raise ServiceUnavailable(
                f"site {self.site} still sees failover group {group.name} running here; it "
                "removes what the group had here once it has seen the group move"
            )
        return group

    def _own_entities(self, project_id: str, group_id: str) -> list[mpb.Entity]:
        """This site's records of the group's servers, deleted ones too."""
        found: list[mpb.Entity] = []
        token = ""
        while True:
            with mapped_errors():
                page = self.clients.metadata.ListEntities(
                    mpb.ListEntitiesRequest(
                        project_id=project_id,
                        group_id=group_id,
                        kinds=[mpb.ENTITY_KIND_SERVER],
                        include_deleted=True,
                        page=types_pb2.PageRequest(page_size=1000, page_token=token),
                    )
                )
            found += [e for e in page.entities if e.key.site == self.site]
            token = page.next_page_token
            if not token:
                return found


def _named(ref: cpb.ResourceRef) -> str:
    kind = cpb.ResourceType.Name(ref.type).removeprefix("RESOURCE_TYPE_").lower()
    return f"{kind} {ref.id}"
