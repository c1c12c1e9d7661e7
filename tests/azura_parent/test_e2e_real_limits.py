"""End to end: what real Discord and Lavalink do that a too-kind sandbox hid, on a real cluster.

- Rate limits: two now-playing boards of one bot (the parent plays in two servers), one of them answered 429:
  the other keeps its refresh cadence. (That a board whose text did not change, a paused one, is not edited
  at all is shown faster in ``commands/test_nowplaying_boards.py``.)
- Permissions: a bot that may not post in the text channel still plays, and /play says what to fix.
- Lavalink sources: plain words fall back from YouTube to SoundCloud; with no source, a message naming the fix.

The cluster refreshes its boards every ``REFRESH_S`` (Discord allows 5 edits per 5 s in a channel).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from e2e_cluster import USERS, Cluster

from azura_sandbox.fake_discord.world import Channel, Guild, Message
from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, STOCK_SOURCES
from azura_sandbox.testing import ParentProcess, Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

REFRESH_S = 1.25


@dataclass
class Elsewhere:
    """A second server, where the same bots are members."""

    guild: Guild
    text: Channel
    voice: Channel


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Cluster, Elsewhere]]:
    sb = await Sandbox.start(user_names=USERS, voice_channels=1, speed=5.0)  # tracks outlast a test
    try:
        guild = await sb.discord.create_guild("Second Lounge")
        elsewhere = Elsewhere(guild, await sb.discord.create_text_channel(guild, "music"),
                              await sb.discord.create_voice_channel(guild, "voice"))
        for user in sb.users.values():
            await sb.discord.add_member(guild, user)
        refresh = {"AZURA_NOWPLAYING_REFRESH_S": str(REFRESH_S)}
        kids = [await sb.spawn_child(name, env=refresh, wait=False) for name in ("kid-1", "kid-2")]
        env = sb.parent_env("parent-token", kids, tmp_path_factory.mktemp("limits") / "db.sqlite3")
        parent = ParentProcess({**env, **refresh, "AZURA_COMMAND_GUILDS": f"{sb.guild.id},{guild.id}"})
        sb.children.append(parent)
        parent.start()  # beside the children: it links to them as they come up
        await asyncio.gather(parent.wait_ready(), *(kid.wait_serving() for kid in kids))
    except BaseException:
        await sb.stop()
        raise
    cluster = Cluster(sb, kids, parent)
    try:
        yield cluster, elsewhere
    finally:
        await cluster.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def c(world: tuple[Cluster, Elsewhere]) -> AsyncIterator[Cluster]:
    cluster = world[0]
    try:
        yield cluster
    finally:
        cluster.sb.lavalink.sources = DEFAULT_SOURCES
        await cluster.cleanup()


async def edits_of(c: Cluster, *messages: Message, seconds: float) -> list[list[float]]:
    """When each message changed (monotonic times) during the next ``seconds``, watched every 20 ms."""
    seen = [m.changed_at for m in messages]
    times: list[list[float]] = [[] for _ in messages]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        for i, message in enumerate(messages):
            now = c.d.message(message.id)
            assert now is not None, "a now-playing message disappeared"
            if now.changed_at != seen[i]:
                seen[i] = now.changed_at
                times[i].append(now.changed_at)
    return times


def board_in(c: Cluster, there: Elsewhere) -> Message | None:
    """The parent's now-playing message in the other server."""
    header = f"🎶 **Now playing in <#{there.voice.id}>**"
    found = [m for m in c.d.messages(there.text) if m.author_id == c.parent_bot_id and m.content.startswith(header)]
    return found[-1] if found else None


# -- rate limits ---------------------------------------------------------------------------------------


async def test_a_rate_limited_board_does_not_hold_up_the_other_board_of_its_bot(
    c: Cluster, world: tuple[Cluster, Elsewhere]
) -> None:
    there = world[1]
    here = await c.room()
    await c.join("alice", here)
    await c.ok("alice", "play", {"query": "lofi beats"})
    await c.d.user_join_voice(c.user("bob"), there.voice)
    away = await c.d.invoke(c.user("bob"), there.guild, there.text, "play", {"query": "city pop"})
    assert not away.private, away.text
    assert c.bot_in(here) == c.parent_bot_id and c.bot_in(there.voice) == c.parent_bot_id  # one bot, two boards
    free = await c.wait_np(c.parent_bot_id, here)
    throttled = await c.d.wait_for(lambda: board_in(c, there), 6.0, "the board in the other server")
    # The next edit there gets a 429 (retry in 30 s), which discord.py waits out inside that edit. That server's
    # channel is used by no later test: Discord (and discord.py) hold every edit in a rate-limited channel.
    c.d.throttle_message_edits(there.text, limit=1, window_s=30.0)
    watch_s = 4 * REFRESH_S
    stuck, moving = await edits_of(c, throttled, free, seconds=watch_s)
    gaps = [b - a for a, b in itertools.pairwise(moving)]
    median = statistics.median(gaps) if gaps else float("nan")
    print(f"\nboards refresh every {REFRESH_S} s; with the other board of the bot answered 429: {len(moving)} edits "
          f"in {watch_s:.2f} s, gaps {[round(g, 2) for g in gaps]} s, median {median:.2f} s")
    assert stuck == [], "the throttled board was edited: the 429 never happened"
    assert "responded with 429" in c.parent.log_text()  # discord.py met it and waits it out
    assert len(moving) >= 3, moving
    assert max(gaps) < REFRESH_S + 0.75, gaps
    assert abs(median - REFRESH_S) < 0.35, gaps


