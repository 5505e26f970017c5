"""An admin's quota changes, as Nova, Cinder and Neutron take them: each service names its own
resources (Neutron's `network` is the region's `networks`), and -1 means no limit."""

from __future__ import annotations

import dataclasses
from typing import Any

from simulators.openstack.errors import bad_request
from simulators.openstack.routing import Call
from simulators.openstack.store import Quota

# What a quota body may carry besides limits: Nova's `force`, Cinder's `skip_validation`,
# Neutron's `check_limit` (whether a limit below what is in use is refused).
FLAGS = ("id", "tenant_id", "project_id", "force", "skip_validation", "check_limit")


def flag(asked: Any, name: str, default: bool) -> bool:
    """A boolean flag of a quota body."""
    value = asked.get(name, default) if isinstance(asked, dict) else default
    return str(value).lower() in ("true", "1", "yes", "on")


def update_quota(
    call: Call,
    project: str,
    asked: Any,
    names: dict[str, str],
    in_use: dict[str, int] | None = None,
) -> Quota:
    """Sets the project's limits named in `asked` (the service's names, mapped by `names` to
    the region's quota fields); the others stay. Given what is `in_use` (by the service's
    names), a limit below it is refused.

    :raises ApiError: 403 for a non-admin, 400 naming an unknown resource, a bad limit or one
        below use (nothing changes then).
    """
    call.require_admin()
    if not isinstance(asked, dict) or not asked:
        raise bad_request("Invalid input: the quota body must name at least one resource.")
    changes: dict[str, int] = {}
    for name, value in asked.items():
        if name in FLAGS:
            continue
        if name not in names:
            raise bad_request(
                f"Invalid input: bad quota resource {name!r} (known: {sorted(names)})."
            )
        try:
            limit = int(value)
        except (TypeError, ValueError):
            raise bad_request(
                f"Invalid input: quota {name} must be an integer, not {value!r}."
            ) from None
        if limit < -1:
            raise bad_request(
                f"Invalid input: quota {name} must be -1 (no limit) or more, not {limit}."
            )
        used = (in_use or {}).get(name, 0)
        if in_use is not None and limit != -1 and limit < used:
            raise bad_request(
                f"Quota limit {limit} for {name} must be greater than or equal to already used "
                f"and reserved {used}."
            )
        changes[names[name]] = limit
    quota = dataclasses.replace(call.store.quota(project), **changes)
    call.store.quotas[project] = quota
    return quota
