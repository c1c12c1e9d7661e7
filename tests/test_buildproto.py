"""buildproto.py --check passes on the committed code and names the stale files after a proto edit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs buildproto.py (protoc) as a process

ROOT = Path(__file__).resolve().parents[1]


def run_check(proto_dir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "buildproto.py"), "--check", "--proto-dir", str(proto_dir), "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def stale_report(result: subprocess.CompletedProcess[str]) -> str:
    """The check's own report (protoc plugins chat on stderr too)."""
    return result.stderr.partition("Generated code is stale")[2]


def test_committed_code_is_current() -> None:
    result = run_check(ROOT / "proto", ROOT / "azura_common" / "koe" / "pb")
    assert result.returncode == 0, result.stderr


def test_an_edited_proto_makes_the_check_fail_naming_files(tmp_path: Path) -> None:
    protos = tmp_path / "proto"
    shutil.copytree(ROOT / "proto", protos)
    pb_copy = tmp_path / "pb"
    shutil.copytree(ROOT / "azura_common" / "koe" / "pb", pb_copy)
    koe = protos / "azura" / "koe" / "v1" / "koe.proto"
    added = "\n// A message added without regenerating.\nmessage Forgotten {\n  // x\n  int32 x = 1;\n}\n"
    koe.write_text(koe.read_text() + added)
    result = run_check(protos, pb_copy)
    assert result.returncode == 1
    report = stale_report(result)
    assert "koe_pb2.py\n" in report and "koe_pb2.pyi" in report
    assert "koe_pb2_grpc.py" not in report  # the service did not change


def test_a_hand_edited_generated_file_is_stale(tmp_path: Path) -> None:
    pb_copy = tmp_path / "pb"
    shutil.copytree(ROOT / "azura_common" / "koe" / "pb", pb_copy)
    stub = pb_copy / "azura" / "koe" / "v1" / "koe_pb2_grpc.py"
    stub.write_text(stub.read_text() + "\n# edited by hand\n")
    (pb_copy / "azura" / "koe" / "v1" / "leftover_pb2.py").write_text("")
    result = run_check(ROOT / "proto", pb_copy)
    assert result.returncode == 1
    report = stale_report(result)
    assert "koe_pb2_grpc.py\n" in report and "leftover_pb2.py" in report and "koe_pb2.py\n" not in report
