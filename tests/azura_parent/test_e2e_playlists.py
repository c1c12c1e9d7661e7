"""End to end: /playlist, as users see it, against a real cluster (and its SQLite database)."""

from __future__ import annotations

import re

import pytest
from e2e_cluster import NOT_IN_VOICE, Cluster, queue_titles

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLsaved"


async def pl(c: Cluster, who: str, sub: str, **options: object) -> str:
    """A /playlist command that must succeed: its (ephemeral) text."""
    r = await c.run(who, "playlist", options, sub=sub)
    assert r.private, r.text
    assert not r.text.startswith("⚠️"), (sub, options, r.text)
    return r.text


async def pl_fails(c: Cluster, who: str, sub: str, **options: object) -> str:
    return await c.fails(who, "playlist", options, sub=sub)


def entries(show: str) -> list[str]:
    return [line for line in show.splitlines()[1:] if line.startswith("`")]


async def test_create_add_show_remove_trim_rename_delete(c: Cluster) -> None:
    alice = c.user("alice")
    assert await pl(c, "alice", "create", name="Road Trip") == "📁 Created playlist **Road Trip**."
    assert await pl_fails(c, "alice", "create", name="road trip") == "You already have a playlist called 'road trip'."
    assert await pl_fails(c, "alice", "create", name="x" * 51) == (
        "A playlist name can be at most 50 characters long.")
    assert await pl(c, "alice", "add", name="Road Trip", what="query", query=PLAYLIST) == (
        "📁 Added 12 tracks to **Road Trip** (#1–#12).")
    text = await pl(c, "alice", "add", name="Road Trip", what="query", query="one more song")
    assert text.startswith("📁 Added [") and text.endswith(" to **Road Trip** (#13–#13)."), text
    # bad adds change nothing
    assert await pl_fails(c, "alice", "add", name="Road Trip", what="query") == (
        "Give a `query` to add (search words or a link).")
    assert await pl_fails(c, "alice", "add", name="Road Trip", what="query", query="nothing at all") == (
        "Nothing found for 'nothing at all'. Try other words or a link.")
    assert await pl_fails(c, "alice", "add", name="Nope", what="query", query="x") == (
        "You have no playlist called 'Nope'.")
    assert await pl_fails(c, "alice", "add", name="Road Trip", what="current") == NOT_IN_VOICE.removeprefix("⚠️ ")

    show = await pl(c, "alice", "show", name="Road Trip")
    assert show.splitlines()[0] == f"📁 **Road Trip** by <@{alice.id}> · private · 13 tracks, page 1/2"
    first_page = entries(show)
    assert len(first_page) == 10 and first_page[0].startswith("`1.` [")
    page2 = await pl(c, "alice", "show", name="Road Trip", page=2)
    assert [e.split("`")[1] for e in entries(page2)] == ["11.", "12.", "13."]
    assert await pl_fails(c, "alice", "show", name="Road Trip", page=3) == "**Road Trip** has only 2 pages."
    assert await pl_fails(c, "alice", "show", name="Nope") == "You have no playlist called 'Nope'."

    fifth = first_page[4].split(" ", 1)[1]
    assert await pl(c, "alice", "remove", name="Road Trip", positions="5") == f"🗑 Removed {fifth} from **Road Trip**."
    assert await pl(c, "alice", "remove", name="Road Trip", positions="3-4") == "🗑 Removed 2 tracks from **Road Trip**."
    for positions, error in [
        ("abc", "'abc' is not a position or a range; use a number like 5 or a range like 3-7."),
        ("5-3", "The range 5-3 runs backwards; write it as 3-5."),
        ("40", "Position 40 is past the end of the playlist 'Road Trip' (10 tracks)."),
        ("9-40", "Position 40 is past the end of the playlist 'Road Trip' (10 tracks)."),
    ]:
        assert await pl_fails(c, "alice", "remove", name="Road Trip", positions=positions) == error, positions
    show = await pl(c, "alice", "show", name="Road Trip")
    assert "· 10 tracks, page 1/1" in show.splitlines()[0]
    assert entries(show)[2].split(" ", 1)[1] == first_page[5].split(" ", 1)[1]  # renumbered

    text = await pl(c, "alice", "trim", name="Road Trip", position=1, start="0:30", end="1:30")
    assert text.startswith("✂ #1 [") and text.endswith("(1:00) now plays 0:30–1:30."), text
    for options, error in [
        ({"start": "+10"}, "Give the start as a time like 1:23, not '+10'."),
        ({"end": "-5"}, "Give the end as a time like 1:23, not '-5'."),
        ({"start": "abc"}, "'abc' is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back."),
        ({"start": "1:00", "end": "0:30"}, "A track's end must come after its start."),
        ({"start": "59:00"}, None),
    ]:
        got = await pl_fails(c, "alice", "trim", name="Road Trip", position=1, **options)
        assert error is None or got == error, (options, got)
    assert await pl_fails(c, "alice", "trim", name="Road Trip", position=40, start="0:10") == (
        "Position 40 is past the end of the playlist 'Road Trip' (10 tracks).")
    assert "(1:00)" in entries(await pl(c, "alice", "show", name="Road Trip"))[0]  # the bad trims changed nothing

    assert await pl(c, "alice", "rename", name="Road Trip", new_name="Summer Trip") == "✏ Renamed to **Summer Trip**."
    assert await pl_fails(c, "alice", "show", name="Road Trip") == "You have no playlist called 'Road Trip'."
    assert await pl(c, "alice", "create", name="Other") == "📁 Created playlist **Other**."
    assert await pl_fails(c, "alice", "rename", name="Other", new_name="summer trip") == (
        "You already have a playlist called 'Summer Trip'.")
    assert await pl(c, "alice", "delete", name="Summer Trip") == "🗑 Deleted playlist **Summer Trip** (10 tracks)."
    assert await pl_fails(c, "alice", "delete", name="Summer Trip") == "You have no playlist called 'Summer Trip'."
    assert await pl_fails(c, "alice", "show", name="Summer Trip") == "You have no playlist called 'Summer Trip'."


