"""One contract, two implementations: LocalSession in this process and RemoteSession → a child process.

Both run the real discord.py and wavelink against the sandbox fakes. Every test runs against both and
asserts the same results and the same errors (exact messages included), so a RemoteSession behaves
exactly like the LocalSession it stands for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
import pytest_asyncio

from azura_child.app import ChildApp
from azura_child.config import ChildConfig
from azura_common.koe.autoplay import AUTOPLAY_REQUESTER_ID, is_autoplay
from azura_common.koe.effects import NO_EFFECTS, Effects, lavalink_filters
from azura_common.koe.errors import AlreadyConnected, InvalidArgument, NoSession, NothingPlaying, QueueIndexError
from azura_common.koe.link.by_hand import reserve
from azura_common.koe.local.session import LocalSession
from azura_common.koe.records import SessionRecord, now_ms
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import (
    EnqueueMode,
    RemoveAbsent,
    RemoveRange,
    RemoveRequester,
    RepeatMode,
    Session,
    Track,
)
from azura_common.voicebot import point_discord_at
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.fake_lavalink.filters import audible_filters
from azura_sandbox.testing import Sandbox, free_port
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

ALICE, BOB = 101, 202


def tracks(query: str, n: int = 3, requester: int = ALICE, **trims: int) -> list[Track]:
    """Resolved tracks straight from the fake's catalogue (what the parent's search would return)."""
    found = load_tracks(f"ytsearch:{query}")["data"][:n]
    return [
        Track(
            encoded=t["encoded"], title=t["info"]["title"], author=t["info"]["author"], uri=t["info"]["uri"] or "",
            length_ms=t["info"]["length"], identifier=t["info"]["identifier"], source=t["info"]["sourceName"],
            requester_id=requester, **trims,
        )
        for t in found
    ]


class World:
    def __init__(self, sandbox: Sandbox, local_app: ChildApp, connection: ChildConnection) -> None:
        self.sandbox = sandbox
        self.local_app = local_app
        self.connection = connection


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    sandbox = await Sandbox.start(speed=50)
    point_discord_at(sandbox.discord_api)  # as the child's entry point does, for the in-process child
    local_app = ChildApp(
        ChildConfig.from_env(
            {**sandbox.child_env("contract-local-bot", free_port()), "AZURA_CLUSTER_SECRET": sandbox.secret}
        )
    )
    await local_app.start()
    child = await sandbox.spawn_child("contract-remote-bot")
    await eventually(lambda: local_app.bot.is_serving, timeout=30, what="the in-process bot to be ready")
    connection = ChildConnection(child.address, sandbox.secret)
    yield World(sandbox, local_app, connection)
    await connection.close()
    await local_app.stop()
    await sandbox.stop()


@pytest_asyncio.fixture(params=["local", "remote"], loop_scope="module")
async def session(request: pytest.FixtureRequest, world: World) -> AsyncIterator[Session]:
    sandbox = world.sandbox
    if request.param == "local":
        s: Session = await world.local_app.koe.open(sandbox.guild.id, sandbox.voices[0].id, sandbox.text.id)
    else:
        s = RemoteSession(world.connection, sandbox.guild.id, sandbox.voices[1].id)
        await reserve(world.connection, sandbox.guild.id, sandbox.voices[1].id)  # as the parent's handshake does
        await s.connect(sandbox.text.id)
    yield s
    try:
        await s.disconnect()
    except NoSession:
        pass


def truth(world: World, session: Session) -> dict[str, Any]:
    """What the fake Lavalink actually plays for that session's bot."""
    for player in world.sandbox.lavalink.players_truth():
        if player.get("channel_id") == str(session.channel_id):
            return player
    raise AssertionError(f"no Lavalink player for channel {session.channel_id}")


