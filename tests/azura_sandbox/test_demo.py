"""``make demo`` as CI runs it: the whole scripted evening on real processes, exit 0, readable story."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_tells_the_whole_story_and_exits_cleanly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "azura_sandbox"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
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
