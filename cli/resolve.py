"""Names to ids: a failover group by its id or exact name, a protected VM or a Nova server by
its id or exact name. Pure choices over lists the caller fetched."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cli.errors import CliError

# What the gateway takes as an id in a path: a value of this shape that names nothing here is
# passed on as an id, so the gateway says what it knows about it.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def pick_group(value: str, groups: Iterable[Mapping[str, Any]]) -> str:
    """The id of the group whose id is `value`, or else of the one group named `value`.

    :raises CliError: several groups have that name, or none has and it cannot be an id.
    """
    named = []
    for group in groups:
        if group.get("id") == value:
            return value
        if group.get("name") == value:
            named.append(str(group.get("id")))
    if len(named) == 1:
        return named[0]
    if named:
        raise CliError(
            f"{len(named)} failover groups are named {value!r} "
            f"({', '.join(sorted(named))}): give the group's id"
        )
    if _IDENTIFIER.match(value):
        return value
    raise CliError(f"no failover group has the id or name {value!r}")


def pick_vm(value: str, vms: Iterable[Mapping[str, Any]]) -> str | None:
    """The server id of the group's VM whose server id is `value`, or else of the one VM named
    `value`; None when none matches.

    :raises CliError: several of the group's VMs have that name.
    """
    named = []
    for vm in vms:
        if vm.get("server_id") == value:
            return value
        if vm.get("name") == value:
            named.append(str(vm.get("server_id")))
    if len(named) > 1:
        raise CliError(
            f"{len(named)} VMs of the group are named {value!r} "
            f"({', '.join(sorted(named))}): give the server id"
        )
    return named[0] if named else None


def is_uuid(value: str) -> bool:
    """Whether `value` is written as a UUID (as Nova's server ids are)."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def one_server(name: str, ids: Sequence[str]) -> str:
    """The one server id found for a server name.

    :raises CliError: none or several.
    """
    if not ids:
        raise CliError(f"no server named {name!r} in this project: give the server's id")
    if len(ids) > 1:
        raise CliError(
            f"{len(ids)} servers are named {name!r} ({', '.join(sorted(ids))}): "
            "give the server's id"
        )
    return ids[0]
