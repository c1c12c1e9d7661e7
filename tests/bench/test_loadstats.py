"""The load driver's arithmetic (bench/loadstats.py): percentiles, the send schedule, CPU shares, growth."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # bench/ is scripts, not a package

from loadstats import cpu_share, due_times, growth_percent, late_sends, percentile, summarize


def test_percentiles_are_nearest_rank_samples() -> None:
    samples = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(samples, 50) == 50
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert percentile([7.0], 99) == 7.0
    # one slow command in a hundred is what p99 shows; in a thousand it is past p99
    assert percentile([1.0] * 99 + [500.0], 99) == 1.0
    assert percentile([1.0] * 98 + [500.0] * 2, 99) == 500.0


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)
    with pytest.raises(ValueError, match="not in"):
        percentile([1.0], 0)


def test_summary_of_a_run() -> None:
    s = summarize([2.0, 4.0, 6.0, 8.0])
    assert (s.count, s.p50, s.p99, s.max, s.mean) == (4, 4.0, 8.0, 8.0, 5.0)
    assert s.as_dict()["p99_ms"] == 8.0


def test_schedule_is_evenly_paced_at_the_rate() -> None:
    due = due_times(500, 2)
    assert len(due) == 1000
    assert due[0] == 0 and due[1] == pytest.approx(0.002) and due[-1] == pytest.approx(1.998)
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(due)}
    assert gaps == {0.002}
    assert len(due_times(3, 2)) == 6
    with pytest.raises(ValueError):
        due_times(0, 10)


def test_late_sends_count_only_those_past_the_tolerance() -> None:
    due = [0.0, 0.01, 0.02, 0.03]
    sent = [0.0, 0.012, 0.04, 0.0301]
    assert late_sends(due, sent, tolerance_s=0.005) == 1


def test_cpu_share_is_ticks_over_wall_time() -> None:
    assert cpu_share(1000, 1050, wall_s=10, ticks_per_s=100) == pytest.approx(5.0)  # 0.5 s of CPU in 10 s
    assert cpu_share(0, 200, wall_s=1, ticks_per_s=100) == pytest.approx(200.0)  # two cores busy
    with pytest.raises(ValueError):
        cpu_share(0, 1, wall_s=0, ticks_per_s=100)


def test_growth_skips_the_warm_up_and_averages_the_end() -> None:
    assert growth_percent([50, 100, 100, 100, 100]) == pytest.approx(0.0)  # start-up allocation is not growth
    assert growth_percent([100, 100, 102, 104, 106, 108]) == pytest.approx(6.0)  # mean of 104,106,108 vs 100
    assert growth_percent([100, 110], warmup=0) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        growth_percent([100, 100], warmup=1)
