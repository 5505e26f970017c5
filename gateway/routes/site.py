"""/v1/site: this site's draas services and what they depend on (admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from draas.orchestrator.v1 import orchestrator_pb2 as opb
from gateway.access import Reader
from gateway.routes.common import orchestrator
from gateway.views import as_json

router = APIRouter(prefix="/v1/site", tags=["site"])


@router.get("/status")
def site_status(request: Request, who: Reader) -> dict[str, Any]:
    """Whether this site's orchestrator reaches each of its dependencies (database, metadata,
    storage, compute), with how long each took. Admins only: it names internal addresses."""
    who.require_admin("the site's status")
    return as_json(orchestrator(request).call("GetSystemStatus", opb.GetSystemStatusRequest()))
