"""A real discord.py bot pointed at the fake Discord; the tests run it as a subprocess.

Usage: python fake_discord_bot.py BASE_URL TOKEN NAME GUILD_ID

It registers, in GUILD_ID, ``/NAME text:<str, autocompleted>`` (answers with a button ``NAME-btn`` whose click
edits the message), ``/NAME-join channel:<voice channel>`` (defers, joins through a recording
VoiceProtocol, follows up with what the gateway sent) and ``/NAME-leave``. It writes ``READY <user id>``
and ``SYNCED`` lines to stdout.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import discord
import yarl
from discord import app_commands


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class RecordingVoice(discord.VoiceProtocol):
    """Records VOICE_STATE_UPDATE / VOICE_SERVER_UPDATE instead of opening a voice connection."""

    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        super().__init__(client, channel)
        self.state: dict[str, Any] | None = None
        self.server: dict[str, Any] | None = None
        self._server_seen = asyncio.Event()

    async def on_voice_state_update(self, data: Any) -> None:
        self.state = dict(data)
        if data.get("channel_id") is None:
            self.cleanup()

    async def on_voice_server_update(self, data: Any) -> None:
        self.server = dict(data)
        self._server_seen.set()

    async def connect(
        self,
        *,
        timeout: float,
        reconnect: bool,
        self_deaf: bool = False,
        self_mute: bool = False,
    ) -> None:
        guild = self.channel.guild  # type: ignore[attr-defined]
        await guild.change_voice_state(channel=self.channel, self_deaf=self_deaf, self_mute=self_mute)
        await asyncio.wait_for(self._server_seen.wait(), timeout)

    async def move(self, channel: discord.VoiceChannel) -> None:
        self._server_seen.clear()
        self.channel = channel
        await channel.guild.change_voice_state(channel=channel)
        await asyncio.wait_for(self._server_seen.wait(), 5)

    async def disconnect(self, *, force: bool) -> None:
        await self.channel.guild.change_voice_state(channel=None)  # type: ignore[attr-defined]
        self.cleanup()


class Press(discord.ui.Button["Clicky"]):
    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.pressed(interaction)


class Clicky(discord.ui.View):
    def __init__(self, name: str) -> None:
        super().__init__(timeout=60)
        self.add_item(Press(label="press", custom_id=f"{name}-btn"))
        self.name = name

    async def pressed(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"{self.name} clicked by {interaction.user.id}", view=None)


def build(name: str, guild_id: int) -> discord.Client:
    intents = discord.Intents.default()
    client = discord.Client(intents=intents, guild_ready_timeout=0.2)
    tree = app_commands.CommandTree(client)
    guild = discord.Object(id=guild_id)

    @tree.command(name=name, description="echo with a button", guild=guild)
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"{name} says {text}", view=Clicky(name))

    @echo.autocomplete("text")
    async def echo_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current}-{i}", value=f"{current}-{i}") for i in range(3)]

    @tree.command(name=f"{name}-join", description="join a voice channel", guild=guild)
    async def join(interaction: discord.Interaction, channel: discord.VoiceChannel) -> None:
        await interaction.response.defer(thinking=True)
        vc = interaction.guild.voice_client if interaction.guild else None
        if isinstance(vc, RecordingVoice):
            await vc.move(channel)
        else:
            vc = await channel.connect(cls=RecordingVoice, timeout=5)
        assert isinstance(vc, RecordingVoice)
        server = vc.server or {}
        state = vc.state or {}
        await interaction.followup.send(
            f"joined {state.get('channel_id')} endpoint={server.get('endpoint')} token={bool(server.get('token'))}"
        )

    @tree.command(name=f"{name}-leave", description="leave voice", guild=guild)
    async def leave(interaction: discord.Interaction) -> None:
        vc = interaction.guild.voice_client if interaction.guild else None
        if vc is not None:
            await vc.disconnect(force=False)
        await interaction.response.send_message("left", ephemeral=True)

    @client.event
    async def on_ready() -> None:
        assert client.user is not None
        say(f"READY {client.user.id}")
        await tree.sync(guild=guild)
        say("SYNCED")

    return client


def main() -> None:
    base, token, name, guild_id = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    logging.basicConfig(
        level=logging.DEBUG if "FAKE_DISCORD_BOT_DEBUG" in os.environ else logging.WARNING, stream=sys.stderr
    )
    discord.http.Route.BASE = base.rstrip("/") + "/api/v10"
    ws_url = yarl.URL(base.replace("http://", "ws://").rstrip("/") + "/gateway")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = ws_url
    client = build(name, guild_id)
    client.run(token, log_handler=None)


if __name__ == "__main__":
    main()
