import shutil
import subprocess
import sys

import pytest

from tools.protos import PROTO_ROOT, REPO_ROOT, stale_files


@pytest.fixture
def copy(tmp_path):
    protos = tmp_path / "protos"
    package = tmp_path / "draas"
    shutil.copytree(PROTO_ROOT, protos)
    shutil.copytree(REPO_ROOT / "draas", package, ignore=shutil.ignore_patterns("__pycache__"))
    return protos, package


def test_committed_generated_code_is_current():
    assert stale_files(PROTO_ROOT, REPO_ROOT / "draas") == []


def test_a_changed_proto_is_detected(copy):
    protos, package = copy
    proto = protos / "draas" / "metadata" / "v1" / "metadata.proto"
    proto.write_text(
        proto.read_text().replace("  bool deleted = 6;", "  bool deleted = 6;\n  string note = 99;")
    )
    stale = stale_files(protos, package)
    assert "metadata/v1/metadata_pb2.py" in stale
    assert "metadata/v1/metadata_pb2.pyi" in stale


def test_a_hand_edited_generated_file_is_detected(copy):
    protos, package = copy
    with (package / "storage" / "v1" / "storage_pb2_grpc.py").open("a") as generated:
        generated.write("# patched by hand\n")
    assert stale_files(protos, package) == ["storage/v1/storage_pb2_grpc.py"]


def test_missing_and_leftover_files_are_detected(copy):
    protos, package = copy
    (package / "compute" / "v1" / "compute_pb2.pyi").unlink()
    (package / "compute" / "v1" / "old_pb2.py").write_text("")
    assert stale_files(protos, package) == ["compute/v1/compute_pb2.pyi", "compute/v1/old_pb2.py"]


def test_generated_code_imports_from_anywhere(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from draas.orchestrator.v1 import orchestrator_pb2_grpc;"
            "from draas.metadata.v1 import metadata_pb2;"
            "print(metadata_pb2.Entity.DESCRIPTOR.full_name)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "draas.metadata.v1.Entity"
