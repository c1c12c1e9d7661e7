"""bench/load.py end to end, tiny: the real parent and 2 children, 2 s at a low rate (``make bench`` runs it big)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_low_rate_run_answers_every_command_and_reports_what_it_measured(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--rate", "10", "--seconds", "2", "--children", "2", "--guilds", "1",
         "--sessions", "3", "--idle-seconds", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=110,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    load = report["load"]
    assert (load["sent"], load["answered"], load["errors"]) == (20, 20, 0), load["error_examples"]
    assert 0 < load["latency"]["p50_ms"] <= load["latency"]["p99_ms"] < 10_000
    assert set(report["cpu_load_pct"]) == {"parent", "kid-1", "kid-2", "fakes+driver"}
    assert all(mb > 10 for mb in report["rss_after_mb"].values())
    # 3 sessions in one guild: the parent, then each child, play one
    assert report["sessions_per_bot"] == {"parent": 1, "kid-1": 1, "kid-2": 1}
    plays = report["play"]["sessions"]
    assert len(plays) == 2 and all(p["total_ms"] == pytest.approx(p["search_ms"] + p["beyond_search_ms"], abs=0.05)
                                   for p in plays)
    assert "interaction → callback: p50" in done.stdout
