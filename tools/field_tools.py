"""The field's own tools in a virtual environment of their own (var/field): ansible-core with
Pure's FlashArray collection (purestorage.flasharray) and OpenStack's (openstack.cloud), taken
from the Ansible release that ships them, over the py-pure-client that draas uses and the
newest openstacksdk that openstack.cloud still runs on. Operators
point these at the lab; the tests under tests/field do the same.

    python -m tools.field_tools      # makes (or checks) the environment and prints where it is

The environment is made once and kept while its pins are unchanged (the pins are written into
it); a lock lets parallel test workers share it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tools.launcher import REPO_ROOT

FIELD_DIR = REPO_ROOT / "var" / "field"
# The Ansible release whose collections are taken: purestorage.flasharray 1.40.0 and
# openstack.cloud 2.5.0 (the whole release is 1.4 GB installed; the two collections, a few MB).
ANSIBLE_RELEASE = "12.3.0"
ANSIBLE_CORE = "2.19.14"
COLLECTIONS = ("purestorage/flasharray", "openstack/cloud")
# openstack.cloud 2.5 reads `openstack.version` without importing it; openstacksdk imports it
# itself (in openstack.config) up to 4.14, not after (draas runs 4.22).
OPENSTACKSDK = "4.14.0"


def _pinned(package: str) -> str:
    """The version constraints.txt pins `package` to (the one draas itself runs)."""
    for line in (REPO_ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise LookupError(f"constraints.txt pins no {package}")


def requirements() -> list[str]:
    """What the environment's Python gets."""
    return [
        f"ansible-core=={ANSIBLE_CORE}",
        f"py-pure-client=={_pinned('py-pure-client')}",
        f"openstacksdk=={OPENSTACKSDK}",
    ]


@dataclass(frozen=True)
class FieldTools:
    """Where the field's tools are."""

    directory: Path

    @property
    def bin(self) -> Path:
        return self.directory / "venv" / "bin"

    @property
    def collections(self) -> Path:
        return self.directory / "collections"

    def environment(self, home: Path) -> dict[str, str]:
        """The environment to run ansible-playbook in: these collections only, its state under
        `home`, nothing from the caller's Ansible settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PUREFA_"))}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.collections),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
            ANSIBLE_HOME=str(home),
            ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
            ANSIBLE_REMOTE_TMP=str(home / "remote-tmp"),
            ANSIBLE_CONFIG=str(home / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_PYTHON_INTERPRETER=str(self.bin / "python"),
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
        )
        return env


def field_tools(directory: Path = FIELD_DIR) -> FieldTools:
    """The field's tools, made first if missing or made with other pins.

    :raises subprocess.CalledProcessError: pip could not install them.
    """
    tools = FieldTools(directory)
    pins = {"requirements": requirements(), "ansible": ANSIBLE_RELEASE, "collections": COLLECTIONS}
    stamp = directory / "pins.json"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and json.loads(stamp.read_text()) == json.loads(json.dumps(pins)):
            return tools
        shutil.rmtree(directory / "venv", ignore_errors=True)
        shutil.rmtree(tools.collections, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(directory / "venv")], check=True)
        pip = [str(tools.bin / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", *requirements()], check=True)
        _extract_collections(pip, tools.collections)
        stamp.write_text(json.dumps(pins))
    return tools


def _extract_collections(pip: list[str], into: Path) -> None:
    """The collections of the Ansible release, out of its wheel (not installed whole)."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [*pip, "download", "--no-deps", "-d", scratch, f"ansible=={ANSIBLE_RELEASE}"],
            check=True,
        )
        (wheel,) = Path(scratch).glob("ansible-*.whl")
        prefixes = tuple(f"ansible_collections/{name}/" for name in COLLECTIONS)
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if m.startswith(prefixes)]
            archive.extractall(into, members)


if __name__ == "__main__":
    made = field_tools()
    print(f"{made.bin}: ansible-core {ANSIBLE_CORE}; collections in {made.collections}")
