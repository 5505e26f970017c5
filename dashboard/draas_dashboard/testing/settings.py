"""Horizon's test settings with the plugin's dashboards (as masakari-dashboard's tests have
them): DJANGO_SETTINGS_MODULE for the plugin's unit tests."""

import openstack_dashboard.enabled
from openstack_dashboard.test import settings as horizon_test_settings
from openstack_dashboard.test.settings import *  # noqa: F403
from openstack_dashboard.utils import settings as settings_utils

from draas_dashboard import enabled as draas_enabled

# update_dashboards fills these in again, with the plugin's panels.
HORIZON_CONFIG = horizon_test_settings.HORIZON_CONFIG
HORIZON_CONFIG.pop("dashboards", None)
HORIZON_CONFIG.pop("default_dashboard", None)
INSTALLED_APPS = list(horizon_test_settings.INSTALLED_APPS)
settings_utils.update_dashboards(
    [openstack_dashboard.enabled, draas_enabled], HORIZON_CONFIG, INSTALLED_APPS
)
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))

# The test catalog's regions as two draas sites; the user works in RegionOne (site-a).
DRAAS_SITES = {
    "site-a": {"region": "RegionOne", "keystone_url": "http://localhost/identity/v3"},
    "site-b": {"region": "RegionTwo", "keystone_url": "http://remote/identity/v3"},
}
