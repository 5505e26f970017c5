"""Keystone projects of this site, looked up as the service user."""

from __future__ import annotations

from typing import Any

from openstack import exceptions as sdk_errors

from common.errors import InvalidArgument, NotFound, Unauthenticated
from draas.compute.v1 import compute_pb2 as pb
from services.compute.cloud import Cloud, attr


def find(cloud: Cloud, request: pb.FindProjectRequest) -> pb.Project:
    """:raises NotFound: no such project here. :raises InvalidArgument: neither id nor name."""
    if not request.project_id and not request.name:
        raise InvalidArgument("project_id", "name a project by id or by name")
    conn = cloud.home()
    if request.project_id:
        found = cloud.call(
            f"get project {request.project_id}",
            lambda: conn.identity.find_project(request.project_id, ignore_missing=True),
        )
        # find_project falls back to a name: a project named like another's id is not it.
        if found is not None and found.id != request.project_id:
            found = None
        wanted = f"project {request.project_id}"
    elif request.name:
        query = {"name": request.name}
        if request.domain_id:
            query["domain_id"] = request.domain_id
        listed = cloud.call(
            f"find project {request.name}", lambda: list(conn.identity.projects(**query))
        )
        found = listed[0] if len(listed) == 1 else None
        if len(listed) > 1:
            raise InvalidArgument(
                "domain_id", f"{len(listed)} projects are named {request.name}; name the domain"
            )
        wanted = f"project named {request.name}"
    if found is None:
        raise NotFound(f"this site has no {wanted}")
    return pb.Project(id=found.id, name=found.name, domain_id=attr(found, "domain_id", ""))


def identify(cloud: Cloud, token: str) -> pb.TokenIdentity:
    """Whose `token` is, as this site's Keystone says (the service user validates it).

    :raises InvalidArgument: no token. :raises Unauthenticated: Keystone does not know it
        (expired, revoked, or of another site's Keystone).
    """
    if not token:
        raise InvalidArgument("token", "is required")
    conn = cloud.home()

    def validate() -> dict[str, Any] | None:
        response = conn.identity.get("/auth/tokens", headers={"X-Subject-Token": token})
        if response.status_code == 404:
            return None
        sdk_errors.raise_from_response(response)
        body: dict[str, Any] = response.json()["token"]
        return body

    # The token is a secret: `what` never quotes it, and errors never carry it.
    body = cloud.call("validate a token", validate)
    if body is None:
        raise Unauthenticated(
            "this site's Keystone does not know the token (expired, revoked, or issued by "
            "another site's Keystone)"
        )
    project = body.get("project") or {}
    return pb.TokenIdentity(
        user_id=(body.get("user") or {}).get("id", ""),
        project_id=project.get("id", ""),
        project_name=project.get("name", ""),
        roles=sorted(r.get("name", "") for r in body.get("roles") or []),
    )
