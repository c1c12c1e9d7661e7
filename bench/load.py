"""Load on the sandbox cluster: commands/s through one parent, what a playing session costs, /play → TrackStart.

    .venv/bin/python bench/load.py [--rate 500] [--seconds 20] [--children 8] [--guilds 4] [--sessions 32]
                                   [--idle-seconds 15] [--json OUT]

The fakes run in this process, the parent and the children as their own processes (bench/benchcluster.py).
In order:
1. idle: every process's CPU over ``--idle-seconds`` with the bots logged in and nothing playing;
2. ``--sessions`` listeners start playing (one /play each, round-robin over the guilds); for each session on a
   child: /play → TrackStart, split at the search (see ``play_latencies``);
3. playing: CPU again over ``--idle-seconds``, no commands: a child's extra CPU per session it plays;
4. load: an open-loop schedule of ``--rate`` interactions/s for ``--seconds`` (``MIX``: slash commands
   through the parent and now-playing buttons pressed on the session's bot), each from a listener in
   its channel. Latency is measured inside the fake Discord, from the moment it wrote INTERACTION_CREATE
   to the bot's gateway to the moment the bot's interaction callback request arrived (the reply the user
   sees first); the driver's own waiting is not in it. An error is no reply in ``--timeout`` seconds (a
   refused callback, non-2xx, is never acknowledged, so it counts here too), a slash reply starting with ⚠️,
   or a private (error) answer to a button.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchcluster import BenchCluster, Listener, write_json
from loadstats import cpu_share, due_times, late_sends, summarize
from procstat import TICKS_PER_S, sample

from azura_common.process import run_main
from azura_sandbox.fake_discord import SandboxError

GOAL_RATE = 500
GOAL_P99_MS = 25.0
GOAL_SESSION_CPU = 0.5  # percent of a core per playing session
GOAL_BEYOND_SEARCH_MS = 50.0
LATE_TOLERANCE_S = 0.005


@dataclass(frozen=True)
class Action:
    name: str  # "/nowplaying", "button volume_up"
    weight: int

    @property
    def button(self) -> str | None:
        return self.name.removeprefix("button ") if self.name.startswith("button ") else None


MIX = (Action("/nowplaying", 30), Action("/queue", 20), Action("/volume", 20),
       Action("button volume_up", 15), Action("button volume_down", 15))


@dataclass
class Shot:
    action: str
    bot: str  # who answered: "parent" for slash commands, the session's bot for buttons
    latency_ms: float | None
    error: str | None
    dispatched_at: float | None


async def shoot(cluster: BenchCluster, listener: Listener, action: Action, rng: random.Random,
                timeout_s: float) -> Shot:
    d = cluster.discord
    target = cluster.bot_name(listener.bot_id) if action.button and listener.bot_id else "parent"
    try:
        if action.button:
            assert listener.board is not None
            result = await d.click(listener.user, listener.board.id, f"azura:np:{action.button}",
                                   timeout_s=timeout_s, catch_up=False)
        else:
            options = {"level": str(rng.randint(60, 140))} if action.name == "/volume" else {}
            result = await d.invoke(listener.user, listener.guild, listener.text, action.name[1:], options,
                                    timeout_s=timeout_s)
    except (TimeoutError, SandboxError) as exc:
        return Shot(action.name, target, None, f"{type(exc).__name__}: {exc}", None)
    timing = d.interaction_timing(result.interaction_id)
    d.world.interactions.pop(result.interaction_id, None)  # keep the fake's own memory flat over a soak
    if not action.button and result.message_id is not None:
        d.world.messages.pop(result.message_id, None)
    latency = (timing["answered_at"] - timing["dispatched_at"]) * 1000
    failed = result.private if action.button else result.text.startswith("⚠️")
    return Shot(action.name, target, latency, result.text[:200] if failed else None, timing["dispatched_at"])


async def fire(cluster: BenchCluster, listeners: list[Listener], rate: float, seconds: float, seed: int = 1,
               timeout_s: float = 10.0) -> tuple[list[Shot], int, float]:
    """Send on schedule (never waiting for replies); the shots, how many left late, and the wall time."""
    rng = random.Random(seed)
    actions = [a for a in MIX for _ in range(a.weight)]
    due = due_times(rate, seconds)
    sent: list[float] = []
    tasks: list[asyncio.Task[Shot]] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    for at in due:
        delay = start + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(loop.time() - start)
        tasks.append(asyncio.create_task(shoot(cluster, rng.choice(listeners), rng.choice(actions), rng,
                                               timeout_s)))
    shots = list(await asyncio.gather(*tasks))
    return shots, late_sends(due, sent, LATE_TOLERANCE_S), loop.time() - start


async def fire_closed(cluster: BenchCluster, listeners: list[Listener], in_flight: int, seconds: float,
                      seed: int = 1, timeout_s: float = 10.0) -> tuple[list[Shot], int, float]:
    """``in_flight`` senders, each sending its next command when its last was answered, for ``seconds``: the
    most the cluster answers with at most ``in_flight`` waiting (a closed loop cannot overload it)."""
    rng = random.Random(seed)
    actions = [a for a in MIX for _ in range(a.weight)]
    shots: list[Shot] = []
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def sender() -> None:
        while loop.time() - start < seconds:
            shots.append(await shoot(cluster, rng.choice(listeners), rng.choice(actions), rng, timeout_s))

    await asyncio.gather(*(sender() for _ in range(in_flight)))
    return shots, 0, loop.time() - start


async def cpu_over(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """Percent of a core each process used over the next ``seconds``."""
    before = {name: sample(pid) for name, pid in pids.items()}
    started = time.monotonic()
    await asyncio.sleep(seconds)
    wall = time.monotonic() - started
    out = {}
    for name, pid in pids.items():
        a, b = before[name], sample(pid)
        if a is not None and b is not None:
            out[name] = round(cpu_share(a.ticks, b.ticks, wall, TICKS_PER_S), 2)
    return out


def rss_mb(pids: dict[str, int]) -> dict[str, float]:
    return {name: round(s.rss_kb / 1024, 1) for name, pid in pids.items() if (s := sample(pid)) is not None}


def play_latencies(cluster: BenchCluster, dispatched: dict[int, float]) -> list[dict[str, Any]]:
    """For each session a child plays: /play → TrackStart in ms, split at the search.

    ``total``: the fake Discord wrote /play's INTERACTION_CREATE → the fake Lavalink started the track.
    ``search``: that dispatch → the fake Lavalink's loadtracks reply was ready (the parent received the
    interaction, deferred, and searched). ``beyond_search`` = total − search: choosing a bot, opening the
    session on the child over gRPC, joining voice (gateway op 4, Discord's voice events, the voice state to
    Lavalink) and the play request, until Lavalink started the track.
    """
    out = []
    for i, listener in enumerate(cluster.listeners):
        if id(listener) not in dispatched or listener.bot_id is None:
            continue
        bot = cluster.bot_name(listener.bot_id)
        starts = cluster.clock.track_started.get(str(listener.voice.id))
        searched = cluster.clock.search_answered.get(f"https://www.youtube.com/playlist?list=PLbench{i}")
        if bot == "parent" or not starts or searched is None:
            continue
        sent = dispatched[id(listener)]
        out.append({"bot": bot, "total_ms": round((starts[0] - sent) * 1000, 2),
                    "search_ms": round((searched - sent) * 1000, 2),
                    "beyond_search_ms": round((starts[0] - searched) * 1000, 2)})
    return out


def session_cost(idle: dict[str, float], playing: dict[str, float], per_bot: dict[str, int]) -> dict[str, Any]:
    """A child's CPU with its sessions minus its CPU idle, per session."""
    rows = {name: {"sessions": n, "idle_pct": idle[name], "playing_pct": playing[name],
                   "per_session_pct": round((playing[name] - idle[name]) / n, 3)}
            for name, n in sorted(per_bot.items()) if name != "parent" and n and name in idle and name in playing}
    sessions = sum(r["sessions"] for r in rows.values())
    extra = sum(r["playing_pct"] - r["idle_pct"] for r in rows.values())
    return {"children": rows, "sessions": sessions, "per_session_pct": round(extra / sessions, 3) if sessions else None}