async def test_add_current_and_queue(c: Cluster) -> None:
    room = await c.room()
    await c.join("bob", room)
    await pl(c, "bob", "create", name="Saved")
    assert await pl_fails(c, "bob", "add", name="Saved", what="current") == (
        f"Nothing is playing in <#{room.id}>. Start something with `/play`.")
    await c.ok("bob", "play", {"query": PLAYLIST})
    await c.ok("bob", "skip", {"to": 3})
    titles = [t.removeprefix("▶ ") for t in await c.titles("bob")]
    text = await pl(c, "bob", "add", name="Saved", what="current")
    assert text.startswith(f"📁 Added [{titles[2]}]") and text.endswith("to **Saved** (#1–#1)."), text
    assert await pl(c, "bob", "add", name="Saved", what="queue") == "📁 Added 12 tracks to **Saved** (#2–#13)."
    show = await pl(c, "bob", "show", name="Saved")
    assert "· 13 tracks, page 1/2" in show
    # requesters are not saved: entries show no mention
    assert "<@" not in "\n".join(entries(show))
    await c.ok("bob", "stop")
    assert await pl_fails(c, "bob", "add", name="Saved", what="current") == "Nothing is playing right now."
    assert "· 13 tracks," in await pl(c, "bob", "show", name="Saved")


