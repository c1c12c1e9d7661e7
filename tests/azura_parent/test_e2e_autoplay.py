"""End to end: autoplay and /lyrics on a real cluster (parent + two children as processes, the fakes at speed 50,
so a catalogue track plays 2.4-7.2 s and a "short" one 0.1 s: queues run out fast).

Autoplay: when the queue runs out, related tracks play as "autoplay", none of the session's recent ones, on the
parent and on a child, and again after the child holding the session is killed (failover). Off: the session
goes idle as before. /lyrics: synced (the sung line highlighted, moving), plain, none found, no plugin.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from e2e_cluster import Cluster, queue_titles

from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.fake_lavalink.catalogue import make_track
from azura_sandbox.fake_lavalink.lyrics import LyricsKind, lyrics_kind
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

AUTOPLAY_ON = "♾ Autoplay is on: when the queue runs out, I keep playing related tracks."
ROUNDS = 8  # queue runs out this often on the parent (each adds a batch of 3): the radio pool runs dry
_ENTRY = re.compile(r"`([▶✓ ])\s*\d+\.` ")


async def entries(c: Cluster, who: str) -> list[str]:
    """Every queue line (all pages)."""
    lines: list[str] = []
    page = 1
    while True:
        text = await c.queue(who, page)
        lines += [line for line in text.splitlines()[1:] if _ENTRY.match(line)]
        found = re.search(r"page (\d+)/(\d+)", text)
        assert found, text
        if int(found.group(1)) >= int(found.group(2)):
            return lines
        page += 1


async def autoplayed(c: Cluster, who: str, more_than: int) -> list[str]:
    """Wait until the queue holds more than ``more_than`` entries and an autoplayed one plays; its lines."""
    async def grown() -> bool:
        lines = await entries(c, who)
        return len(lines) > more_than and any(line.startswith("`▶") and line.endswith("· autoplay") for line in lines)

    await eventually(grown, timeout=15, what=f"autoplay past {more_than} entries", poll_s=0.1)
    return await entries(c, who)


def titles_of(lines: list[str]) -> list[str]:
    return [t.removeprefix("▶ ") for t in queue_titles("head\n" + "\n".join(lines))]


async def test_related_tracks_play_as_autoplay_on_the_parent_and_on_a_child(c: Cluster) -> None:
    r = await c.run("owner", "server", {"enabled": True}, sub="autoplay")
    assert r.private and r.text == "♾ New sessions in this server start with autoplay on."
    try:
        here, there = await c.room("autoplay-parent"), await c.room("autoplay-child")
        await c.join("owner", here)
        await c.ok("owner", "play", {"query": "short autoplay seed"})  # 0.1 s: runs out at once
        assert await c.wait_bot_in(here) == c.parent_bot_id
        await c.join("alice", there)
        await c.ok("alice", "play", {"query": "short autoplay other seed"})
        kid = await c.wait_bot_in(there)
        assert kid in c.kid_bot_ids
        for who, room, bot in (("owner", here, c.parent_bot_id), ("alice", there, kid)):
            lines = await autoplayed(c, who, 1)
            assert not lines[0].endswith("· autoplay") and all(line.endswith("· autoplay") for line in lines[1:])
            np = await c.wait_np(bot, room, contains="· autoplay")
            assert "♾ autoplay on" in np.content
        # Autoplay is not a listener who left: its tracks stay.
        assert await c.ok("owner", "remove", {"absent": True}) == "Nothing matched; the queue is unchanged."
        # Run out again and again on the parent (skipping past the end): never a track of the last 50.
        for _ in range(ROUNDS):
            lines = await entries(c, "owner")
            await c.ok("owner", "skip", {"to": len(lines)})
            skipped = await c.run("owner", "skip")  # past the end; the last may have ended by itself meanwhile
            assert skipped.text.startswith(("⏭", "⚠️ The queue has ended")), skipped.text
            await autoplayed(c, "owner", len(lines))
        titles = titles_of(await entries(c, "owner"))
        print(f"e2e autoplay: {len(titles)} entries after {ROUNDS} run-outs, {len(set(titles))} distinct")
        assert len(titles) > 3 * ROUNDS and len(titles) == len(set(titles)), titles
    finally:
        r = await c.run("owner", "server", {"enabled": False}, sub="autoplay")
        assert r.text == "⏹ New sessions in this server start with autoplay off."


async def test_autoplay_off_goes_idle_as_before_and_bad_input_changes_nothing(c: Cluster) -> None:
    room = await c.room("no-autoplay")
    await c.join("owner", room)
    assert (await c.fails("owner", "autoplay", {"mode": "on"})).startswith("Nothing is playing in")
    await c.ok("owner", "play", {"query": "short quiet seed"})
    assert await c.ok("owner", "autoplay", {"mode": "off"}) == "⏹ Autoplay is off: I stop when the queue runs out."

    async def idle() -> bool:
        return (await c.nowplaying("owner")).text.startswith("Nothing is playing")

    await eventually(idle, timeout=10, what="the queue to run out")
    await asyncio.sleep(0.5)  # autoplay, were it on, would have queued by now
    before = await entries(c, "owner")
    assert len(before) == 1
    refused = await c.fails("owner", "autoplay", {"mode": "sometimes"})
    assert refused == "'sometimes' is not a valid value for that option."
    assert await entries(c, "owner") == before and (await idle())
    # Turned on once the queue ran out: related tracks start at once.
    assert await c.ok("owner", "autoplay", {"mode": "on"}) == AUTOPLAY_ON
    await autoplayed(c, "owner", 1)


def query_with(kind: LyricsKind, min_length_ms: int = 0) -> tuple[str, str]:
    """A /play query whose first result has ``kind`` lyrics (and is that long): the query and its title."""
    for n in range(500):
        info = make_track(f"lyrics probe {n}", 0, "youtube")["info"]
        if lyrics_kind(info) == kind and info["length"] >= min_length_ms:
            return f"lyrics probe {n}", str(info["title"])
    raise AssertionError(f"no catalogue track with {kind} lyrics")


def sung(text: str) -> int | None:
    found = re.search(r"\*\*▶ (\d+)\. ", text)
    return int(found.group(1)) if found else None


async def test_lyrics_synced_plain_none_and_no_plugin(c: Cluster) -> None:
    paused_room, synced_room = await c.room("lyrics-plain"), await c.room("lyrics-synced")
    await c.join("owner", paused_room)
    assert await c.fails("owner", "lyrics") == (
        "Nothing is playing, so there are no lyrics to show. Start something with /play.")
    plain, plain_title = query_with("plain")
    await c.ok("owner", "play", {"query": plain})
    await c.ok("owner", "pause")  # stays current while the test reads it
    r = await c.run("owner", "lyrics")
    assert not r.private and r.text.startswith(f"🎤 **Lyrics of {plain_title}**"), r.text
    assert sung(r.text) is None and r.text.endswith("`page 1/2 · Genius`"), r.text
    assert r.custom_ids() == ["azura:lyrics:prev", "azura:lyrics:now", "azura:lyrics:next"]
    message_id = r.message_id or r.followups[-1].message_id
    await c.d.click(c.user("owner"), message_id, "azura:lyrics:next")
    page2 = c.d.message(message_id)
    assert page2 is not None and "\n16. " in page2.content and page2.content.endswith("`page 2/2 · Genius`")

    # Synced, on a child: the sung line is highlighted and moves on as the track plays.
    await c.join("alice", synced_room)
    synced, synced_title = query_with("synced", min_length_ms=330_000)  # 6.6 s at speed 50
    await c.ok("alice", "play", {"query": synced})
    assert await c.wait_bot_in(synced_room) in c.kid_bot_ids
    r = await c.run("alice", "lyrics")
    first = sung(r.text)
    assert r.text.startswith(f"🎤 **Lyrics of {synced_title}**") and first is not None, r.text
    assert "· synced · MusixMatch`" in r.text
    await asyncio.sleep(1.0)  # 50 s of the track: about four lines further
    message_id = r.message_id or r.followups[-1].message_id
    await c.d.click(c.user("alice"), message_id, "azura:lyrics:now")
    moved = c.d.message(message_id)
    assert moved is not None
    later = sung(moved.content)
    assert later is not None and later > first, moved.content
    print(f"e2e lyrics: sung line {first} then {later} a second later")

    # None found, and a music server without a lyrics plugin: friendly errors.
    none, none_title = query_with("none")
    await c.ok("owner", "play", {"query": none})
    await c.ok("owner", "skip")
    assert await c.fails("owner", "lyrics") == f"I couldn't find lyrics for {none_title}."
    c.sb.lavalink.lyrics_plugin = False
    try:
        assert await c.fails("alice", "lyrics") == (
            "This music server has no lyrics plugin (LavaLyrics or LavaSrc), so I can't show lyrics.")
    finally:
        c.sb.lavalink.lyrics_plugin = True


def taken_over(c: Cluster, room: Channel, dead: int) -> bool:
    """Another bot than ``dead`` plays in ``room`` (the fake Lavalink's truth)."""
    return any(p["channel_id"] == str(room.id) and p["user_id"] != str(dead) and p["track_title"]
               and p["session_attached"] for p in c.sb.lavalink.players_truth())


async def test_autoplay_survives_a_failover(cluster: Cluster) -> None:
    """Last in the module: it kills a child (whose voice state stays behind), so the cluster is not cleaned up."""
    c = cluster
    lounge, gaming = await c.room("lounge"), await c.room("gaming")
    await c.join("alice", lounge)
    await c.ok("alice", "play", {"query": "lofi"})  # the parent takes the lounge
    await c.join("owner", gaming)
    await c.ok("owner", "play", {"query": "short failover seed"})
    dead = await c.wait_bot_in(gaming)
    assert dead in c.kid_bot_ids
    assert await c.ok("owner", "autoplay", {"mode": "on"}) == AUTOPLAY_ON
    before = await autoplayed(c, "owner", 1)
    await asyncio.sleep(1.2)  # the child's record (autoplay on) reaches the parent about once a second
    victim = next(k for n, k in zip(("kid-1", "kid-2"), c.kids, strict=True) if c.bot_id(n) == dead)
    victim.kill()
    await eventually(lambda: taken_over(c, gaming, dead), timeout=10, what="another bot playing in gaming")
    assert "♾ autoplay on" in (await c.nowplaying("owner")).text
    lines = await entries(c, "owner")
    assert titles_of(lines)[: len(before)] == titles_of(before)
    await c.ok("owner", "skip", {"to": len(lines)})  # then the last track ends by itself
    after = await autoplayed(c, "owner", len(lines))
    new = titles_of(after)[len(lines):]
    assert all(line.endswith("· autoplay") for line in after[len(lines):])
    assert not set(new) & set(titles_of(lines)), (new, titles_of(lines))
