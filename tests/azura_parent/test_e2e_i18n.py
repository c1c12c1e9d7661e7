"""End to end on the sandbox cluster: the voice channel status follows the track (parent and child), and users
read Azura in their own language (German, Japanese; an unsupported locale reads English), errors raised on a
child included."""

from __future__ import annotations

import pytest
from e2e_cluster import Cluster

from azura_sandbox.fake_discord.world import Channel

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

CLUSTER_OPTIONS = {"speed": 2.0}
PLAYLIST = "https://www.youtube.com/playlist?list=PLstatus"


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