def summarize_shots(shots: list[Shot], wall_s: float) -> dict[str, Any]:
    answered = [s for s in shots if s.latency_ms is not None]
    errors = [s for s in shots if s.error is not None]
    by_action: dict[str, Any] = {}
    for name in sorted({s.action for s in shots}):
        lat = [s.latency_ms for s in answered if s.action == name and s.latency_ms is not None]
        by_action[name] = {"sent": sum(1 for s in shots if s.action == name),
                           "errors": sum(1 for s in errors if s.action == name),
                           **(summarize(lat).as_dict() if lat else {})}
    latencies = [s.latency_ms for s in answered if s.latency_ms is not None]
    slash = [s for s in answered if s.bot == "parent"]
    return {"sent": len(shots), "answered": len(answered), "errors": len(errors),
            "error_examples": sorted({s.error or "" for s in errors})[:5],
            "achieved_per_s": round(len(answered) / wall_s, 1),
            "through_parent_per_s": round(len(slash) / wall_s, 1),
            "latency": summarize(latencies).as_dict() if latencies else None,
            "by_action": by_action}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    per_guild = -(-args.sessions // args.guilds)
    with tempfile.TemporaryDirectory(prefix="azura-bench-") as tmp:
        cluster = await BenchCluster.start(Path(tmp), children=args.children, guilds=args.guilds,
                                           channels_per_guild=per_guild)
        try:
            pids = {**cluster.pids(), "fakes+driver": os.getpid()}
            report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "json"}}
            report["rss_idle_mb"] = rss_mb(pids)
            idle = await cpu_over(pids, args.idle_seconds) if args.idle_seconds else {}
            listeners = cluster.spread(args.sessions)
            dispatched: dict[int, float] = {}
            by_guild: dict[int, list[Listener]] = {}
            for listener in listeners:
                by_guild.setdefault(listener.guild.id, []).append(listener)

            async def play_guild(group: list[Listener]) -> None:
                for listener in group:
                    dispatched[id(listener)] = await cluster.play(listener, cluster.listeners.index(listener))

            await asyncio.gather(*(play_guild(g) for g in by_guild.values()))
            per_bot: dict[str, int] = {}
            for listener in listeners:
                name = cluster.bot_name(listener.bot_id) if listener.bot_id else "?"
                per_bot[name] = per_bot.get(name, 0) + 1
            report["sessions_per_bot"] = per_bot
            plays = play_latencies(cluster, dispatched)
            report["play"] = {"sessions": plays, **({k: summarize([p[k] for p in plays]).as_dict()
                                                     for k in ("total_ms", "search_ms", "beyond_search_ms")}
                                                    if plays else {})}
            if args.idle_seconds:
                playing = await cpu_over(pids, args.idle_seconds)
                report["cpu_idle_pct"], report["cpu_playing_pct"] = idle, playing
                report["session_cost"] = session_cost(idle, playing, per_bot)
            before = {name: sample(pid) for name, pid in pids.items()}
            if args.in_flight:
                shots, late, wall = await fire_closed(cluster, listeners, args.in_flight, args.seconds, args.seed,
                                                      args.timeout)
            else:
                shots, late, wall = await fire(cluster, listeners, args.rate, args.seconds, args.seed, args.timeout)
            report["load"] = {**summarize_shots(shots, wall), "late_sends": late, "wall_s": round(wall, 2)}
            report["cpu_load_pct"] = {name: round(cpu_share(b.ticks, a.ticks, wall, TICKS_PER_S), 1)
                                      for name, pid in pids.items()
                                      if (b := before[name]) is not None and (a := sample(pid)) is not None}
            report["rss_after_mb"] = rss_mb(pids)
            report["exited"] = sorted(name for name, p in cluster.processes.items()
                                      if p.process is not None and p.process.poll() is not None)
        finally:
            await cluster.stop()
    return report


