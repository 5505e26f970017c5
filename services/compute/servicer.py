"""The compute service's gRPC surface. The captured records are the protobuf messages
themselves, so this layer only checks requests and hands them on."""

from __future__ import annotations

import grpc

from common.errors import InvalidArgument
from common.grpc_server import answers_unimplemented
from draas.compute.v1 import compute_pb2 as pb
from draas.compute.v1 import compute_pb2_grpc
from services.compute import (
    cleanup,
    copies,
    inventory,
    networks,
    projects,
    quota,
    servers,
    volumes,
)
from services.compute.cloud import Cloud

SERVICE = pb.DESCRIPTOR.services_by_name["ComputeService"]


def _source(request: object) -> None:
    if not request.HasField("source"):  # type: ignore[attr-defined]
        raise InvalidArgument("source", "is required: the resource as captured at the source site")


@answers_unimplemented(SERVICE)
class ComputeServicer(compute_pb2_grpc.ComputeServiceServicer):
    """draas.compute.v1.ComputeService over this site's OpenStack region."""

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud

    def CaptureInventory(
        self, request: pb.CaptureInventoryRequest, context: grpc.ServicerContext
    ) -> pb.Inventory:
        if request.volumes_only:
            if request.server_ids:
                raise InvalidArgument("server_ids", "volumes_only lists every server")
            return inventory.volumes_of_servers(self._cloud, request.project_id)
        return inventory.capture(self._cloud, request.project_id, list(request.server_ids))

    def GetServer(self, request: pb.GetServerRequest, context: grpc.ServicerContext) -> pb.Server:
        return servers.get_server(self._cloud, request.project_id, request.server_id)

    def ListTaggedServers(
        self, request: pb.ListTaggedServersRequest, context: grpc.ServicerContext
    ) -> pb.ListTaggedServersResponse:
        return pb.ListTaggedServersResponse(
            servers=servers.tagged(self._cloud, request.metadata_key)
        )

    def QuiesceServer(
        self, request: pb.QuiesceServerRequest, context: grpc.ServicerContext
    ) -> pb.Server:
        return servers.quiesce(self._cloud, request.project_id, request.server_id, request.mode)

    def ThawServer(self, request: pb.ThawServerRequest, context: grpc.ServicerContext) -> pb.Server:
        return servers.thaw(self._cloud, request.project_id, request.server_id)

    def ManageVolume(
        self, request: pb.ManageVolumeRequest, context: grpc.ServicerContext
    ) -> pb.Volume:
        return volumes.manage(self._cloud, request)

    def UnmanageVolume(
        self, request: pb.UnmanageVolumeRequest, context: grpc.ServicerContext
    ) -> pb.UnmanageVolumeResponse:
        volumes.unmanage(self._cloud, request.project_id, request.volume_id)
        return pb.UnmanageVolumeResponse()

    def RetypeVolume(
        self, request: pb.RetypeVolumeRequest, context: grpc.ServicerContext
    ) -> pb.Volume:
        return volumes.retype(
            self._cloud,
            request.project_id,
            request.volume_id,
            request.new_type,
            request.migration_policy,
        )

    def ListVolumeTypes(
        self, request: pb.ListVolumeTypesRequest, context: grpc.ServicerContext
    ) -> pb.ListVolumeTypesResponse:
        return pb.ListVolumeTypesResponse(
            volume_types=volumes.volume_types(self._cloud, request.project_id)
        )

    def EnsureNetwork(
        self, request: pb.EnsureNetworkRequest, context: grpc.ServicerContext
    ) -> pb.Network:
        _source(request)
        return networks.ensure_network(
            self._cloud, request.project_id, request.source, request.isolated, request.operation_id
        )

    def EnsureSubnet(
        self, request: pb.EnsureSubnetRequest, context: grpc.ServicerContext
    ) -> pb.Subnet:
        _source(request)
        return networks.ensure_subnet(
            self._cloud,
            request.project_id,
            request.source,
            request.network_id,
            request.operation_id,
        )

    def EnsureRouter(
        self, request: pb.EnsureRouterRequest, context: grpc.ServicerContext
    ) -> pb.Router:
        _source(request)
        return networks.ensure_router(
            self._cloud,
            request.project_id,
            request.source,
            dict(request.subnet_ids),
            request.external_network_id,
            request.operation_id,
            request.external_network_name,
        )

    def EnsureSecurityGroup(
        self, request: pb.EnsureSecurityGroupRequest, context: grpc.ServicerContext
    ) -> pb.EnsureSecurityGroupResponse:
        _source(request)
        group, deferred = networks.ensure_security_group(
            self._cloud,
            request.project_id,
            request.source,
            dict(request.group_ids),
            request.operation_id,
        )
        return pb.EnsureSecurityGroupResponse(group=group, deferred_rules=deferred)

    def EnsurePort(
        self, request: pb.EnsurePortRequest, context: grpc.ServicerContext
    ) -> pb.EnsurePortResponse:
        _source(request)
        port, mac_kept, ips_kept = networks.ensure_port(
            self._cloud,
            request.project_id,
            request.source,
            request.network_id,
            dict(request.subnet_ids),
            list(request.security_group_ids),
            request.operation_id,
        )
        return pb.EnsurePortResponse(port=port, mac_kept=mac_kept, fixed_ips_kept=ips_kept)

    def BootServer(
        self, request: pb.BootServerRequest, context: grpc.ServicerContext
    ) -> pb.BootServerResponse:
        return servers.boot(self._cloud, request)

    def VerifyServer(
        self, request: pb.VerifyServerRequest, context: grpc.ServicerContext
    ) -> pb.VerifyServerResponse:
        return servers.verify(self._cloud, request)

    def DeleteResources(
        self, request: pb.DeleteResourcesRequest, context: grpc.ServicerContext
    ) -> pb.DeleteResourcesResponse:
        if not request.resources and not request.operation_id and not request.made_by:
            raise InvalidArgument("resources", "name resources, an operation_id or made_by")
        return cleanup.delete(self._cloud, request)

    def RemoveNetworkCopies(
        self, request: pb.RemoveNetworkCopiesRequest, context: grpc.ServicerContext
    ) -> pb.RemoveNetworkCopiesResponse:
        return copies.remove(self._cloud, request)

    def ListExternalNetworks(
        self, request: pb.ListExternalNetworksRequest, context: grpc.ServicerContext
    ) -> pb.ListExternalNetworksResponse:
        if not request.project_id:
            raise InvalidArgument("project_id", "is required")
        return pb.ListExternalNetworksResponse(
            networks=networks.external_networks(self._cloud, request.project_id)
        )

    def FindProject(
        self, request: pb.FindProjectRequest, context: grpc.ServicerContext
    ) -> pb.Project:
        return projects.find(self._cloud, request)

    def IdentifyToken(
        self, request: pb.IdentifyTokenRequest, context: grpc.ServicerContext
    ) -> pb.TokenIdentity:
        return projects.identify(self._cloud, request.token)

    def GetQuotaHeadroom(
        self, request: pb.GetQuotaHeadroomRequest, context: grpc.ServicerContext
    ) -> pb.QuotaHeadroom:
        return quota.headroom(self._cloud, request.project_id)
