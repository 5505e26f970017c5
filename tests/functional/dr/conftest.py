"""Two whole sites on the shared lab (site A on SQLite, site B on PostgreSQL), with the lab's
compute services, and tenant4's network at site A."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TwoSiteLab
from tests.conftest import postgres_schema
from tests.functional.dr.twosite import TenantNetwork, make_network
from tools.stack import Site, running_sites


@pytest.fixture(scope="package")
def sites(
    lab: TwoSiteLab, compute_addresses: dict[str, str], tmp_path_factory: Any
) -> Iterator[dict[str, Site]]:
    with postgres_schema() as metadata_b, postgres_schema() as orchestrator_b:
        state = tmp_path_factory.mktemp("dr")
        databases = {
            "site-a-metadata": f"sqlite:///{state}/a-metadata.sqlite3",
            "site-a-orchestrator": f"sqlite:///{state}/a-orchestrator.sqlite3",
            "site-b-metadata": metadata_b,
            "site-b-orchestrator": orchestrator_b,
        }
        with running_sites(lab, compute_addresses, state, databases) as made:
            yield made


@pytest.fixture(scope="package")
def tenant_network(lab: TwoSiteLab) -> TenantNetwork:
    return make_network(lab)


@pytest.fixture
def control(lab: TwoSiteLab) -> Iterator[SimulatorControl]:
    """The simulated arrays' control API (write journals, faults)."""
    made = SimulatorControl(lab.flasharrays.control_url)
    yield made
    made.close()
