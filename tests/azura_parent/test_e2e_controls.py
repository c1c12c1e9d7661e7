"""End to end: the now-playing buttons of a child's session, and who may do what (DJ role, votes)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from e2e_cluster import Cluster

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLcontrols"
DJ_ONLY = "Only a DJ (the DJ role or Manage Server) can do that while others listen."
DJ_SKIP = "Only a DJ can skip by more than one or jump to a position while others listen."
DJ_REMOVE = "You can remove your own tracks; removing other people's needs a DJ."
MANAGE_GUILD = 1 << 5


def position_of(content: str) -> int:
    m = re.search(r"#(\d+) of \d+", content)
    assert m, content
    return int(m.group(1))


async def test_buttons_on_a_childs_now_playing_message(c: Cluster) -> None:
    # the parent plays in the first channel that asks; the second one gets a child
    first, second = await c.room("parent"), await c.room("child")
    await c.join("alice", first)
    await c.ok("alice", "play", {"query": "parent song"})
    assert await c.wait_bot_in(first) == c.parent_bot_id
    await c.join("bob", second)
    await c.ok("bob", "play", {"query": PLAYLIST})
    kid = await c.wait_bot_in(second)
    assert kid in c.kid_bot_ids
    np = await c.wait_np(kid, second, "#1 of 12")
    assert np.application_id == kid  # the child posted it, so its presses go to the child
    assert c.np_message(c.parent_bot_id, second) is None
    bob = c.user("bob")

    r = await c.d.click(bob, np.id, "azura:np:skip")
    assert not r.private
    assert position_of(c.d.message(np.id).content) == 2  # type: ignore[union-attr]
    assert "#2 of 12" in await c.ok("bob", "nowplaying")  # the parent sees the child's session change
    await c.d.click(bob, np.id, "azura:np:back")
    assert position_of(c.d.message(np.id).content) == 1  # type: ignore[union-attr]
    await c.d.click(bob, np.id, "azura:np:toggle")
    assert c.d.message(np.id).content.splitlines()[1].startswith("⏸ Paused ")  # type: ignore[union-attr]
    assert (await c.ok("bob", "nowplaying")).startswith("⏸ Paused ")
    await c.d.click(bob, np.id, "azura:np:toggle")
    assert (await c.ok("bob", "nowplaying")).startswith("▶ Playing ")
    await c.d.click(bob, np.id, "azura:np:volume_up")
    assert c.d.message(np.id).content.endswith("🔊 110%")  # type: ignore[union-attr]
    assert (await c.ok("bob", "nowplaying")).endswith("🔊 110%")

    # someone outside the channel can't press
    r = await c.d.click(c.user("carol"), np.id, "azura:np:skip")
    assert r.private and r.text == f"Join <#{second.id}> to use these buttons."
    assert "#1 of 12" in await c.ok("bob", "nowplaying")

    r = await c.d.click(bob, np.id, "azura:np:leave")
    assert c.d.message(np.id).content == f"⏏ Left <#{second.id}> (leave pressed by <@{bob.id}>)."  # type: ignore[union-attr]
    assert c.d.message(np.id).components == []  # type: ignore[union-attr]
    await c.wait_bot_in(second, want=False)
    assert await c.fails("bob", "nowplaying") == f"Nothing is playing in <#{second.id}>. Start something with `/play`."
    # the parent's own session is untouched
    assert (await c.ok("alice", "nowplaying")).startswith("▶ Playing ")
    # and the freed child can serve a new session right away
    await c.ok("bob", "play", {"query": "again"})
    assert await c.wait_bot_in(second) in c.kid_bot_ids


async def test_parent_session_buttons_and_leave(c: Cluster) -> None:
    room = await c.room()
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": PLAYLIST})
    assert await c.wait_bot_in(room) == c.parent_bot_id
    np = await c.wait_np(c.parent_bot_id, room, "#1 of 12")
    carol = c.user("carol")
    await c.d.click(carol, np.id, "azura:np:skip")
    assert "#2 of 12" in await c.ok("carol", "nowplaying")
    await c.d.click(carol, np.id, "azura:np:leave")
    await c.wait_bot_in(room, want=False)
    assert (await c.fails("carol", "nowplaying")).startswith("Nothing is playing in ")
    r = await c.d.click(carol, np.id, "azura:np:skip") if c.d.message(np.id).components else None  # type: ignore[union-attr]
    assert r is None  # the buttons are gone


# -- permissions -------------------------------------------------------------------------------------

@pytest_asyncio.fixture(loop_scope="module")
async def dj(c: Cluster) -> AsyncIterator[Cluster]:
    """A DJ role that only alice has; reset afterwards."""
    role = await c.d.create_role(c.sb.guild, "DJ")
    await c.d.give_role(c.sb.guild, c.user("alice"), role)
    r = await c.run("owner", "server", {"role": role}, sub="dj-role")
    assert r.private and r.text == f"🎧 DJs are now members with <@&{role.id}>.", r.text
    try:
        yield c
    finally:
        r = await c.run("owner", "server", sub="dj-role")
        assert r.text == "🎧 No DJ role: everyone can DJ."
        await c.d.take_role(c.sb.guild, c.user("alice"), role)


async def test_non_dj_with_others_listening_is_refused_and_nothing_changes(dj: Cluster) -> None:
    c = dj
    room = await c.room()
    for user in ("alice", "bob", "carol"):
        await c.join(user, room)
    await c.ok("alice", "play", {"query": PLAYLIST})
    assert (await c.ok("bob", "play", {"query": "bob's own"})).endswith("at **#13**.")
    before = await c.titles("alice")
    for command, options, error in [
        ("stop", {}, DJ_ONLY),
        ("clear", {}, DJ_ONLY),
        ("leave", {}, DJ_ONLY),
        ("back", {"by": 2}, DJ_ONLY),
        ("skip", {"by": 2}, DJ_SKIP),
        ("skip", {"to": 5}, DJ_SKIP),
        ("skip", {"by": -1}, DJ_SKIP),
        ("remove", {"positions": "3"}, DJ_REMOVE),
        ("remove", {"positions": "10-13"}, DJ_REMOVE),
        ("remove", {"user": c.user("alice")}, DJ_REMOVE),
        ("remove", {"absent": True}, DJ_REMOVE),
    ]:
        assert await c.fails("bob", command, options) == error, (command, options)
    assert await c.titles("alice") == before
    assert c.bot_in(room) is not None
    # what a non-DJ may do: remove their own track, pause, volume
    assert (await c.ok("bob", "remove", {"positions": "13"})).startswith("🗑 Removed [")
    assert (await c.ok("bob", "volume", {"level": "90"})).startswith("🔊 Volume 90%")
    # the DJ may do it all
    assert (await c.ok("alice", "skip", {"to": 5})).startswith("⏭ Skipped to **#5** ")
    assert (await c.ok("alice", "remove", {"positions": "6-7"})) == "🗑 Removed 2 tracks."


async def test_manage_server_counts_as_dj(dj: Cluster) -> None:
    c = dj
    role = await c.d.create_role(c.sb.guild, "Moderators", permissions=MANAGE_GUILD)
    await c.d.give_role(c.sb.guild, c.user("dave"), role)
    try:
        room = await c.room()
        for user in ("bob", "dave"):
            await c.join(user, room)
        await c.ok("bob", "play", {"query": PLAYLIST})
        assert (await c.ok("dave", "skip", {"by": 2})).startswith("⏭ Skipped to **#3** ")
        assert await c.ok("dave", "clear") == "🧹 Cleared 9 upcoming tracks."
    finally:
        await c.d.take_role(c.sb.guild, c.user("dave"), role)


async def test_non_dj_alone_may_do_anything(dj: Cluster) -> None:
    c = dj
    room = await c.room()
    await c.join("bob", room)
    await c.ok("bob", "play", {"query": PLAYLIST})
    assert (await c.ok("bob", "skip", {"to": 4})).startswith("⏭ Skipped to **#4** ")
    assert (await c.ok("bob", "clear")) == "🧹 Cleared 8 upcoming tracks."
    assert (await c.ok("bob", "stop")).startswith("⏹ Stopped in ")


async def test_plain_skip_is_a_vote_of_the_listeners(dj: Cluster) -> None:
    c = dj
    room = await c.room()
    for user in ("alice", "bob", "carol", "dave"):
        await c.join(user, room)
    await c.ok("alice", "play", {"query": PLAYLIST})
    np = await c.ok("bob", "nowplaying")
    title = re.search(r"\[(.+?)\]", np).group(1)  # type: ignore[union-attr]
    bob, carol, dave = c.user("bob"), c.user("carol"), c.user("dave")
    # 4 listeners: 3 votes needed
    r = await c.run("bob", "skip")
    assert not r.private and r.text == f"🗳 <@{bob.id}> voted to skip **{title}** (1/3 votes).", r.text
    r = await c.run("bob", "skip")  # voting twice counts once
    assert r.text == f"🗳 <@{bob.id}> voted to skip **{title}** (1/3 votes).", r.text
    assert await c.ok("carol", "skip") == f"🗳 <@{carol.id}> voted to skip **{title}** (2/3 votes)."
    assert "#1 of 12" in await c.ok("alice", "nowplaying")
    # dave leaves: 3 listeners need 2, the next vote passes
    await c.leave_voice("dave")
    text = await c.ok("carol", "skip")
    assert text.startswith("⏭ Skipped to **#2** "), text
    assert "#2 of 12" in await c.ok("alice", "nowplaying")
    # a new track starts a new vote
    assert (await c.ok("bob", "skip")).endswith("(1/2 votes).")
    del dave


async def test_own_track_skips_without_a_vote(dj: Cluster) -> None:
    c = dj
    room = await c.room()
    for user in ("bob", "carol"):
        await c.join(user, room)
    await c.ok("bob", "play", {"query": PLAYLIST})
    assert (await c.ok("bob", "skip")).startswith("⏭ Skipped to **#2** ")


async def test_non_dj_cannot_stop_with_the_button(dj: Cluster) -> None:
    c = dj
    room = await c.room()
    for user in ("alice", "bob"):
        await c.join(user, room)
    await c.ok("alice", "play", {"query": PLAYLIST})
    np = await c.wait_np(await c.wait_bot_in(room) or 0, room, "#1 of 12")
    r = await c.d.click(c.user("bob"), np.id, "azura:np:stop")
    assert r.private
    assert "#1 of 12" in await c.ok("alice", "nowplaying")
