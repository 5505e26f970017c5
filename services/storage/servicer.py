"""The storage service's gRPC surface (protobuf <-> domain).

Nothing is implemented yet: every RPC answers UNIMPLEMENTED, naming itself.
"""

from __future__ import annotations

from common.grpc_server import answers_unimplemented
from draas.storage.v1 import storage_pb2, storage_pb2_grpc

SERVICE = storage_pb2.DESCRIPTOR.services_by_name["StorageService"]


@answers_unimplemented(SERVICE)
class StorageServicer(storage_pb2_grpc.StorageServiceServicer):
    """draas.storage.v1.StorageService."""
