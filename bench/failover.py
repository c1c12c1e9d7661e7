"""Failover time: kill -9 the child playing a session, again and again; how long until another bot plays it?

    .venv/bin/python bench/failover.py [--kills 20] [--children 4] [--json OUT]

As tests/azura_parent/test_e2e_faults.py does once: one guild, the parent busy with a session of its own, a
second session (a playlist) on a child. Each round: the fake Lavalink's truth names the bot playing that
channel; that bot's process gets SIGKILL; the time counted is from the kill to the moment the fake Lavalink
has exactly one unpaused player in the channel, on another bot, playing the same track (what a listener hears
again). The killed child is started again on its port at once (the parent links it back when it is up). A
restart takes seconds (the process starts, logs in to Discord), longer than a round, so in some rounds no
other child is serving at the kill: the session is parked (silent, its position held) until a restarted child
is, and that round measures the restart. Each round notes how many other children were serving at the kill
(``spare``); rounds are reported apart by that, and by whether the killed child had been killed (and
restarted) before in the run: the parent's Link to that address then has a history of failed reconnects.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchcluster import BenchCluster, write_json
from loadstats import summarize

from azura_common.process import run_main
from azura_sandbox.waiting import eventually

GOAL_S = 3.0  # docs/RELIABILITY.md: a killed child's channel plays on within 3 s


def playing(cluster: BenchCluster, channel_id: int) -> dict[str, Any] | None:
    """The one player heard in the channel (None if none, or if two would be heard)."""
    found = [p for p in cluster.clock.players_truth()
             if p["channel_id"] == str(channel_id) and p["track_title"] and p["session_attached"] and not p["paused"]]
    return found[0] if len(found) == 1 else None


async def serving(cluster: BenchCluster, skip: int) -> int:
    """How many children other than ``kids[skip]`` are serving (could take a session) right now."""
    async def one(kid: Any) -> bool:
        with contextlib.suppress(grpc.aio.AioRpcError):
            return bool(await kid.health(timeout=0.5) == "SERVING")
        return False

    return sum(await asyncio.gather(*(one(k) for i, k in enumerate(cluster.kids) if i != skip)))


async def kill_rounds(args: argparse.Namespace) -> dict[str, Any]:
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="azura-failover-") as tmp:
        cluster = await BenchCluster.start(Path(tmp), children=args.children, guilds=1, channels_per_guild=2)
        try:
            await cluster.play(cluster.listeners[0], 0)  # the parent takes the first channel
            target = cluster.listeners[1]
            await cluster.play(target, 1)
            channel = target.voice.id
            restarted: set[str] = set()  # children killed and started again earlier in this run
            for n in range(args.kills):
                before = await eventually(lambda: playing(cluster, channel), timeout=20, what="the session playing")
                name = cluster.bot_name(int(before["user_id"]))
                index = int(name.removeprefix("kid-")) - 1
                victim = cluster.kids[index]
                await asyncio.sleep(args.play_s)  # the music plays on a moment before the crash
                spare = await serving(cluster, index)
                before = playing(cluster, channel) or before
                killed = time.monotonic()
                victim.kill()
                after = await eventually(
                    lambda b=before: (p := playing(cluster, channel)) is not None and p["user_id"] != b["user_id"]
                    and p["track_title"] == b["track_title"] and p,
                    timeout=30, what="the same track on another bot", poll_s=0.005)
                took = time.monotonic() - killed
                position_error = abs(after["position_ms"] - (before["position_ms"] + took * 1000))
                rounds.append({"round": n + 1, "killed": name, "now_on": cluster.bot_name(int(after["user_id"])),
                               "killed_before": name in restarted, "spare": spare, "seconds": round(took, 3),
                               "position_error_ms": round(position_error)})
                restarted.add(name)
                print(f"  kill {n + 1:2}: {name} → {rounds[-1]['now_on']} in {took:.2f} s ({spare} spare, "
                      f"position off {position_error:.0f} ms)", flush=True)
                await victim.stop()  # reaps the killed process
                # back on its port (the parent links it again) while the next round's session plays on
                cluster.kids[index] = await cluster.sandbox.spawn_child(name, port=victim.port, wait=False)
        finally:
            await cluster.stop()
    times = [r["seconds"] for r in rounds]
    by_history = {label: summarize(picked).as_dict("s")
                  for label, again in (("first_kill", False), ("killed_before", True))
                  if (picked := [r["seconds"] for r in rounds if r["killed_before"] is again])}
    by_spare = {label: summarize(picked).as_dict("s")  # no spare bot: the round measured a restart
                for label, some in (("a_spare_bot", True), ("no_spare_bot", False))
                if (picked := [r["seconds"] for r in rounds if (r["spare"] > 0) is some])}
    return {"config": {k: v for k, v in vars(args).items() if k != "json"}, "rounds": rounds,
            "seconds": summarize(times).as_dict("s"), "by_history": by_history, "by_spare": by_spare, "goal_s": GOAL_S,
            "within_goal": sum(1 for t in times if t <= GOAL_S)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/failover.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--children", type=int, default=4)
    p.add_argument("--play-s", type=float, default=1.0, help="seconds the session plays before each kill")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


async def main() -> int:
    args = parse_args()
    print(f"failover: {args.kills} × kill -9 of the child playing a session (parent + {args.children} children)")
    report = await kill_rounds(args)
    s = report["seconds"]
    print(f"  kill → same track on another bot: p50 {s['p50_s']:.2f} s, p90 {s['p90_s']:.2f} s, max "
          f"{s['max_s']:.2f} s; {report['within_goal']}/{len(report['rounds'])} within {GOAL_S:.0f} s")
    for label, row in (report["by_history"] | report["by_spare"]).items():
        print(f"    {label.replace('_', ' ')} ({row['count']}): p50 {row['p50_s']:.2f} s, max {row['max_s']:.2f} s")
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main()))
