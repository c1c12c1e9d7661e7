"""Memory of a child process by the number of bots it runs (AZURA_CHILD_BOTS).

    .venv/bin/python bench/multibot_memory.py [--bots 1,2,4,8] [--json result.json]

For each count, one real ``python -m azura_child`` process runs that many bots against the sandbox's fake
Discord and fake Lavalink: every bot logged in (its gateway, its guilds, its Lavalink node), the process
SERVING, and every bot linked to a parent end in this process (one ``ChildLink`` per bot over one channel),
idle. Its resident set size (VmRSS) is sampled after a settle time; the cost of each extra bot is the slope
of a least-squares line through the points. Goal (issue 14): each extra bot costs at most 15 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

from azura_common.fastio import FAST_GRPC_IO

os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # the parent's runtime: before grpc is imported

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.remote import ChildConnection
from azura_sandbox.testing import ChildProcess, Sandbox

GOAL_MB_PER_BOT = 15.0
GUILDS = 3  # servers every bot is in besides the sandbox's own (each with members and channels to cache)


def rss_mb(pid: int) -> float:
    """The process's resident set size (VmRSS), in MB (2^20 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def settled_rss(pid: int, settle_s: float, samples: int = 5) -> float:
    """The median of a few samples, once the process has been idle for ``settle_s``."""
    await asyncio.sleep(settle_s)
    found = []
    for _ in range(samples):
        found.append(rss_mb(pid))
        await asyncio.sleep(0.4)
    return statistics.median(found)


async def measure(sandbox: Sandbox, bots: int, settle_s: float) -> float:
    names = [f"mem{bots}-{i}" for i in range(1, bots + 1)]
    child: ChildProcess = await sandbox.spawn_bots(names, wait=True)
    children = Children([ChildLink(ChildConnection(child.address, sandbox.secret), Koe(local_factory=None))])
    try:
        children.start()
        linked = await children.wait_up(30)
        if linked != bots:
            raise RuntimeError(f"{linked}/{bots} bots linked:\n{child.log_tail()}")
        assert child.process is not None
        return await settled_rss(child.process.pid, settle_s)
    finally:
        await children.close()
        await child.stop()


def slope(points: list[tuple[int, float]]) -> float:
    """The least-squares slope of RSS over bots: MB per extra bot."""
    xs, ys = [float(x) for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0


async def main(counts: list[int], settle_s: float, members: int) -> dict[str, Any]:
    sandbox = await Sandbox.start(speed=1)
    try:
        guilds = [sandbox.guild]
        for n in range(GUILDS):  # more than one server, as a real bot has
            guild = await sandbox.discord.create_guild(f"Memory {n + 1}")
            await sandbox.discord.create_text_channel(guild, "music")
            for v in range(3):
                await sandbox.discord.create_voice_channel(guild, f"voice-{v + 1}")
            guilds.append(guild)
        for n in range(members):  # people in every server: what a member cache would hold
            await sandbox.discord.create_user(f"member-{n}", guilds=list(guilds))
        points = [(bots, await measure(sandbox, bots, settle_s)) for bots in counts]
    finally:
        await sandbox.stop()
    per_bot = slope(points)
    return {
        "what": "RSS of one child process by bots it runs (idle, logged in, linked)",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "guilds_per_bot": GUILDS + 1,
        "members_per_guild": members,
        "points": [{"bots": bots, "rss_mb": round(rss, 1)} for bots, rss in points],
        "per_extra_bot_mb": round(per_bot, 2),
        "one_bot_mb": round(points[0][1], 1),
        "goal_mb_per_extra_bot": GOAL_MB_PER_BOT,
        "goal_met": per_bot <= GOAL_MB_PER_BOT,
    }


def print_table(result: dict[str, Any]) -> None:
    points = result["points"]
    first = points[0]
    print(f"child process RSS by bots it runs ({result['guilds_per_bot']} servers of {result['members_per_guild']} "
          "people each, idle, logged in, linked)")
    print("bots per process | child RSS MB | per bot MB | vs one process per bot")
    for p in points:
        separate = first["rss_mb"] * p["bots"] / first["bots"]
        print(f"{p['bots']:>16} | {p['rss_mb']:>12.1f} | {p['rss_mb'] / p['bots']:>10.1f} | "
              f"{separate:.0f} MB -> {p['rss_mb']:.0f} MB ({p['rss_mb'] / separate:.2f}x)")
    verdict = "met" if result["goal_met"] else "NOT met"
    print(f"each extra bot in a process: {result['per_extra_bot_mb']:.1f} MB (least squares; goal <= "
          f"{result['goal_mb_per_extra_bot']:.0f} MB: {verdict})")


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bots", default="1,2,4,8", help="comma-separated bot counts to measure (default 1,2,4,8)")
    parser.add_argument("--settle", type=float, default=4.0, help="idle seconds before sampling (default 4)")
    parser.add_argument("--members", type=int, default=500, help="people in each of the 4 servers (default 500)")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this path")
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.bots.split(",") if n.strip()})
    result = asyncio.run(main(counts, args.settle, args.members))
    print_table(result)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
