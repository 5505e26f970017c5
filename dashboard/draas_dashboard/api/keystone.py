"""The proof that links the tenant's project here to its project at a group's target site: a
token of the target site's Keystone, scoped to the project there. Horizon's session holds a
token of this site's Keystone only, so the token is obtained when the group is made, sent once
as X-Target-Auth-Token and kept nowhere:

- sites with their own Keystone: the user signs in at the target site's Keystone (its password
  there), as Horizon's own region selector makes one do;
- sites sharing one Keystone: the user's token here is exchanged for one scoped to the chosen
  project (Keystone's `token` method), no password needed.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

from draas_dashboard.api.errors import DraasRecoverable

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Tests replace the transport (httpx.MockTransport); None is the network.
TRANSPORT: httpx.BaseTransport | None = None


class TargetProofError(DraasRecoverable):
    """The target site's Keystone gave no token: wrong password, no such project, or down."""


def v3(keystone_url: str) -> str:
    """A Keystone URL as its v3 root."""
    url = keystone_url.rstrip("/")
    return url if url.endswith("/v3") else f"{url}/v3"


def _verify() -> bool | str:
    if getattr(settings, "OPENSTACK_SSL_NO_VERIFY", False):
        return False
    return getattr(settings, "OPENSTACK_SSL_CACERT", None) or True


def _issue(keystone_url: str, auth: dict[str, Any], site: str) -> str:
    url = f"{v3(keystone_url)}/auth/tokens"
    try:
        with httpx.Client(timeout=TIMEOUT, verify=_verify(), transport=TRANSPORT) as client:
            response = client.post(url, json={"auth": auth})
    except httpx.HTTPError as error:
        raise TargetProofError(
            503,
            "Keystone does not answer",
            f"cannot reach the Keystone of site {site} ({type(error).__name__})",
        ) from None
    if response.status_code in (401, 403):
        raise TargetProofError(
            response.status_code,
            "Not authenticated",
            f"the Keystone of site {site} did not accept these credentials for that project",
        )
    if response.status_code == 404:
        raise TargetProofError(
            404, "Not found", f"the Keystone of site {site} has no such user or project"
        )
    token = response.headers.get("X-Subject-Token", "")
    if response.status_code != 201 or not token:
        raise TargetProofError(
            502,
            "Keystone failed",
            f"the Keystone of site {site} answered {response.status_code} without a token",
        )
    return token


def token_by_password(
    keystone_url: str,
    site: str,
    username: str,
    user_domain: str,
    password: str,
    project_name: str,
    project_domain_id: str | None = None,
) -> str:
    """A token of the target site's Keystone for the user's project there, by name (in the
    domain of that id, else in the user's domain).

    :raises TargetProofError: Keystone refused or did not answer.
    """
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {
                "user": {"name": username, "domain": {"name": user_domain}, "password": password}
            },
        },
        "scope": {
            "project": {
                "name": project_name,
                "domain": {"id": project_domain_id} if project_domain_id else {"name": user_domain},
            }
        },
    }
    return _issue(keystone_url, auth, site)


def token_by_token(keystone_url: str, site: str, token: str, project_id: str) -> str:
    """With one Keystone for both sites: the user's token exchanged for one scoped to
    `project_id`.

    :raises TargetProofError: Keystone refused or did not answer.
    """
    auth = {
        "identity": {"methods": ["token"], "token": {"id": token}},
        "scope": {"project": {"id": project_id}},
    }
    return _issue(keystone_url, auth, site)
