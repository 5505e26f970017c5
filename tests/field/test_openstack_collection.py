"""OpenStack's Ansible collection (openstack.cloud 2.5), unchanged, against a region of the lab:
a tenant's network, security group and rule, volumes, a server booted from a volume made from
an image and its actions, snapshots and copies, a server whose boot volume Nova makes, the info
modules; an admin's service lists and a volume managed and unmanaged
(playbooks/openstack_tenant.yml checks every outcome itself)."""

from __future__ import annotations

import re

import pytest
from pypureclient import flasharray as fa

from simulators.lab import USER_PASSWORD, TwoSiteLab
from simulators.openstack.config import CIRROS_IMAGE_ID
from tests.field.conftest import run_playbook
from tests.functional.lab import array_client

TENANT = "field"


@pytest.fixture
def lab():
    with TwoSiteLab(tenants=[TENANT], boot_seconds=0.05) as running:
        yield running


def test_the_collection_does_a_tenants_and_an_admins_everyday_work(tools, lab, tmp_path):
    region = lab.regions["site-a"]
    array = lab.flasharrays.fabric.arrays["array-a"]
    made = array_client(lab, "array-a").post_volumes(
        names=["found-on-the-array"], volume=fa.VolumePost(provisioned=2**30)
    )
    assert made.status_code == 200
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
        backend_host=f"cinder@{TENANT}-async#{TENANT}-async",
        array_volume="found-on-the-array",
    )
    recaps = re.findall(r"ok=(\d+)\s+changed=\d+\s+unreachable=0\s+failed=0", ran.stdout)
    assert recaps and int(recaps[-1]) >= 38, ran.stdout[-3000:]
    # The volume went through Cinder and back: renamed as Cinder's driver renames it.
    unmanaged = [name for name in array.volumes if name.endswith("-cinder-unmanaged")]
    assert len(unmanaged) == 1 and "found-on-the-array" not in array.volumes
    assert USER_PASSWORD not in ran.stdout + ran.stderr
