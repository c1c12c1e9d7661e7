"""End to end: the idle policy (leave empty or finished channels after the timeout) and 24/7 mode.

This module's cluster has a 1 s idle timeout and plays at speed 50 (a 5 s "short" track ends in 0.1 s).
"""

from __future__ import annotations

import asyncio

import pytest
from e2e_cluster import Cluster

from azura_sandbox.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"idle_timeout_s": 1, "speed": 50.0}


async def test_empty_channel_is_left_after_the_timeout(c: Cluster) -> None:
    first, second = await c.room("parent"), await c.room("child")
    await c.join("alice", first)
    await c.join("bob", second)
    await c.ok("alice", "play", {"query": "https://www.youtube.com/playlist?list=PLidle1"})
    await c.ok("bob", "play", {"query": "https://www.youtube.com/playlist?list=PLidle2"})
    assert await c.wait_bot_in(first) == c.parent_bot_id
    kid = await c.wait_bot_in(second)
    assert kid in c.kid_bot_ids
    posted = {first.id: (await c.wait_np(c.parent_bot_id, first)).id, second.id: (await c.wait_np(kid, second)).id}
    await asyncio.sleep(1.5)  # people listen: nobody leaves
    assert c.bot_in(first) and c.bot_in(second)
    await c.leave_voice("alice")
    await c.leave_voice("bob")
    await c.wait_bot_in(first, want=False, timeout_s=4)  # the parent's own session
    await c.wait_bot_in(second, want=False, timeout_s=4)  # and the child's
    for user, room in (("alice", first), ("bob", second)):
        await c.join(user, room)
        assert await c.fails(user, "nowplaying") == f"Nothing is playing in <#{room.id}>. Start something with `/play`."
    for room in (first, second):  # each bot edits its message once it has left: wait for those edits
        await eventually(lambda room=room: c.d.message(posted[room.id]).content.startswith("⏏"),  # type: ignore[union-attr]
                         timeout=4, what=f"the now-playing message about {room.name} edited to say it left")
    # the parent's now-playing message says why it left, its buttons gone
    left = c.d.message(posted[first.id])
    assert left is not None and left.content == f"⏏ Left <#{first.id}> (idle: nobody listening).", left
    assert left.components == []
    # the child's message says it left too
    left = c.d.message(posted[second.id])
    assert left is not None and left.content.startswith(f"⏏ Left <#{second.id}> ("), left
    assert left.components == []


async def test_child_tells_why_it_left_when_idle(c: Cluster) -> None:
    await c.room("parent")
    second = await c.room("child")
    await c.join("alice", c.rooms[0])
    await c.ok("alice", "play", {"query": "https://www.youtube.com/playlist?list=PLidle5"})
    await c.join("bob", second)
    await c.ok("bob", "play", {"query": "https://www.youtube.com/playlist?list=PLidle6"})
    kid = await c.wait_bot_in(second)
    assert kid in c.kid_bot_ids
    np = await c.wait_np(kid, second)
    await c.leave_voice("bob")
    await c.wait_bot_in(second, want=False, timeout_s=4)
    # The child edits its message after it left: wait for that edit (any "Left" text), then check its words.
    await eventually(lambda: c.d.message(np.id).content.startswith("⏏"), timeout=4,  # type: ignore[union-attr]
                     what="the child's now-playing message edited to say it left")
    assert c.d.message(np.id).content == f"⏏ Left <#{second.id}> (idle: nobody listening)."  # type: ignore[union-attr]


async def test_finished_queue_is_left_even_with_listeners(c: Cluster) -> None:
    room = await c.room()
    await c.join("carol", room)
    await c.ok("carol", "play", {"query": "short jingle"})
    assert await c.wait_bot_in(room) is not None
    await c.wait_bot_in(room, want=False, timeout_s=5)
    assert (await c.fails("carol", "nowplaying")).startswith("Nothing is playing in ")


async def test_always_on_keeps_the_bot(c: Cluster) -> None:
    r = await c.run("owner", "server", {"enabled": True}, sub="always-on")
    assert r.private and r.text == "🌙 24/7 mode is on: I stay in voice."
    try:
        room = await c.room()
        await c.join("dave", room)
        await c.ok("dave", "play", {"query": "https://www.youtube.com/playlist?list=PLidle3"})
        assert await c.wait_bot_in(room) is not None
        await c.leave_voice("dave")
        await asyncio.sleep(2.5)
        assert c.bot_in(room) is not None
        await c.join("dave", room)
        assert (await c.ok("dave", "nowplaying")).startswith("▶ Playing ")
        await c.leave_voice("dave")
    finally:
        r = await c.run("owner", "server", {"enabled": False}, sub="always-on")
        assert r.private and r.text == "⏱ 24/7 mode is off: I leave when idle."
    await c.wait_bot_in(c.rooms[-1], want=False, timeout_s=4)


async def test_the_voice_channel_status_is_cleared_on_the_idle_end_without_manage_channels(c: Cluster) -> None:
    room = await c.room("idle-status")
    for bot in ("parent-token", *c.kid_bot_ids):  # whichever bot plays there may set the status, not manage rooms
        await c.d.deny_in_channel(bot, room, ["manage_channels"])
    await c.join("bob", room)
    await c.ok("bob", "play", {"query": "http://radio.example/idle.mp3"})  # a stream: it never finishes
    assert await c.wait_bot_in(room) is not None
    await c.d.wait_for(lambda: c.d.voice_status(room) is not None, 6.0, "a status while it plays")
    await c.leave_voice("bob")
    await c.wait_bot_in(room, want=False, timeout_s=4)
    assert c.d.voice_status(room) is None  # cleared while the bot was still there: once gone it could not


async def test_server_idle_timeout(c: Cluster) -> None:
    r = await c.run("owner", "server", {"seconds": 5}, sub="idle-timeout")
    assert r.private and r.text == ("⚠️ The idle timeout must be between 30 seconds and 24 hours (86400 seconds), "
                                    "not 5.")
    r = await c.run("owner", "server", {"seconds": 30}, sub="idle-timeout")
    assert r.private and r.text == "⏱ I leave idle channels after 30 s."
    try:
        room = await c.room()
        await c.join("alice", room)
        await c.ok("alice", "play", {"query": "https://www.youtube.com/playlist?list=PLidle4"})
        await c.leave_voice("alice")
        await asyncio.sleep(2.0)  # the 1 s default no longer applies
        assert c.bot_in(room) is not None
    finally:
        r = await c.run("owner", "server", {"seconds": 300}, sub="idle-timeout")
        assert r.text == "⏱ I leave idle channels after 300 s."
