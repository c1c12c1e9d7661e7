"""Routing and teardown across real processes: a parent Koe in this process, four children beside it.

The parent's bot is a real discord.py client with wavelink (LocalSession); each child is
``python -m azura_child``; every Link is a real gRPC stream.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from azura_common.koe.errors import Busy, ChildUnavailable, InvalidArgument, NoSession, SessionLost
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.local import LocalSession
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Ending, Session, Track
from azura_common.voicebot import VoiceBot
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, Sandbox, free_port, voice_bot
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CHILDREN = 4


def tracks(query: str, n: int = 3) -> list[Track]:
    found = load_tracks(f"ytsearch:{query}")["data"][:n]
    return [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"]) for t in found]


class Cluster:
    def __init__(self, sandbox: Sandbox, bot: VoiceBot, children: list[ChildProcess]) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.children = children

    def parent(self, *, local: bool = True, **link_options: Any) -> Parent:
        return Parent(self, local=local, **link_options)


class Parent:
    """A parent's Koe and Links, as the parent process builds them (restartable: build another)."""

    def __init__(self, cluster: Cluster, *, local: bool, **link_options: Any) -> None:
        bot = cluster.bot
        self.koe = Koe(local_factory=self._local if local else None)
        self.children = Children(
            [ChildLink(ChildConnection(c.address, cluster.sandbox.secret), self.koe, **link_options)
             for c in cluster.children]
        )
        self.koe.use_children(self.children)
        self._bot = bot

    def _local(self, guild_id: int, channel_id: int) -> Session:
        assert self._bot.user is not None
        return LocalSession(guild_id, channel_id, self._bot.user.id, self._bot.connect_player, on_end=self._ended)

    async def _ended(self, session: LocalSession, ending: Ending) -> None:
        await self.koe.forget(session.channel_id, ending, session)

    async def __aenter__(self) -> Parent:
        self.children.start()
        assert await self.children.wait_up(20) == CHILDREN
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.koe.close()
        await self.children.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    sandbox = await Sandbox.start(speed=50, voice_channels=20)
    children = await asyncio.gather(*(sandbox.spawn_child(f"link-child-{i}") for i in range(CHILDREN)))
    async with voice_bot(sandbox, "link-parent-bot") as bot:
        yield Cluster(sandbox, bot, list(children))
    await sandbox.stop()


# -- routing ------------------------------------------------------------------------------------------


