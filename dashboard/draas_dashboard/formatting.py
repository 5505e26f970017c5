"""Words and numbers as the pages show them, in the CLI's vocabulary (cli/views.py): groups,
operations, tiers, RPO and RTO, durations as `12.3s`, `4m05s` or `1h02m03s`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from draas_dashboard.api.records import parse_time

NONE = "-"

GROUP_STATES = {
    "protected": _("Protected"),
    "testing": _("Testing"),
    "failing_over": _("Failing over"),
    "failed_over": _("Failed over"),
    "reprotecting": _("Reprotecting"),
    "failing_back": _("Failing back"),
    "deleting": _("Deleting"),
    "error": _("Error"),
}
OPERATION_KINDS = {
    "test_failover": _("Test failover"),
    "test_cleanup": _("Test cleanup"),
    "planned_failover": _("Planned failover"),
    "unplanned_failover": _("Unplanned failover"),
    "reprotect": _("Reprotect"),
    "failback": _("Failback"),
    "move": _("Move"),
}
OPERATION_STATES = {
    "pending": _("Pending"),
    "running": _("Running"),
    "succeeded": _("Succeeded"),
    "partially_succeeded": _("Partially succeeded"),
    "failed": _("Failed"),
    "compensating": _("Compensating"),
    "compensated": _("Compensated"),
}
STEP_STATES = {
    "pending": _("Pending"),
    "running": _("Running"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
    "reverted": _("Reverted"),
    "skipped": _("Skipped"),
}
REPLICATION_TYPES = {"async": _("Asynchronous"), "sync": _("Synchronous")}
VM_PROTECTION = {
    "protected": _("Protected"),
    "eligible": _("Not protected"),
    "not_eligible": _("Not eligible"),
}


def label(table: dict[str, Any], value: Any) -> str:
    """The display word for an enum value (the value itself when unknown)."""
    if value in (None, ""):
        return NONE
    return str(table.get(str(value), str(value).replace("_", " ")))


def seconds(value: Any) -> str:
    """A duration in seconds as `12.3s`, `4m05s` or `1h02m03s`; `-` for none."""
    if value is None or value == "":
        return NONE
    value = float(value)
    if value < 60:
        return f"{value:.1f}s"
    whole = round(value)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def age(moment: Any, now: datetime | None = None) -> str:
    """How long ago a time was, coarsely (`45s`, `12m`, `3h`, `2d`); `-` for none."""
    when = moment if isinstance(moment, datetime) else parse_time(moment)
    if when is None:
        return NONE
    delta = ((now or datetime.now(UTC)) - when).total_seconds()
    if delta < 0:
        delta = 0.0
    if delta < 60:
        return f"{delta:.0f}s"
    if delta < 3600:
        return f"{delta // 60:.0f}m"
    if delta < 86400:
        return f"{delta // 3600:.0f}h"
    return f"{delta // 86400:.0f}d"


def when(value: Any) -> str:
    """An RFC 3339 time as `2026-12-06 03:50:36 UTC`; `-` for none."""
    moment = value if isinstance(value, datetime) else parse_time(value)
    if moment is None:
        return NONE
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def short_id(value: Any) -> str:
    """The first 8 characters of an id (whole ids stay in links and titles)."""
    text = str(value or "")
    return text[:8] if len(text) > 8 else text or NONE


def interval(value: Any) -> str:
    """A target or an interval in seconds as `7d`, `12h` or as `seconds` does; `none` for
    none (0)."""
    if value in (None, "", 0, 0.0):
        return str(_("none"))
    value = float(value)
    if value >= 86400 and value % 86400 == 0:
        return f"{value / 86400:.0f}d"
    if value >= 3600 and value % 3600 == 0:
        return f"{value / 3600:.0f}h"
    return seconds(value)


def span(value: Any) -> str:
    """A long duration in seconds coarsely: `29d23h` from a day on, else as `seconds` does."""
    if value is None or value == "":
        return NONE
    value = float(value)
    if value < 86400:
        return seconds(value)
    days, rest = divmod(round(value), 86400)
    return f"{days}d{rest // 3600:02d}h"


def percent(value: Any) -> str:
    """A share in percent as `99.5 %`; `-` for none."""
    if value is None or value == "":
        return NONE
    return f"{float(value):.1f} %"


def schedule(value: Any) -> str:
    """A test schedule (a TestSchedule record) in one line: `off`, or `on: mon-fri
    20:00-06:00 (Europe/Paris), cleaned up after 4h`."""
    if value is None or not value.enabled:
        return str(_("off"))
    windows = ", ".join(value.windows) or str(_("any time"))
    cleanup = (
        interval(value.cleanup_after_seconds)
        if value.cleanup_after_seconds
        else str(_("the site's default time"))
    )
    return str(_("on: %(windows)s (%(zone)s), cleaned up after %(cleanup)s")) % {
        "windows": windows,
        "zone": value.zone,
        "cleanup": cleanup,
    }
