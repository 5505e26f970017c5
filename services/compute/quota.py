"""What a project may still create in this region (for readiness checks)."""

from __future__ import annotations

from typing import Any

from draas.compute.v1 import compute_pb2 as pb
from services.compute.cloud import Cloud, attr


def _free(limit: Any, used: Any) -> int:
    limit = int(limit if limit is not None else -1)
    return -1 if limit < 0 else max(0, limit - int(used or 0))


def headroom(cloud: Cloud, project_id: str) -> pb.QuotaHeadroom:
    conn = cloud.connection(project_id)
    compute = cloud.call("get compute limits", conn.compute.get_limits).absolute
    volume = cloud.call("get volume limits", conn.block_storage.get_limits).absolute
    path = f"/quotas/{project_id}/details"
    network = cloud.get_json("get network quota", conn.network, path)["quota"]

    def net(kind: str) -> int:
        return _free(network[kind]["limit"], network[kind]["used"])

    return pb.QuotaHeadroom(
        instances=_free(attr(compute, "instances"), attr(compute, "instances_used")),
        cores=_free(attr(compute, "total_cores"), attr(compute, "total_cores_used")),
        ram_mb=_free(attr(compute, "total_ram"), attr(compute, "total_ram_used")),
        volumes=_free(attr(volume, "max_total_volumes"), attr(volume, "total_volumes_used")),
        gigabytes=_free(
            attr(volume, "max_total_volume_gigabytes"), attr(volume, "total_gigabytes_used")
        ),
        ports=net("port"),
        networks=net("network"),
        subnets=net("subnet"),
        routers=net("router"),
        security_groups=net("security_group"),
    )
