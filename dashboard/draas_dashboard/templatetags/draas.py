"""Template filters of the plugin: `{% load draas %}`."""

from __future__ import annotations

from typing import Any

from django import template

from draas_dashboard import formatting

register = template.Library()


@register.filter
def seconds(value: Any) -> str:
    """A duration in seconds as 12.3s / 4m05s / 1h02m03s."""
    return formatting.seconds(value)


@register.filter
def age(value: Any) -> str:
    """How long ago a time (RFC 3339 or datetime) was."""
    return formatting.age(value)


@register.filter
def millis(value: Any) -> str:
    """A duration in seconds as milliseconds (`2.4 ms`)."""
    return "-" if value in (None, "") else f"{float(value) * 1000:.1f} ms"


@register.filter
def when(value: Any) -> str:
    """An RFC 3339 time as 2026-12-06 03:50:36 UTC."""
    return formatting.when(value)


@register.filter
def kind(value: Any) -> str:
    """An operation kind in words."""
    return formatting.label(formatting.OPERATION_KINDS, value)


@register.filter
def op_state(value: Any) -> str:
    """An operation state in words."""
    return formatting.label(formatting.OPERATION_STATES, value)


@register.filter
def step_state(value: Any) -> str:
    """A step (or VM) state in words."""
    return formatting.label(formatting.STEP_STATES, value)


@register.filter
def group_state(value: Any) -> str:
    """A group state in words."""
    return formatting.label(formatting.GROUP_STATES, value)


@register.filter
def replication(value: Any) -> str:
    """A replication type in words."""
    return formatting.label(formatting.REPLICATION_TYPES, value)


@register.filter
def short_id(value: Any) -> str:
    return formatting.short_id(value)


@register.filter
def interval(value: Any) -> str:
    """A target or an interval in seconds as 7d / 12h / 4m05s; none for 0."""
    return formatting.interval(value)


@register.filter
def span(value: Any) -> str:
    """A long duration in seconds as 29d23h (under a day: as `seconds`)."""
    return formatting.span(value)


@register.filter
def percent(value: Any) -> str:
    """A share in percent as 99.5 %."""
    return formatting.percent(value)


@register.filter
def schedule(value: Any) -> str:
    """A test schedule in one line: off, or on: its windows (zone), its cleanup time."""
    return formatting.schedule(value)
