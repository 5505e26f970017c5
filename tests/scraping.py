"""Reading Prometheus metrics as Prometheus does: the text format parsed by prometheus-client's
own parser, from a /metrics URL or from text."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    """One scrape: every family and sample in it."""

    def __init__(self, text: str) -> None:
        self.families = {f.name: f for f in text_string_to_metric_families(text)}

    def samples(self, name: str, **labels: str) -> list[Any]:
        """The samples named `name` (a counter's x_total, a histogram's x_count, ...) that carry
        every one of `labels`."""
        return [
            sample
            for family in self.families.values()
            for sample in family.samples
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
        ]

    def value(self, name: str, **labels: str) -> float:
        """The sum of those samples (0 when there are none)."""
        return sum(sample.value for sample in self.samples(name, **labels))

    def label_values(self, name: str, label: str) -> set[str]:
        """Every value `label` takes in the samples named `name`."""
        return {s.labels[label] for s in self.samples(name) if label in s.labels}


def scrape(url: str) -> Scrape:
    """GETs a /metrics URL and parses it; its content type must be Prometheus's text format."""
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain; version=")
    return Scrape(response.text)
