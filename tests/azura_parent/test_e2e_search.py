"""End to end: /search's picker on the parent and on a child, its owner and its expiry; Spotify links with and
without LavaSrc, Apple Music and Deezer links; a radio stream shown 🔴 LIVE that cannot be seeked."""

from __future__ import annotations

import asyncio
import re

import pytest
from e2e_cluster import Cluster

from azura_sandbox.fake_discord.core import SandboxError
from azura_sandbox.fake_discord.world import Message
from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, LAVASRC_SOURCES

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

MENU_S = 3.0  # a short menu life keeps the expiry test short; picks come within a second
CLUSTER_OPTIONS = {
    "speed": 2.0,
    "parent_env": {"AZURA_SEARCH_MENU_TIMEOUT_S": str(MENU_S)},
    "lavalink_sources": (*DEFAULT_SOURCES, *LAVASRC_SOURCES),
}
SPOTIFY_PLAYLIST = "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
RADIO = "http://radio.example/live.mp3"


def menu_of(message: Message) -> dict[str, object]:
    rows = [row for row in message.components if row.get("type") == 1]
    assert len(rows) == 1 and len(rows[0]["components"]) == 1, message.components
    menu: dict[str, object] = rows[0]["components"][0]
    assert menu["type"] == 3
    return menu


async def search(c: Cluster, who: str, query: str) -> tuple[Message, dict[str, object]]:
    r = await c.run(who, "search", {"query": query})
    assert not r.private and r.message_id is not None, r.text
    message = c.d.message(r.message_id)
    assert message is not None
    return message, menu_of(message)


def content_of(c: Cluster, message: Message) -> str:
    """The message's text now (edited since it was read)."""
    now = c.d.message(message.id)
    assert now is not None
    return now.content


async def test_pick_two_results_on_the_parent_and_on_a_child(c: Cluster) -> None:
    lounge, side = await c.room("lounge"), await c.room("side")
    await c.join("alice", lounge)
    assert "lifo" in (await c.run("alice", "settings", {"mode": "lifo"}, sub="mode")).text  # alice's picks go next
    await c.ok("alice", "play", {"query": "https://www.youtube.com/playlist?list=PLsearch"})
    assert await c.wait_bot_in(lounge) == c.parent_bot_id

    message, menu = await search(c, "alice", "ocean waves")
    options = menu["options"]
    assert isinstance(options, list) and len(options) == 10
    assert menu["min_values"] == 1 and menu["max_values"] == 10
    assert all(re.fullmatch(r".+ — .+ · \d+:\d\d", str(o["label"])) and len(o["label"]) <= 100 for o in options)
    assert "10 results for **ocean waves**" in message.content

    # someone else cannot pick from alice's menu, and nothing changes
    r = await c.d.choose(c.user("bob"), message.id, str(menu["custom_id"]), ["0"])
    alice = c.user("alice").id
    assert r.private and r.text == f"This menu belongs to <@{alice}>. Run `/search` yourself to pick tracks."
    assert menu_of(c.d.message(message.id))["options"] == options  # type: ignore[arg-type]
    # a value the menu does not offer is not something Discord's client can send
    with pytest.raises(SandboxError, match="not options"):
        await c.d.choose(c.user("alice"), message.id, str(menu["custom_id"]), ["10"])

    chosen = [str(options[1]["label"]), str(options[3]["label"])]
    await c.d.choose(c.user("alice"), message.id, str(menu["custom_id"]), ["1", "3"])
    closed = c.d.message(message.id)
    assert closed is not None and closed.components == [] and "picked 2 of the results" in closed.content
    assert "at **#2–#3**" in closed.content  # lifo: right after the current track, not after the playlist's 12
    titles = await c.titles("alice")
    assert len(titles) == 14 and [t for t in titles[1:3]] == [label.split(" — ")[0] for label in chosen]
    await c.run("alice", "settings", {"mode": "fifo"}, sub="mode")

    # on a child (the parent already plays in the lounge): bob's default mode, fifo, into an empty channel
    await c.join("bob", side)
    message, menu = await search(c, "bob", "night drive")
    await c.d.choose(c.user("bob"), message.id, str(menu["custom_id"]), ["0", "2"])
    kid = await c.wait_bot_in(side)
    assert kid in c.kid_bot_ids
    assert len(await c.titles("bob")) == 2
    await c.wait_np(kid, side, "#1 of 2")


