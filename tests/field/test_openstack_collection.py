"""OpenStack's Ansible collection (openstack.cloud 2.5), unchanged, against a region of the lab:
a tenant's network, security group and rule, volumes, a server booted from a volume made from
an image and its actions, the info modules; an admin's service lists
(playbooks/openstack_tenant.yml checks every outcome itself)."""

from __future__ import annotations

import re

import pytest

from simulators.lab import USER_PASSWORD, TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID
from tests.field.conftest import run_playbook

TENANT = "field"


@pytest.fixture
def region():
    with TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as lab:
        yield lab.regions["site-a"]


def test_the_collection_does_a_tenants_and_an_admins_everyday_work(tools, region, tmp_path):
    clouds = region.write_clouds_yaml(
        tmp_path / "clouds.yaml",
        {"tenant": region.cloud(f"{TENANT}-user", USER_PASSWORD, TENANT), "admin": region.cloud()},
    )
    ran = run_playbook(
        tools,
        "openstack_tenant.yml",
        tmp_path,
        {"OS_CLIENT_CONFIG_FILE": str(clouds)},
        volume_type=f"{TENANT}-async",
        image=CIRROS_IMAGE_ID,
    )
    recaps = re.findall(r"ok=(\d+)\s+changed=\d+\s+unreachable=0\s+failed=0", ran.stdout)
    assert recaps and int(recaps[-1]) >= 20, ran.stdout[-3000:]
    assert USER_PASSWORD not in ran.stdout + ran.stderr
