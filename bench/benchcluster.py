"""The cluster every benchmark drives: the fakes in this process, the real parent and children as processes.

``BenchCluster.start`` builds ``guilds`` servers, each with voice channels, one text channel per voice channel
and one listener per voice channel, spawns ``children`` child processes and the parent (``python -m
azura_child`` / ``azura_parent``, never forked), and ``play`` starts sessions: a listener joins, runs /play
with a playlist, and the session's bot posts its now-playing message (whose buttons the load presses).

The fake Lavalink records when each player's track started (``TrackStartClock``): the truth the /play →
TrackStart figure is measured against.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from azura_sandbox.fake_discord import FakeDiscord
from azura_sandbox.fake_discord.world import Channel, Guild, Message, User
from azura_sandbox.fake_lavalink import FakeLavalink
from azura_sandbox.fake_lavalink.model import FakePlayer, Session
from azura_sandbox.testing import AzuraProcess, ChildProcess, ParentProcess, Sandbox

__all__ = ["BenchCluster", "Listener", "TrackStartClock", "write_json"]

# the processes' logs, apart from other runs' (testing.py writes where this says)
os.environ.setdefault("AZURA_SANDBOX_LOGS", "/tmp/azura-bench-logs")

PLAYLIST = "https://www.youtube.com/playlist?list=PLbench{n}"
NP_PREFIX = "🎶 **Now playing in <#{channel}>**"


class TrackStartClock(FakeLavalink):
    """The fake Lavalink, noting when (``time.monotonic()``) each player started a track, by channel."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.track_started: dict[str, list[float]] = {}  # voice channel id -> start times
        self.search_answered: dict[str, float] = {}  # loadtracks identifier -> when its reply was ready

    async def _loadtracks(self, request: web.Request) -> web.Response:
        response = await super()._loadtracks(request)
        self.search_answered[request.query.get("identifier", "")] = time.monotonic()
        return response

    def _start_track(self, session: Session, player: FakePlayer, track: dict[str, Any], position: int,
                     no_replace: bool) -> None:
        replacing = player.track is not None and no_replace
        super()._start_track(session, player, track, position, no_replace)
        if not replacing:
            channel = str(player.voice.get("channelId") or "")
            self.track_started.setdefault(channel, []).append(time.monotonic())


@dataclass
class Listener:
    """One user in one voice channel, typing in that channel's text channel."""

    user: User
    guild: Guild
    voice: Channel
    text: Channel
    board: Message | None = None  # the now-playing message of the session in ``voice``

    @property
    def bot_id(self) -> int | None:
        return self.board.author_id if self.board is not None else None