async def test_connect_joins_voice_and_is_idempotent(session: Session, world: World) -> None:
    state = await session.get_state()
    assert state.connected and state.bot_id != 0 and state.text_channel_id == world.sandbox.text.id
    voice = world.sandbox.discord.voice_state(world.sandbox.guild, state.bot_id)
    assert voice is not None and voice.channel_id == session.channel_id
    again = await session.connect(world.sandbox.text.id)
    assert again.channel_id == session.channel_id and again.total == 0


async def test_enqueue_starts_playback_and_lavalink_plays_it(session: Session, world: World) -> None:
    batch = tracks("lofi beats")
    result = await session.enqueue(batch)
    assert result.positions == (1, 2, 3) and result.started and result.total == 3
    state = await session.get_state()
    assert state.current == batch[0] and state.current_position == 1 and state.upcoming == 2
    await eventually(lambda: playing(world, session) == batch[0].title, timeout=5, what="Lavalink playing it")
    more = await session.enqueue(tracks("jazz", 2, BOB), EnqueueMode.LIFO)
    assert more.positions == (2, 3) and not more.started


def playing(world: World, session: Session) -> str | None:
    """The title the fake Lavalink plays for that session's bot."""
    title = truth(world, session)["track_title"]
    return None if title is None else str(title)


async def test_enqueue_errors_change_nothing(session: Session) -> None:
    await session.enqueue(tracks("rock", 3))
    with pytest.raises(QueueIndexError) as info:
        await session.enqueue(tracks("pop", 1), position=40)
    assert str(info.value) == "Position 40 is past the end of the queue (3 tracks)."
    with pytest.raises(InvalidArgument, match="already played or playing"):
        await session.enqueue(tracks("pop", 1), position=1)
    with pytest.raises(InvalidArgument, match="end must come after its start"):
        await session.enqueue(tracks("pop", 1, start_ms=5_000, end_ms=1_000))
    with pytest.raises(InvalidArgument, match="nothing to add"):
        await session.enqueue([])
    assert (await session.get_state()).total == 3


async def test_skip_back_and_skip_to(session: Session, world: World) -> None:
    batch = tracks("synthwave", 5)
    await session.enqueue(batch)
    assert (await session.skip(2)).current == batch[2]
    assert (await session.back(1)).current == batch[1]
    assert (await session.skip(to=5)).current == batch[4]
    assert (await session.skip(-4)).current_position == 1
    await eventually(lambda: playing(world, session) == batch[0].title, timeout=5, what="Lavalink back at 1")
    ended = await session.skip(5)
    assert ended.current is None and ended.current_position == 0


async def test_skip_errors(session: Session) -> None:
    await session.enqueue(tracks("metal", 3))
    with pytest.raises(QueueIndexError) as info:
        await session.skip(to=40)
    assert str(info.value) == "Position 40 is past the end of the queue (3 tracks)."
    with pytest.raises(InvalidArgument, match="Skipping by 0"):
        await session.skip(0)
    with pytest.raises(InvalidArgument, match="back by 1 or more"):
        await session.back(0)
    with pytest.raises(QueueIndexError, match="This is the first track; there is nothing before it"):
        await session.back(3)
    with pytest.raises(QueueIndexError) as info:
        await session.skip(to=-2)
    assert info.value.position == -2
    assert (await session.get_state()).current_position == 1


async def test_nothing_playing_errors(session: Session) -> None:
    for call in (session.pause, session.resume, lambda: session.seek(1_000), lambda: session.skip(1)):
        with pytest.raises(NothingPlaying):
            await call()


async def test_pause_resume_seek_volume_reach_lavalink(session: Session, world: World) -> None:
    await session.enqueue(tracks("ambient", 2))
    assert (await session.pause()).paused
    await eventually(lambda: truth(world, session)["paused"] is True, timeout=5, what="Lavalink paused")
    assert not (await session.resume()).paused
    state = await session.seek(60_000)
    assert 60_000 <= state.position_ms < 65_000
    await eventually(lambda: truth(world, session)["position_ms"] >= 60_000, timeout=5, what="Lavalink at 1:00")
    assert (await session.set_volume(150)).volume == 150
    assert (await session.set_volume(-30, relative=True)).volume == 120
    assert (await session.set_volume(5_000, relative=True)).volume == 1000  # relative changes clamp
    await eventually(lambda: truth(world, session)["volume"] == 1000, timeout=5, what="Lavalink at volume 1000")


