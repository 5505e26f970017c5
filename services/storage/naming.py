"""Names draas gives to what it makes on arrays, derived from requests so that a repeated request
finds, rather than repeats, what the first one made."""

from __future__ import annotations

import hashlib
import re

from common.errors import InvalidArgument

MAX_NAME = 63
_GROUP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,55}$")
OWNED_PREFIX = "draas-"


def check_group_id(group_id: str) -> str:
    """:raises InvalidArgument: unless 1-56 letters, digits and dashes."""
    if not _GROUP_ID.match(group_id):
        raise InvalidArgument(
            "group.group_id",
            "must be 1-56 letters, digits or dashes, starting with one of the first two",
        )
    return group_id


def protection_group_name(group_id: str) -> str:
    """The async group's protection group on its source array."""
    return f"{OWNED_PREFIX}{check_group_id(group_id)}"


def owned_pod_name(group_id: str) -> str:
    """The pod draas makes when it reprotects a sync group."""
    return f"{OWNED_PREFIX}{check_group_id(group_id)}"


def replica_name(source_array: str, name: str) -> str:
    """How a protection group (or its snapshot) of `source_array` is named on its targets."""
    return f"{source_array}:{name}"


def base_name(volume_name: str) -> str:
    """A volume's name without its pod: 'pod::vol' -> 'vol'."""
    return volume_name.split("::", 1)[-1]


def recovery_prefix(request_id: str, test: bool) -> str:
    """drt<hash>- for a test's copies, drf<hash>- for a failover's volumes."""
    if not request_id:
        raise InvalidArgument("request_id", "is required: it names what the request makes")
    digest = hashlib.sha256(request_id.encode()).hexdigest()[:10]
    return f"dr{'t' if test else 'f'}{digest}-"


def recovery_prefixes(request_id: str) -> tuple[str, str]:
    """Both prefixes a request may have used."""
    return recovery_prefix(request_id, True), recovery_prefix(request_id, False)


def recovered_name(prefix: str, source_volume_name: str) -> str:
    """The recovered copy of a volume: prefix + its name, shortened with a hash if too long."""
    base = base_name(source_volume_name)
    name = prefix + base
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(base.encode()).hexdigest()[:12]
    return f"{prefix}{base[: MAX_NAME - len(prefix) - 13]}-{digest}"
