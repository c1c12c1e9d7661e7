"""The fake Discord against two REAL discord.py bots, each in its own subprocess."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from azura_sandbox.fake_discord import FakeDiscord, SandboxClient, SandboxError
from azura_sandbox.fake_discord.world import Channel, Guild, User

BOT_SCRIPT = Path(__file__).with_name("fake_discord_bot.py")
pytestmark = pytest.mark.slow  # two bots, each in its own process

BOTS = ("alpha", "beta")


@dataclass
class Scene:
    fake: FakeDiscord
    guild: Guild
    text: Channel
    voice1: Channel
    voice2: Channel
    alice: User
    bot_ids: dict[str, int]


async def _read_until(proc: asyncio.subprocess.Process, wanted: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    while True:
        line = (await proc.stdout.readline()).decode()
        if not line:
            raise RuntimeError(f"bot exited early (rc={proc.returncode}); output so far: {seen}")
        seen.append(line.strip())
        if line.startswith(wanted):
            return


@pytest.fixture
async def scene() -> AsyncIterator[Scene]:
    fake = FakeDiscord()
    await fake.start()
    guild = await fake.create_guild("azura-test")
    text = await fake.create_text_channel(guild, "general")
    voice1 = await fake.create_voice_channel(guild, "music-1")
    voice2 = await fake.create_voice_channel(guild, "music-2")
    alice = await fake.create_user("alice")
    procs: dict[str, asyncio.subprocess.Process] = {}
    try:
        for name in BOTS:
            procs[name] = await asyncio.create_subprocess_exec(
                sys.executable,
                str(BOT_SCRIPT),
                fake.base_url,
                fake.create_bot(name),
                name,
                str(guild.id),
                stdout=asyncio.subprocess.PIPE,
            )
        outputs: dict[str, list[str]] = {name: [] for name in procs}
        async with asyncio.timeout(25):
            await asyncio.gather(*(_read_until(p, "SYNCED", outputs[n]) for n, p in procs.items()))
        bot_ids = {
            name: int(next(line for line in out if line.startswith("READY")).split()[1])
            for name, out in outputs.items()
        }
        yield Scene(fake, guild, text, voice1, voice2, alice, bot_ids)
    finally:
        for proc in procs.values():
            if proc.returncode is None:
                proc.terminate()
        for proc in procs.values():
            try:
                async with asyncio.timeout(5):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await fake.stop()


async def test_two_real_bots_slash_button_voice(scene: Scene) -> None:
    fake, guild, alice = scene.fake, scene.guild, scene.alice

    # Two distinct bot users, the ones the world declared (discord.py read them from READY), both connected.
    assert scene.bot_ids == {name: fake.bot(name).user_id for name in BOTS}
    assert len(set(scene.bot_ids.values())) == 2
    assert set(fake.connected_bots()) == set(scene.bot_ids.values())
    names = {c.name: c.application_id for c in fake.commands(guild=guild)}
    assert names["alpha"] == scene.bot_ids["alpha"] and names["beta"] == scene.bot_ids["beta"]

    # Slash command -> message with a button (in-process driver API).
    res = await fake.invoke(alice, guild, scene.text, "alpha", {"text": "hi"})
    assert res.content == "alpha says hi"
    assert res.custom_ids() == ["alpha-btn"]
    assert not res.ephemeral and not res.deferred and res.message_id is not None
    assert [m.content for m in fake.messages(scene.text)] == ["alpha says hi"]

    clicked = await fake.click(alice, res.message_id, "alpha-btn")
    assert clicked.response_type == 7
    assert clicked.content == f"alpha clicked by {alice.id}"
    assert clicked.components == []

    # The same through the HTTP control API, as another process would drive it.
    async with SandboxClient(fake.base_url) as client:
        res_b = await client.invoke(alice.id, guild.id, scene.text.id, "beta", {"text": "yo"})
        assert res_b.content == "beta says yo" and res_b.custom_ids() == ["beta-btn"]
        clicked_b = await client.click(alice.id, res_b.message_id or 0, "beta-btn")
        assert clicked_b.content == f"beta clicked by {alice.id}"
        choices = await client.autocomplete(alice.id, guild.id, scene.text.id, "beta", {"text": "ab"}, "text")
        assert [c["value"] for c in choices] == ["ab-0", "ab-1", "ab-2"]
        with pytest.raises(SandboxError):
            await client.invoke(alice.id, guild.id, scene.text.id, "nope")

    # A bot does not see (and cannot answer) another application's command.
    with pytest.raises(SandboxError):
        await fake.invoke(alice, guild, scene.text, "alpha", {"text": "x"}, application_id=scene.bot_ids["beta"])

    # Voice: each bot joins through the gateway (op 4) and the driver sees its voice state.
    alpha_id, beta_id = scene.bot_ids["alpha"], scene.bot_ids["beta"]
    joined = await fake.invoke(alice, guild, scene.text, "alpha-join", {"channel": scene.voice1.id})
    assert joined.deferred
    assert joined.content == f"joined {scene.voice1.id} endpoint=voice.fake-discord.local:443 token=True"
    vs = fake.voice_state(guild, alpha_id)
    assert vs is not None and vs.channel_id == scene.voice1.id

    await fake.invoke(alice, guild, scene.text, "beta-join", {"channel": scene.voice2.id})
    vs_b = fake.voice_state(guild, beta_id)
    assert vs_b is not None and vs_b.channel_id == scene.voice2.id

    # Joining another channel of the same guild moves the bot.
    moved = await fake.invoke(alice, guild, scene.text, "alpha-join", {"channel": scene.voice2.id})
    assert moved.content.startswith(f"joined {scene.voice2.id} ")
    assert sorted(fake.voice_members(scene.voice2)) == sorted([alpha_id, beta_id])

    # Humans' voice states reach the bots too; leaving and kicking clear states.
    await fake.user_join_voice(alice, scene.voice1)
    assert fake.voice_members(scene.voice1) == [alice.id]
    left = await fake.invoke(alice, guild, scene.text, "beta-leave")
    assert left.ephemeral and left.content == "left"
    await fake.wait_for(lambda: fake.voice_state(guild, beta_id) is None, 5, "beta to leave voice")
    await fake.kick_from_voice(alpha_id)
    assert fake.voice_state(guild, alpha_id) is None
    assert [m.content for m in fake.messages(scene.text)][-1].startswith(f"joined {scene.voice2.id}")