async def test_seek_and_volume_errors(session: Session) -> None:
    batch = tracks("classical", 1)
    await session.enqueue(batch)
    with pytest.raises(InvalidArgument, match="outside this track"):
        await session.seek(batch[0].length_ms + 10_000)
    with pytest.raises(InvalidArgument, match="outside this track"):
        await session.seek(-1)
    with pytest.raises(InvalidArgument, match="between 0 and 1000"):
        await session.set_volume(1001)
    with pytest.raises(InvalidArgument, match="between 0 and 1000"):
        await session.set_volume(-5)
    assert (await session.get_state()).volume == 100


async def test_queue_editing(session: Session) -> None:
    a = tracks("indie", 3, ALICE)
    b = tracks("folk", 2, BOB)
    await session.enqueue(a)
    await session.enqueue(b, EnqueueMode.INTERLACE)
    page = await session.get_queue()
    assert [i.track for i in page.items] == [a[0], a[1], b[0], a[2], b[1]]
    await session.move(5, 2)
    page = await session.get_queue(offset=1, limit=2)
    assert [i.position for i in page.items] == [2, 3] and page.items[0].track == b[1]
    assert page.total == 5 and page.current_position == 1 and page.offset == 1
    removed = await session.remove(RemoveRequester(BOB))
    assert removed == (b[1], b[0])
    assert await session.remove(RemoveRange(2)) == (a[1],)
    await session.enqueue(tracks("blues", 2, BOB))
    assert len(await session.remove(RemoveAbsent(frozenset({ALICE})))) == 2
    with pytest.raises(InvalidArgument, match="use skip"):
        await session.remove(RemoveRange(1, 2))
    with pytest.raises(QueueIndexError):
        await session.remove(RemoveRange(2, 9))
    with pytest.raises(InvalidArgument, match="only upcoming tracks"):
        await session.move(1, 2)
    state = await session.set_repeat(RepeatMode.ALL)
    assert state.repeat is RepeatMode.ALL and state.total == 2
    await session.enqueue(tracks("many", 5))
    assert (await session.shuffle()).current == a[0]
    assert (await session.clear()).upcoming == 0
    for offset, limit in ((-1, 5), (0, 0), (0, 101)):
        with pytest.raises(InvalidArgument):
            await session.get_queue(offset, limit)


async def test_stop_keeps_the_bot_connected(session: Session, world: World) -> None:
    await session.enqueue(tracks("house", 3))
    state = await session.stop()
    assert state.current is None and state.upcoming == 0 and state.connected and state.total == 1
    await eventually(lambda: playing(world, session) is None, timeout=5, what="Lavalink stopped")
    restarted = await session.enqueue(tracks("techno", 1))
    assert restarted.started and restarted.positions == (2,)


async def test_tracks_advance_on_their_own_and_repeat_one_replays(session: Session, world: World) -> None:
    short = tracks("short jingles", 3)  # 5 s each: 0.1 s at the sandbox's speed
    await session.enqueue(short)

    async def ran_out() -> bool:  # the queue runs to its end by itself
        return (await session.get_state()).current_position == 0

    await eventually(ran_out, timeout=10, what="the queue to advance to its end")
    state = await session.get_state()
    assert state.total == 3 and state.current is None
    await session.set_repeat(RepeatMode.ONE)
    await session.enqueue(tracks("short loop", 1))
    await asyncio.sleep(0.6)  # several plays of a 0.1 s track
    state = await session.get_state()
    assert state.current_position == 4 and state.repeat is RepeatMode.ONE


