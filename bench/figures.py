"""The plots of BENCHMARKS.md (matplotlib, Agg: files only), under bench/plots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

PLOTS = Path(__file__).resolve().parent / "plots"

Json = dict[str, Any]


def plot_latency(remote: Json, steady: Json | None) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, samples in remote["end_to_end_us"].items():
        ordered = sorted(v / 1000 for v in samples)
        ax.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=name)
    ax.set_xscale("log")
    ax.set_xlabel("latency of one pause (ms, log scale)")
    ax.set_ylabel("fraction of calls at most that slow")
    ax.set_title("A session call: in-process (local) vs a child process over gRPC (remote)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(PLOTS / "latency_local_vs_remote.png", dpi=110)
    plt.close(fig)


def plot_failover(failover: Json) -> None:
    rounds = failover["rounds"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    colours = ["#dd8452" if r.get("killed_before") else "#4c72b0" for r in rounds]
    ax.bar([r["round"] for r in rounds], [r["seconds"] for r in rounds], color=colours)
    ax.bar([0], [0], color="#4c72b0", label="the child's first kill")
    ax.bar([0], [0], color="#dd8452", label="killed again after its restart")
    ax.axhline(failover["goal_s"], color="#c44e52", linestyle="--", label=f"goal {failover['goal_s']:.0f} s")
    ax.set_xlabel("kill -9 number")
    ax.set_ylabel("seconds until the same track plays again")
    ax.set_title("Failover: a child playing a session killed, again and again")
    ax.legend()
    fig.tight_layout()
    fig.savefig(PLOTS / "failover.png", dpi=110)
    plt.close(fig)


def plot_children(rows: list[tuple[int, Json]]) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    counts = [c for c, _ in rows]
    ax.bar([str(c) for c in counts], [r["load"]["achieved_per_s"] for _, r in rows], color="#55a868")
    ax.set_xlabel("child processes (the parent is one more)")
    ax.set_ylabel("commands answered per second")
    ax.set_title("Throughput vs children (16 in flight, 8 sessions)")
    fig.tight_layout()
    fig.savefig(PLOTS / "throughput_vs_children.png", dpi=110)
    plt.close(fig)


def memory_rows(multibot: Json) -> list[tuple[float, float]]:
    """(bots in the process, RSS MB) from bench/multibot_memory.py's JSON: a list of records, at the top
    or under one key, each with a number keyed like ``bots`` and one like ``rss``/``mb``."""
    records = multibot if isinstance(multibot, list) else next(
        (v for v in multibot.values() if isinstance(v, list) and v and isinstance(v[0], dict)), [])
    rows = []
    for record in records:
        bots = next((v for k, v in record.items() if "bot" in k.lower() and isinstance(v, int | float)), None)
        rss = next((v for k, v in record.items() if ("rss" in k.lower() or k.lower().endswith("mb"))
                    and isinstance(v, int | float)), None)
        if bots is not None and rss is not None:
            rows.append((float(bots), float(rss)))
    return sorted(rows)


def plot_memory(rows: list[tuple[float, float]]) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([b for b, _ in rows], [m for _, m in rows], marker="o")
    ax.set_xlabel("bots in one child process")
    ax.set_ylabel("process RSS (MB)")
    ax.set_title("Memory vs bots per process")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOTS / "memory_vs_bots.png", dpi=110)
    plt.close(fig)
