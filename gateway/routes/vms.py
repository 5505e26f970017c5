"""/v1/vms: the project's VMs at this site and their protection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway import bodies
from gateway.access import Reader
from gateway.routes.common import orchestrator, page
from gateway.views import as_json

router = APIRouter(prefix="/v1/vms", tags=["vms"])


@router.get("")
def list_vms(
    request: Request,
    who: Reader,
    limit: bodies.Limit = 50,
    page_token: bodies.PageToken = "",
    project_id: bodies.ProjectId = None,
) -> dict[str, Any]:
    """Every VM of the project at this site, by name: `protected` (its group and tier),
    `eligible` (the replication types a group could protect it with), or `not_eligible`
    (every reason, as adding it to a group would give them)."""
    found = orchestrator(request).call(
        "ListVms",
        opb.ListVmsRequest(project_id=who.acting_in(project_id), page=page(limit, page_token)),
    )
    return {"vms": [as_json(v) for v in found.vms], "next_page_token": found.next_page_token}