async def test_parent_free_plays_locally_then_children_take_other_channels(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent() as parent:
        first = await parent.koe.open(sb.guild.id, sb.voices[0].id, sb.text.id)
        assert isinstance(first, LocalSession)
        assert await parent.koe.open(sb.guild.id, sb.voices[0].id) is first  # same channel: reused
        second = await parent.koe.open(sb.guild.id, sb.voices[1].id, sb.text.id)
        assert isinstance(second, RemoteSession)
        state = await second.get_state()
        assert state.connected and state.bot_id in {link.bot_user_id for link in parent.children.links}
        voice = sb.discord.voice_state(sb.guild, state.bot_id)
        assert voice is not None and voice.channel_id == sb.voices[1].id
        await second.enqueue(tracks("routing"))
        assert (await second.get_state()).current_position == 1


async def test_twenty_channels_at_once_never_share_a_child(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        outcomes = await asyncio.gather(
            *(parent.koe.open(sb.guild.id, voice.id) for voice in sb.voices), return_exceptions=True
        )
        sessions = [o for o in outcomes if isinstance(o, RemoteSession)]
        busy = [o for o in outcomes if isinstance(o, Busy)]
        assert len(sessions) == CHILDREN and len(busy) == len(sb.voices) - CHILDREN
        assert str(busy[0]) == f"All {CHILDREN} Azura bots are busy in this server."
        bots = [(await s.get_state()).bot_id for s in sessions]
        assert len(set(bots)) == CHILDREN  # one channel per child
        assert {sb.discord.voice_state(sb.guild, b).channel_id for b in bots} == {s.channel_id for s in sessions}
        # Teardown frees a child, and the next channel gets it.
        freed = sessions[0]
        await parent.koe.destroy(freed.channel_id)
        spare = next(v for v in sb.voices if parent.koe.get(v.id) is None and v.id != freed.channel_id)
        again = await parent.koe.open(sb.guild.id, spare.id)
        assert isinstance(again, RemoteSession) and (await again.get_state()).bot_id == bots[0]


async def test_a_link_killed_mid_acquisition_leaks_no_lease(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        link = parent.children.links[0]
        assert await link.query(uuid.uuid4().hex, sb.guild.id, sb.voices[5].id)  # the child now holds a lease
        # Another asker is refused while the lease is held ...
        assert not await link.query(uuid.uuid4().hex, sb.guild.id, sb.voices[6].id)
        link.drop_stream()  # ... and the parent vanishes before claiming.
        await eventually(lambda: not link.up, timeout=5, what="link noticed down")
        assert await link.wait_up(5)
        # The lease died with its Link: the child is free again long before the lease would have expired.
        assert await link.query(uuid.uuid4().hex, sb.guild.id, sb.voices[6].id)


# -- teardown -----------------------------------------------------------------------------------------


async def test_a_child_ending_its_session_is_forgotten_by_the_parent_within_100ms(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        session = await parent.koe.open(sb.guild.id, sb.voices[2].id)
        await session.enqueue(tracks("kicked"))
        bot_id = (await session.get_state()).bot_id
        await sb.discord.kick_from_voice(bot_id, sb.guild)  # a moderator disconnects the child's bot
        kicked = time.monotonic()
        await eventually(lambda: parent.koe.get(sb.voices[2].id) is None, timeout=1.0, what="parent forgot the session",
                         poll_s=0.002)
        took = time.monotonic() - kicked
        print(f"parent forgot the kicked session {took * 1000:.1f} ms after the kick")
        assert took < 0.1, f"the parent took {took * 1000:.0f} ms to forget"


async def test_parent_disconnect_removes_both_copies(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        session = await parent.koe.open(sb.guild.id, sb.voices[3].id)
        assert isinstance(session, RemoteSession)
        bot_id = (await session.get_state()).bot_id
        await parent.koe.destroy(sb.voices[3].id)
        assert parent.koe.get(sb.voices[3].id) is None
        with pytest.raises(NoSession):
            await session.get_state()  # the child no longer holds it either
        await eventually(lambda: sb.discord.voice_state(sb.guild, bot_id) is None, timeout=2,
                         what="child bot left voice")


async def test_teardown_while_the_link_is_down_is_reconciled_on_reconnect(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        session = await parent.koe.open(sb.guild.id, sb.voices[4].id)
        assert isinstance(session, RemoteSession)
        link = parent.children.link_of(session)
        assert link is not None
        bot_id = (await session.get_state()).bot_id
        await link.close()  # the Link is down ...
        await sb.discord.kick_from_voice(bot_id, sb.guild)  # ... when the child's session ends
        await eventually(lambda: sb.discord.voice_state(sb.guild, bot_id) is None, timeout=2,
                         what="child bot left voice")
        await asyncio.sleep(0.2)
        assert parent.koe.get(sb.voices[4].id) is session  # nobody could tell the parent yet
        link.start()
        await eventually(lambda: parent.koe.get(sb.voices[4].id) is None, timeout=5,
                         what="Hello reconciled the session")


async def test_a_restarted_parent_reattaches_a_playing_child(cluster: Cluster) -> None:
    sb = cluster.sandbox
    first = cluster.parent(local=False)
    await first.__aenter__()
    session = await first.koe.open(sb.guild.id, sb.voices[7].id, sb.text.id)
    batch = tracks("survivor", 4)
    await session.enqueue(batch)
    await first.children.close()  # the parent process dies: its Links go, the child keeps playing
    second = cluster.parent(local=False)
    async with second:
        await eventually(lambda: second.koe.get(sb.voices[7].id) is not None, timeout=5, what="session reattached")
        again = second.koe.require(sb.voices[7].id)
        assert isinstance(again, RemoteSession)
        state = await again.get_state()
        assert state.current == batch[0] and state.text_channel_id == sb.text.id
        assert (await again.skip(2)).current == batch[2]


async def test_a_silent_child_has_its_sessions_marked_lost_not_forgotten(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False, heartbeat_s=0.2, dead_after_s=1.0) as parent:
        session = await parent.koe.open(sb.guild.id, sb.voices[8].id)
        assert isinstance(session, RemoteSession)
        link = parent.children.link_of(session)
        child = next(c for c in cluster.children if c.address == link.address)  # type: ignore[union-attr]
        assert child.process is not None
        child.process.send_signal(signal.SIGSTOP)  # frozen: no heartbeats, no answers
        try:
            await eventually(lambda: session.lost is not None, timeout=5, what="session marked lost")
            assert parent.koe.get(sb.voices[8].id) is session
            with pytest.raises(SessionLost):
                await session.get_state()
        finally:
            child.process.send_signal(signal.SIGCONT)
        await eventually(lambda: session.lost is None, timeout=10, what="session recovered after the child came back")
        assert (await session.get_state()).channel_id == sb.voices[8].id


async def test_a_failed_connect_frees_the_childs_reservation_at_once(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        link = parent.children.links[1]
        request_id = uuid.uuid4().hex
        assert await link.query(request_id, sb.guild.id, 424242)
        assert await link.claim(request_id, sb.guild.id, 424242)  # reserved for a channel that does not exist
        with pytest.raises(InvalidArgument, match="does not exist"):
            await RemoteSession(link.connection, sb.guild.id, 424242).connect()
        assert await link.query(uuid.uuid4().hex, sb.guild.id, sb.voices[9].id)  # free again, not in 30 s


async def test_unreachable_children_are_not_called_busy(cluster: Cluster) -> None:
    sb = cluster.sandbox
    koe = Koe(local_factory=None)
    dead = Children([ChildLink(ChildConnection(f"127.0.0.1:{free_port()}", sb.secret), koe)])
    koe.use_children(dead)
    dead.start()
    try:
        with pytest.raises(ChildUnavailable, match="can't be reached"):
            await koe.open(sb.guild.id, sb.voices[10].id)
    finally:
        await dead.close()


async def test_heartbeats_measure_the_round_trip_and_a_stalled_child_shows_in_it(cluster: Cluster) -> None:
    async with cluster.parent(local=False, heartbeat_s=0.3) as parent:
        link = parent.children.links[2]
        await eventually(lambda: link.rtt_ms is not None, timeout=2, what="a heartbeat echoed")
        assert link.rtt_ms is not None and 0 < link.rtt_ms < 1000, link.rtt_ms  # loopback
        child = next(c for c in cluster.children if c.address == link.address)
        assert child.process is not None
        link.rtt_ms = None
        await eventually(lambda: link.rtt_ms is not None, timeout=2, what="the next echo", poll_s=0.002)
        # Right after an echo: freeze the child across the next heartbeat, whose echo then comes back late.
        child.process.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(0.5)  # the stall itself, not a wait for something to happen
        finally:
            child.process.send_signal(signal.SIGCONT)
        await eventually(lambda: link.rtt_ms is not None and link.rtt_ms > 150, timeout=1, what="a slow round trip",
                         poll_s=0.002)
        assert link.up  # slow, not dead


# -- records: what a failover restores from -------------------------------------------------------------


async def test_children_push_session_records_within_a_second(cluster: Cluster) -> None:
    sb = cluster.sandbox
    async with cluster.parent(local=False) as parent:
        session = await parent.koe.open(sb.guild.id, sb.voices[7].id, sb.text.id)
        assert isinstance(session, RemoteSession)
        link = parent.children.link_of(session)
        assert link is not None
        batch = tracks("records", 3)
        started = time.monotonic()
        await session.enqueue(batch)
        await session.set_volume(140)
        await eventually(
            lambda: (r := link.records.get(session.channel_id)) is not None and r.tracks == tuple(batch)
            and r.volume == 140,
            timeout=3, what="the record with the queue",
        )
        print(f"record with the queue arrived {(time.monotonic() - started) * 1000:.0f} ms after the change")
        # A skip moves the pointer only: the update leaves the queue out and the parent keeps the one it has.
        await session.skip()
        await eventually(lambda: link.records[session.channel_id].current_position == 2, timeout=3, what="skip")
        record = link.records[session.channel_id]
        assert record.tracks == tuple(batch) and record.current == batch[1]
        assert record.lavalink_session_id and record.bot_id == (await session.get_state()).bot_id
        # Teardown drops the record with the session.
        await parent.koe.destroy(session.channel_id)
        await eventually(lambda: session.channel_id not in link.records, timeout=3, what="record dropped")
