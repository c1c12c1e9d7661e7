"""The fake Discord's voice channel status route and its languages, as a real discord.py bot meets them: the
status is kept and announced (VOICE_CHANNEL_STATUS_UPDATE) within Discord's rules; commands carry localisations
only for Discord's locales, with valid names; interactions carry the user's and the server's locale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from live_discord import Server

from azura_sandbox.fake_discord.openapi import SpecValidator

pytestmark = pytest.mark.slow  # real clients

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "discord-openapi.json"


async def _status_bot(server: Server) -> tuple[discord.Client, list[dict[str, Any]]]:
    """A bot that records the VOICE_CHANNEL_STATUS_UPDATE events it receives (discord.py itself ignores them)."""
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1, enable_debug_events=True)
    events: list[dict[str, Any]] = []

    async def on_socket_raw_receive(message: str) -> None:
        frame = json.loads(message)
        if frame.get("t") == "VOICE_CHANNEL_STATUS_UPDATE":
            events.append(frame["d"])

    client.event(on_socket_raw_receive)
    await server.start_bot("azura", client)
    return client, events


async def test_a_voice_channel_status_is_kept_announced_and_cleared(server: Server) -> None:
    client, events = await _status_bot(server)
    await client.http.edit_voice_channel_status("♪ Song — Band", channel_id=server.voice.id)
    assert server.fake.voice_status(server.voice) == "♪ Song — Band"
    await server.fake.wait_for(lambda: events, 5, "the status event")
    assert events[-1] == {"id": str(server.voice.id), "guild_id": str(server.guild.id), "status": "♪ Song — Band"}
    await client.http.edit_voice_channel_status(None, channel_id=server.voice.id)
    assert server.fake.voice_status(server.voice) is None
    await server.fake.wait_for(lambda: len(events) == 2, 5, "the cleared event")
    assert events[-1]["status"] is None


async def test_a_status_outside_discords_rules_is_refused_and_changes_nothing(server: Server) -> None:
    client, _ = await _status_bot(server)
    with pytest.raises(discord.HTTPException) as too_long:
        await client.http.edit_voice_channel_status("x" * 501, channel_id=server.voice.id)
    assert too_long.value.status == 400
    with pytest.raises(discord.HTTPException) as not_voice:
        await client.http.edit_voice_channel_status("x", channel_id=server.text.id)
    assert not_voice.value.status == 400 and not_voice.value.code == 50024
    await server.fake.deny_in_channel("azura", server.voice, ["set_voice_channel_status"])
    with pytest.raises(discord.Forbidden):
        await client.http.edit_voice_channel_status("x", channel_id=server.voice.id)
    # not connected there: Manage Channels is needed too
    await server.fake.deny_in_channel("azura", server.other_voice, ["manage_channels"])
    with pytest.raises(discord.Forbidden):
        await client.http.edit_voice_channel_status("x", channel_id=server.other_voice.id)
    assert server.fake.voice_status(server.voice) is None and server.fake.voice_status(server.other_voice) is None
    assert server.fake.voice_status_count() == 0


def test_the_status_body_azura_sends_is_the_specs() -> None:
    assert SPEC.is_file(), f"Discord's OpenAPI spec is not at {SPEC}"
    spec = SpecValidator(json.loads(SPEC.read_text(encoding="utf-8")))
    operation = spec.operation("PUT", f"/channels/{123}/voice-status")
    assert operation is not None and "204" in spec.documented_statuses(operation)
    schema = json.loads(SPEC.read_text(encoding="utf-8"))["paths"]["/channels/{channel_id}/voice-status"]["put"]
    body = schema["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["status"]["maxLength"] == 500
    assert spec.validate(body, {"status": "♪ Song — Band"}) == [] and spec.validate(body, {"status": None}) == []
    assert spec.validate(body, {"status": "x" * 501}) != []


async def test_localised_commands_are_checked_and_interactions_carry_both_locales(server: Server) -> None:
    client = await server.start_bot("azura")
    app_id = client.application_id or 0
    good = {"name": "play", "description": "Play.", "name_localizations": {"de": "abspielen", "ja": "再生"},
            "description_localizations": {"de": "Spielen.", "es-419": "Reproducir."}}
    for bad, why in [
        ({"name_localizations": {"xx": "play"}}, "not a Discord locale"),
        ({"name_localizations": {"de": "Abspielen"}}, "uppercase"),
        ({"name_localizations": {"de": "jetzt abspielen"}}, "a space"),
        ({"name_localizations": {"fr": "x" * 33}}, "too long"),
        ({"description_localizations": {"de": "x" * 101}}, "description too long"),
    ]:
        with pytest.raises(discord.HTTPException) as refused:
            await client.http.bulk_upsert_global_commands(app_id, [good | bad])
        assert refused.value.status == 400 and refused.value.code == 50035, why
    assert server.fake.commands(app_id) == []  # a refused overwrite changes nothing
    stored = await client.http.bulk_upsert_global_commands(app_id, [good])
    assert stored[0]["name_localizations"] == {"de": "abspielen", "ja": "再生"}

    tree = app_commands.CommandTree(client)
    seen: list[tuple[str, str | None]] = []

    @tree.command(name="where", description="Which languages.")
    async def where(interaction: discord.Interaction) -> None:
        seen.append((str(interaction.locale), str(interaction.guild_locale)))
        await interaction.response.send_message("ok")

    tree.copy_global_to(guild=discord.Object(id=server.guild.id))
    await tree.sync(guild=discord.Object(id=server.guild.id))
    server.fake.set_user_locale(server.alice, "ja")
    await server.fake.set_guild_locale(server.guild, "de")
    await server.fake.invoke(server.alice, server.guild, server.text, "where")
    assert seen == [("ja", "de")]
