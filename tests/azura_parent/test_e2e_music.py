"""End to end: the music commands of the parent, as users see them, against a real cluster.

The cluster plays at speed 2 so a track (2–6 minutes) does not end while a test looks at it.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from e2e_cluster import NOT_IN_VOICE, Cluster, queue_titles

from azura_sandbox.fake_discord.world import Channel

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLe2e"
NOTHING_PLAYING = "Nothing is playing. Add something with `/play`."


def current_position(np: str) -> int:
    m = re.search(r"#(\d+) of (\d+)", np)
    assert m, np
    return int(m.group(1))


async def playlist_room(c: Cluster, *users: str) -> Channel:
    """A fresh room with *users* in it and the 12-track playlist queued by the first one."""
    room = await c.room()
    for user in users:
        await c.join(user, room)
    text = await c.ok(users[0], "play", {"query": PLAYLIST})
    assert "**12 tracks**" in text, text
    return room


async def test_not_in_voice_is_a_private_error(c: Cluster) -> None:
    for command, options in [("play", {"query": "lofi"}), ("queue", {}), ("pause", {}), ("skip", {}),
                             ("volume", {"level": "80"}), ("seek", {"time": "1:00"}), ("nowplaying", {}),
                             ("leave", {}), ("clear", {}), ("remove", {"positions": "2"}), ("history", {})]:
        r = await c.run("alice", command, options)
        assert r.private and r.text == NOT_IN_VOICE, (command, r.text)


async def test_commands_without_a_session_say_nothing_is_playing(c: Cluster) -> None:
    room = await c.room()
    await c.join("alice", room)
    expected = f"Nothing is playing in <#{room.id}>. Start something with `/play`."
    for command, options in [("queue", {}), ("pause", {}), ("skip", {}), ("nowplaying", {}), ("leave", {}),
                             ("volume", {"level": "50"}), ("shuffle", {}), ("history", {})]:
        assert await c.fails("alice", command, options) == expected, command
    assert c.bot_in(room) is None


async def test_play_one_track_then_queue_and_nowplaying(c: Cluster) -> None:
    room = await c.room()
    await c.join("alice", room)
    text = await c.ok("alice", "play", {"query": "lofi beats"})
    assert text.startswith("🎶 Queued [") and text.endswith("at **#1** — playing now."), text
    np = await c.ok("alice", "nowplaying")
    assert np.startswith("▶ Playing [") and np.endswith("#1 of 1 · 🔊 100%"), np
    assert f"<@{c.user('alice').id}>" in np.splitlines()[0]
    q = await c.queue("alice")
    assert q.startswith(f"📜 **Queue in {room.name}** — 1 tracks, page 1/1"), q
    assert len(queue_titles(q)) == 1 and queue_titles(q)[0].startswith("▶ ")
    assert await c.wait_bot_in(room) is not None


async def test_play_playlist_and_modes(c: Cluster) -> None:
    room = await c.room()
    for user in ("alice", "bob", "carol"):
        await c.join(user, room)
    text = await c.ok("alice", "play", {"query": PLAYLIST})
    queued = r"🎶 Queued \*\*12 tracks\*\* from \*\*.+\*\* \(\d+:\d+(:\d+)?\) at \*\*#1–#12\*\* — playing now\."
    assert re.fullmatch(queued, text), text
    before = await c.titles("alice")
    assert len(before) == 12
    text = await c.ok("bob", "play", {"query": "fifo song", "mode": "fifo"})
    assert text.endswith("at **#13**."), text
    text = await c.ok("bob", "play", {"query": "lifo song", "mode": "lifo"})
    assert text.endswith("at **#2**."), text
    text = await c.ok("bob", "play", {"query": "positioned song", "position": 5})
    assert text.endswith("at **#5**."), text
    after = await c.titles("alice")
    assert len(after) == 15 and after[0] == before[0]  # the current track did not change
    # interlace: carol has nothing queued, so her track goes right after everyone else's first upcoming
    # one (upcoming: #2 bob, #3 alice, …), not at the end
    text = await c.ok("carol", "play", {"query": "interlaced song", "mode": "interlace"})
    assert text.endswith("at **#4**."), text
    text = await c.ok("carol", "play", {"query": "random song", "mode": "random"})
    m = re.search(r"at \*\*#(\d+)\*\*\.$", text)
    assert m and 2 <= int(m.group(1)) <= 17, text
    final = await c.titles("alice")
    assert len(final) == 17 and final[0] == before[0]


async def test_play_default_mode_from_settings(c: Cluster) -> None:
    room = await c.room()
    await c.join("dave", room)
    await c.ok("dave", "play", {"query": PLAYLIST})
    r = await c.run("dave", "settings", {"mode": "lifo"}, sub="mode")
    assert r.private and r.text == "⚙ Your tracks now go in **lifo** order."
    try:
        assert (await c.ok("dave", "play", {"query": "next please"})).endswith("at **#2**.")
    finally:
        await c.run("dave", "settings", {"mode": "fifo"}, sub="mode")
    assert (await c.ok("dave", "play", {"query": "last please"})).endswith("at **#14**.")


async def test_pause_resume(c: Cluster) -> None:
    room = await c.room()
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": "calm piano"})
    assert await c.ok("carol", "pause") == f"⏸ Paused in <#{room.id}>."
    assert (await c.ok("carol", "nowplaying")).startswith("⏸ Paused ")
    assert await c.ok("carol", "resume") == f"▶ Resumed in <#{room.id}>."
    assert (await c.ok("carol", "nowplaying")).startswith("▶ Playing ")


async def test_stop_clears_upcoming_and_bot_stays(c: Cluster) -> None:
    room = await playlist_room(c, "alice")
    assert await c.ok("alice", "stop") == f"⏹ Stopped in <#{room.id}> and cleared the upcoming tracks."
    assert await c.ok("alice", "nowplaying") == NOTHING_PLAYING
    q = await c.queue("alice")
    assert "— 1 tracks, page 1/1" in q and "`✓1.`" in q, q
    assert c.bot_in(room) is not None
    # /play again starts from there
    assert (await c.ok("alice", "play", {"query": "again"})).endswith("at **#2** — playing now.")


async def test_leave_forgets_the_session(c: Cluster) -> None:
    room = await playlist_room(c, "bob")
    assert await c.wait_bot_in(room) is not None
    assert await c.ok("bob", "leave") == f"👋 Left <#{room.id}>."
    await c.wait_bot_in(room, want=False)
    assert await c.fails("bob", "nowplaying") == f"Nothing is playing in <#{room.id}>. Start something with `/play`."


async def test_skip_by_to_and_back(c: Cluster) -> None:
    await playlist_room(c, "alice")
    titles = [t.removeprefix("▶ ") for t in await c.titles("alice")]

    async def at(expected: int) -> None:
        np = await c.ok("alice", "nowplaying")
        assert current_position(np) == expected, np
        assert f"[{titles[expected - 1]}]" in np

    text = await c.ok("alice", "skip")
    assert text.startswith(f"⏭ Skipped to **#2** [{titles[1]}]"), text
    await at(2)
    assert (await c.ok("alice", "skip", {"by": 3})).startswith("⏭ Skipped to **#5** ")
    assert (await c.ok("alice", "skip", {"to": 10})).startswith("⏭ Skipped to **#10** ")
    assert (await c.ok("alice", "skip", {"by": -2})).startswith("⏭ Skipped to **#8** ")
    assert (await c.ok("alice", "back")).startswith(f"⏮ Back to **#7** [{titles[6]}]")
    assert (await c.ok("alice", "back", {"by": 2})).startswith("⏮ Back to **#5** ")
    await at(5)
    # bad input: friendly, private, nothing moves
    assert await c.fails("alice", "skip", {"to": 40}) == "Position 40 is past the end of the queue (12 tracks)."
    assert await c.fails("alice", "skip", {"by": 20}) == "Position 25 is past the end of the queue (12 tracks)."
    assert await c.fails("alice", "skip", {"by": 0}) == (
        "Skipping by 0 tracks does nothing; use a positive or negative number.")
    assert await c.fails("alice", "skip", {"by": 2, "to": 3}) == "Use either `by` or `to`, not both."
    assert (await c.fails("alice", "back", {"by": 10})) == "You can go back at most 4 tracks from here."
    await at(5)
    # the end of the queue
    assert (await c.ok("alice", "skip", {"to": 12})).startswith("⏭ Skipped to **#12** ")
    assert await c.ok("alice", "skip") == "⏭ Skipped: that was the end of the queue."
    assert await c.ok("alice", "nowplaying") == NOTHING_PLAYING
    assert await c.fails("alice", "skip") == "Nothing is playing right now."
    # back from the end plays the last track again
    assert (await c.ok("alice", "back")).startswith("⏮ Back to **#12** ")


async def test_history(c: Cluster) -> None:
    room = await playlist_room(c, "carol")
    assert await c.ok("carol", "history") == "📜 Nothing has played yet."
    await c.ok("carol", "skip", {"to": 4})
    text = await c.ok("carol", "history")
    lines = text.splitlines()
    assert lines[0] == f"📜 **Recently played in {room.name}**"
    assert [line.split("`")[1] for line in lines[1:]] == ["1.", "2.", "3."], text


async def seek_room(c: Cluster, user: str) -> tuple[str, str]:
    """A paused track (the clock stands still while we look); its title and length."""
    room = await c.room()
    await c.join(user, room)
    await c.ok(user, "play", {"query": f"long song for {user}"})
    await c.ok(user, "pause")
    np = await c.ok(user, "nowplaying")
    title = re.search(r"\[(.+?)\]", np)
    length = re.search(r"`\d+:\d+ / (\d+:\d+)`", np)
    assert title and length, np
    return title.group(1), length.group(1)


async def test_seek(c: Cluster) -> None:
    title, length = await seek_room(c, "dave")
    assert await c.ok("dave", "seek", {"time": "1:23"}) == f"⏩ Now at 1:23 in **{title}**."
    assert await c.ok("dave", "seek", {"time": "+15"}) == f"⏩ Now at 1:38 in **{title}**."
    assert await c.ok("dave", "seek", {"time": "-10"}) == f"⏩ Now at 1:28 in **{title}**."
    assert "`1:28 / " in await c.ok("dave", "nowplaying")
    assert await c.ok("dave", "seek", {"time": "90"}) == f"⏩ Now at 1:30 in **{title}**."
    assert await c.fails("dave", "seek", {"time": "abc"}) == (
        "'abc' is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back.")
    assert (await c.fails("dave", "seek", {"time": "1:75"})).startswith("'1:75' is not a time.")
    assert (await c.fails("dave", "seek", {"time": "+"})).startswith("'+' is not a time.")
    assert await c.fails("dave", "seek", {"time": "99:00"}) == f"1:39:00 is outside this track (0:00–{length})."
    await asyncio.sleep(0.8)
    assert "`1:30 / " in await c.ok("dave", "nowplaying")


async def test_quick_relative_seeks_add_up(c: Cluster) -> None:
    title, _ = await seek_room(c, "alice")
    assert await c.ok("alice", "seek", {"time": "1:00"}) == f"⏩ Now at 1:00 in **{title}**."
    await asyncio.sleep(0.8)
    for expected in ("1:10", "1:20", "1:30", "1:40"):
        assert await c.ok("alice", "seek", {"time": "+10"}) == f"⏩ Now at {expected} in **{title}**."


async def test_volume_and_remembered_volume(c: Cluster) -> None:
    room = await c.room()
    await c.join("bob", room)
    await c.ok("bob", "play", {"query": "volume test"})
    assert await c.ok("bob", "volume", {"level": "80"}) == f"🔊 Volume 80% in <#{room.id}>."
    assert await c.ok("bob", "volume", {"level": "+"}) == f"🔊 Volume 90% in <#{room.id}>."
    assert await c.ok("bob", "volume", {"level": "-"}) == f"🔊 Volume 80% in <#{room.id}>."
    assert await c.ok("bob", "volume", {"level": "+25"}) == f"🔊 Volume 105% in <#{room.id}>."
    assert await c.fails("bob", "volume", {"level": "1001"}) == "Volume must be between 0 and 1000, not 1001."
    assert await c.fails("bob", "volume", {"level": "loud"}) == (
        "'loud' is not a volume. Use a number from 0 to 1000, or + / - to step it.")
    assert (await c.ok("bob", "nowplaying")).endswith("🔊 105%")
    r = await c.run("bob", "settings", sub="show")
    assert r.private and r.text == "⚙ Mode **fifo** · volume step **10** · last volume **105%**", r.text
    # a new session of bob's starts at his last volume
    await c.ok("bob", "leave")
    await c.wait_bot_in(room, want=False)
    await c.ok("bob", "play", {"query": "volume test again"})
    assert (await c.ok("bob", "nowplaying")).endswith("🔊 105%")


async def test_repeat_and_shuffle(c: Cluster) -> None:
    await playlist_room(c, "alice")
    assert await c.ok("alice", "repeat", {"mode": "one"}) == "🔂 Repeating the current track."
    assert (await c.ok("alice", "nowplaying")).endswith("🔂 repeat one")
    assert await c.ok("alice", "repeat", {"mode": "all"}) == "🔁 Repeating the whole queue."
    assert (await c.ok("alice", "nowplaying")).endswith("🔁 repeat all")
    # with repeat all, skipping past the end wraps around
    await c.ok("alice", "skip", {"to": 12})
    assert (await c.ok("alice", "skip")).startswith("⏭ Skipped to **#1** ")
    assert await c.ok("alice", "repeat", {"mode": "none"}) == "➡ Repeat is off."
    assert (await c.ok("alice", "nowplaying")).endswith("#1 of 12 · 11 up next · 🔊 100%")
    before = await c.titles("alice")
    assert await c.ok("alice", "shuffle") == "🔀 Shuffled 11 upcoming tracks."
    after = await c.titles("alice")
    assert after[0] == before[0] and sorted(after) == sorted(before)


async def test_queue_pages_and_buttons(c: Cluster) -> None:
    room = await playlist_room(c, "bob")
    r = await c.run("bob", "queue")
    assert not r.private and r.text.startswith(f"📜 **Queue in {room.name}** — 12 tracks, page 1/2"), r.text
    assert len(queue_titles(r.text)) == 10
    assert r.custom_ids() == ["azura:queue:prev", "azura:queue:next"]
    message_id = r.message_id or r.followups[-1].message_id
    await c.d.click(c.user("bob"), message_id, "azura:queue:next")
    page2 = c.d.message(message_id)
    assert page2 is not None and "— 12 tracks, page 2/2" in page2.content, page2
    assert [line.split("`")[1].strip() for line in page2.content.splitlines()[1:]] == ["11.", "12."]
    await c.d.click(c.user("bob"), message_id, "azura:queue:prev")
    page1 = c.d.message(message_id)
    assert page1 is not None and "page 1/2" in page1.content
    # the page option
    assert "page 2/2" in await c.queue("bob", 2)
    assert await c.fails("bob", "queue", {"page": 3}) == "The queue has only 2 pages."


async def test_move(c: Cluster) -> None:
    await playlist_room(c, "carol")
    before = await c.titles("carol")
    moved = before[4]
    assert await c.ok("carol", "move", {"from": 5, "to": 2}) == f"↕ Moved **{moved}** from #5 to #2."
    after = await c.titles("carol")
    assert after == [before[0], moved, *before[1:4], *before[5:]]
    assert await c.fails("carol", "move", {"from": 40, "to": 2}) == (
        "Position 40 is past the end of the queue (12 tracks).")
    assert await c.fails("carol", "move", {"from": 1, "to": 3}) == (
        "Position 1 is already played or playing; only upcoming tracks (2-12) can be moved.")
    assert await c.titles("carol") == after


async def test_remove(c: Cluster) -> None:
    await playlist_room(c, "alice", "bob", "carol")
    await c.ok("bob", "play", {"query": "bob one"})
    await c.ok("bob", "play", {"query": "bob two"})
    await c.ok("carol", "play", {"query": "carol one"})
    before = await c.titles("alice")
    assert len(before) == 15
    text = await c.ok("alice", "remove", {"positions": "5"})
    assert text.startswith(f"🗑 Removed [{before[4]}]"), text
    assert await c.ok("alice", "remove", {"positions": "3-7"}) == "🗑 Removed 5 tracks."
    assert len(await c.titles("alice")) == 9
    assert await c.ok("bob", "remove", {"user": c.user("bob")}) == "🗑 Removed 2 tracks."
    assert await c.ok("bob", "remove", {"user": c.user("bob")}) == "Nothing matched; the queue is unchanged."
    await c.leave_voice("carol")
    text = await c.ok("alice", "remove", {"absent": True})
    assert text.startswith("🗑 Removed [") and "(carol one)" not in text, text
    after = await c.titles("alice")
    assert len(after) == 6
    # bad input changes nothing
    for options, error in [
        ({"positions": "abc"}, "'abc' is not a position or a range; use a number like 5 or a range like 3-7."),
        ({"positions": "7-3"}, "The range 7-3 runs backwards; write it as 3-7."),
        ({"positions": "40"}, "Position 40 is past the end of the queue (6 tracks)."),
        ({"positions": "1"}, "Position 1 is playing now; use skip to move past it."),
        ({}, "Choose exactly one of `positions`, `user` or `absent`."),
        ({"positions": "2", "absent": True}, "Choose exactly one of `positions`, `user` or `absent`."),
    ]:
        assert await c.fails("alice", "remove", options) == error, options
    assert await c.titles("alice") == after


async def test_clear(c: Cluster) -> None:
    await playlist_room(c, "dave")
    before = await c.titles("dave")
    assert await c.ok("dave", "clear") == "🧹 Cleared 11 upcoming tracks."
    assert await c.titles("dave") == before[:1]
    assert (await c.ok("dave", "nowplaying")).startswith("▶ Playing ")


async def test_play_bad_input_changes_nothing(c: Cluster) -> None:
    room = await playlist_room(c, "alice")
    before = await c.titles("alice")
    assert await c.fails("alice", "play", {"query": "nothing at all"}) == (
        "Nothing found for 'nothing at all'. Try other words or a link.")
    assert (await c.fails("alice", "play", {"query": "error please"})).startswith("Couldn't load 'error please'")
    assert await c.fails("alice", "play", {"query": "x", "position": 40}) == (
        "Position 40 is past the end of the queue (12 tracks).")
    assert await c.fails("alice", "play", {"query": "x", "position": 1}) == (
        "Position 1 is already played or playing; new tracks can go at 2 to 13.")
    assert await c.titles("alice") == before
    # a failed search in an empty channel does not bring a bot in
    other = await c.room()
    await c.join("bob", other)
    assert (await c.fails("bob", "play", {"query": "nothing here"})).startswith("Nothing found for")
    assert c.bot_in(other) is None
    assert c.bot_in(room) is not None


async def test_play_bad_position_in_empty_channel_does_not_open_a_session(c: Cluster) -> None:
    room = await c.room()
    await c.join("carol", room)
    assert await c.fails("carol", "play", {"query": "x", "position": 5}) == (
        "Position 5 is out of range: the queue is empty.")
    assert await c.fails("carol", "nowplaying") == f"Nothing is playing in <#{room.id}>. Start something with `/play`."


async def test_volume_step_setting(c: Cluster) -> None:
    room = await c.room()
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": "stepping"})
    r = await c.run("carol", "settings", {"step": 0}, sub="volume-step")
    assert r.private and r.text == "⚠️ The volume step must be between 1 and 100, not 0."
    r = await c.run("carol", "settings", {"step": 25}, sub="volume-step")
    assert r.private and r.text == "⚙ /volume + and - now step by **25**."
    try:
        assert await c.ok("carol", "volume", {"level": "+"}) == f"🔊 Volume 125% in <#{room.id}>."
        assert await c.ok("carol", "volume", {"level": "0"}) == f"🔊 Volume 0% in <#{room.id}>."
        assert await c.ok("carol", "volume", {"level": "-"}) == f"🔊 Volume 0% in <#{room.id}>."  # clamped
    finally:
        await c.run("carol", "settings", {"step": 10}, sub="volume-step")
        await c.run("carol", "volume", {"level": "100"})
