"""Horizon with the draas plugin, against the lab's two sites, as a process: `make up` and the
browser tests run it.

Horizon is configured the way an operator would configure it, without writing into its
installed package: the state directory gets

- `local/local_settings.py`, Horizon's own hook (openstack_dashboard.settings imports
  `local.local_settings`, which this directory, first on the process's path, provides): a
  SECRET_KEY made for this run, DEBUG off, signed-cookie sessions, a local-memory cache, site A's
  Keystone as the default and every site's Keystone as a region of the login form and of the
  header's region selector, one theme, static files under the state directory, logging to the
  console (the process's log file);
- `draas_horizon_settings.py`, the settings module: Horizon's settings, with its dashboards
  built again from its own `enabled` files, its `local.enabled` files and the plugin's
  (`draas_dashboard.enabled`), as a plugin installed into Horizon would have them;
- `static/`: the collected static files and the offline-compressed CSS and JavaScript, made once
  per state directory (again when Horizon, the plugin or the plugin list changes), so that no
  page waits for the SCSS compiler.

Horizon runs as `django runserver --insecure` (it serves the static files itself) on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from simulators.lab import TwoSiteLab
from tools.launcher import REPO_ROOT, LaunchError, free_port
from tools.stack import SITES

SETTINGS_MODULE = "draas_horizon_settings"
# The plugin's Horizon `enabled` files (each a module of panel or dashboard settings).
PLUGIN_ENABLED = ("draas_dashboard.enabled",)
STARTUP_SECONDS = 60.0
PREPARE_SECONDS = 300.0
# Written next to the static files once they are made, with what they were made from.
PREPARED_MARKER = ".draas-prepared"

LOCAL_SETTINGS = '''\
"""Horizon's local settings for one run of draas's Horizon (written by tools/horizon.py)."""

DEBUG = False
SECRET_KEY = {secret_key!r}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The whole session (the user's tokens too) lives in a signed cookie; the cache is per process.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}}

# Site A's Keystone by default; every site's Keystone is a region to log in to.
OPENSTACK_KEYSTONE_URL = {default_keystone!r}
AVAILABLE_REGIONS = {regions!r}
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"
OPENSTACK_SSL_NO_VERIFY = False
OPENSTACK_SSL_CACERT = {ca_file!r}

# One theme: the offline compression makes every theme's CSS.
AVAILABLE_THEMES = [("default", "Default", "themes/default")]
DEFAULT_THEME = "default"

STATIC_ROOT = {static_root!r}
MEDIA_ROOT = {media_root!r}
COMPRESS_OFFLINE = True

LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {{"plain": {{"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}}}},
    "handlers": {{"console": {{"class": "logging.StreamHandler", "formatter": "plain"}}}},
    "root": {{"handlers": ["console"], "level": "WARNING"}},
    "loggers": {{
        "django.server": {{"level": "INFO", "propagate": True}},
        "django.request": {{"level": "ERROR"}},
        "horizon": {{"level": "INFO"}},
        "openstack_auth": {{"level": "INFO"}},
        "openstack_dashboard": {{"level": "INFO"}},
        "draas_dashboard": {{"level": "INFO"}},
    }},
}}
'''

SETTINGS = '''\
"""Horizon's settings with the dashboards of Horizon and of its plugins {plugins!r}, as a plugin
installed into Horizon would have them (written by tools/horizon.py).

