"""Lavalink lost and back, on real processes: both bots notice, reconnect, and every session plays on.

The parent's side runs in this process (its bot, its Koe, a Link to the child, as the parent builds them);
the child is a real ``python -m azura_child``. Each bot plays one session; the fake Lavalink (in this
process, real speed) then drops its websockets, refuses connections for 10 s, or restarts losing every
session. Each test prints what it measured: when the loss was noticed, how long after Lavalink was back
both sessions played the same track again, the position error, and that no queue entry was lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from azura_common.koe.errors import MusicServerDown
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import LocalSession
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import CloseReason, Ending, Session, Track
from azura_common.voicebot import VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

DETECT_GOAL_S = 2.0
RECOVERY_GOAL_S = 5.0  # after Lavalink is back
POSITION_GOAL_MS = 2_000
FRIENDLY = "The music server is restarting; your queue is safe."


def tracks(query: str, n: int = 4) -> list[Track]:
    found = sorted(load_tracks(f"ytsearch:{query}")["data"], key=lambda t: -t["info"]["length"])[:n]
    return [
        Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"], requester_id=7)
        for t in found
    ]


class World:
    """The parent's bot, Koe and Link to one child, over the fakes."""

    def __init__(self, sandbox: Sandbox, bot: VoiceBot, child: ChildProcess) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.child = child
        self.koe = Koe(local_factory=self._local)
        self.children = Children([ChildLink(ChildConnection(child.address, sandbox.secret), self.koe)])
        self.koe.use_children(self.children)
        self.endings: list[Ending] = []

    def _local(self, guild_id: int, channel_id: int) -> Session:
        assert self.bot.user is not None
        return LocalSession(guild_id, channel_id, self.bot.user.id, self.bot.connect_player, on_end=self._ended)

    async def _ended(self, session: LocalSession, ending: Ending) -> None:
        self.endings.append(ending)
        await self.koe.forget(session.channel_id, ending, session)

    def players(self, channel_id: int) -> list[dict[str, Any]]:
        return [p for p in self.sandbox.lavalink.players_truth() if p["channel_id"] == str(channel_id)]

    def playing(self, channel_id: int, title: str) -> dict[str, Any] | None:
        """The one Lavalink player of that channel, if it plays ``title`` with voice, on a listened-to session."""
        found = self.players(channel_id)
        if len(found) != 1:
            return None
        player = found[0]
        ok = player["track_title"] == title and player["session_attached"] and player["connected"]
        return player if ok and not player["paused"] else None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    sandbox = await Sandbox.start(speed=1, voice_channels=2)
    async with voice_bot(sandbox, "lavalink-loss-parent-bot") as bot:
        child = await sandbox.spawn_child("lavalink-loss-child")
        world = World(sandbox, bot, child)
        world.children.start()
        assert await world.children.wait_up(30) == 1
        yield world
        await world.koe.close()
        await world.children.close()
    await sandbox.stop()


@dataclass
class Playing:
    session: Session
    queue: list[Track]
    position_ms: int  # Lavalink's position of the current track at ``at``
    at: float

    def expected_ms(self) -> int:
        return self.position_ms + int((time.monotonic() - self.at) * 1000)


async def play_both(world: World) -> tuple[Playing, Playing]:
    """The parent plays in voice 1, the child in voice 2: each on track 2 of 4, 30 s in."""
    sb = world.sandbox
    playing = []
    for i, kind in enumerate((LocalSession, RemoteSession)):
        session = await world.koe.open(sb.guild.id, sb.voices[i].id, sb.text.id)
        assert isinstance(session, kind)
        queue = tracks(f"lavalink loss {i}")
        await session.enqueue(queue)
        await session.skip()
        await session.seek(30_000)
        await eventually(lambda s=session, q=queue: world.playing(s.channel_id, q[1].title) is not None,
                         timeout=5, what="the track playing")
        player = world.playing(session.channel_id, queue[1].title)
        assert player is not None
        playing.append(Playing(session, queue, int(player["position_ms"]), time.monotonic()))
    return playing[0], playing[1]


async def both_playing_again(world: World, both: tuple[Playing, ...], extra: list[Track]) -> tuple[float, int]:
    """Wait for both sessions' track to play again; when (monotonic) and the worst position error."""
    await eventually(lambda: all(world.playing(p.session.channel_id, p.queue[1].title) for p in both),
                     timeout=15, what="both sessions playing the same track again", poll_s=0.02)
    at = time.monotonic()
    errors = []
    for p in both:
        player = world.playing(p.session.channel_id, p.queue[1].title)
        assert player is not None
        errors.append(abs(int(player["position_ms"]) - p.expected_ms()))
        page = await p.session.get_queue(0, 20)
        assert [i.track for i in page.items] == [*p.queue, *extra], "queue entries lost or reordered"
        state = await p.session.get_state()
        assert state.current_position == 2 and state.current == p.queue[1] and state.connected
    return at, max(errors)


