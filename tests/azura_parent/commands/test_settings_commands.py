"""Handlers of /settings … and /server …: the text, that only the user sees it, what they store, and the
refusals of out-of-range values (which store nothing)."""

from __future__ import annotations

import pytest
from command_fakes import GUILD_ID, FakeInteraction, FakeRole, World, choice
from command_fakes import private_text as answer

from azura_parent.commands.server import ServerCommands
from azura_parent.commands.settings import SettingsCommands


@pytest.fixture
def settings(world: World) -> SettingsCommands:
    return SettingsCommands(world)


@pytest.fixture
def server(world: World) -> ServerCommands:
    return ServerCommands(world)


async def test_settings(world: World, settings: SettingsCommands) -> None:
    alice = world.member("alice")
    assert await answer(settings.show, FakeInteraction(alice)) == (
        "⚙ Mode **fifo** · volume step **10** · last volume **not set**")
    assert await answer(settings.mode, FakeInteraction(alice), mode=choice("interlace")) == (
        "⚙ Your tracks now go in **interlace** order.")
    assert await answer(settings.volume_step, FakeInteraction(alice), step=25) == (
        "⚙ /volume + and - now step by **25**.")
    assert (await answer(settings.volume_step, FakeInteraction(alice), step=0)).startswith("⚠️ ")
    await world.store.set_last_volume(alice.id, 70)
    assert await answer(settings.show, FakeInteraction(alice)) == (
        "⚙ Mode **interlace** · volume step **25** · last volume **70%**")


async def test_dj_role_is_stored_and_reaches_running_sessions(world: World, server: ServerCommands) -> None:
    owner = world.member("owner", manage_guild=True)
    session = await world.playing(world.room, *world.songs(1))
    elsewhere = await world.playing(world.voice_channel("other"), *world.songs(1))
    role = FakeRole(88)
    assert await answer(server.dj_role, FakeInteraction(owner), role=role) == "🎧 DJs are now members with <@&88>."
    assert (await world.store.get_guild_settings(GUILD_ID)).dj_role_id == 88
    assert session.dj_role_id == 88 and elsewhere.dj_role_id == 88  # the buttons follow the new rule at once
    assert await answer(server.dj_role, FakeInteraction(owner)) == "🎧 No DJ role: everyone can DJ."
    assert (await world.store.get_guild_settings(GUILD_ID)).dj_role_id is None
    assert session.dj_role_id == 0  # 0 means "none" on the wire


async def test_always_on_and_idle_timeout(world: World, server: ServerCommands) -> None:
    owner = world.member("owner", manage_guild=True)
    assert await answer(server.always_on, FakeInteraction(owner), enabled=True) == (
        "🌙 24/7 mode is on: I stay in voice.")
    assert (await world.store.get_guild_settings(GUILD_ID)).always_on
    assert await answer(server.always_on, FakeInteraction(owner), enabled=False) == (
        "⏱ 24/7 mode is off: I leave when idle.")
    assert await answer(server.idle_timeout, FakeInteraction(owner), seconds=120) == (
        "⏱ I leave idle channels after 120 s.")
    refused = await answer(server.idle_timeout, FakeInteraction(owner), seconds=5)
    assert refused.startswith("⚠️ ") and "30" in refused
    assert (await world.store.get_guild_settings(GUILD_ID)).idle_timeout_s == 120
