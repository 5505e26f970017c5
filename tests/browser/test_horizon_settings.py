"""tools/horizon.py's settings: Horizon's own settings when no plugin is added, and a plugin's
enabled files applied once, as if they were installed into Horizon (no browser needed)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tools.horizon import SETTINGS_MODULE, write_settings

REGIONS = {"site-a": "http://127.0.0.1:1/identity/v3", "site-b": "http://127.0.0.1:2/identity/v3"}
DUMP = """
import json, re, django
django.setup()
from django.conf import settings
def plain(value):
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))
print(json.dumps({
    "apps": list(settings.INSTALLED_APPS),
    "static": plain(settings.STATICFILES_DIRS),
    "xstatic": plain(settings.XSTATIC_MODULES),
    "horizon": {k: plain(v) for k, v in settings.HORIZON_CONFIG.items()},
    "regions": settings.AVAILABLE_REGIONS,
    "keystone": settings.OPENSTACK_KEYSTONE_URL,
    "debug": settings.DEBUG,
    "secret": settings.SECRET_KEY,
    "sessions": settings.SESSION_ENGINE,
}))
"""
PLUGIN_PANEL = """
PANEL = "fake_panel"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "default"
ADD_PANEL = "fakeplugin.panel.FakePanel"
ADD_INSTALLED_APPS = ["fakeplugin"]
"""


def settings_of(directory: Path, module: str, extra_path: Path | None = None) -> dict:
    path = [str(directory), *([str(extra_path)] if extra_path else [])]
    env = {
        "DJANGO_SETTINGS_MODULE": module,
        "PYTHONPATH": ":".join([*path, str(Path(__file__).resolve().parents[2])]),
    }
    ran = subprocess.run(
        [sys.executable, "-c", DUMP], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(ran.stdout.splitlines()[-1])


def test_without_plugins_the_settings_are_horizons(tmp_path: Path) -> None:
    write_settings(tmp_path, REGIONS, plugins=())
    ours = settings_of(tmp_path, SETTINGS_MODULE)
    horizons = settings_of(tmp_path, "openstack_dashboard.settings")
    assert ours == horizons
    assert ours["regions"] == [[url, site] for site, url in REGIONS.items()]
    assert ours["keystone"] == REGIONS["site-a"]
    assert ours["debug"] is False
    assert ours["sessions"] == "django.contrib.sessions.backends.signed_cookies"
    # Each run its own key (never Horizon's key file in its package).
    write_settings(tmp_path, REGIONS, plugins=())
    assert settings_of(tmp_path, SETTINGS_MODULE)["secret"] != ours["secret"]
    assert len(ours["secret"]) >= 50


def test_a_plugins_enabled_files_are_applied_once(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    (plugin / "fakeplugin" / "enabled").mkdir(parents=True)
    (plugin / "fakeplugin" / "__init__.py").write_text("")
    (plugin / "fakeplugin" / "enabled" / "__init__.py").write_text("")
    (plugin / "fakeplugin" / "enabled" / "_9000_fake_panel.py").write_text(PLUGIN_PANEL)
    write_settings(tmp_path / "horizon", REGIONS, plugins=("fakeplugin.enabled",))
    ours = settings_of(tmp_path / "horizon", SETTINGS_MODULE, plugin)
    horizons = settings_of(tmp_path / "horizon", "openstack_dashboard.settings", plugin)
    assert ours["apps"].count("fakeplugin") == 1
    assert [app for app in ours["apps"] if app != "fakeplugin"] == horizons["apps"]
    panels = re.findall(r"'PANEL': '(\w+)'", ours["horizon"]["panel_customization"])
    assert panels == [
        *re.findall(r"'PANEL': '(\w+)'", horizons["horizon"]["panel_customization"]),
        "fake_panel",
    ]
    for key in ("js_files", "xstatic_lib_files", "angular_modules", "dashboards"):
        assert ours["horizon"][key] == horizons["horizon"][key]
