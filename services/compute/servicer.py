"""The compute service's gRPC surface (protobuf <-> domain).

Nothing is implemented yet: every RPC answers UNIMPLEMENTED, naming itself.
"""

from __future__ import annotations

from common.grpc_server import answers_unimplemented
from draas.compute.v1 import compute_pb2, compute_pb2_grpc

SERVICE = compute_pb2.DESCRIPTOR.services_by_name["ComputeService"]


@answers_unimplemented(SERVICE)
class ComputeServicer(compute_pb2_grpc.ComputeServiceServicer):
    """draas.compute.v1.ComputeService."""
