"""Charts drawn on the server as SVG (nothing is loaded from elsewhere): a group's current RPO
against its target as a bar, an operation's steps as a timeline per VM, and a group's health
history as a lag chart against its RPO target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from draas_dashboard.api.records import HealthHistory, HealthPoint, Report, Step
from draas_dashboard.formatting import seconds

GREEN, RED, BLUE, ORANGE, GREY, LIGHT, INK = (
    "#3c8d3f",
    "#c9302c",
    "#337ab7",
    "#ec971f",
    "#999999",
    "#e8e8e8",
    "#333333",
)
STEP_COLOURS = {
    "succeeded": GREEN,
    "failed": RED,
    "running": BLUE,
    "reverted": ORANGE,
    "skipped": GREY,
    "pending": LIGHT,
}


def _svg(width: float, height: float, label: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every value in body is escaped where it is made
        f'<svg xmlns="http://www.w3.org/2000/svg" class="draas-chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>{"".join(body)}</svg>'
    )


def rpo_bar(
    target: float | None,
    current: float | None,
    within: bool | None,
    link_up: bool | None = None,
    width: int = 150,
) -> SafeString:
    """The newest recovery point's age (the RPO if the source were lost now) as a bar, green
    within the target and red beyond it, the target as a mark; a sync group (no target)
    shows its state. `current` None: no point yet."""
    height, bar = 18, 10
    if current is None:
        text = "no recovery point yet"
        return _svg(
            width,
            height,
            text,
            [
                f'<rect x="0" y="4" width="{width}" height="{bar}" fill="{LIGHT}"/>',
                f'<text x="4" y="13" font-size="10" fill="{INK}">{escape(text)}</text>',
            ],
        )
    colour = GREEN if within else RED
    if link_up is False:
        colour = RED
    if not target:
        # Synchronous: nothing to lose while the link is up.
        label = "synchronous: RPO 0 while the replication link is up"
        colour = GREEN
        if link_up is False:
            label, colour = "synchronous, replication link down", RED
        return _svg(
            width,
            height,
            label,
            [
                f'<rect class="draas-rpo-current" x="0" y="4" width="{width}" height="{bar}" '
                f'fill="{colour}"/>'
            ],
        )
    label = f"RPO {seconds(current)} of target {seconds(target)}"
    scale = max(target * 1.5, current * 1.05, 1.0)
    if link_up is False:
        label += ", replication link down"
    filled = min(current / scale, 1.0) * width
    body = [
        f'<rect x="0" y="4" width="{width}" height="{bar}" fill="{LIGHT}"/>',
        f'<rect class="draas-rpo-current" x="0" y="4" width="{filled:.1f}" height="{bar}" '
        f'fill="{colour}"/>',
    ]
    if target:
        mark = min(target / scale, 1.0) * width
        body.append(
            f'<line class="draas-rpo-target" x1="{mark:.1f}" x2="{mark:.1f}" y1="1" y2="17" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    return _svg(width, height, label, body)


def _offset(moment: datetime | None, origin: datetime) -> float | None:
    return (moment - origin).total_seconds() if moment else None


def timeline(report: Report, now: datetime | None = None, width: int = 760) -> SafeString:
    """Each VM's steps (and the group's own) on one time axis from the operation's start: a
    row per VM, a bar per step coloured by its state, its name, time and attempts as the
    bar's title."""
    rows: list[tuple[str, list[Step]]] = []
    if report.group_steps:
        rows.append(("(group)", report.group_steps))
    for vm in sorted(report.vms, key=lambda v: (v.tier or 0, str(v.name or v.server_id))):
        name = str(vm.name or vm.server_id)
        rows.append((f"{name} (tier {vm.tier})", vm.steps))
    starts = [s.started for _, steps in rows for s in steps if s.started]
    if not rows or not starts:
        return _svg(
            width,
            24,
            "no step ran",
            [f'<text x="4" y="16" font-size="12" fill="{INK}">no step ran</text>'],
        )
    origin = report.started or min(starts)
    ends = [s.finished or now or s.started for _, steps in rows for s in steps if s.started]
    end = report.finished or max(e for e in ends if e is not None)
    span = max((end - origin).total_seconds(), 0.001)
    left, right, row_height, bar = 170.0, 10.0, 24.0, 16.0
    plot = width - left - right
    height = row_height * len(rows) + 30
    body: list[str] = []
    for index, (name, steps) in enumerate(rows):
        y = index * row_height + 4
        body.append(
            f'<text x="4" y="{y + 12:.0f}" font-size="11" fill="{INK}">{escape(name[:28])}</text>'
        )
        body.append(
            f'<rect x="{left}" y="{y:.0f}" width="{plot:.0f}" height="{bar:.0f}" fill="#f7f7f7"/>'
        )
        for step in steps:
            begin = _offset(step.started, origin)
            if begin is None:
                continue
            finish = _offset(step.finished or now or end, origin) or begin
            x = left + max(begin, 0.0) / span * plot
            w = max((finish - max(begin, 0.0)) / span * plot, 2.0)
            w = min(w, left + plot - x) if x < left + plot else 2.0
            colour = STEP_COLOURS.get(str(step.state), GREY)
            took = seconds(step.elapsed) if step.elapsed is not None else "running"
            tip = f"{name}: {step.name} {step.state}, {took}"
            if (step.attempts or 0) > 1:
                tip += f", {step.attempts} attempts"
            if step.error:
                tip += f": {step.error}"
            body.append(
                format_html(
                    '<rect class="draas-step draas-step-{}" x="{}" y="{}" width="{}" height="{}" '
                    'fill="{}" stroke="#ffffff" stroke-width="1"><title>{}</title></rect>',
                    step.state,
                    f"{x:.1f}",
                    f"{y:.0f}",
                    f"{w:.1f}",
                    f"{bar:.0f}",
                    colour,
                    tip,
                )
            )
            if w > 7 * len(str(step.name)):
                body.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="10" fill="#ffffff">{}</text>',
                        f"{x + 3:.1f}",
                        f"{y + 12:.0f}",
                        step.name,
                    )
                )
    axis_y = row_height * len(rows) + 8
    body.append(
        f'<line x1="{left}" x2="{left + plot:.0f}" y1="{axis_y:.0f}" y2="{axis_y:.0f}" '
        f'stroke="{GREY}"/>'
    )
    for tick in range(5):
        at = span * tick / 4
        x = left + plot * tick / 4
        anchor = "start" if tick == 0 else ("end" if tick == 4 else "middle")
        body.append(
            f'<text x="{x:.0f}" y="{axis_y + 14:.0f}" font-size="10" fill="{INK}" '
            f'text-anchor="{anchor}">{escape(seconds(at))}</text>'
        )
    return _svg(width, height, f"steps of {len(rows)} rows over {seconds(span)}", body)


