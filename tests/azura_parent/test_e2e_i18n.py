"""End to end on the sandbox cluster: the voice channel status follows the track (parent and child), and users
read Azura in their own language (German, Japanese; an unsupported locale reads English), errors raised on a
child included."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from e2e_cluster import NOT_IN_VOICE, Cluster

from azura_sandbox.fake_discord.world import Channel, Message
from azura_sandbox.fake_lavalink.catalogue import make_track
from azura_sandbox.fake_lavalink.lyrics import lyrics_kind

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLstatus"
RADIO = "http://radio.example/live.mp3"


async def _status(c: Cluster, channel: Channel, *, not_: str | None = None) -> str:
    """The channel's status once it is set (and differs from ``not_``)."""
    found: str = await c.d.wait_for(
        lambda: (s := c.d.voice_status(channel)) is not None and s != not_ and s, 6.0, f"a status on {channel.name}"
    )
    return found


async def _status_follows_the_track(c: Cluster, room: Channel, bot_id: int, who: str) -> None:
    first = await _status(c, room)
    assert first.startswith("♪ ")
    np = await c.wait_np(bot_id, room, "#1 of")
    assert first.removeprefix("♪ ").split(" — ")[0] in np.content  # the title the now-playing message shows
    sent = c.d.voice_status_count()
    await c.ok(who, "skip")
    second = await _status(c, room, not_=first)
    assert second.removeprefix("♪ ").split(" — ")[0] in (await c.wait_np(bot_id, room, "#2 of")).content
    assert c.d.voice_status_count() == sent + 1  # one update for one new track: no repeats
    await c.ok(who, "pause")  # a change that is not a new track sends nothing
    await c.ok(who, "resume")
    assert c.d.voice_status_count() == sent + 1
    await c.join("owner", room)
    await c.ok("owner", "leave")
    await c.d.wait_for(lambda: c.d.voice_status(room) is None, 6.0, "the status cleared")


async def test_the_voice_channel_status_shows_the_track_on_the_parent_and_on_a_child(c: Cluster) -> None:
    on_parent, on_child = await c.room("parent"), await c.room("child")
    await c.join("alice", on_parent)
    await c.ok("alice", "play", {"query": PLAYLIST})
    assert await c.wait_bot_in(on_parent) == c.parent_bot_id
    await c.join("bob", on_child)
    await c.ok("bob", "play", {"query": PLAYLIST})
    kid = await c.wait_bot_in(on_child)
    assert kid in c.kid_bot_ids
    child_status = await _status(c, on_child)
    await _status_follows_the_track(c, on_parent, c.parent_bot_id, "alice")
    assert c.d.voice_status(on_child) == child_status  # the other channel's status is its own
    await _status_follows_the_track(c, on_child, kid, "bob")


async def test_without_the_permission_the_music_plays_without_a_status(c: Cluster) -> None:
    room = await c.room("no-status")
    await c.d.deny_in_channel("parent-token", room, ["set_voice_channel_status"])
    await c.join("alice", room)
    await c.ok("alice", "play", {"query": PLAYLIST})
    assert await c.wait_bot_in(room) == c.parent_bot_id
    await c.wait_np(c.parent_bot_id, room, "#1 of")
    assert (await c.ok("alice", "skip")).startswith("⏭")
    await c.wait_np(c.parent_bot_id, room, "#2 of")
    assert c.d.voice_status(room) is None


async def test_without_manage_channels_the_status_is_cleared_when_the_bot_leaves(c: Cluster) -> None:
    room = await c.room("no-manage")
    for bot in ("parent-token", *c.kid_bot_ids):  # whichever bot plays there may set the status, not manage rooms
        await c.d.deny_in_channel(bot, room, ["manage_channels"])
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": PLAYLIST})
    assert await c.wait_bot_in(room) is not None
    assert (await _status(c, room)).startswith("♪ ")
    await c.join("owner", room)
    await c.ok("owner", "leave")
    await c.wait_bot_in(room, want=False)
    assert c.d.voice_status(room) is None  # cleared while the bot was still there: once gone it could not


# -- languages ----------------------------------------------------------------------------------------

WANTED = {"de", "es-ES", "es-419", "fr", "pt-BR", "ja"}


