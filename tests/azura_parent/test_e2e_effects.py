"""End to end: /effects and /equalizer on a parent's and a child's session reach the (fake) Lavalink, stay
across tracks, show on the now-playing message, clear with its button, refuse bad input, and survive a
kill -9 of the child that plays them. One cluster for the module; the failover test runs last."""

from __future__ import annotations

import time
from typing import Any

import pytest
from e2e_cluster import Cluster

from azura_common.koe.effects import Effects, lavalink_filters
from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.fake_lavalink.filters import audible_filters
from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
NIGHTCORE = audible_filters(lavalink_filters(Effects(preset="nightcore")))
CLEAR = "azura:np:effects_off"
EFFECTS_LINE = "🎛️ Effects: "


def player(c: Cluster, room: Channel) -> dict[str, Any] | None:
    """The fake Lavalink's player heard in ``room`` (the attached one), if any."""
    found = [p for p in c.sb.lavalink.players_truth() if p["channel_id"] == str(room.id) and p["session_attached"]]
    return found[0] if len(found) == 1 else None


def heard(c: Cluster, room: Channel) -> dict[str, Any] | None:
    """The filters Lavalink applies in ``room`` (equalizer bands at gain 0 left out)."""
    p = player(c, room)
    return None if p is None else audible_filters(p["filters"])


async def nightcore_stays_and_clears(c: Cluster, who: str, room: Channel, bot: int) -> None:
    said = await c.ok(who, "effects", {"preset": "nightcore"})
    assert said == f"🎛️ Effects in <#{room.id}>: nightcore.", said
    await eventually(lambda: heard(c, room) == NIGHTCORE, timeout=5, what="Lavalink's timescale filter")
    assert NIGHTCORE["timescale"]["speed"] > 1
    np = await c.wait_np(bot, room, f"{EFFECTS_LINE}nightcore")
    first = player(c, room)["track_title"]  # type: ignore[index]
    await c.ok(who, "skip")
    await eventually(lambda: (p := player(c, room)) is not None and p["track_title"] != first, timeout=5,
                     what="the next track")
    assert heard(c, room) == NIGHTCORE  # the next track plays with them too
    assert EFFECTS_LINE in (await c.ok(who, "nowplaying"))
    await c.wait_np(bot, room, f"{EFFECTS_LINE}nightcore")
    r = await c.d.click(c.user(who), np.id, CLEAR)
    assert not r.private, r.text
    await eventually(lambda: heard(c, room) == {}, timeout=5, what="Lavalink's filters cleared")
    await c.d.wait_for(lambda: EFFECTS_LINE not in c.d.message(np.id).content, 5,  # type: ignore[union-attr]
                       "the effects line gone")
    assert CLEAR not in str(c.d.message(np.id).components)  # type: ignore[union-attr]


async def test_effects_on_the_parent_and_on_a_child(c: Cluster) -> None:
    parent_room, child_room = await c.room("fx-parent"), await c.room("fx-child")
    await c.join("alice", parent_room)
    await c.ok("alice", "play", {"query": "https://www.youtube.com/playlist?list=PLfx1"})
    assert await c.wait_bot_in(parent_room) == c.parent_bot_id
    await c.join("bob", child_room)
    await c.ok("bob", "play", {"query": "https://www.youtube.com/playlist?list=PLfx2"})
    kid = await c.wait_bot_in(child_room)
    assert kid in c.kid_bot_ids
    started = time.monotonic()
    await nightcore_stays_and_clears(c, "alice", parent_room, c.parent_bot_id)
    await nightcore_stays_and_clears(c, "bob", child_room, kid)  # type: ignore[arg-type]
    print(f"e2e effects: set, skip and clear on the parent and a child in {time.monotonic() - started:.2f} s")
    said = await c.ok("bob", "equalizer", {"preset": "rock"})
    assert said == f"🎚️ Equalizer rock in <#{child_room.id}>."
    rock = audible_filters(lavalink_filters(Effects(equalizer="rock")))
    await eventually(lambda: heard(c, child_room) == rock, timeout=5, what="Lavalink's equalizer")
    assert "EQ rock" in await c.ok("bob", "nowplaying")


