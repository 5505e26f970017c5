"""What a group's source site does when its target site asks during a planned failover: stop
the group's VMs and capture them a last time, or start them again when the failover is given
up."""

from __future__ import annotations

from datetime import UTC, datetime

from common.errors import FailedPrecondition
from common.grpc_client import mapped_errors
from draas.compute.v1 import compute_pb2 as cpb
from draas.metadata.v1 import metadata_pb2 as mpb
from services.orchestrator.clients import Clients
from services.orchestrator.groups import GroupRecords
from services.orchestrator.steps.base import parallel


class SourceSite:
    """The source side of a planned failover."""

    def __init__(self, site: str, clients: Clients, records: GroupRecords) -> None:
        self.site = site
        self.clients = clients
        self.records = records

    def stop(self, project_id: str, group_id: str) -> tuple[list[str], int, datetime]:
        """Stops the group's running VMs (all at once), captures the project, and returns the
        VMs it stopped, this site's metadata sequence after the capture, and when they were
        all stopped.

        :raises FailedPrecondition: the group does not run here, or a VM cannot be stopped.
        """
        group = self.records.get(project_id, group_id)
        if group.owner_site != self.site:
            raise FailedPrecondition(
                f"failover group {group.name} runs at site {group.owner_site}, not here"
            )
        compute = self.clients.compute

        def stop(server_id: str) -> str | None:
            with mapped_errors():
                server = compute.GetServer(
                    cpb.GetServerRequest(project_id=project_id, server_id=server_id)
                )
                if server.status == "SHUTOFF":
                    return None
                compute.QuiesceServer(
                    cpb.QuiesceServerRequest(
                        project_id=project_id, server_id=server_id, mode=cpb.QUIESCE_MODE_STOP
                    )
                )
            return server_id

        stopped = [s for s in parallel([vm.server_id for vm in group.vms], stop) if s]
        stopped_at = datetime.now(UTC)
        with mapped_errors():
            self.clients.metadata.CaptureProject(mpb.CaptureProjectRequest(project_id=project_id))
            sequence = self.clients.metadata.GetReplicationStatus(
                mpb.GetReplicationStatusRequest()
            ).local_sequence
        return stopped, sequence, stopped_at

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