# -- permissions -----------------------------------------------------------------------------------------


async def test_a_bot_that_may_not_post_still_plays_and_play_says_what_to_fix(c: Cluster) -> None:
    text = c.sb.text
    parent = c.d.bot("parent-token")
    await c.d.deny_in_channel(parent, text, ["send_messages"])
    room = await c.room()
    try:
        await c.join("alice", room)
        answer = await c.ok("alice", "play", {"query": "rain sounds"})
        assert c.bot_in(room) == c.parent_bot_id
        assert (f"⚠️ I can't post in <#{text.id}>: give parent-token Send Messages there. The music plays anyway; "
                "only its now-playing message is missing.") in answer, answer
        assert answer.startswith("🎶 Queued"), answer
        playing = await c.nowplaying("alice")
        assert playing.text.startswith("▶ Playing"), playing.text
        await c.d.wait_for(lambda: "can't post the now-playing message" in c.parent.log_text(), 5.0,
                           "the parent to note it may not post")
        assert c.np_message(c.parent_bot_id, room) is None
        assert "Missing Permissions" not in c.parent.log_text()  # it knew: no refused request (Discord bans those)
    finally:
        await c.d.allow_in_channel(parent, text, ["send_messages"])
    await c.wait_np(c.parent_bot_id, room, timeout_s=REFRESH_S + 4)  # allowed again: the board appears


async def test_a_child_that_may_not_see_the_channel_plays_and_is_named(c: Cluster) -> None:
    text = c.sb.text
    first = await c.room()
    await c.join("alice", first)
    await c.ok("alice", "play", {"query": "morning coffee"})  # the parent takes this one
    for kid in ("kid-1", "kid-2"):
        await c.d.deny_in_channel(kid, text, ["view_channel"])
    second = await c.room()
    try:
        await c.join("bob", second)
        answer = await c.ok("bob", "play", {"query": "evening tea"})
        kid_id = c.bot_in(second)
        assert kid_id in c.kid_bot_ids
        name = c.d.world.users[kid_id].username
        assert f"⚠️ I can't post in <#{text.id}>: give {name} View Channel and Send Messages there." in answer, answer
        assert (await c.nowplaying("bob")).text.startswith("▶ Playing")
    finally:
        for kid in ("kid-1", "kid-2"):
            await c.d.allow_in_channel(kid, text, ["view_channel"])


# -- Lavalink sources ------------------------------------------------------------------------------------


async def test_plain_words_fall_back_to_soundcloud_when_lavalink_has_no_youtube(c: Cluster) -> None:
    c.sb.lavalink.sources = STOCK_SOURCES
    room = await c.room()
    await c.join("alice", room)
    before = len(c.sb.lavalink.searches)
    answer = await c.ok("alice", "play", {"query": "ocean waves"})
    assert c.sb.lavalink.searches[before:before + 2] == ["ytsearch:ocean waves", "scsearch:ocean waves"]
    assert "https://soundcloud.com/" in answer and "playing now" in answer, answer
    nothing = await c.fails("alice", "play", {"query": "nothing at all"})
    assert nothing == ("Nothing found for 'nothing at all'. Try other words or a link. Lavalink has no YouTube "
                       "source: add the youtube plugin, see README (Lavalink sources).")


async def test_with_no_search_source_play_names_the_fix(c: Cluster) -> None:
    c.sb.lavalink.sources = ()
    room = await c.room()
    await c.join("alice", room)
    message = await c.fails("alice", "play", {"query": "ocean waves"})
    assert message == ("Lavalink has no YouTube or SoundCloud source: add the youtube plugin; enable soundcloud in "
                       "Lavalink's application.yml, see README (Lavalink sources).")
    assert c.bot_in(room) is None  # a failed /play changes nothing


# -- guild membership (last: it takes a child out of the server, and puts it back) -------------------------


async def test_a_child_that_is_not_in_the_server_is_skipped(c: Cluster) -> None:
    await c.d.remove_bot_from_guild("kid-1", c.sb.guild)
    try:
        rooms = [await c.room() for _ in range(3)]
        answers = []
        for who, room in zip(("alice", "bob", "carol"), rooms, strict=True):
            await c.join(who, room)
            answers.append(await c.run(who, "play", {"query": "lofi beats"}))
        assert [c.bot_in(room) for room in rooms[:2]] == [c.parent_bot_id, c.bot_id("kid-2")], answers
        assert answers[2].private and answers[2].text == "⚠️ All 3 Azura bots are busy in this server.", answers[2]
        assert c.bot_in(rooms[2]) is None
    finally:
        await c.d.add_bot_to_guild("kid-1", c.sb.guild)