def legend() -> SafeString:
    """The step colours, as a line of labelled swatches."""
    items = []
    for state, colour in STEP_COLOURS.items():
        items.append(
            format_html(
                '<span class="draas-legend-item" style="margin-right:12px">'
                '<span style="display:inline-block;width:10px;height:10px;background:{};'
                'border:1px solid #ccc;margin-right:4px"></span>{}</span>',
                colour,
                state,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - built from format_html


def state_colour(state: Any) -> str:
    return STEP_COLOURS.get(str(state), GREY)


def _tick_label(moment: datetime, span_seconds: float) -> str:
    moment = moment.astimezone(UTC)
    if span_seconds <= 86400:
        return moment.strftime("%H:%M")
    if span_seconds <= 8 * 86400:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%m-%d")


@dataclass(frozen=True)
class _Frame:
    """Where a history's times and seconds go on a chart: the plot's box and scales."""

    origin: datetime
    span: float
    top: float
    left: float
    above: float
    width: float
    height: float

    def x(self, moment: datetime, offset: float = 0.0) -> float:
        return (
            self.left + ((moment - self.origin).total_seconds() + offset) / self.span * self.width
        )

    def y(self, value: float) -> float:
        return self.above + self.height - min(value / self.top, 1.0) * self.height


Stamped = list[tuple[datetime, HealthPoint]]


def _link_down(frame: _Frame, points: Stamped, step: float) -> list[str]:
    found = []
    for moment, point in points:
        if point.link_down <= 0:
            continue
        share = min(point.link_down / step, 1.0)
        found.append(
            format_html(
                '<rect class="draas-link-down" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                'fill-opacity="{}"><title>{}</title></rect>',
                f"{frame.x(moment):.1f}",
                f"{frame.above:.0f}",
                f"{max(step / frame.span * frame.width, 1.5):.1f}",
                f"{frame.height:.0f}",
                RED,
                f"{0.15 + 0.35 * share:.2f}",
                f"{_tick_label(moment, 0)} UTC: replication link down "
                f"{seconds(point.link_down)} of {seconds(step)}",
            )
        )
    return found


def _axes(frame: _Frame) -> list[str]:
    found = []
    right = frame.left + frame.width
    for tick in range(5):
        value = frame.top * tick / 4
        y = frame.y(value)
        found.append(
            f'<line x1="{frame.left}" x2="{right:.0f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{LIGHT}"/>'
            f'<text x="{frame.left - 4:.0f}" y="{y + 4:.1f}" font-size="10" fill="{INK}" '
            f'text-anchor="end">{escape(seconds(value))}</text>'
        )
    for tick in range(5):
        x = frame.left + frame.width * tick / 4
        anchor = "start" if tick == 0 else ("end" if tick == 4 else "middle")
        label = _tick_label(frame.origin + timedelta(seconds=frame.span * tick / 4), frame.span)
        found.append(
            f'<text x="{x:.0f}" y="{frame.above + frame.height + 14:.0f}" font-size="10" '
            f'fill="{INK}" text-anchor="{anchor}">{escape(label)}</text>'
        )
    return found


def _target_line(frame: _Frame, target: float) -> list[str]:
    if target <= 0:
        return []
    y, right = frame.y(target), frame.left + frame.width
    return [
        f'<line class="draas-rpo-target-line" x1="{frame.left}" x2="{right:.0f}" '
        f'y1="{y:.1f}" y2="{y:.1f}" stroke="{ORANGE}" stroke-width="1.5" '
        f'stroke-dasharray="6 4"><title>RPO target {escape(seconds(target))}</title></line>'
        f'<text x="{right - 4:.0f}" y="{y - 4:.1f}" font-size="10" fill="{ORANGE}" '
        f'text-anchor="end">target {escape(seconds(target))}</text>'
    ]


def _lag(frame: _Frame, points: Stamped, step: float, target: float) -> list[str]:
    """The RPO as lines (one per run of observed steps: a step with nothing observed breaks
    it) and a dot per step, red over the target."""
    runs: list[list[tuple[float, float]]] = [[]]
    dots = []
    for moment, point in points:
        rpo = point.worst_rpo
        if rpo is None:
            if runs[-1]:
                runs.append([])
            continue
        x, y = frame.x(moment, step / 2), frame.y(rpo)
        runs[-1].append((x, y))
        over = target > 0 and rpo > target
        dots.append(
            format_html(
                '<circle class="draas-lag-point{}" cx="{}" cy="{}" r="{}" fill="{}">'
                "<title>{}</title></circle>",
                " draas-lag-over" if over else "",
                f"{x:.1f}",
                f"{y:.1f}",
                "2.5" if over else "1.5",
                RED if over else BLUE,
                f"{_tick_label(moment, 0)} UTC: RPO up to {seconds(rpo)}",
            )
        )
    lines = [
        f'<polyline class="draas-lag-line" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}"'
        f' fill="none" stroke="{BLUE}" stroke-width="1.5"/>'
        for run in runs
        if len(run) > 1
    ]
    return lines + dots


# Seconds per gridline of a lag chart, so that its labels read as round durations.
NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)


def _nice_top(value: float, lines: int = 4) -> float:
    """The smallest round duration, `lines` gridlines of NICE_STEPS, at or above `value`."""
    for step in NICE_STEPS:
        if step * lines >= value:
            return float(step * lines)
    days = -(-value // (86400 * lines))
    return float(days * 86400 * lines)


def lag_chart(history: HealthHistory, width: int = 760, height: int = 240) -> SafeString:
    """The group's current RPO (the worst seen in each step: the age of the newest recovery
    point at its target site) over the history's range, against the RPO target as a dashed
    line; steps over the target marked red, steps with the replication link down shaded red
    (the darker, the more of the step it was down), steps with nothing observed left empty.
    Times in UTC."""
    points: Stamped = []
    for point in history.points:
        moment = point.moment
        if moment is not None:
            points.append((moment, point))
    if not points:
        text = "no history in this range"
        return _svg(
            width, 40, text, [f'<text x="4" y="24" font-size="12" fill="{INK}">{text}</text>']
        )
    step, target = history.step_seconds, history.target_seconds
    values = [p.worst_rpo for _, p in points if p.worst_rpo is not None]
    left, right, above, below = 64.0, 12.0, 10.0, 34.0
    frame = _Frame(
        origin=points[0][0],
        span=max((points[-1][0] - points[0][0]).total_seconds() + step, step),
        top=_nice_top(max([target * 1.5, *(v * 1.05 for v in values), 1.0])),
        left=left,
        above=above,
        width=width - left - right,
        height=height - above - below,
    )
    body = [
        f'<rect x="{left}" y="{above}" width="{frame.width:.0f}" height="{frame.height:.0f}" '
        'fill="#fbfbfb" stroke="#dddddd"/>',
        *_link_down(frame, points, step),
        *_axes(frame),
        *_target_line(frame, target),
        *_lag(frame, points, step, target),
        f'<text x="{left}" y="{height - 4:.0f}" font-size="10" fill="{GREY}">'
        f"UTC, {escape(seconds(step))} per point</text>",
    ]
    summary = f"current RPO over {seconds(frame.span)}: worst {seconds(history.worst_rpo_seconds)}"
    summary += f" against target {seconds(target)}" if target else " (synchronous)"
    if history.link_down_seconds:
        summary += f", replication link down {seconds(history.link_down_seconds)}"
    return _svg(width, height, summary, body)