openstack_dashboard.settings applies only its own `enabled` and `local.enabled` files, to
HORIZON_CONFIG and INSTALLED_APPS; so what that did is taken back, and the dashboards are built
again, with the same functions and in the same order, from all of them.
"""

from importlib import import_module

from openstack_dashboard.settings import *  # noqa: F403
from openstack_dashboard import enabled as _enabled
from openstack_dashboard.local import enabled as _local_enabled
from openstack_dashboard.utils import settings as _settings_utils
from openstack_dashboard import theme_settings as _theme_settings

# Taken back: the apps openstack_dashboard.settings added (the enabled files' apps, which it
# records as the "plugins", and ADD_INSTALLED_APPS), and every list that the discovery of static
# files and update_dashboards extend.
INSTALLED_APPS = [
    a for a in INSTALLED_APPS if a not in HORIZON_CONFIG["plugins"] + ADD_INSTALLED_APPS
]
for _key in (
    "js_files",
    "js_spec_files",
    "external_templates",
    "angular_modules",
    "scss_files",
    "xstatic_modules",
    "xstatic_lib_files",
    "plugins",
):
    HORIZON_CONFIG[_key] = []
HORIZON_CONFIG.pop("dashboards", None)
HORIZON_CONFIG.pop("default_dashboard", None)

_settings_utils.find_static_files(
    HORIZON_CONFIG, AVAILABLE_THEMES, THEME_COLLECTION_DIR, ROOT_PATH
)
_settings_utils.update_dashboards(
    [_enabled, _local_enabled, *[import_module(m) for m in {plugins!r}]],
    HORIZON_CONFIG,
    INSTALLED_APPS,
)
INSTALLED_APPS[0:0] = ADD_INSTALLED_APPS
XSTATIC_MODULES = _settings_utils.BASE_XSTATIC_MODULES + HORIZON_CONFIG["xstatic_modules"]
STATICFILES_DIRS = _theme_settings.get_theme_static_dirs(
    AVAILABLE_THEMES, THEME_COLLECTION_DIR, ROOT_PATH
) + _settings_utils.get_xstatic_dirs(XSTATIC_MODULES, HORIZON_CONFIG)
HORIZON_CONFIG.update({horizon_config!r})
'''


@dataclass(frozen=True)
class HorizonConfig:
    """Where Horizon's settings and static files are, and the environment that runs it."""

    directory: Path

    @property
    def static_root(self) -> Path:
        return self.directory / "static"

    @property
    def log_path(self) -> Path:
        return self.directory / "horizon.log"

    def environment(self) -> dict[str, str]:
        """The process's environment: this directory first on the path (for the settings and
        `local.local_settings`), the repository next; no DRAAS_ or OS_ variables."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAAS_", "OS_"))}
        path = [str(self.directory), str(REPO_ROOT)]
        if env.get("PYTHONPATH"):
            path.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(path)
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def django(self, *args: str, timeout: float = PREPARE_SECONDS) -> None:
        """Runs a Django management command with these settings.

        :raises LaunchError: it failed (with the end of its output).
        """
        ran = subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=self.environment(),
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with self.log_path.open("a") as log:
            log.write(f"$ django {' '.join(args)}\n{ran.stdout}{ran.stderr}")
        if ran.returncode != 0:
            tail = "\n".join((ran.stdout + ran.stderr).splitlines()[-30:])
            raise LaunchError(f"horizon: django {' '.join(args)} failed:\n{tail}")


def installed_plugins(wanted: Sequence[str] = PLUGIN_ENABLED) -> tuple[str, ...]:
    """Those of the plugins' enabled-file packages that are installed (importable)."""
    found = []
    for module in wanted:
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(module)
        except ModuleNotFoundError:
            continue
    return tuple(found)


def keystones(lab: TwoSiteLab) -> dict[str, str]:
    """Each site's Keystone URL (a region of Horizon's), site A first."""
    return {site: lab.regions[site].auth_url for site in SITES}


def write_settings(
    directory: Path,
    regions: dict[str, str],
    plugins: Sequence[str] = PLUGIN_ENABLED,
    ca_file: Path | None = None,
    horizon_config: dict[str, Any] | None = None,
) -> HorizonConfig:
    """Writes the settings of one run into `directory`: a new SECRET_KEY, the first region's
    Keystone as the default, every region in the region selector, the `plugins`' enabled
    files (modules) next to Horizon's own, `ca_file` to verify the Keystones' TLS with, and
    `horizon_config` over HORIZON_CONFIG (e.g. ajax_poll_interval)."""
    config = HorizonConfig(directory)
    (directory / "local").mkdir(parents=True, exist_ok=True)
    (directory / "local" / "__init__.py").write_text("")
    local_settings = LOCAL_SETTINGS.format(
        secret_key=secrets.token_urlsafe(48),
        default_keystone=next(iter(regions.values())),
        regions=[(url, name) for name, url in regions.items()],
        ca_file=str(ca_file) if ca_file else None,
        static_root=str(config.static_root),
        media_root=str(directory / "media"),
    )
    settings_file = directory / "local" / "local_settings.py"
    settings_file.write_text(local_settings)
    settings_file.chmod(0o600)  # it holds the SECRET_KEY
    (directory / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS.format(plugins=tuple(plugins), horizon_config=dict(horizon_config or {}))
    )
    return config


