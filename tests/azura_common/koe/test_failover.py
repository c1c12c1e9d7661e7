"""Failover on real child processes: a child killed, frozen or stopped; its sessions carry on elsewhere.

The parent's side runs in this process (its Koe, Links, Failover and its own bot against the fakes, as the
parent process builds them); every child is a real ``python -m azura_child``. The fake Lavalink runs at
real speed here, so positions are real positions. Each test prints what it measured.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from azura_common.koe.failover import Failover, Moved
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import LocalSession
from azura_common.koe.parked import ParkedSession
from azura_common.koe.records import SessionRecord
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Ending, Session, Track
from azura_common.voicebot import VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

DETECT_GOAL_S = 3.0
FAILOVER_GOAL_S = 3.0
POSITION_GOAL_MS = 2_000
HANDOVER_SILENCE_S = 0.5  # a planned stop: the new bot plays before the old one leaves
DRAIN_S = 20.0  # how long a stopping child waits for its sessions to be moved


def tracks(query: str, n: int = 5) -> list[Track]:
    found = load_tracks(f"ytsearch:{query}")["data"][:n]
    return [
        Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"], requester_id=7)
        for t in found
    ]


class Parent:
    """The parent's Koe, Links and Failover over this process's bot (which may play locally too)."""

    def __init__(self, sandbox: Sandbox, bot: VoiceBot, children: list[ChildProcess], *, local: bool) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.koe = Koe(local_factory=self._local if local else None)
        self.moves: list[Moved] = []
        self.failover = Failover(self.koe, on_moved=self._moved, destroy_player=self._destroy, retry_s=0.5)
        self.children = Children([self.link(c) for c in children])
        self.koe.use_children(self.children)

    def link(self, child: ChildProcess) -> ChildLink:
        link = ChildLink(ChildConnection(child.address, self.sandbox.secret), self.koe)
        link.failover = self.failover
        return link

    def _local(self, guild_id: int, channel_id: int) -> Session:
        assert self.bot.user is not None
        return LocalSession(guild_id, channel_id, self.bot.user.id, self.bot.connect_player, on_end=self._ended)

    async def _ended(self, session: LocalSession, ending: Ending) -> None:
        await self.koe.forget(session.channel_id, ending, session)

    async def _moved(self, moved: Moved) -> None:
        self.moves.append(moved)

    async def _destroy(self, record: SessionRecord) -> None:
        await self.bot.lavalink.destroy_player(record.lavalink_session_id, record.guild_id)

    async def start(self) -> Parent:
        self.failover.start()
        self.children.start()
        assert await self.children.wait_up(30) == len(self.children.links)
        return self

    async def close(self) -> None:
        await self.failover.close()
        await self.koe.close()
        await self.children.close()


class World:
    def __init__(self, sandbox: Sandbox, bot: VoiceBot) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.spawned = 0

    async def child(self) -> ChildProcess:
        self.spawned += 1
        return await self.sandbox.spawn_child(f"failover-child-{self.spawned}")

    def players(self, channel_id: int) -> list[dict[str, Any]]:
        """Every Lavalink player serving that voice channel (attached or not): there must never be two."""
        return [p for p in self.sandbox.lavalink.players_truth() if p["channel_id"] == str(channel_id)]

    def playing(self, channel_id: int, title: str) -> dict[str, Any] | None:
        found = [p for p in self.players(channel_id) if p["track_title"] == title and p["session_attached"]]
        return found[0] if len(found) == 1 else None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    sandbox = await Sandbox.start(speed=1, voice_channels=6)
    async with voice_bot(sandbox, "failover-parent-bot") as bot:
        yield World(sandbox, bot)
    await sandbox.stop()


async def play_five(parent: Parent, world: World, voice: int) -> tuple[RemoteSession, list[Track]]:
    sb = world.sandbox
    session = await parent.koe.open(sb.guild.id, sb.voices[voice].id, sb.text.id)
    assert isinstance(session, RemoteSession)
    queue = tracks(f"failover {voice}")
    await session.enqueue(queue)
    await session.skip()  # now on track 2 of 5, one in the history
    await session.seek(30_000)
    link = parent.children.link_of(session)
    assert link is not None
    await eventually(lambda: (r := link.records.get(session.channel_id)) is not None and r.current_position == 2
                     and r.position_ms >= 30_000, timeout=3, what="the child's record of the session")
    return session, queue


async def carried_on(world: World, parent: Parent, channel_id: int, queue: list[Track], before: tuple[int, float],
                     started: float) -> tuple[float, int]:
    """Wait for the same track to play again on one player; the time it took and the position error."""
    await eventually(lambda: world.playing(channel_id, queue[1].title) is not None
                     and not isinstance(parent.koe.get(channel_id), ParkedSession), timeout=10,
                     what="the same track playing again", poll_s=0.02)
    took = time.monotonic() - started
    player = world.playing(channel_id, queue[1].title)
    assert player is not None
    expected = before[0] + (time.monotonic() - before[1]) * 1000
    error = int(abs(player["position_ms"] - expected))
    session = parent.koe.get(channel_id)
    assert session is not None
    page = await session.get_queue(0, 10)
    assert [i.track for i in page.items] == queue, "queue entries lost or reordered"
    state = await session.get_state()
    assert state.current_position == 2 and state.current == queue[1]
    return took, error


class SilenceMeter:
    """Samples every 10 ms whether some attached player in the channel plays ``title``; the longest stretch
    without one is what a listener would hear as a gap."""

    def __init__(self, world: World, channel_id: int, title: str) -> None:
        self.world, self.channel_id, self.title = world, channel_id, title
        self.longest_s = 0.0
        self._task: asyncio.Task[None] | None = None

    def _sounding(self) -> bool:
        return any(p["track_title"] == self.title and p["session_attached"] and not p["paused"]
                   for p in self.world.players(self.channel_id))

    async def _sample(self) -> None:
        silent_since: float | None = None
        while True:
            now = time.monotonic()
            if self._sounding():
                silent_since = None
            else:
                silent_since = silent_since or now
                self.longest_s = max(self.longest_s, now - silent_since)
            await asyncio.sleep(0.01)

    async def __aenter__(self) -> SilenceMeter:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def lavalink_position(world: World, channel_id: int) -> tuple[int, float]:
    players = world.players(channel_id)
    assert len(players) == 1, players
    return int(players[0]["position_ms"]), time.monotonic()


async def test_a_killed_child_s_session_plays_on_another_bot_within_3s(world: World) -> None:
    children = [await world.child(), await world.child()]
    parent = await Parent(world.sandbox, world.bot, children, local=False).start()
    try:
        session, queue = await play_five(parent, world, 0)
        dead_bot = (await session.get_state()).bot_id
        victim = next(c for c, link in zip(children, parent.children.links, strict=True)
                      if link.bot_user_id == dead_bot)
        before = lavalink_position(world, session.channel_id)
        killed = time.monotonic()
        victim.kill()
        await eventually(lambda: parent.koe.get(session.channel_id) is not session, timeout=5,
                         what="the parent noticing", poll_s=0.01)
        detected = time.monotonic() - killed
        took, error = await carried_on(world, parent, session.channel_id, queue, before, killed)
        new_bot = (await parent.koe.require(session.channel_id).get_state()).bot_id
        print(f"child kill -9: detected in {detected:.2f} s, same track playing on bot {new_bot} after {took:.2f} s, "
              f"position error {error} ms, 0 of {len(queue)} queue entries lost")
        assert new_bot not in (0, dead_bot)
        assert detected <= DETECT_GOAL_S and took <= FAILOVER_GOAL_S, (detected, took)
        assert error <= POSITION_GOAL_MS, error
        # The dead bot's player was destroyed on Lavalink: one player in that channel, nothing plays unattached.
        await eventually(lambda: len(world.players(session.channel_id)) == 1, timeout=3, what="the old player gone")
        assert [m.to_bot for m in parent.moves] == [new_bot] and parent.moves[0].from_bot == dead_bot
    finally:
        await parent.close()
        for child in children:
            await child.stop()


async def test_no_free_bot_parks_the_queue_and_a_new_bot_resumes_it(world: World) -> None:
    sb = world.sandbox
    only = await world.child()
    parent = await Parent(sb, world.bot, [only], local=False).start()
    spare: ChildProcess | None = None
    try:
        session, queue = await play_five(parent, world, 1)
        only.kill()
        await eventually(lambda: isinstance(parent.koe.get(session.channel_id), ParkedSession), timeout=5,
                         what="the session parked")
        parked = parent.koe.require(session.channel_id)
        # Commands answer at once from the parked queue; edits are kept for when it plays again.
        started = time.monotonic()
        state = await parked.get_state()
        assert state.current == queue[1] and state.total == 5 and not state.connected
        extra = tracks("parked extra", 1)
        await parked.enqueue(extra)
        assert time.monotonic() - started < 0.1
        await eventually(lambda: parent.moves and parent.moves[-1].to_bot is None, timeout=3, what="the parked notice")
        # A bot comes along: the session resumes on it by itself, the edit included.
        spare = await world.child()
        link = parent.link(spare)
        parent.children.links.append(link)
        link.start()
        resumed_from = time.monotonic()
        await eventually(lambda: world.playing(session.channel_id, queue[1].title) is not None
                         and isinstance(parent.koe.get(session.channel_id), RemoteSession), timeout=15,
                         what="the parked session playing again")
        print(f"parked session resumed {time.monotonic() - resumed_from:.2f} s after a bot linked up")
        page = await parent.koe.require(session.channel_id).get_queue(0, 10)
        assert [i.track for i in page.items] == [*queue, *extra]
    finally:
        await parent.close()
        for child in (only, spare):
            if child is not None:
                await child.stop()


async def test_a_frozen_child_is_replaced_and_stands_down_when_it_wakes(world: World) -> None:
    children = [await world.child(), await world.child()]
    parent = await Parent(world.sandbox, world.bot, children, local=False).start()
    frozen: ChildProcess | None = None
    try:
        session, queue = await play_five(parent, world, 2)
        frozen_bot = (await session.get_state()).bot_id
        frozen = next(c for c, link in zip(children, parent.children.links, strict=True)
                      if link.bot_user_id == frozen_bot)
        assert frozen.process is not None
        before = lavalink_position(world, session.channel_id)
        stopped = time.monotonic()
        frozen.process.send_signal(signal.SIGSTOP)
        await eventually(lambda: parent.koe.get(session.channel_id) is not session, timeout=6,
                         what="the parent noticing the silence", poll_s=0.01)
        detected = time.monotonic() - stopped
        # The frozen bot's player plays on unattached until the failover destroys it; then one player remains.
        took, error = await carried_on(world, parent, session.channel_id, queue, before, stopped)
        print(f"child SIGSTOP: detected in {detected:.2f} s, playing on another bot after {took:.2f} s, "
              f"position error {error} ms")
        assert detected <= DETECT_GOAL_S, detected
        new_bot = (await parent.koe.require(session.channel_id).get_state()).bot_id
        assert new_bot != frozen_bot
        frozen.process.send_signal(signal.SIGCONT)
        # Awake again, it hears on Hello that the session moved and leaves: never two bots in one channel.
        await eventually(lambda: world.sandbox.discord.voice_state(world.sandbox.guild, frozen_bot) is None,
                         timeout=10, what="the woken child leaving voice")
        assert (await parent.koe.require(session.channel_id).get_state()).bot_id == new_bot
        assert len(world.players(session.channel_id)) == 1
    finally:
        if frozen is not None and frozen.process is not None:
            frozen.process.send_signal(signal.SIGCONT)
        await parent.close()
        for child in children:
            await child.stop()


async def test_a_stopping_child_hands_its_session_over_before_it_exits(world: World) -> None:
    children = [await world.child(), await world.child()]
    parent = await Parent(world.sandbox, world.bot, children, local=False).start()
    try:
        session, queue = await play_five(parent, world, 3)
        old_bot = (await session.get_state()).bot_id
        stopping = next(c for c, link in zip(children, parent.children.links, strict=True)
                        if link.bot_user_id == old_bot)
        assert stopping.process is not None
        before = lavalink_position(world, session.channel_id)
        silence = SilenceMeter(world, session.channel_id, queue[1].title)
        asked = time.monotonic()
        stopping.process.send_signal(signal.SIGTERM)  # a deploy
        async with silence:
            await eventually(lambda: isinstance(s := parent.koe.get(session.channel_id), RemoteSession)
                             and s.bot_id not in (0, old_bot), timeout=10, what="another bot taking over", poll_s=0.01)
            took, error = await carried_on(world, parent, session.channel_id, queue, before, asked)
        new_bot = (await parent.koe.require(session.channel_id).get_state()).bot_id
        await asyncio.to_thread(stopping.process.wait, 15)
        exited = time.monotonic() - asked
        print(f"child SIGTERM: playing on bot {new_bot} after {took:.2f} s (position error {error} ms), "
              f"longest silence {silence.longest_s:.2f} s; the stopping child exited after {exited:.2f} s")
        # The stopping bot plays until the new one does: the handover has no gap, however long it takes.
        assert new_bot not in (0, old_bot) and silence.longest_s <= HANDOVER_SILENCE_S and error <= POSITION_GOAL_MS
        assert took < DRAIN_S, "the handover did not finish before the stopping child's deadline"
        assert exited < 10, "the child waited for its drain deadline although its session had moved"
        assert len(world.players(session.channel_id)) == 1
        requests = [r for r in world.sandbox.discord.voice_requests if r.bot_id == old_bot]
        await eventually(lambda: world.sandbox.discord.voice_state(world.sandbox.guild, old_bot) is None, timeout=3,
                         what=f"the stopping bot out of voice (its voice requests: {requests})")
    finally:
        await parent.close()
        for child in children:
            await child.stop()
