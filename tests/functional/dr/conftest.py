"""Two whole sites on the shared lab (site A on SQLite, site B on PostgreSQL), with the lab's
compute services, and tenant4's network at site A."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import uvicorn

from gateway.app import create_app
from gateway.server import bind
from gateway.settings import GatewaySettings
from simulators.flasharray.control_client import SimulatorControl
from simulators.lab import TwoSiteLab
from tests.conftest import mixed_site_databases
from tests.functional.dr.twosite import TENANT, TenantNetwork, make_network, region_control
from tests.waiting import wait_until
from tools.stack import Site, running_sites


@pytest.fixture(scope="package")
def sites(
    lab: TwoSiteLab, compute_addresses: dict[str, str], tmp_path_factory: Any
) -> Iterator[dict[str, Site]]:
    state = tmp_path_factory.mktemp("dr")
    with (
        mixed_site_databases(state) as databases,
        running_sites(lab, compute_addresses, state, databases) as made,
    ):
        yield made


@pytest.fixture(scope="package")
def tenant_network(lab: TwoSiteLab) -> TenantNetwork:
    return make_network(lab)


@pytest.fixture(scope="package", autouse=True)
def room_for_every_vm(lab: TwoSiteLab) -> None:
    """tenant4's VMs at site A outlive the tests that make them: room for all of them (a
    test that needs a tighter quota sets its own and puts the default back)."""
    project = lab.regions["site-a"].project_id(TENANT)
    region_control(
        lab,
        "site-a",
        "PUT",
        f"quotas/{project}",
        instances=400,
        cores=1600,
        ram=400 * 8192,
        volumes=1200,
        gigabytes=12000,
        ports=1200,
    )


@pytest.fixture
def control(lab: TwoSiteLab) -> Iterator[SimulatorControl]:
    """The simulated arrays' control API (write journals, faults)."""
    made = SimulatorControl(lab.flasharrays.control_url)
    yield made
    made.close()


@pytest.fixture(scope="package")
def gateways(
    lab: TwoSiteLab, sites: dict[str, Site], tmp_path_factory: Any
) -> Iterator[dict[str, str]]:
    """Each site's REST gateway, served on a real socket in front of its orchestrator:
    site -> base URL."""
    state = tmp_path_factory.mktemp("gateways")
    with ExitStack() as stack:
        yield {
            site: stack.enter_context(
                served_gateway(
                    GatewaySettings(
                        site=site,
                        state_dir=state,
                        keystone_url=lab.regions[site].auth_url,
                        orchestrator_address=f"127.0.0.1:{sites[site].ports['orchestrator']}",
                        port=0,
                    )
                )
            )
            for site in sites
        }


@contextmanager
def served_gateway(settings: GatewaySettings) -> Iterator[str]:
    """The gateway app on a uvicorn thread, until the block ends; yields its base URL."""
    listener = bind(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=30)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
