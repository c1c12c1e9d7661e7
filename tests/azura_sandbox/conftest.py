"""Fixtures of the sandbox tests: a fake Discord with one server, real discord.py bots in this process."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import yarl

from azura_sandbox.fake_discord import FakeDiscord


def _load(name: str, path: Path) -> None:
    """--import-mode=importlib puts no test folder on sys.path: load a shared helper by file, once."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_load("fake_discord_bot", Path(__file__).parent / "fake_discord" / "fake_discord_bot.py")
_load("raw_gateway", Path(__file__).parent / "fake_discord" / "raw_gateway.py")
_load("live_discord", Path(__file__).with_name("live_discord.py"))

from live_discord import Server  # noqa: E402


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    fake = FakeDiscord()
    await fake.start()
    # discord.py reads these class attributes; monkeypatch puts Discord's back after the test
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    guild = await fake.create_guild("truth")
    scene = Server(
        fake,
        guild,
        await fake.create_text_channel(guild, "general"),
        await fake.create_text_channel(guild, "music"),
        await fake.create_voice_channel(guild, "voice-1"),
        await fake.create_voice_channel(guild, "voice-2"),
        await fake.create_user("alice"),
    )
    try:
        yield scene
    finally:
        await scene.close()
        await fake.stop()
