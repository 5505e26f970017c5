"""A compliance report as a table: per group, where it is watched, its RPO compliance, worst
RPO and breaches, its tests, the last test's RTO against its target, and readiness now."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from horizon import tables

from draas_dashboard import formatting


def _compliance(row: Any) -> Any:
    value = row.rpo_compliance_percent
    if value is None:
        return _("nothing observed")
    colour = (
        "text-success" if value >= 99.0 else ("text-warning" if value >= 95.0 else "text-danger")
    )
    return format_html('<strong class="{}">{}</strong>', colour, formatting.percent(value))


def _breaches(row: Any) -> str:
    if not row.breaches:
        return "0"
    return f"{row.breaches} ({formatting.seconds(row.breach_seconds)})"


def _tests(row: Any) -> str:
    return f"{row.tests_passed or 0} / {row.tests_run or 0}"


def _last_passed(row: Any) -> str:
    if not row.last_successful_test_at:
        return str(_("never"))
    moment = row.last_successful_test_at
    return f"{formatting.when(moment)} ({formatting.age(moment)} ago)"


def _rto(row: Any) -> Any:
    text = (
        f"{formatting.seconds(row.last_test_rto_seconds)} / "
        f"{formatting.interval(row.rto_target_seconds)}"
    )
    if row.rto_met is None:
        return text
    colour, verdict = ("text-success", _("met")) if row.rto_met else ("text-danger", _("missed"))
    return format_html('{} <span class="{}">({})</span>', text, colour, verdict)


class ComplianceTable(tables.DataTable):
    group = tables.Column(
        "group_name",
        verbose_name=_("Group"),
        link=lambda r: reverse("horizon:project:dr_groups:detail", args=[r.group_id]),
    )
    site = tables.Column("site", verbose_name=_("Watched At"))
    target = tables.Column(
        lambda r: formatting.interval(r.rpo_target_seconds) if r.rpo_target_seconds else "0 (sync)",
        verbose_name=_("RPO Target"),
    )
    compliance = tables.Column(_compliance, verbose_name=_("RPO Compliance"))
    observed = tables.Column(
        lambda r: formatting.span(r.observed_seconds), verbose_name=_("Observed")
    )
    worst = tables.Column(
        lambda r: formatting.seconds(r.worst_rpo_seconds), verbose_name=_("Worst RPO")
    )
    breaches = tables.Column(_breaches, verbose_name=_("Breaches"))
    tests = tables.Column(_tests, verbose_name=_("Tests Passed / Run"))
    last_passed = tables.Column(_last_passed, verbose_name=_("Last Successful Test"))
    rto = tables.Column(_rto, verbose_name=_("Last Test RTO / Target"))
    readiness = tables.Column(lambda r: r.readiness or "-", verbose_name=_("Readiness Now"))

    def get_object_id(self, datum: Any) -> str:
        return str(datum.group_id)

    class Meta:
        name = "compliance"
        verbose_name = _("Compliance")