async def test_disconnect_leaves_voice_and_ends_the_session(session: Session, world: World) -> None:
    bot_id = (await session.get_state()).bot_id
    await session.disconnect()
    await eventually(lambda: world.sandbox.discord.voice_state(world.sandbox.guild, bot_id) is None, timeout=5,
                     what="the bot out of voice")
    with pytest.raises(NoSession):
        await session.get_state()
    with pytest.raises(NoSession):
        await session.skip(1)


async def test_trims_start_and_end_the_track_where_the_entry_says(session: Session, world: World) -> None:
    trimmed = tracks("trimmed intro", 2, start_ms=30_000, end_ms=40_000)  # 10 s: 0.2 s at sandbox speed
    await session.enqueue(trimmed)
    first = await session.get_state()
    assert first.current == trimmed[0] and first.current.play_length_ms == 10_000
    async def second() -> bool:  # ended at end_ms, not after minutes
        return (await session.get_state()).current_position == 2

    await eventually(second, timeout=5, what="the end trim honoured")
    await eventually(lambda: truth(world, session)["position_ms"] >= 30_000, timeout=5, what="the start trim honoured")


# -- restore: what a failover or a restart does with a session's record -------------------------------------


@pytest_asyncio.fixture(params=["local", "remote"], loop_scope="module")
async def restored(request: pytest.FixtureRequest, world: World) -> AsyncIterator[tuple[str, World]]:
    yield request.param, world
    channel = world.sandbox.voices[0 if request.param == "local" else 1].id
    with contextlib.suppress(NoSession):
        if request.param == "local":
            await world.local_app.koe.destroy(channel)
        else:
            await RemoteSession(world.connection, world.sandbox.guild.id, channel).disconnect()


async def restore_on(kind: str, world: World, record: SessionRecord, *, reserve_first: bool = True) -> Session:
    """A record restored by the in-process bot's Koe (local) or by the child process (remote)."""
    if kind == "local":
        return await world.local_app.koe.restore(record)
    remote = RemoteSession(world.connection, record.guild_id, record.channel_id)
    if reserve_first:  # as the parent's handshake does; a child that holds the channel is never free for it
        await reserve(world.connection, record.guild_id, record.channel_id)
    await remote.restore(record)
    return remote


def a_record(world: World, kind: str, **fields: Any) -> SessionRecord:
    sandbox = world.sandbox
    channel = sandbox.voices[0 if kind == "local" else 1].id
    fields.setdefault("tracks", (*tracks("lofi beats", 2), *tracks("jazz", 2, BOB)))
    return SessionRecord(guild_id=sandbox.guild.id, channel_id=channel, text_channel_id=sandbox.text.id, **fields)


async def test_restore_plays_the_same_track_where_it_was(restored: tuple[str, World]) -> None:
    kind, world = restored
    record = a_record(world, kind, current_position=3, position_ms=60_000, checkpoint_ms=now_ms() - 2_000,
                      volume=150, repeat=RepeatMode.ALL)
    session = await restore_on(kind, world, record)
    state = await session.get_state()
    assert state.current == record.tracks[2] and state.current_position == 3 and state.upcoming == 1
    assert state.volume == 150 and state.repeat is RepeatMode.ALL and not state.paused
    assert 62_000 <= state.position_ms < 67_000, state.position_ms  # the checkpoint plus the 2 s since
    page = await session.get_queue(0, 10)
    assert tuple(i.track for i in page.items) == record.tracks
    await eventually(lambda: playing(world, session) == record.tracks[2].title, timeout=5, what="Lavalink playing")
    await eventually(lambda: truth(world, session)["position_ms"] >= 62_000, timeout=5, what="Lavalink past 1:02")
    assert truth(world, session)["volume"] == 150


async def test_restore_keeps_a_paused_session_paused_at_its_position(restored: tuple[str, World]) -> None:
    kind, world = restored
    record = a_record(world, kind, current_position=1, position_ms=30_000, checkpoint_ms=now_ms() - 60_000,
                      paused=True)
    session = await restore_on(kind, world, record)
    state = await session.get_state()
    assert state.paused and state.current == record.tracks[0] and 30_000 <= state.position_ms < 31_000
    await eventually(lambda: truth(world, session)["paused"] is True, timeout=5, what="Lavalink paused")


