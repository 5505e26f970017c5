"""Who may call a route: FastAPI dependencies giving the validated caller (any role may read)
and the caller who may also change things (member or admin). The token is the API's security
scheme, `X-Auth-Token`, as in every OpenStack API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader

from common.errors import InvalidArgument
from gateway.auth import Caller

keystone_token = APIKeyHeader(
    name="X-Auth-Token",
    scheme_name="keystone",
    description="A Keystone token scoped to your project (`openstack token issue`).",
    auto_error=False,
)


def _caller(request: Request, token: Annotated[str | None, Depends(keystone_token)]) -> Caller:
    caller: Caller = request.app.state.tokens.caller(token)
    request.state.caller = caller  # the audit trail's initiator (gateway/audit)
    return caller


def _writer(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    caller.require_write()
    return caller


# Readers are refused before the body is validated, so a reader learns it may not change
# anything whatever it sent (FastAPI has read the body by then, not judged it).
Reader = Annotated[Caller, Depends(_caller)]
Writer = Annotated[Caller, Depends(_writer)]


def known_query(request: Request) -> None:
    """Refuses query parameters the route does not take, so that a misspelt option is an error
    rather than silently ignored.

    :raises InvalidArgument: names the first unknown parameter and what the route takes.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    # Worked out once per route of this app (the app keeps its routes, so their ids hold).
    known: dict[int, frozenset[str]] = request.app.state.query_names
    taken = known.get(id(route))
    if taken is None:
        taken = known[id(route)] = frozenset(_query_names(route.dependant))
    for name in request.query_params:
        if name not in taken:
            takes = ", ".join(sorted(taken)) or "none"
            raise InvalidArgument(
                name or "query", f"is not a parameter of this route (it takes: {takes})"
            )


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for inner in dependant.dependencies:
        names |= _query_names(inner)
    return names