async def assert_friendly_while_down(world: World, both: tuple[Playing, ...], extra: list[Track]) -> None:
    """While Lavalink is away: player commands and searches (a /play) answer the friendly message and change
    nothing; the queue takes new entries (they need no Lavalink), and reads work."""
    with pytest.raises(MusicServerDown) as refused:
        await world.bot.lavalink.search("anything at all")
    assert str(refused.value) == FRIENDLY
    for p in both:
        with pytest.raises(MusicServerDown) as refused:
            await p.session.skip()
        assert str(refused.value) == FRIENDLY
        with pytest.raises(MusicServerDown):
            await p.session.pause()
        result = await p.session.enqueue(extra)
        assert not result.started and result.total == len(p.queue) + len(extra)
        state = await p.session.get_state()
        assert state.current == p.queue[1] and not state.paused


async def child_refuses(both: tuple[Playing, ...]) -> bool:
    """Whether the child has noticed: its session answers a player command with MusicServerDown."""
    try:
        await both[1].session.set_volume(100)
    except MusicServerDown:
        return True
    return False


async def child_serves(both: tuple[Playing, ...]) -> bool:
    return not await child_refuses(both)


async def leave(both: tuple[Playing, ...]) -> None:
    for p in both:
        await p.session.disconnect()


async def test_a_clean_websocket_close_is_noticed_and_the_sessions_carry_on(world: World) -> None:
    both = await play_both(world)
    lavalink = world.sandbox.lavalink
    outages = len(world.bot.lavalink.outages)
    try:
        dropped = time.monotonic()
        assert await lavalink.drop_websockets(clean=True) == 2
        # Both bots listen again (Lavalink kept the sessions: they resume, the music never stopped), and each
        # has finished putting its session back (the parent's outage is recorded then; the child serves).
        async def listening_again() -> bool:
            truth = lavalink.sessions_truth()
            return (len(truth) == 2 and all(s["attached"] for s in truth)
                    and len(world.bot.lavalink.outages) > outages and await child_serves(both))

        await eventually(listening_again, timeout=5, what="both bots listening again", poll_s=0.02)
        reattached = time.monotonic() - dropped
        # The bot records the outage once its sessions are restored, a moment after Lavalink sees it attach.
        await eventually(lambda: len(world.bot.lavalink.outages) > outages, timeout=2, what="the outage recorded")
        outage = world.bot.lavalink.outages[outages]
        assert outage.resumed
        _, error = await both_playing_again(world, both, [])
        print(f"Lavalink websocket clean close: parent noticed in {outage.lost_at - dropped:.3f} s and was back "
              f"after {outage.back_at - dropped:.3f} s; both bots listening again after {reattached:.2f} s, "
              f"position error {error} ms, 0 queue entries lost")
        assert outage.lost_at - dropped <= DETECT_GOAL_S and reattached <= RECOVERY_GOAL_S
        assert error <= POSITION_GOAL_MS
        # Events flow again: the track's end (Lavalink's TrackEndEvent) moves both queues on.
        for p in both:
            await p.session.seek(p.queue[1].length_ms - 1_500)
        await eventually(lambda: all(world.playing(p.session.channel_id, p.queue[2].title) for p in both),
                         timeout=8, what="the next track after the end event")
    finally:
        await leave(both)


async def test_lavalink_refusing_connections_for_10s_then_back(world: World) -> None:
    both = await play_both(world)
    lavalink = world.sandbox.lavalink
    outages = len(world.bot.lavalink.outages)
    extra = tracks("added while away", 1)
    try:
        cut = time.monotonic()
        lavalink.refuse_for(10.0)
        await lavalink.drop_websockets()  # the connections die without a close frame, as in a partition
        await eventually(lambda: not world.bot.lavalink.ready, timeout=5, what="the parent noticing", poll_s=0.01)
        parent_noticed = time.monotonic() - cut
        await eventually(lambda: child_refuses(both), timeout=5, what="the child noticing", poll_s=0.05)
        child_noticed = time.monotonic() - cut
        await assert_friendly_while_down(world, both, extra)
        await eventually(lambda: not lavalink.refuse_connections, timeout=15, what="Lavalink back", poll_s=0.01)
        back = time.monotonic()
        await eventually(lambda: all(s["attached"] for s in lavalink.sessions_truth()) and world.bot.lavalink.ready,
                         timeout=RECOVERY_GOAL_S, what="both bots listening again", poll_s=0.02)
        await eventually(lambda: child_serves(both), timeout=RECOVERY_GOAL_S, what="the child serving again")
        recovered = time.monotonic() - back
        _, error = await both_playing_again(world, both, extra)
        assert world.bot.lavalink.outages[outages].resumed  # Lavalink kept the players: they played on
        print(f"Lavalink refusing connections 10 s: noticed by the parent in {parent_noticed:.3f} s, by the child "
              f"within {child_noticed:.2f} s; both serving again {recovered:.2f} s after Lavalink was back, "
              f"position error {error} ms, 0 queue entries lost (+1 added while away)")
        assert parent_noticed <= DETECT_GOAL_S and child_noticed <= DETECT_GOAL_S
        assert recovered <= RECOVERY_GOAL_S and error <= POSITION_GOAL_MS
        # Commands work again at once.
        state = await both[1].session.skip()
        assert state.current == both[1].queue[2]
    finally:
        await leave(both)


