"""Soak: a steady mix for a long time, every process's resident memory sampled; does it grow?

    .venv/bin/python bench/soak.py [--seconds S] [--rate 40] [--sample-s 10] [--json OUT]

The cluster and the mix are bench/load.py's (parent + 8 children, 4 guilds, 32 sessions playing). The load
is sent in windows of ``--sample-s`` seconds at ``--rate`` commands/s (open loop, below what this machine
saturates at); after each window every process's VmRSS is read. Growth is the mean of the last three
samples over the first sample after the warm-up (``--warmup-s``, by default the first 10 % of the windows, at
least one): start-up allocation and caches filling are not growth. Goal: ≤ 5 % per process. ``--seconds`` defaults to
``AZURA_SOAK_S`` or 600.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchcluster import BenchCluster, write_json
from load import Shot, fire, rss_mb, summarize_shots
from loadstats import growth_percent

from azura_common.process import run_main

GOAL_GROWTH_PCT = 5.0


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    windows = max(2, round(args.seconds / args.sample_s))
    warmup = max(1, round(args.warmup_s / args.sample_s) if args.warmup_s is not None else windows // 10)
    with tempfile.TemporaryDirectory(prefix="azura-soak-") as tmp:
        cluster = await BenchCluster.start(Path(tmp), children=args.children, guilds=args.guilds,
                                           channels_per_guild=-(-args.sessions // args.guilds))
        try:
            listeners = await cluster.play_all(args.sessions)
            pids = {**cluster.pids(), "fakes+driver": os.getpid()}
            series: dict[str, list[float]] = {name: [] for name in pids}
            shots: list[Shot] = []
            wall = 0.0
            for window in range(windows):
                got, _, took = await fire(cluster, listeners, args.rate, args.sample_s, seed=window)
                shots += got
                wall += took
                for name, mb in rss_mb(pids).items():
                    series[name].append(mb)
        finally:
            await cluster.stop()
    growth = {name: round(growth_percent(values, warmup), 2) for name, values in series.items()
              if len(values) > warmup + 1}
    azura = {name: g for name, g in growth.items() if name != "fakes+driver"}
    return {"config": {k: v for k, v in vars(args).items() if k != "json"}, "warmup_windows": warmup,
            "rss_mb": series, "growth_pct": growth, "max_growth_pct": max(azura.values()) if azura else None,
            "load": summarize_shots(shots, wall)}


def print_report(r: dict[str, Any]) -> None:
    c = r["config"]
    load = r["load"]
    print(f"soak: {c['rate']}/s for {c['seconds']:.0f} s, RSS read every {c['sample_s']:.0f} s "
          f"(warm-up: the first {r['warmup_windows']} windows)")
    print(f"  commands sent {load['sent']}, errors {load['errors']}, p99 {load['latency']['p99_ms']:.1f} ms")
    for name, values in r["rss_mb"].items():
        print(f"  {name:13} RSS {values[0]:6.1f} → {values[-1]:6.1f} MB   growth {r['growth_pct'].get(name, 0):+.2f} %")
    if r["max_growth_pct"] is None:
        print("  too short to tell growth: it needs at least two samples after the warm-up")
    else:
        print(f"  largest growth of an Azura process: {r['max_growth_pct']:+.2f} % (goal ≤ {GOAL_GROWTH_PCT:.0f} %)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/soak.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=float(os.environ.get("AZURA_SOAK_S", "600")))
    p.add_argument("--rate", type=float, default=40.0)
    p.add_argument("--sample-s", type=float, default=10.0)
    p.add_argument("--children", type=int, default=8)
    p.add_argument("--guilds", type=int, default=4)
    p.add_argument("--sessions", type=int, default=32)
    p.add_argument("--warmup-s", type=float, help="seconds of samples before growth is counted (default: 10 %%); "
                   "the parent keeps each /queue pager for 600 s, so only a warm-up past that shows a plateau")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


async def main() -> int:
    args = parse_args()
    report = await soak(args)
    write_json(args.json, report)
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main()))
