"""The load driver's arithmetic: percentiles, the send schedule, CPU shares and memory growth. Pure: no I/O.

Percentiles are nearest-rank (the value of a real sample, never an interpolation between two): p99 of 100
samples is the 99th smallest, so one slow command in a hundred is p99's to show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Summary", "cpu_share", "due_times", "growth_percent", "late_sends", "percentile", "summarize"]


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``samples``; ValueError when there are none."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} is not in (0, 100]")
    ordered = sorted(samples)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """A distribution (latency, in the unit of the samples)."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float

    def as_dict(self, unit: str = "ms") -> dict[str, float]:
        return {"count": self.count, f"p50_{unit}": self.p50, f"p90_{unit}": self.p90, f"p99_{unit}": self.p99,
                f"max_{unit}": self.max, f"mean_{unit}": self.mean}


def summarize(samples: Sequence[float]) -> Summary:
    return Summary(len(samples), percentile(samples, 50), percentile(samples, 90), percentile(samples, 99),
                   max(samples), sum(samples) / len(samples))


def due_times(rate: float, seconds: float) -> list[float]:
    """When each command is due, in seconds after the start, for ``rate`` commands/s over ``seconds``:
    evenly spaced (an open-loop schedule: a slow reply never delays the next send, so queueing shows up
    as latency instead of as a lower rate)."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    count = round(rate * seconds)
    return [i / rate for i in range(count)]


def late_sends(due: Sequence[float], sent: Sequence[float], tolerance_s: float) -> int:
    """How many sends left more than ``tolerance_s`` after they were due: the driver itself fell behind, so
    the rate it claims was not the rate it offered."""
    return sum(1 for d, s in zip(due, sent, strict=True) if s - d > tolerance_s)


def cpu_share(ticks_before: int, ticks_after: int, wall_s: float, ticks_per_s: int) -> float:
    """Percent of one core a process used: its utime+stime tick delta over wall time."""
    if wall_s <= 0:
        raise ValueError("wall time must be positive")
    return 100.0 * (ticks_after - ticks_before) / ticks_per_s / wall_s


def growth_percent(samples: Sequence[float], warmup: int = 1) -> float:
    """How much a series grew from its first sample after ``warmup`` samples to the mean of its last three
    (percent; a steady series is ~0). Start-up allocation is not growth: skip it with ``warmup``."""
    steady = list(samples[warmup:])
    if len(steady) < 2:
        raise ValueError("need at least two samples after the warm-up")
    tail = steady[-3:] if len(steady) > 3 else steady[-1:]
    return 100.0 * (sum(tail) / len(tail) - steady[0]) / steady[0]