def static_fingerprint(plugins: Sequence[str]) -> str:
    """What the static files are made from: Horizon's version, the plugins' enabled files and
    their packages' static files and templates (names, sizes and times), so that they are made
    again when one changes."""
    digest = hashlib.sha256(importlib.metadata.version("horizon").encode())
    for plugin in plugins:
        digest.update(plugin.encode())
        spec = importlib.util.find_spec(plugin.split(".")[0])
        for root in list(spec.submodule_search_locations or []) if spec else []:
            enabled = Path(root, *plugin.split(".")[1:])
            for folder in (enabled, Path(root) / "static", Path(root) / "templates"):
                for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                    if path.is_file() and "__pycache__" not in path.parts:
                        stat = path.stat()
                        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def prepare_static(config: HorizonConfig, plugins: Sequence[str] = PLUGIN_ENABLED) -> bool:
    """Collects the static files and compresses the CSS and JavaScript offline, unless that
    was done for this Horizon and these plugins already; returns whether it was done now.

    :raises LaunchError: a management command failed.
    """
    marker = config.static_root / PREPARED_MARKER
    fingerprint = static_fingerprint(plugins)
    if marker.exists() and marker.read_text() == fingerprint:
        return False
    marker.unlink(missing_ok=True)
    config.django("collectstatic", "--noinput", "--clear", "--link", "-v", "0")
    config.django("compress", "--force", "-v", "0")
    marker.write_text(fingerprint)
    return True


@dataclass
class HorizonProcess:
    """A running Horizon."""

    process: subprocess.Popen[bytes]
    port: int
    config: HorizonConfig

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        path = self.config.log_path
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until_serving(self, timeout: float = STARTUP_SECONDS) -> None:
        """Waits until the login page answers 200.

        :raises LaunchError: the process exits, or the page does not answer in time.
        """
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LaunchError(
                    f"horizon exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                answer = httpx.get(f"{self.url}/auth/login/", timeout=10)
            except httpx.HTTPError as error:
                last = str(error) or type(error).__name__
            else:
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code}"
            time.sleep(0.1)
        raise LaunchError(
            f"horizon did not serve /auth/login/ in {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_horizon(config: HorizonConfig, port: int = 0) -> HorizonProcess:
    """Starts Horizon on 127.0.0.1 (on `port`, or a free one); call `wait_until_serving`."""
    port = port or free_port()
    with config.log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                "--noreload",
                "--insecure",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            env=config.environment(),
            cwd=config.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return HorizonProcess(process, port, config)


@contextmanager
def running_horizon(
    lab: TwoSiteLab,
    state_dir: Path,
    plugins: Sequence[str] | None = None,
    port: int = 0,
    **settings: Any,
) -> Iterator[str]:
    """Horizon with the plugins (by default: the draas plugin's enabled files, when
    installed) against the lab's sites (each a region; site A's the default), from
    `state_dir/horizon` (settings, static files and horizon.log); yields its URL once
    /auth/login/ answers, and stops it when the block ends.

    :raises LaunchError: Horizon could not be prepared or did not come up.
    """
    plugins = installed_plugins() if plugins is None else tuple(plugins)
    directory = state_dir / "horizon"
    config = write_settings(directory, keystones(lab), plugins, **settings)
    prepare_static(config, plugins)
    horizon = start_horizon(config, port)
    try:
        horizon.wait_until_serving()
        yield horizon.url
    finally:
        horizon.stop()
