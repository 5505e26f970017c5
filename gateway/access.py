"""Who may call a route: FastAPI dependencies giving the validated caller (any role may read)
and the caller who may also change things (member or admin). The token is the API's security
scheme, `X-Auth-Token`, as in every OpenStack API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from gateway.auth import Caller

keystone_token = APIKeyHeader(
    name="X-Auth-Token",
    scheme_name="keystone",
    description="A Keystone token scoped to your project (`openstack token issue`).",
    auto_error=False,
)


def _caller(request: Request, token: Annotated[str | None, Depends(keystone_token)]) -> Caller:
    return request.app.state.tokens.caller(token)


def _writer(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    caller.require_write()
    return caller


# Readers are refused before the body is validated, so a reader learns it may not change
# anything whatever it sent (FastAPI has read the body by then, not judged it).
Reader = Annotated[Caller, Depends(_caller)]
Writer = Annotated[Caller, Depends(_writer)]