async def test_restore_over_a_live_session_changes_nothing(restored: tuple[str, World]) -> None:
    kind, world = restored
    first = await restore_on(kind, world, a_record(world, kind, current_position=1))
    other = a_record(world, kind, current_position=1, tracks=tuple(tracks("rock", 1)))
    with pytest.raises(AlreadyConnected) as info:
        await restore_on(kind, world, other, reserve_first=False)
    assert info.value.message == "That voice channel already has a session."
    state = await first.get_state()
    assert state.total == 4 and state.current_position == 1


# -- effects: the session's, kept across tracks and restores ------------------------------------------------


def filters_of(world: World, session: Session) -> dict[str, Any]:
    """The filters the fake Lavalink's player has, as heard (equalizer bands at gain 0 left out)."""
    return audible_filters(truth(world, session)["filters"])


def sent(effects: Effects) -> dict[str, Any]:
    return audible_filters(lavalink_filters(effects))


async def test_effects_reach_lavalink_stay_across_tracks_and_clear(session: Session, world: World) -> None:
    batch = tracks("disco", 3)
    await session.enqueue(batch)
    nightcore = Effects(preset="nightcore", equalizer="rock")
    state = await session.set_effects(nightcore)
    assert state.effects == nightcore and state.current == batch[0]
    await eventually(lambda: filters_of(world, session) == sent(nightcore), timeout=5,
                     what="Lavalink's timescale and equalizer")
    assert filters_of(world, session)["timescale"]["speed"] > 1
    after_skip = await session.skip(1)
    assert after_skip.effects == nightcore and after_skip.current == batch[1]
    await eventually(lambda: playing(world, session) == batch[1].title, timeout=5, what="the next track")
    assert filters_of(world, session) == sent(nightcore)  # the next track plays with them too
    assert (await session.set_effects(NO_EFFECTS)).effects == NO_EFFECTS
    await eventually(lambda: filters_of(world, session) == {}, timeout=5, what="Lavalink's filters cleared")


async def test_bad_effects_change_nothing(session: Session, world: World) -> None:
    await session.enqueue(tracks("funk", 1))
    vaporwave = Effects(preset="vaporwave")
    await session.set_effects(vaporwave)
    with pytest.raises(InvalidArgument) as info:
        await session.set_effects(Effects(preset="chipmunk"))
    assert str(info.value).startswith("Unknown effect 'chipmunk'; use one of: bassboost, nightcore")
    with pytest.raises(InvalidArgument, match=r"The speed must be between 0\.5 and 2 \(1 is unchanged\); 3 is not\."):
        await session.set_effects(Effects(speed=3.0))
    assert (await session.get_state()).effects == vaporwave
    assert filters_of(world, session) == sent(vaporwave)


async def test_restore_plays_on_with_the_records_effects(restored: tuple[str, World]) -> None:
    kind, world = restored
    effects = Effects(preset="8d", equalizer="bass", pitch=1.5)
    session = await restore_on(kind, world, a_record(world, kind, current_position=2, effects=effects))
    assert (await session.get_state()).effects == effects
    await eventually(lambda: filters_of(world, session) == sent(effects), timeout=5,
                     what="the restored player's filters")

