"""``make demo`` as CI runs it: the whole scripted evening on real processes, exit 0, readable story, and no file
left behind (in the directory it ran from, the repository, or the temporary directory)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class DemoRun:
    def __init__(self, result: subprocess.CompletedProcess[str], cwd: Path, tmpdir: Path,
                 repo_before: set[str], repo_after: set[str]) -> None:
        self.result, self.cwd, self.tmpdir = result, cwd, tmpdir
        self.repo_before, self.repo_after = repo_before, repo_after


def _repo_files() -> set[str]:
    """Files git does not track, ignored ones included (a demo must not leave a data/ or a log here either)."""
    listed = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return {line[3:] for line in listed if "__pycache__" not in line and ".egg-info" not in line}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    cwd = tmp_path_factory.mktemp("demo-cwd")
    tmpdir = tmp_path_factory.mktemp("demo-tmp")  # the demo's TMPDIR: whatever it leaves there is found
    before = _repo_files()
    result = subprocess.run(
        [sys.executable, "-m", "azura_sandbox"], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "TMPDIR": str(tmpdir)},
    )
    return DemoRun(result, cwd, tmpdir, before, _repo_files())


@pytest.mark.slow
def test_the_demo_tells_the_whole_story_and_exits_cleanly(demo: DemoRun) -> None:
    result = demo.result
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for step in (
        "Azura (the parent) joined Lounge",
        "(a child bot) joined Gaming",
        "Alice's and Carol's songs now alternate",
        "skipped by 2 and went back 1",
        "Queued 24 tracks from Friday Lounge",
        "took over at",
        "the same song went on, on another bot",
        "the parent forgot the Gaming session",
        "shut down cleanly",
    ):
        assert step in out, f"missing step {step!r}:\n{out}"


@pytest.mark.slow
def test_the_demo_shows_effects_the_search_picker_and_the_dashboard(demo: DemoRun) -> None:
    assert demo.result.returncode == 0, demo.result.stdout[-3000:] + demo.result.stderr[-3000:]
    out = demo.result.stdout
    for step in (
        "Effects in #Gaming: nightcore",  # /effects answered
        "the now-playing message shows: 🎛️ Effects: nightcore",
        "plays at timescale speed 1.2",  # the child's Lavalink player got the filter
        "Carol searches and picks two of the top results",
        "Carol picks the 1st and the 3rd.",
        "picked 2 of the results for sunset drive",
    ):
        assert step in out, f"missing step {step!r}:\n{out}"
    assert re.search(r"^   web dashboard: http://127\.0\.0\.1:\d+ ", out, re.M), out[:2000]


@pytest.mark.slow
def test_the_demo_leaves_no_file_behind(demo: DemoRun) -> None:
    assert demo.result.returncode == 0, demo.result.stderr[-3000:]
    assert list(demo.cwd.iterdir()) == []
    assert list(demo.tmpdir.iterdir()) == []
    assert demo.repo_after - demo.repo_before == set()