@dataclass
class BenchCluster:
    sandbox: Sandbox
    clock: TrackStartClock
    guilds: list[Guild]
    listeners: list[Listener]
    parent: ParentProcess | None = None
    kids: list[ChildProcess] = field(default_factory=list)

    @property
    def discord(self) -> FakeDiscord:
        return self.sandbox.discord

    @classmethod
    async def start(cls, tmp: Path, *, children: int, guilds: int, channels_per_guild: int,
                    speed: float = 1.0) -> BenchCluster:
        discord = FakeDiscord()
        await discord.start()
        clock = TrackStartClock(speed=speed, player_update_interval=5.0)  # Lavalink's default interval
        await clock.start()
        made: list[Guild] = []
        listeners: list[Listener] = []
        for g in range(guilds):
            guild = await discord.create_guild(f"bench-{g + 1}")
            made.append(guild)
            for v in range(channels_per_guild):
                voice = await discord.create_voice_channel(guild, f"voice-{v + 1}")
                text = await discord.create_text_channel(guild, f"text-{v + 1}")
                user = await discord.create_user(f"listener-{g + 1}-{v + 1}", guilds=[guild])
                listeners.append(Listener(user, guild, voice, text))
        sandbox = Sandbox(discord, clock, made[0], listeners[0].text, [lst.voice for lst in listeners], {})
        cluster = cls(sandbox, clock, made, listeners)
        try:
            cluster.kids = list(await asyncio.gather(*(sandbox.spawn_child(f"kid-{i + 1}") for i in range(children))))
            env = sandbox.parent_env("parent", cluster.kids, tmp / "bench.sqlite3")
            env["AZURA_COMMAND_GUILDS"] = ",".join(str(g.id) for g in made)
            cluster.parent = ParentProcess(env)
            sandbox.children.append(cluster.parent)
            cluster.parent.start()
            await cluster.parent.wait_ready(60)
            await cluster.wait_children_linked(children)
        except BaseException:
            await sandbox.stop()
            raise
        return cluster

    async def wait_children_linked(self, count: int, timeout: float = 60) -> None:
        """Every child's bot is on the gateway (the parent links them on its own; /play finds them)."""
        bots = {self.discord.world.bots[f"kid-{i + 1}"].user_id for i in range(count)}
        await self.discord.wait_for(lambda: bots <= set(self.discord.connected_bots()), timeout,
                                    f"{count} child bots on the gateway")

    @property
    def processes(self) -> dict[str, AzuraProcess]:
        """Every Azura process by a short name: parent, kid-1 … kid-N."""
        named: dict[str, AzuraProcess] = {}
        if self.parent is not None:
            named["parent"] = self.parent
        for i, kid in enumerate(self.kids):
            named[f"kid-{i + 1}"] = kid
        return named

    def pids(self) -> dict[str, int]:
        return {name: p.process.pid for name, p in self.processes.items()
                if p.process is not None and p.process.poll() is None}

    def bot_name(self, user_id: int) -> str:
        return next(name for name, bot in self.discord.world.bots.items() if bot.user_id == user_id)

    def board_of(self, listener: Listener) -> Message | None:
        prefix = NP_PREFIX.format(channel=listener.voice.id)
        found = [m for m in self.discord.messages(listener.text) if m.content.startswith(prefix)]
        return found[-1] if found else None

    async def play(self, listener: Listener, n: int, timeout_s: float = 30.0) -> float:
        """``listener`` joins its channel and plays a playlist; returns when /play was dispatched (monotonic),
        once the bot's now-playing message is there."""
        await self.discord.user_join_voice(listener.user, listener.voice)
        result = await self.discord.invoke(listener.user, listener.guild, listener.text, "play",
                                           {"query": PLAYLIST.format(n=n)}, timeout_s=timeout_s)
        if result.text.startswith("⚠️"):
            raise RuntimeError(f"/play in {listener.voice.name} of {listener.guild.name}: {result.text}")
        listener.board = await self.discord.wait_for(lambda: self.board_of(listener), timeout_s,
                                                     f"the now-playing message in {listener.text.name}")
        timing = self.discord.interaction_timing(result.interaction_id)
        return float(timing["dispatched_at"])

    async def play_all(self, count: int) -> list[Listener]:
        """Start ``count`` sessions, one per listener, spread over the guilds; the listeners playing."""
        chosen = self.spread(count)
        by_guild: dict[int, list[Listener]] = {}
        for listener in chosen:
            by_guild.setdefault(listener.guild.id, []).append(listener)

        async def one_guild(listeners: list[Listener]) -> None:
            for listener in listeners:
                await self.play(listener, self.listeners.index(listener))

        await asyncio.gather(*(one_guild(group) for group in by_guild.values()))
        return chosen

    def spread(self, count: int) -> list[Listener]:
        """``count`` listeners taken round-robin over the guilds."""
        per_guild = [[lst for lst in self.listeners if lst.guild is g] for g in self.guilds]
        out: list[Listener] = []
        for i in range(max(len(group) for group in per_guild)):
            out += [group[i] for group in per_guild if i < len(group)]
        if count > len(out):
            raise ValueError(f"{count} sessions need {count} voice channels; the cluster has {len(out)}")
        return out[:count]

    async def stop(self) -> None:
        await self.sandbox.stop()


def write_json(path: Path | None, report: dict[str, Any]) -> None:
    """A benchmark's full report, for bench/report.py (nothing when no path was asked for)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=1))
