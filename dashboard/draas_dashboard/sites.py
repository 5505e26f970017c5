"""Who the user is to draas and where: the roles that may change things, the draas site of the
region the user is signed in to, the other sites (a group's target), their Keystones, and how
to get to one.

Each draas site is an OpenStack region with its own gateway (and often its own Keystone). The
gateway does not say which site it is, so the plugin learns it from Horizon's settings:

- `DRAAS_SITES = {"site-a": {"region": "RegionA", "keystone_url": "https://.../v3"}, ...}`
  (or just `{"site-a": "RegionA"}`) names each site's region and Keystone; else
- Horizon's `AVAILABLE_REGIONS` (one Keystone per site), labelled with the draas site names:
  `[("https://keystone.site-a/v3", "site-a"), ("https://keystone.site-b/v3", "site-b")]`.

Without either the site is unknown: every action the group's state allows is offered, and the
gateway refuses one asked at the wrong site, saying where it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

DEFAULT_MEMBER_ROLES = ("member", "_member_")
DEFAULT_ADMIN_ROLES = ("admin",)


def role_names(request: Any) -> set[str]:
    """The names of the user's roles in the project."""
    names = set()
    for role in getattr(request.user, "roles", None) or []:
        name = role.get("name") if isinstance(role, dict) else getattr(role, "name", None)
        if name:
            names.add(str(name))
    return names


def admin_roles() -> set[str]:
    return set(getattr(settings, "DRAAS_ADMIN_ROLES", DEFAULT_ADMIN_ROLES))


def member_roles() -> set[str]:
    return set(getattr(settings, "DRAAS_MEMBER_ROLES", DEFAULT_MEMBER_ROLES))


def is_admin(request: Any) -> bool:
    """An admin of draas at this site (the gateway's `admin_roles`)."""
    return bool(role_names(request) & admin_roles())


def may_write(request: Any) -> bool:
    """Whether the user may change the project's groups (a member or admin role; any other
    role only reads, as the gateway's `member_roles` say)."""
    return bool(role_names(request) & (admin_roles() | member_roles()))


@dataclass(frozen=True)
class Site:
    """A draas site: its name, its OpenStack region (if known) and its Keystone (if known)."""

    name: str
    region: str | None = None
    keystone_url: str | None = None


def known_sites() -> dict[str, Site]:
    """Every site the settings name (DRAAS_SITES, else AVAILABLE_REGIONS), by name."""
    configured = getattr(settings, "DRAAS_SITES", None)
    if configured:
        sites = {}
        for name, value in dict(configured).items():
            if isinstance(value, str):
                sites[name] = Site(name, region=value)
            else:
                fields = dict(value or {})
                sites[name] = Site(name, fields.get("region"), fields.get("keystone_url"))
        return sites
    regions = list(getattr(settings, "AVAILABLE_REGIONS", None) or [])
    if len(regions) > 1:
        return {str(label): Site(str(label), keystone_url=str(url)) for url, label in regions}
    return {}


def _same_url(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.rstrip("/") == b.rstrip("/"))


def current_site(request: Any, seen_sites: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The draas site of the region the user works in, or None when unknown. `seen_sites`
    (the sites groups name) guards against region labels that are not site names."""
    sites = known_sites()
    region = getattr(request.user, "services_region", None)
    endpoint = getattr(request.user, "endpoint", None) or request.session.get("region_endpoint")
    if getattr(settings, "DRAAS_SITES", None):
        for site in sites.values():
            if site.region and site.region == region:
                return site.name
        for site in sites.values():
            if not site.region and _same_url(site.keystone_url, endpoint):
                return site.name
        return None
    candidates = [s.name for s in sites.values() if _same_url(s.keystone_url, endpoint)]
    label = request.session.get("region_name")
    if label in sites:
        candidates.insert(0, label)
    if region:
        candidates.append(str(region))
    for candidate in candidates:
        if (not seen_sites or candidate in seen_sites) and (
            candidate in sites or candidate in seen_sites
        ):
            return candidate
    return None


def other_sites(request: Any, here: str | None) -> list[Site]:
    """The sites a group made here could fail over to (every known site but this one)."""
    return [s for s in known_sites().values() if s.name != here]


def keystone_of(site: str) -> str | None:
    """The Keystone URL of a site, if the settings say."""
    found = known_sites().get(site)
    return found.keystone_url if found else None


def shares_keystone(request: Any, site: str) -> bool:
    """Whether `site` is served by the Keystone the user is signed in to."""
    endpoint = getattr(request.user, "endpoint", None) or request.session.get("region_endpoint")
    return _same_url(keystone_of(site), endpoint)


def switch_url(request: Any, site: str) -> str | None:
    """Where the user goes to work at `site`: Horizon's region switch when the site is a
    region of this Keystone's catalog, else its login at that site's Keystone (as Horizon's
    own region selector does); None when the settings do not say."""
    found = known_sites().get(site)
    if found is None:
        return None
    available = getattr(request.user, "available_services_regions", None) or []
    if found.region and found.region in available:
        url = reverse("switch_services_region", args=[found.region])
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    if found.keystone_url:
        query = {"region": found.keystone_url, "next": request.get_full_path()}
        return f"{reverse('login')}?{urlencode(query)}"
    return None