def _localisable(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for node in nodes:
        found.append(node)
        found.extend(node.get("choices") or [])
        found.extend(_localisable(node.get("options") or []))
    return found


async def test_the_synced_commands_carry_every_language(c: Cluster) -> None:
    parent_app = c.d.world.bots["parent-token"].application_id
    synced = [command.to_json() for command in c.d.commands(parent_app)]
    assert {command["name"] for command in synced} >= {"play", "queue", "playlist", "settings"}
    for node in _localisable(synced):
        assert set(node.get("name_localizations") or {}) >= WANTED, node["name"]
        if "value" not in node:  # a choice has a name only
            assert set(node.get("description_localizations") or {}) >= WANTED, node["name"]
    play = next(command for command in synced if command["name"] == "play")
    assert play["name_localizations"]["de"] == "abspielen" and play["name_localizations"]["ja"] == "再生"


@contextlib.asynccontextmanager
async def speaking(c: Cluster, who: str, locale: str) -> AsyncIterator[None]:
    """``who``'s Discord set to ``locale`` for the block."""
    c.d.set_user_locale(c.user(who), locale)
    try:
        yield
    finally:
        c.d.set_user_locale(c.user(who), "en-US")


async def test_a_german_user_reads_german_replies_and_errors_from_the_parent_and_from_a_child(c: Cluster) -> None:
    on_parent, on_child = await c.room("parent"), await c.room("child")
    async with speaking(c, "alice", "de"):
        assert await c.fails("alice", "queue") == "Du bist in keinem Sprachkanal. Tritt zuerst einem bei."
        assert (await c.run("alice", "settings", {"step": 7}, sub="volume-step")).text == (
            "⚙ /volume + und - ändern jetzt um **7**.")
        await c.join("alice", on_parent)
        assert await c.fails("alice", "move", {"from": 1, "to": 2}) == (
            f"In <#{on_parent.id}> läuft gerade nichts. Starte etwas mit `/play`.")
        await c.ok("alice", "play", {"query": PLAYLIST})
        assert await c.wait_bot_in(on_parent) == c.parent_bot_id
        # raised by the parent's own queue
        assert await c.fails("alice", "move", {"from": 1, "to": 3}) == (
            "Position 1 wurde schon gespielt oder läuft gerade; nur kommende Titel (2-12) können verschoben werden.")
        assert await c.fails("alice", "skip", {"by": 0}) == (
            "Um 0 Titel zu überspringen bewirkt nichts; verwende eine positive oder negative Zahl.")
        await c.join("bob", on_child)
        await c.ok("bob", "play", {"query": PLAYLIST})
        assert await c.wait_bot_in(on_child) in c.kid_bot_ids
        await c.leave_voice("alice")
        await c.join("alice", on_child)
        # raised by the child's queue, carried over gRPC, shown by the parent in German
        assert await c.fails("alice", "move", {"from": 1, "to": 3}) == (
            "Position 1 wurde schon gespielt oder läuft gerade; nur kommende Titel (2-12) können verschoben werden.")
        assert await c.fails("alice", "remove", {"positions": "20"}) == (
            "Position 20 liegt hinter dem Ende der Warteschlange (12 Titel).")
        # public answers follow the server's language: English here, German once the server is German
        assert (await c.ok("alice", "history")) == "📜 Nothing has played yet."
        await c.d.set_guild_locale(c.sb.guild, "de")
        try:
            assert (await c.ok("alice", "history")) == "📜 Bisher wurde nichts gespielt."
            assert f"**Warteschlange in {on_child.name}**" in (await c.queue("alice")).splitlines()[0]
        finally:
            await c.d.set_guild_locale(c.sb.guild, "en-US")


async def test_a_japanese_user_reads_japanese_and_an_unsupported_locale_reads_english(c: Cluster) -> None:
    async with speaking(c, "carol", "ja"):
        assert await c.fails("carol", "queue") == "ボイスチャンネルに参加していません。先に参加してください。"
        assert (await c.run("carol", "settings", sub="show")).text.startswith("⚙ モード **")
    async with speaking(c, "dave", "ko"):  # Korean: a Discord locale Azura does not speak
        assert f"⚠️ {await c.fails('dave', 'queue')}" == NOT_IN_VOICE
        assert (await c.run("dave", "settings", sub="show")).text.startswith("⚙ Mode **")
    async with speaking(c, "dave", "es-419"):  # Latin American Spanish reads Spanish
        assert await c.fails("dave", "queue") == "No estás en un canal de voz. Únete a uno primero."


def _no_lyrics_query() -> tuple[str, str]:
    """A /play query whose first result has no lyrics in the fake plugin: the query and the track's title."""
    for n in range(500):
        info = make_track(f"lyrics probe {n}", 0, "youtube")["info"]
        if lyrics_kind(info) == "none":
            return f"lyrics probe {n}", str(info["title"])
    raise AssertionError("no catalogue track without lyrics")


@contextlib.asynccontextmanager
async def german_server(c: Cluster) -> AsyncIterator[None]:
    """The server's preferred locale German for the block (its public messages follow it)."""
    await c.d.set_guild_locale(c.sb.guild, "de")
    try:
        yield
    finally:
        await c.d.set_guild_locale(c.sb.guild, "en-US")


async def test_a_german_server_reads_its_player_queue_and_errors_in_german_on_the_parent_and_a_child(
    c: Cluster,
) -> None:
    on_parent, on_child = await c.room("de-parent"), await c.room("de-child")
    async with german_server(c), speaking(c, "alice", "de"), speaking(c, "bob", "de"):
        await c.join("alice", on_parent)
        said = await c.ok("alice", "play", {"query": PLAYLIST})
        assert said.startswith("🎶 **12 Titel** aus **") and said.endswith("eingereiht — läuft jetzt."), said
        assert await c.wait_bot_in(on_parent) == c.parent_bot_id
        # the parent's now-playing message: header, status, position line and buttons in German
        np = await _german_np(c, c.parent_bot_id, on_parent, "#1 von 12")
        lines = np.content.splitlines()
        assert lines[0] == f"🎶 **Läuft gerade in <#{on_parent.id}>**" and lines[1].startswith("▶ Läuft "), lines
        assert lines[3].startswith("#1 von 12 · 11 als Nächstes · 🔊 100%"), lines
        assert {"⏭ Überspringen", "⏸ Pause", "🔁 Wiederholen: aus"} <= _labels(np.components)
        # /queue: its header and its pager in German
        r = await c.run("alice", "queue")
        assert re.match(rf"📜 \*\*Warteschlange in {on_parent.name}\*\* — 12 Titel, Seite 1/\d+$",
                        r.text.splitlines()[0]), r.text
        assert {"◀ Zurück", "Weiter ▶"} <= _labels(r.components)
        # effects refused on the parent, in the user's language
        assert await c.fails("alice", "effects", {"speed": 3}) == (
            "Das Tempo muss zwischen 0.5 und 2 liegen (1 ist unverändert); 3 nicht.")
        assert (await c.fails("alice", "effects", {"preset": "chipmunk"})).startswith(
            "Es gibt keinen Effekt namens `chipmunk`; wähle einen von: bassboost, nightcore")
        # /lyrics of a track that has none
        query, title = _no_lyrics_query()
        await c.ok("alice", "play", {"query": query, "mode": "lifo"})
        assert (await c.ok("alice", "skip")).startswith("⏭ Übersprungen zu **#2** ")
        assert await c.fails("alice", "lyrics") == f"Ich habe keinen Songtext für {title} gefunden."

        # a child plays a radio stream: its now-playing message in German, its refusal to seek read in German
        await c.join("bob", on_child)
        assert (await c.ok("bob", "play", {"query": RADIO})).startswith("🎶 ")
        kid = await c.wait_bot_in(on_child)
        assert kid in c.kid_bot_ids
        np = await _german_np(c, kid, on_child, "#1 von 1")
        lines = np.content.splitlines()
        assert lines[0] == f"🎶 **Läuft gerade in <#{on_child.id}>**" and lines[2] == "🔴 LIVE", lines
        assert "⏏ Verlassen" in _labels(np.components)
        assert await c.fails("bob", "seek", {"time": "1:00"}) == "In einem Livestream kann man nicht spulen."
        assert await c.fails("bob", "volume", {"level": "1001"}) == (
            "Die Lautstärke muss zwischen 0 und 1000 liegen, nicht 1001.")


async def _german_np(c: Cluster, author_id: int, channel: Channel, contains: str) -> Message:
    """The now-playing message about ``channel`` by ``author_id`` once it says ``contains``, in German."""
    def check() -> Message | None:
        found = [m for m in c.d.messages(c.sb.text) if m.author_id == author_id
                 and m.content.startswith(f"🎶 **Läuft gerade in <#{channel.id}>**") and contains in m.content]
        return found[-1] if found else None

    found: Message = await c.d.wait_for(check, 6.0, f"a German now-playing message with {contains!r}")
    return found


def _labels(components: list[dict[str, Any]]) -> set[str]:
    """Every button label of a message's components."""
    found: set[str] = set()
    for item in components:
        if "label" in item:
            found.add(str(item["label"]))
        found |= _labels(item.get("components") or [])
    return found


async def test_a_button_refused_to_a_german_user_says_why_in_german_in_an_english_server(c: Cluster) -> None:
    room = await c.room("de-buttons")
    role = await c.d.create_role(c.sb.guild, "DJ")
    await c.d.give_role(c.sb.guild, c.user("alice"), role)
    await c.run("owner", "server", {"role": role}, sub="dj-role")
    try:
        async with speaking(c, "carol", "de"):
            for user in ("alice", "carol"):
                await c.join(user, room)
            await c.ok("alice", "play", {"query": PLAYLIST})
            np = await c.wait_np(c.parent_bot_id, room, "#1 of 12")  # the server is English: so is its player
            assert {"⏭ Skip", "⏹ Stop"} <= _labels(np.components)
            stop = await c.d.click(c.user("carol"), np.id, "azura:np:stop")
            assert stop.private and stop.text == (
                "Nur ein DJ (die DJ-Rolle oder Server verwalten) kann das tun, während andere zuhören."), stop.text
            skip = await c.d.click(c.user("carol"), np.id, "azura:np:skip")
            assert skip.private and skip.text == (
                "Nur ein DJ kann mit dem Knopf überspringen, während andere zuhören; stimme mit /skip ab."), skip.text
            assert "#1 of 12 · 11 up next" in c.d.message(np.id).content  # type: ignore[union-attr]
    finally:
        await c.run("owner", "server", sub="dj-role")
        await c.d.take_role(c.sb.guild, c.user("alice"), role)