async def test_visibility_and_playing_others_playlists(c: Cluster) -> None:
    alice, bob = c.user("alice"), c.user("bob")
    await pl(c, "alice", "create", name="Alice Mix")
    await pl(c, "alice", "add", name="Alice Mix", what="query", query=PLAYLIST)
    room = await c.room()
    await c.join("bob", room)
    # private: nobody else can see or play it
    assert await pl_fails(c, "bob", "play", name="Alice Mix", owner=alice) == "That playlist is private."
    assert await pl_fails(c, "bob", "show", name="Alice Mix", owner=alice) == "That playlist is private."
    assert await pl_fails(c, "bob", "play", name="Alice Mix") == "You have no playlist called 'Alice Mix'."
    assert await pl_fails(c, "bob", "play", name="Nope", owner=alice) == "That user has no playlist called 'Nope'."
    assert c.bot_in(room) is None
    # public: others play it with owner:
    assert await pl(c, "alice", "visibility", name="Alice Mix", visibility="public") == (
        "👁 **Alice Mix** is now public.")
    assert (await pl(c, "bob", "show", name="Alice Mix", owner=alice)).startswith(
        f"📁 **Alice Mix** by <@{alice.id}> · public · 12 tracks, page 1/2")
    text = (await c.run("bob", "playlist", {"name": "Alice Mix", "owner": alice}, sub="play")).text
    assert re.fullmatch(r"🎶 Queued \*\*12 tracks\*\* from \*\*Alice Mix\*\* \(.+\) at \*\*#1–#12\*\* — playing now\.",
                        text), text
    q = await c.queue("bob")
    assert f"<@{bob.id}>" in q and f"<@{alice.id}>" not in q  # bob requested them
    # global needs Manage Server
    assert await pl_fails(c, "alice", "visibility", name="Alice Mix", visibility="global") == (
        "Only someone with Manage Server can make a playlist global.")
    assert "· public ·" in await pl(c, "alice", "show", name="Alice Mix")
    await pl(c, "owner", "create", name="House Classics")
    await pl(c, "owner", "add", name="House Classics", what="query", query="house classic")
    assert await pl(c, "owner", "visibility", name="House Classics", visibility="global") == (
        "👁 **House Classics** is now global.")
    # a global playlist plays by name alone
    r = await c.run("bob", "playlist", {"name": "house classics"}, sub="play")
    assert not r.private and r.text.startswith("🎶 Queued [") and r.text.endswith("at **#13**."), r.text
    # back to private
    assert await pl(c, "alice", "visibility", name="Alice Mix", visibility="private") == (
        "👁 **Alice Mix** is now private.")
    assert await pl_fails(c, "bob", "play", name="Alice Mix", owner=alice) == "That playlist is private."
    assert len(await c.titles("bob")) == 13


async def test_play_own_playlist_modes_trims_and_errors(c: Cluster) -> None:
    await pl(c, "carol", "create", name="Carol Mix")
    await pl(c, "carol", "add", name="Carol Mix", what="query", query="carol first")
    await pl(c, "carol", "add", name="Carol Mix", what="query", query="carol second")
    await pl(c, "carol", "trim", name="Carol Mix", position=1, start="0:10", end="0:50")
    await pl(c, "carol", "create", name="Empty")
    assert await pl_fails(c, "carol", "play", name="Carol Mix") == NOT_IN_VOICE.removeprefix("⚠️ ")
    room = await c.room()
    await c.join("carol", room)
    assert await pl_fails(c, "carol", "play", name="Empty") == "**Empty** is empty."
    assert await pl_fails(c, "carol", "play", name="Nope") == "You have no playlist called 'Nope'."
    assert c.bot_in(room) is None
    text = (await c.run("carol", "playlist", {"name": "Carol Mix"}, sub="play")).text
    assert text.startswith("🎶 Queued **2 tracks** from **Carol Mix** (") and text.endswith(
        "at **#1–#2** — playing now."), text
    np = await c.ok("carol", "nowplaying")
    assert "(0:40)" in np and "/ 0:40`" in np, np  # the trim plays 0:10–0:50
    await c.ok("carol", "play", {"query": PLAYLIST})
    before = await c.titles("carol")
    text = (await c.run("carol", "playlist", {"name": "Carol Mix", "mode": "lifo"}, sub="play")).text
    assert text.endswith("at **#2–#3**."), text
    text = (await c.run("carol", "playlist", {"name": "Carol Mix", "position": 10}, sub="play")).text
    assert text.endswith("at **#10–#11**."), text
    after = await c.titles("carol")
    assert len(after) == len(before) + 4
    assert await pl_fails(c, "carol", "play", name="Carol Mix", position=40) == (
        "Position 40 is past the end of the queue (18 tracks).")
    assert await c.titles("carol") == after
    assert queue_titles(await c.queue("carol"))[0].startswith("▶ ")