def print_report(r: dict[str, Any]) -> None:
    load = r["load"]
    lat = load["latency"] or {}
    c = r["config"]
    offered = f"{c['in_flight']} in flight" if c["in_flight"] else f"{c['rate']}/s offered"
    print(f"load: {offered} for {c['seconds']} s, parent + {c['children']} children, "
          f"{c['guilds']} guilds, {c['sessions']} sessions playing")
    print(f"  sent {load['sent']}, answered {load['answered']} ({load['achieved_per_s']}/s; through the parent "
          f"{load['through_parent_per_s']}/s), errors {load['errors']}, sends late >5 ms: {load['late_sends']}")
    if lat:
        print(f"  interaction → callback: p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, "
              f"max {lat['max_ms']:.1f} ms")
    for name, row in load["by_action"].items():
        if "p50_ms" in row:
            print(f"    {name:22} sent {row['sent']:6}  p50 {row['p50_ms']:7.1f}  p99 {row['p99_ms']:7.1f}  "
                  f"errors {row['errors']}")
    print("  CPU % of a core under load: " + ", ".join(f"{k} {v}" for k, v in r["cpu_load_pct"].items()))
    print("  RSS MB after: " + ", ".join(f"{k} {v}" for k, v in r["rss_after_mb"].items()))
    if "session_cost" in r:
        cost = r["session_cost"]
        print(f"  a playing session: {cost['per_session_pct']} % of a core on its child "
              f"({cost['sessions']} sessions on children; goal ≤ {GOAL_SESSION_CPU} %)")
    if r["play"].get("beyond_search_ms"):
        p = r["play"]
        print(f"  /play → TrackStart on a child ({p['total_ms']['count']} sessions): total p50 "
              f"{p['total_ms']['p50_ms']:.1f} ms, search p50 {p['search_ms']['p50_ms']:.1f} ms, beyond the search "
              f"p50 {p['beyond_search_ms']['p50_ms']:.1f} / p99 {p['beyond_search_ms']['p99_ms']:.1f} ms "
              f"(goal ≤ {GOAL_BEYOND_SEARCH_MS:.0f} ms)")
    if lat:
        ok = load["achieved_per_s"] >= GOAL_RATE and lat["p99_ms"] <= GOAL_P99_MS and load["errors"] == 0
        print(f"  goal ≥ {GOAL_RATE}/s, p99 ≤ {GOAL_P99_MS:.0f} ms, 0 errors: {'met' if ok else 'NOT met'}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--rate", type=float, default=500.0, help="interactions per second offered")
    p.add_argument("--in-flight", type=int, default=0,
                   help="closed loop instead: this many senders, each waiting for its reply (max throughput)")
    p.add_argument("--seconds", type=float, default=20.0, help="how long the load runs")
    p.add_argument("--children", type=int, default=8)
    p.add_argument("--guilds", type=int, default=4)
    p.add_argument("--sessions", type=int, default=32, help="playing sessions (listeners sending commands)")
    p.add_argument("--idle-seconds", type=float, default=15.0, help="CPU window idle and playing (0: skip)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds before an unanswered command is an error")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="write the full report here")
    args = p.parse_args(argv)
    if args.sessions > args.guilds * (args.children + 1):
        p.error(f"{args.sessions} sessions need more bots: one bot plays one channel per guild "
                f"({args.guilds} guilds × {args.children + 1} bots)")
    return args


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = await run(args)
    print_report(report)
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main()))