async def test_bad_effects_are_refused_privately_and_change_nothing(c: Cluster) -> None:
    room = await c.room("fx-bad")
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": "https://www.youtube.com/playlist?list=PLfx3"})
    await c.wait_bot_in(room)
    await c.ok("carol", "effects", {"preset": "vaporwave"})
    vaporwave = audible_filters(lavalink_filters(Effects(preset="vaporwave")))
    await eventually(lambda: heard(c, room) == vaporwave, timeout=5, what="vaporwave")
    assert await c.fails("carol", "effects", {"preset": "chipmunk"}) == (
        "There is no effect called `chipmunk`; choose one of: bassboost, nightcore, vaporwave, 8d, karaoke, tremolo, "
        "vibrato, soft, or off.")
    assert await c.fails("carol", "effects", {"speed": 3.0}) == (
        "The speed must be between 0.5 and 2 (1 is unchanged); 3 is not.")
    assert (await c.fails("carol", "equalizer", {"preset": "jazz"})).startswith(
        "There is no equalizer preset called `jazz`; choose one of: flat, bass, pop")
    assert await c.fails("carol", "effects") == "Choose an effect, a speed or a pitch (or `off` to clear every effect)."
    assert heard(c, room) == vaporwave
    assert f"{EFFECTS_LINE}vaporwave" in await c.ok("carol", "nowplaying")
    said = await c.ok("carol", "effects", {"preset": "off"})
    assert said == f"🎛️ Every effect is off in <#{room.id}>."
    await eventually(lambda: heard(c, room) == {}, timeout=5, what="every filter off")


async def test_effects_survive_a_kill_of_the_child_playing_them(c: Cluster) -> None:
    # last in the module: it kills one of the cluster's children
    room = await c.room("fx-failover")
    await c.join("dave", room)
    await c.ok("dave", "play", {"query": "https://www.youtube.com/playlist?list=PLfx4"})
    if await c.wait_bot_in(room) == c.parent_bot_id:  # the parent is free (the earlier rooms were left): use a child
        other = await c.room("fx-failover-child")
        await c.join("dave", other)
        await c.ok("dave", "play", {"query": "https://www.youtube.com/playlist?list=PLfx5"})
        room = other
    dead = await c.wait_bot_in(room)
    assert dead in c.kid_bot_ids
    effects = Effects(preset="8d", equalizer="bass", speed=1.25)
    await c.ok("dave", "effects", {"preset": "8d", "speed": 1.25})
    await c.ok("dave", "equalizer", {"preset": "bass"})
    wanted = audible_filters(lavalink_filters(effects))
    await eventually(lambda: heard(c, room) == wanted, timeout=5, what="the effects on the child's player")
    name, victim = next((n, k) for n, k in zip(("kid-1", "kid-2"), c.kids, strict=True) if c.bot_id(n) == dead)
    killed = time.monotonic()
    victim.kill()
    await eventually(lambda: (p := player(c, room)) is not None and p["user_id"] != str(dead) and p["track_title"],
                     timeout=10, what="the session on another bot")
    took = time.monotonic() - killed
    assert heard(c, room) == wanted  # the new bot's player started with the same filters
    print(f"e2e effects failover: another bot plays with the same filters {took:.2f} s after the kill")
    assert "8d · EQ bass · speed 1.25×" in await c.ok("dave", "nowplaying")
    # the killed child comes back (its voice state goes with its new login), so the module's cleanup can run
    c.kids.append(await c.sb.spawn_child(name))
    await c.d.wait_for(lambda: dead not in c.d.voice_members(room), 8, "the dead bot out of the channel")