async def test_two_quick_picks_from_one_menu_queue_once(c: Cluster) -> None:
    room = await c.room("double-pick")
    await c.join("carol", room)
    message, menu = await search(c, "carol", "rainy city")
    custom_id = str(menu["custom_id"])
    first, second = await asyncio.gather(  # the second selection arrives while the first is being queued
        c.d.choose(c.user("carol"), message.id, custom_id, ["0"]),
        c.d.choose(c.user("carol"), message.id, custom_id, ["1", "2"]),
    )
    answered = [r for r in (first, second) if r.private]
    assert len(answered) == 1, (first.text, second.text)
    assert answered[0].text == "⏳ Your first pick from this menu is being queued; one pick per search."
    assert await c.wait_bot_in(room) == c.parent_bot_id
    await c.d.wait_for(lambda: "picked" in c.d.message(message.id).content,  # type: ignore[union-attr]
                       6.0, "the menu closed by the pick")
    assert len(await c.titles("carol")) == 1  # one pick queued, the other only answered
    await c.join("owner", room)
    await c.ok("owner", "leave")


async def test_the_menu_expires_and_changes_nothing(c: Cluster) -> None:
    room = await c.room("expiry")
    await c.join("carol", room)
    message, menu = await search(c, "carol", "slow morning")
    await c.d.wait_for(lambda: "expired" in c.d.message(message.id).content,  # type: ignore[union-attr]
                       MENU_S + 5, "the menu to expire")
    expired = c.d.message(message.id)
    assert expired is not None and expired.components == []
    assert expired.content.startswith("⌛ This search for **slow morning** expired; nothing was queued.")
    with pytest.raises(SandboxError):
        await c.d.choose(c.user("carol"), message.id, str(menu["custom_id"]), ["0"])
    assert c.bot_in(room) is None


async def test_a_german_servers_menu_speaks_german_and_a_refusal_the_pressers_language(c: Cluster) -> None:
    """Public messages (the menu, "picked", "expired") in the server's language whoever searched (carol reads
    English); a private refusal in the presser's (bob reads Japanese)."""
    room = await c.room("de-search")
    await c.join("carol", room)
    await c.d.set_guild_locale(c.sb.guild, "de")
    c.d.set_user_locale(c.user("bob"), "ja")
    try:
        message, menu = await search(c, "carol", "warm rain")
        left, _ = await search(c, "carol", "cold wind")  # left to expire
        assert message.content.startswith("🔎 10 Treffer für **warm rain**: wähle einen oder mehrere")
        assert menu["placeholder"] == "Titel für die Warteschlange wählen"
        r = await c.d.choose(c.user("bob"), message.id, str(menu["custom_id"]), ["0"])
        carol = c.user("carol").id
        assert r.private and r.text.startswith(f"このメニューは <@{carol}> のものです。")
        await c.d.choose(c.user("carol"), message.id, str(menu["custom_id"]), ["0"])
        await c.d.wait_for(lambda: "gewählt" in content_of(c, message), 6.0, "the menu closed by the pick")
        assert f"✅ <@{carol}> hat 1 der Treffer für **warm rain** gewählt." in content_of(c, message)
        await c.d.wait_for(lambda: "abgelaufen" in content_of(c, left), MENU_S + 5, "the other menu to expire")
        assert content_of(c, left).startswith("⌛ Diese Suche nach **cold wind** ist abgelaufen; nichts wurde")
    finally:
        await c.d.set_guild_locale(c.sb.guild, "en-US")
        c.d.set_user_locale(c.user("bob"), "en-US")
    await c.join("owner", room)
    await c.ok("owner", "leave")


