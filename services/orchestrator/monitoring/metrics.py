"""The per-group gauges (common/metrics.py's catalogue), read at each scrape from the monitor's
newest round: every group that fails over to this site, labelled with its project so that a
tenant's alarm can be scoped to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from common.metrics import GROUP_LABELS, sampled_gauge
from services.orchestrator.monitoring.history import Sample
from services.orchestrator.monitoring.rules import Watched

RPO = sampled_gauge(
    "draas_group_rpo_seconds",
    "A group's current RPO: the age of the newest recovery point at its target site "
    "(absent while there is none).",
    GROUP_LABELS,
)
RPO_TARGET = sampled_gauge("draas_group_rpo_target_seconds", "A group's RPO target.", GROUP_LABELS)
PROTECTED_VMS = sampled_gauge(
    "draas_group_protected_vms", "The VMs a group protects.", GROUP_LABELS
)
LINK_UP = sampled_gauge(
    "draas_group_link_up",
    "1 while a group's replication link to its target site is up, else 0.",
    GROUP_LABELS,
)

Latest = Callable[[], Iterable[tuple[Watched, Sample]]]


def export(latest: Latest) -> Callable[[], None]:
    """Makes the gauges read the groups `latest()` gives; returns what stops it."""

    def values(pick: Callable[[Watched, Sample], float | None]) -> Callable[[], list]:
        def read() -> list[tuple[tuple[str, ...], float]]:
            found = []
            for item, sample in latest():
                value = pick(item, sample)
                if value is not None:
                    found.append((labels(item), value))
            return found

        return read

    removers = [
        RPO.add_source(values(lambda _, s: s.rpo_seconds)),
        RPO_TARGET.add_source(values(lambda w, _: w.group.rpo_target_seconds)),
        PROTECTED_VMS.add_source(values(lambda w, _: float(len(w.group.vms)))),
        LINK_UP.add_source(values(lambda _, s: 1.0 if s.link_up else 0.0)),
    ]

    def stop() -> None:
        for remove in removers:
            remove()

    return stop


def labels(item: Watched) -> tuple[str, ...]:
    group = item.group
    return (
        item.project_id,
        group.id,
        group.name,
        group.replication_type,
        group.source_site,
        group.target_site,
    )
