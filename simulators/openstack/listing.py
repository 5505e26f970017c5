"""List queries as the OpenStack APIs answer them: filter by every equality key, tags, and
limit/marker paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from simulators.openstack.errors import bad_request

_SPECIAL = {
    "fields",
    "limit",
    "marker",
    "sort_key",
    "sort_dir",
    "page_reverse",
    "tags",
    "tags-any",
    "not-tags",
    "not-tags-any",
    "all_tenants",
    "all_projects",
    "is_public",
    "details",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def filter_items(
    items: list[dict[str, Any]],
    query_lists: dict[str, list[str]],
    ignore: set[str] | None = None,
    aliases: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Keeps items whose fields equal every filter given (any of a repeated key's values);
    `tags` needs all listed tags, `tags-any` one of them."""
    skip = _SPECIAL | (ignore or set())
    aliases = aliases or {}
    result = items
    for key, values in query_lists.items():
        if key in skip:
            continue
        field = aliases.get(key, key)
        if field in _BOOLEANS:
            wanted = {v.lower() for v in values}
            result = [i for i in result if field in i and _text(i[field]).lower() in wanted]
        else:
            wanted = set(values)
            result = [i for i in result if field in i and _text(i[field]) in wanted]
    for key, need_all in (("tags", True), ("tags-any", False)):
        for value in query_lists.get(key, []):
            tags = {t for t in value.split(",") if t}
            result = [
                i
                for i in result
                if (tags <= set(i.get("tags", [])) if need_all else tags & set(i.get("tags", [])))
            ]
    return result


_BOOLEANS = {
    "admin_state_up",
    "shared",
    "router:external",
    "enable_dhcp",
    "is_public",
    "port_security_enabled",
    "bootable",
}


def page(
    items: list[dict[str, Any]], query: dict[str, str], max_limit: int | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page after `marker` (an id), of at most `limit` items (and at most `max_limit`,
    asked for or not, as Nova and Cinder cap a page); returns the page and the marker of the
    next one, if any."""
    if query.get("marker"):
        ids = [i.get("id") for i in items]
        if query["marker"] not in ids:
            raise bad_request(f"marker {query['marker']} could not be found")
        items = items[ids.index(query["marker"]) + 1 :]
    limit = query.get("limit")
    size = 0
    if limit not in (None, ""):
        try:
            size = int(limit)
        except ValueError:
            raise bad_request(f"limit must be an integer, not {limit!r}") from None
    if max_limit is not None and (size <= 0 or size > max_limit):
        size = max_limit
    if size <= 0:
        return items, None
    chunk = items[:size]
    return chunk, (chunk[-1].get("id") if len(items) > size else None)


def next_query(query: dict[str, str], marker: str) -> str:
    """The query of a list's next page: the request's own, after `marker` (as Nova and Cinder
    write their next links)."""
    return urlencode({**query, "marker": marker})