async def test_a_live_stream_cannot_be_seeked(session: Session, world: World) -> None:
    info = load_tracks("http://radio.example/live.mp3")["data"]["info"]
    assert info["isStream"] and info["length"] == 2**63 - 1  # Lavalink's Long.MAX_VALUE
    radio = Track(encoded=load_tracks("http://radio.example/live.mp3")["data"]["encoded"], title=info["title"],
                  author=info["author"], uri=info["uri"], length_ms=info["length"], is_stream=True,
                  identifier=info["identifier"], source=info["sourceName"], requester_id=ALICE)
    await session.enqueue([radio])
    before = await session.get_state()
    assert before.current is not None and before.current.is_stream
    for position, relative in ((60_000, False), (15_000, True), (-10_000, True)):
        with pytest.raises(InvalidArgument, match=r"^You can't seek in a live stream\.$"):
            await session.seek(position, relative)
    after = await session.get_state()
    assert after.current == before.current and after.position_ms < 60_000 and not after.paused
    assert truth(world, session)["position_ms"] < 60_000  # Lavalink was never asked to seek
# -- autoplay ---------------------------------------------------------------------------------------------


async def test_autoplay_queues_related_tracks_when_the_queue_runs_out(session: Session, world: World) -> None:
    assert not (await session.get_state()).autoplay
    assert (await session.set_autoplay(True)).autoplay
    seeds = tracks("short autoplay seeds", 2)  # 5 s each: 0.1 s at the sandbox's speed
    await session.enqueue(seeds)

    async def autoplayed() -> bool:
        state = await session.get_state()
        return state.total > 2 and state.current is not None and is_autoplay(state.current)

    await eventually(autoplayed, timeout=10, what="related tracks playing")
    page = await session.get_queue(0, 20)
    added = [item.track for item in page.items[2:]]
    assert added and all(t.requester_id == AUTOPLAY_REQUESTER_ID for t in added)
    assert not {t.identifier for t in added} & {t.identifier for t in seeds}
    mix = f"https://www.youtube.com/watch?v={seeds[1].identifier}&list=RD{seeds[1].identifier}"
    assert mix in world.sandbox.lavalink.searches  # the last track's mix was asked for
    state = await session.get_state()
    await eventually(lambda: playing(world, session) == state.current.title if state.current else False,
                     timeout=5, what="Lavalink playing the related track")


async def test_autoplay_off_lets_the_queue_run_out_as_before(session: Session) -> None:
    await session.set_autoplay(True)
    assert not (await session.set_autoplay(False)).autoplay
    await session.enqueue(tracks("short no autoplay", 2))

    async def ran_out() -> bool:
        return (await session.get_state()).current_position == 0

    await eventually(ran_out, timeout=10, what="the queue to run out")
    await asyncio.sleep(0.3)  # autoplay would have queued by now
    state = await session.get_state()
    assert state.total == 2 and state.current is None and not state.autoplay


async def test_an_unexpected_autoplay_failure_is_logged_and_the_session_plays_on(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_finder(seed: Track, history: Sequence[Track]) -> tuple[Track, ...]:
        raise RuntimeError("the related-tracks source broke")

    sandbox = world.sandbox
    session = LocalSession(sandbox.guild.id, sandbox.voices[0].id, world.local_app.bot.user.id,  # type: ignore[union-attr]
                           world.local_app.bot.connect_player, find_related=broken_finder)
    await session.connect(sandbox.text.id)
    try:
        await session.set_autoplay(True)
        with caplog.at_level(logging.ERROR, logger="azura_common.koe.local.autoplay"):
            await session.enqueue(tracks("short broken autoplay", 1))
            await eventually(lambda: any("related to" in r.getMessage() and r.exc_info for r in caplog.records),
                             timeout=10, what="the autoplay failure logged with its traceback")
        state = await session.get_state()
        assert state.current is None and state.total == 1 and state.autoplay  # ran out, nothing queued
        more = tracks("rock after broken autoplay", 2)
        assert (await session.enqueue(more)).started  # the session still takes commands and plays
        await eventually(lambda: playing(world, session) == more[0].title, timeout=5, what="Lavalink playing")
    finally:
        await session.disconnect()


async def test_autoplay_is_kept_by_a_restore(restored: tuple[str, World]) -> None:
    kind, world = restored
    session = await restore_on(kind, world, a_record(world, kind, current_position=1, autoplay=True))
    assert (await session.get_state()).autoplay
