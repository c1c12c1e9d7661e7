"""What an operator meets first: ``--help`` on every entry point naming the variables it reads, and a start-up
with several wrong settings that names all of them at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from platform_files import documented_variables

from azura_common.envhelp import CHILD_VARIABLES, ENVIRONMENT, PARENT_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""["'](AZURA_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|LAVALINK_(?:URI|PASSWORD|NODES)|PORT|DYNO|"""
                  r"""HONCHO_PROCESS_NAME|GRPC_EXPERIMENTS)["']""")
COMMON = ("config.py", "process.py", "fastio.py", "tls.py")  # what both bots read through azura_common
SET_BY_PLATFORMS = {"DYNO", "HONCHO_PROCESS_NAME", "GRPC_EXPERIMENTS"}  # not the operator's to document
# Named, not read: process.py's message for a refused token names each bot's token variable.
NAMED_ONLY = {"azura_child": {"AZURA_PARENT_TOKEN"}, "azura_parent": {"AZURA_CHILD_TOKEN", "AZURA_CHILD_TOKENS"}}


def variables_read(package: str) -> set[str]:
    """Every variable name the package's code (and the shared config modules) mentions as a string."""
    files = [*sorted((ROOT / package).rglob("*.py")), *(ROOT / "azura_common" / name for name in COMMON)]
    return {name for path in files if path.exists() for name in READ.findall(path.read_text())}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not READ.fullmatch(f'"{key}"')}
    # -W error: importing an entry point warns about nothing on a clean install (discord.py's audioop is quieted)
    return subprocess.run([sys.executable, "-W", "error", *args], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**clean, **(env or {})})


@pytest.mark.parametrize(("package", "listed"), [("azura_parent", PARENT_VARIABLES), ("azura_child", CHILD_VARIABLES)])
def test_help_lists_every_variable_the_process_reads(package: str, listed: tuple[str, ...]) -> None:
    result = run("-m", package, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m {package}")
    shown = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)  ", result.stdout, re.MULTILINE))
    assert shown == set(listed)
    missing = variables_read(package) - shown - NAMED_ONLY[package]
    assert missing == set(), "read but not in --help (azura_common/envhelp.py)"


def test_env_example_documents_every_variable_the_bots_read() -> None:
    read = variables_read("azura_parent") | variables_read("azura_child")
    assert read - SET_BY_PLATFORMS - documented_variables() == set()
    assert set(ENVIRONMENT) - SET_BY_PLATFORMS - documented_variables() == set()


@pytest.mark.parametrize("module", ["azura_sandbox", "azura_common.healthcheck"])
def test_the_other_entry_points_answer_help(module: str) -> None:
    result = run("-m", module, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m {module}") and "environment variables read" in result.stdout


def test_an_unknown_argument_is_refused_with_the_usage() -> None:
    result = run("-m", "azura_child", "--port", "5100")
    assert result.returncode == 2 and "unrecognized arguments: --port 5100" in result.stderr


def test_a_parent_with_four_wrong_settings_names_all_four_and_starts_nothing() -> None:
    result = run("-m", "azura_parent", env={"PORT": "eighty", "AZURA_IDLE_TIMEOUT_S": "soon",
                                            "AZURA_COMMAND_GUILDS": "my server", "AZURA_DB_PATH": "unused"})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "azura_parent: 4 configuration problems (see --help and .env.example):"
    assert lines[1:] == [
        "  - AZURA_PARENT_TOKEN is required (the parent bot's token)",
        "  - PORT must be a port number, not 'eighty'",
        "  - AZURA_COMMAND_GUILDS must be comma-separated ids, not 'my server'",
        "  - AZURA_IDLE_TIMEOUT_S must be a number of seconds, not 'soon'",
    ]
    assert not (ROOT / "unused").exists()


def test_a_child_with_three_wrong_settings_names_all_three() -> None:
    result = run("-m", "azura_child", env={"PORT": "99999", "LAVALINK_NODES": "lavalink:2333",
                                           "AZURA_CHILD_TOKENS": "only-one", "AZURA_CHILD_INDEX": "2"})
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert [p.split(":")[0].split()[1:3] for p in problems] == [["child", "2"], ["AZURA_CLUSTER_SECRET", "is"],
                                                               ["PORT", "must"], ["LAVALINK_NODES"]]


def test_a_single_problem_stays_one_line() -> None:
    result = run("-m", "azura_child", env={"AZURA_CHILD_TOKEN": "t"})
    assert result.returncode == 2
    assert result.stderr == ("azura_child: AZURA_CLUSTER_SECRET is required (the same value for the parent and "
                             "every child)\n")
