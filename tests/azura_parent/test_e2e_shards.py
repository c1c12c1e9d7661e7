"""End to end: a 4-shard world, where the parent and both children run 4 shards, plays in every guild.

Four guilds, one on each shard (``(guild_id >> 22) % 4``), and a fake Discord that requires 4 shards (more than
one guild per session closes the IDENTIFY with 4011), so a bot that did not shard would not get in at all. In each
guild a /play lands on the parent's own player, a second /play on a child, both post their now-playing message,
and /skip moves on. Also measured (printed): how long a parent takes to be ready with 1 shard and with 4.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from azura_sandbox.fake_discord.sharding import shard_of, snowflake_on_shard
from azura_sandbox.fake_discord.world import Channel, Guild, Message, User
from azura_sandbox.testing import ParentProcess, Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SHARDS = 4
PLAYLIST = "https://www.youtube.com/playlist?list=PLe2e"
ALL_SHARDS = [[shard, SHARDS] for shard in range(SHARDS)]


async def guilds_on_every_shard(sb: Sandbox) -> list[tuple[Guild, Channel, list[Channel]]]:
    """The sandbox's guild plus one guild on each other shard: (guild, text channel, two voice channels)."""
    d = sb.discord
    home = shard_of(sb.guild.id, SHARDS)
    found = [(sb.guild, sb.text, sb.voices[:2])]
    for shard in range(SHARDS):
        if shard == home:
            continue
        guild = await d.create_guild(f"Shard {shard}", guild_id=snowflake_on_shard(shard, SHARDS, 0x3FFF00 + shard))
        for user in sb.users.values():
            await d.add_member(guild, user)
        voices = [await d.create_voice_channel(guild, f"voice-{i + 1}") for i in range(2)]
        found.append((guild, await d.create_text_channel(guild, "music"), voices))
    assert sorted(shard_of(g.id, SHARDS) for g, _, _ in found) == list(range(SHARDS))
    return found


async def time_to_ready(sb: Sandbox, name: str, tmp: Path, env: dict[str, str]) -> float:
    """Seconds from starting a parent (no children) to its "parent ready"; stopped afterwards."""
    parent = ParentProcess({**sb.parent_env(name, [], tmp / f"{name}.sqlite3"), **env})
    sb.children.append(parent)
    started = time.monotonic()
    parent.start()
    await parent.wait_ready(timeout=60)
    elapsed = time.monotonic() - started
    await parent.stop()
    return elapsed


async def np_message(sb: Sandbox, text: Channel, author: int, voice: Channel, contains: str) -> Message:
    def check() -> Message | None:
        found = [m for m in sb.discord.messages(text) if m.author_id == author
                 and m.content.startswith(f"🎶 **Now playing in <#{voice.id}>**") and contains in m.content]
        return found[-1] if found else None

    return await sb.discord.wait_for(check, 10, f"a now-playing message about {voice.name} with {contains!r}")


async def play(sb: Sandbox, user: User, guild: Guild, text: Channel) -> str:
    result = await sb.discord.invoke(user, guild, text, "play", {"query": PLAYLIST}, timeout_s=15,
                                     application_id=sb.discord.bot("parent-token").user_id)
    assert not result.private and "**12 tracks**" in result.text, result.text
    return result.text


async def test_parent_and_children_run_four_shards_and_play_in_every_guild(tmp_path: Path) -> None:
    sb = await Sandbox.start(user_names=("alice", "bob"), voice_channels=2, speed=2.0)
    try:
        d = sb.discord
        guilds = await guilds_on_every_shard(sb)
        d.set_shard_limits(max_concurrency=SHARDS)  # as large bots have: all four shards identify at once

        one = await time_to_ready(sb, "solo-parent", tmp_path, {"AZURA_SHARD_COUNT": "1"})
        four = await time_to_ready(sb, "quad-parent", tmp_path, {"AZURA_SHARD_COUNT": str(SHARDS)})
        d.set_shard_limits(max_concurrency=1)  # most bots: one identify per 5 s
        paced = await time_to_ready(sb, "paced-parent", tmp_path, {"AZURA_SHARD_COUNT": str(SHARDS)})
        print(f"\nparent ready: 1 shard {one:.1f} s; 4 shards {four:.1f} s (max_concurrency 4), "
              f"{paced:.1f} s (max_concurrency 1)")
        assert paced - four > 3 * 5.0 - 2.0  # one bucket: shards 1-3 each waited Discord's 5 s

        d.set_shard_limits(max_concurrency=SHARDS, guilds_per_shard=1, max_guilds_per_shard=1)
        assert d.connected_shards("solo-parent") == []
        kids = [await sb.spawn_child(name, env={"AZURA_SHARD_COUNT": "auto"}) for name in ("kid-1", "kid-2")]
        env = sb.parent_env("parent-token", kids, tmp_path / "db.sqlite3")
        env |= {"AZURA_SHARD_COUNT": str(SHARDS), "AZURA_COMMAND_GUILDS": ",".join(str(g.id) for g, _, _ in guilds)}
        parent = ParentProcess(env)
        sb.children.append(parent)
        parent.start()
        await parent.wait_ready(timeout=60)
        for bot in ("parent-token", "kid-1", "kid-2"):  # auto (the kids): what /gateway/bot recommends
            assert d.connected_shards(bot) == ALL_SHARDS, bot

        parent_id = d.bot("parent-token").user_id
        kid_ids = {d.bot("kid-1").user_id, d.bot("kid-2").user_id}
        alice, bob = sb.users["alice"], sb.users["bob"]
        for guild, text, (first, second) in guilds:
            await d.user_join_voice(alice, first)
            await play(sb, alice, guild, text)
            assert await d.wait_for(lambda ch=first: parent_id in d.voice_members(ch), 10, "the parent in voice")
            await np_message(sb, text, parent_id, first, "#1 of 12")

            await d.user_join_voice(bob, second)
            await play(sb, bob, guild, text)
            kid = await d.wait_for(lambda ch=second: next((k for k in kid_ids if k in d.voice_members(ch)), None),
                                   10, "a child in voice")
            await np_message(sb, text, kid, second, "#1 of 12")

            for user, voice, player in ((alice, first, parent_id), (bob, second, kid)):
                skipped = await d.invoke(user, guild, text, "skip", timeout_s=10, application_id=parent_id)
                assert skipped.text.startswith("⏭ Skipped to **#2** "), skipped.text
                await np_message(sb, text, player, voice, "#2 of 12")
    finally:
        await sb.stop()