async def test_a_lavalink_restart_that_loses_every_session_replays_them(world: World) -> None:
    both = await play_both(world)
    lavalink = world.sandbox.lavalink
    old_sessions = {s["session_id"] for s in lavalink.sessions_truth()}
    extra = tracks("added during restart", 1)
    await both[0].session.set_volume(70)  # state a replay must keep
    try:
        started = time.monotonic()
        restarting = asyncio.create_task(lavalink.restart(down_s=3.0))
        await eventually(lambda: not world.bot.lavalink.ready, timeout=5, what="the parent noticing", poll_s=0.01)
        parent_noticed = time.monotonic() - started
        await eventually(lambda: child_refuses(both), timeout=5, what="the child noticing", poll_s=0.05)
        child_noticed = time.monotonic() - started
        await assert_friendly_while_down(world, both, extra)
        await restarting
        back = time.monotonic()
        back_at, error = await both_playing_again(world, both, extra)
        recovered = back_at - back
        new_sessions = {s["session_id"] for s in lavalink.sessions_truth()}
        assert len(new_sessions) == 2 and not new_sessions & old_sessions  # nothing resumed: all replayed
        [parent_player] = world.players(both[0].session.channel_id)
        assert parent_player["volume"] == 70
        print(f"Lavalink restart (down 3 s, every session lost): noticed by the parent in {parent_noticed:.3f} s, "
              f"by the child within {child_noticed:.2f} s; both playing the same track again {recovered:.2f} s "
              f"after Lavalink was back, position error {error} ms, 0 queue entries lost")
        assert parent_noticed <= DETECT_GOAL_S and child_noticed <= DETECT_GOAL_S
        assert recovered <= RECOVERY_GOAL_S and error <= POSITION_GOAL_MS
        # The replayed players are the sessions' own: skipping plays the next track (no "404 Not Found").
        for p in both:
            state = await p.session.skip()
            assert state.current == p.queue[2]
            await eventually(lambda p=p: world.playing(p.session.channel_id, p.queue[2].title) is not None,
                             timeout=5, what="the skip playing")
    finally:
        await leave(both)


async def test_leave_while_lavalink_is_away_works_and_leaves_no_player_behind(world: World) -> None:
    sb = world.sandbox
    session = await world.koe.open(sb.guild.id, sb.voices[0].id, sb.text.id)
    assert isinstance(session, LocalSession)
    queue = tracks("left while away", 1)
    await session.enqueue(queue)
    await eventually(lambda: world.playing(session.channel_id, queue[0].title), timeout=5, what="the track")
    sb.lavalink.refuse_for(1.0)
    await sb.lavalink.drop_websockets()
    await eventually(lambda: not world.bot.lavalink.ready, timeout=2, what="the parent noticing")
    started = time.monotonic()
    await session.disconnect()  # /leave: never stuck, even with Lavalink away
    assert time.monotonic() - started < 1.0
    bot_id = world.bot.user.id if world.bot.user else 0
    await eventually(lambda: sb.discord.voice_state(sb.guild, bot_id) is None, timeout=2, what="the bot leaving")
    # Lavalink comes back with our session (resumed) and still holds that player: it is destroyed.
    await eventually(lambda: world.bot.lavalink.ready, timeout=5, what="the parent reconnecting")
    await eventually(lambda: not world.players(session.channel_id), timeout=3, what="the stray player destroyed")
    assert world.bot.lavalink.outages[-1].resumed


async def test_lavalink_gone_past_the_grace_period_ends_the_sessions(world: World) -> None:
    sb = world.sandbox
    session = await world.koe.open(sb.guild.id, sb.voices[0].id, sb.text.id)
    assert isinstance(session, LocalSession)
    await session.enqueue(tracks("grace", 1))
    world.bot.lavalink_grace_s = 1.5
    ended = len(world.endings)
    restarting = asyncio.create_task(sb.lavalink.restart(down_s=4.0))
    try:
        await eventually(lambda: world.endings[ended:], timeout=6, what="the session ending")
        assert world.endings[ended:] == [Ending(CloseReason.LAVALINK_LOST)] and session.ended
        bot_id = world.bot.user.id if world.bot.user else 0
        await eventually(lambda: sb.discord.voice_state(sb.guild, bot_id) is None, timeout=2, what="the bot leaving")
    finally:
        world.bot.lavalink_grace_s = 60.0
        await restarting
    await eventually(lambda: world.bot.lavalink.ready, timeout=5, what="the parent reconnecting")
