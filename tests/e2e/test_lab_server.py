"""The lab as one long-running process (what docker-compose.yml's `lab` runs): it serves both
simulated sites, says where in lab.json, writes the tenant's clouds.yaml, puts each gateway in
its site's catalog, seeds the tenant's VMs, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import openstack
from openstack.config.loader import OpenStackConfig

from tests.waiting import wait_until
from tools.launcher import REPO_ROOT, service_environment


def test_the_lab_serves_both_sites_and_seeds_the_tenant(tmp_path):
    state = tmp_path / "lab"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "tools.lab_server", "--base-port", "0", "--state-dir",
            str(state), "--gateway", "site-b=http://127.0.0.1:9/dr", "--seed",
        ],
        cwd=REPO_ROOT,
        env=service_environment("unused", tmp_path, {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: process.poll() is not None or (state / "lab.json").exists(), 60)
        assert process.poll() is None, "the lab stopped before serving"
        described = json.loads((state / "lab.json").read_text())
        assert set(described["arrays"]) == {"array-a", "array-b"}
        assert (state / "tls" / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE")
        clouds = OpenStackConfig(config_files=[str(state / "clouds.yaml")])
        site_a = openstack.connection.Connection(config=clouds.get_one(cloud="site-a"))
        site_b = openstack.connection.Connection(config=clouds.get_one(cloud="site-b"))
        # Seeding follows lab.json: the VMs come while the sites already serve.
        seeded = wait_until(
            lambda: len(names := sorted(s.name for s in site_a.compute.servers())) == 3 and names,
            120,
        )
        assert seeded == ["app-1", "db-1", "web-1"]
        assert list(site_b.compute.servers()) == []
        found = site_b.session.get_endpoint(service_type="disaster-recovery", interface="public")
        assert found == "http://127.0.0.1:9/dr"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        output = process.stdout.read() if process.stdout else ""
    assert code == 0, output
    assert "lab serving" in output