async def test_bad_searches_change_nothing(c: Cluster) -> None:
    room = await c.room("bad")
    await c.join("dave", room)
    assert await c.fails("dave", "search", {"query": "   "}) == (
        "Tell me what to search for: a few words, like an artist or a title.")
    nothing = await c.fails("dave", "search", {"query": "nothing at all"})
    assert nothing.startswith("Nothing found for 'nothing at all'"), nothing
    await c.leave_voice("dave")
    assert await c.fails("dave", "search", {"query": "ocean waves"}) == "You're not in a voice channel. Join one first."
    assert c.bot_in(room) is None


async def test_a_spotify_playlist_and_a_radio_stream(c: Cluster) -> None:
    lounge, radio = await c.room("spotify"), await c.room("radio")
    await c.join("alice", lounge)
    text = await c.ok("alice", "play", {"query": SPOTIFY_PLAYLIST})
    assert text.startswith("🎶 Queued **12 tracks** from **Playlist 37i9dQZF1DXc**"), text
    assert await c.wait_bot_in(lounge) == c.parent_bot_id
    np = await c.wait_np(c.parent_bot_id, lounge, "#1 of 12")
    assert "open.spotify.com/track/" in np.content

    await c.join("bob", radio)  # a child plays the radio
    await c.ok("bob", "play", {"query": RADIO})
    kid = await c.wait_bot_in(radio)
    assert kid in c.kid_bot_ids
    np = await c.wait_np(kid, radio, "🔴 LIVE")
    assert np.content.splitlines()[2] == "🔴 LIVE" and "🔘" not in np.content  # no timeline
    assert (await c.ok("bob", "nowplaying")).splitlines()[1] == "🔴 LIVE"
    assert "(🔴 LIVE)" in await c.queue("bob")
    assert await c.fails("bob", "seek", {"time": "1:00"}) == "You can't seek in a live stream."
    assert (await c.ok("bob", "nowplaying")).splitlines()[1] == "🔴 LIVE"


async def test_an_apple_music_album_and_a_deezer_track_play_from_their_source(c: Cluster) -> None:
    apple, deezer = await c.room("apple"), await c.room("deezer")
    await c.join("alice", apple)
    text = await c.ok("alice", "play", {"query": "https://music.apple.com/us/album/discovery/697194953"})
    assert text.startswith("🎶 Queued **10 tracks** from **Album 697194953**"), text
    assert await c.wait_bot_in(apple) == c.parent_bot_id
    np = await c.wait_np(c.parent_bot_id, apple, "#1 of 10")
    assert "music.apple.com/us/song/" in np.content  # Apple Music's own track link: LavaSrc resolved it

    await c.join("bob", deezer)  # a child plays the Deezer track
    text = await c.ok("bob", "play", {"query": "https://www.deezer.com/en/track/3135556"})
    assert text.startswith("🎶 Queued "), text
    kid = await c.wait_bot_in(deezer)
    assert kid in c.kid_bot_ids
    np = await c.wait_np(kid, deezer, "#1 of 1")
    assert "deezer.com/track/" in np.content
    assert len(await c.titles("bob")) == 1


async def test_spotify_without_lavasrc_says_what_is_missing(c: Cluster) -> None:
    # LavaSrc goes away the only way a plugin can: Lavalink restarts without it
    c.sb.lavalink.sources = DEFAULT_SOURCES
    await c.sb.lavalink.restart()
    room = await c.room("no-lavasrc")
    await c.join("alice", room)
    missing = ("Spotify links and searches need the LavaSrc plugin, which this bot's Lavalink doesn't have. "
               "Try a YouTube or SoundCloud link, or search words instead (see README, Lavalink sources).")
    for _ in range(40):  # until the parent's node is back (a fresh Lavalink session)
        r = await c.run("alice", "play", {"query": SPOTIFY_PLAYLIST})
        if "music server" not in r.text:  # "The music server is restarting…" while it is away
            break
        await asyncio.sleep(0.25)
    assert r.private and r.text == f"⚠️ {missing}"
    assert await c.fails("alice", "search", {"query": "spsearch:ocean waves"}) == missing
    assert c.bot_in(room) is None
