"""The metadata service's gRPC surface (protobuf <-> domain).

Nothing is implemented yet: every RPC answers UNIMPLEMENTED, naming itself.
"""

from __future__ import annotations

from common.grpc_server import answers_unimplemented
from draas.metadata.v1 import metadata_pb2, metadata_pb2_grpc

SERVICE = metadata_pb2.DESCRIPTOR.services_by_name["MetadataService"]


@answers_unimplemented(SERVICE)
class MetadataServicer(metadata_pb2_grpc.MetadataServiceServicer):
    """draas.metadata.v1.MetadataService."""
