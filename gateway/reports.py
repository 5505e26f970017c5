"""A compliance report (as the API's JSON) as CSV and as a printable HTML page."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

# (column, heading) of each group's row, in order.
COLUMNS = (
    ("group_name", "Group"),
    ("group_id", "Group ID"),
    ("rpo_target_seconds", "RPO target (s)"),
    ("rpo_compliance_percent", "RPO compliance (%)"),
    ("observed_seconds", "Observed (s)"),
    ("worst_rpo_seconds", "Worst RPO (s)"),
    ("breaches", "Breaches"),
    ("breach_seconds", "Breach time (s)"),
    ("tests_run", "Tests run"),
    ("tests_passed", "Tests passed"),
    ("last_successful_test_at", "Last successful test"),
    ("last_successful_test_age_seconds", "Its age (s)"),
    ("last_test_rto_seconds", "Last test RTO (s)"),
    ("rto_target_seconds", "RTO target (s)"),
    ("rto_met", "RTO met"),
    ("readiness", "Readiness now"),
)


def as_csv(report: dict[str, Any]) -> str:
    """One row per group, then one of the project's totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([heading for _, heading in COLUMNS])
    for group in report["groups"]:
        writer.writerow([_cell(group.get(name)) for name, _ in COLUMNS])
    totals = {
        "group_name": "All groups",
        "rpo_compliance_percent": report.get("rpo_compliance_percent"),
        "breaches": report.get("breaches"),
        "tests_run": report.get("tests_run"),
        "tests_passed": report.get("tests_passed"),
    }
    writer.writerow([_cell(totals.get(name)) for name, _ in COLUMNS])
    return out.getvalue()


def as_html(report: dict[str, Any]) -> str:
    """A page that prints on its own (no script, no outside resource)."""
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(_cell(g.get(n)))}</td>" for n, _ in COLUMNS) + "</tr>"
        for g in report["groups"]
    )
    headings = "".join(f"<th>{escape(h)}</th>" for _, h in COLUMNS)
    compliance = report.get("rpo_compliance_percent")
    missing = report.get("unreachable_sites") or []
    note = (
        f"<p class=warn>Not included: the groups watched at {escape(', '.join(missing))}, "
        "which could not be asked.</p>"
        if missing
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>DR compliance report {escape(str(report["start"]))} to {escape(str(report["end"]))}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; }}
th {{ background: #eee; }}
.warn {{ color: #a00; }}
@media print {{ body {{ margin: 0; }} }}
</style></head><body>
<h1>Disaster recovery compliance</h1>
<p>Project {escape(str(report["project_id"]))}, from {escape(str(report["start"]))}
to {escape(str(report["end"]))}; generated {escape(str(report["generated_at"]))}
at {escape(str(report["site"]))}.</p>
<p>RPO compliance over every group: <strong>{escape(_cell(compliance))} %</strong>;
breaches: {report.get("breaches", 0)}; tests run: {report.get("tests_run", 0)},
passed: {report.get("tests_passed", 0)}.</p>
{note}
<table><thead><tr>{headings}</tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}" if not value.is_integer() else f"{value:.0f}"
    return str(value)
