"""``/settings`` (each user's own) and ``/server`` (admins: DJ role, 24/7, idle timeout)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from azura_common.koe.errors import KoeError

from .music import MODE_CHOICES

if TYPE_CHECKING:
    from .bot import ParentBot

__all__ = ["register"]


def register(bot: ParentBot) -> None:
    mine = app_commands.Group(name="settings", description="Your own preferences")

    @mine.command(name="mode", description="Where your /play puts tracks by default.")
    @app_commands.describe(mode="fifo (end), lifo (next), random, interlace (fair between listeners)")
    @app_commands.choices(mode=MODE_CHOICES)
    async def mode(interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        settings = await bot.store.set_enqueue_mode(interaction.user.id, mode.value)
        await interaction.response.send_message(f"⚙ Your tracks now go in **{settings.enqueue_mode}** order.",
                                                ephemeral=True)

    @mine.command(name="volume-step", description="How much /volume + and - change the volume.")
    @app_commands.describe(step="1 to 100")
    async def volume_step(interaction: discord.Interaction, step: int) -> None:
        settings = await bot.store.set_volume_step(interaction.user.id, step)
        await interaction.response.send_message(f"⚙ /volume + and - now step by **{settings.volume_step}**.",
                                                ephemeral=True)

    @mine.command(name="show", description="Show your preferences.")
    async def show(interaction: discord.Interaction) -> None:
        s = await bot.store.get_user_settings(interaction.user.id)
        last = f"{s.last_volume}%" if s.last_volume is not None else "not set"
        await interaction.response.send_message(
            f"⚙ Mode **{s.enqueue_mode}** · volume step **{s.volume_step}** · last volume **{last}**", ephemeral=True
        )

    server = app_commands.Group(
        name="server",
        description="Server settings for Azura (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    @server.command(name="dj-role", description="Who counts as a DJ (leave empty to let everyone DJ).")
    @app_commands.describe(role="The DJ role; omit to clear it")
    async def dj_role(interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        assert interaction.guild is not None
        await bot.store.set_dj_role(interaction.guild.id, role.id if role else None)
        for route in bot.koe.routes():  # running sessions' buttons follow the new rule at once
            if route.guild_id == interaction.guild.id:
                with contextlib.suppress(KoeError):
                    await route.session.connect(dj_role_id=role.id if role else 0)
        text = f"🎧 DJs are now members with {role.mention}." if role else "🎧 No DJ role: everyone can DJ."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @server.command(name="always-on", description="24/7 mode: stay in voice when idle or alone.")
    @app_commands.describe(enabled="On: never leave for being idle. Off: leave after the idle timeout")
    async def always_on(interaction: discord.Interaction, enabled: bool) -> None:
        assert interaction.guild is not None
        await bot.store.set_always_on(interaction.guild.id, enabled)
        text = "🌙 24/7 mode is on: I stay in voice." if enabled else "⏱ 24/7 mode is off: I leave when idle."
        await interaction.response.send_message(text, ephemeral=True)

    @server.command(name="idle-timeout", description="How long to wait before leaving an idle channel.")
    @app_commands.describe(seconds="30 to 86400")
    async def idle_timeout(interaction: discord.Interaction, seconds: int) -> None:
        assert interaction.guild is not None
        settings = await bot.store.set_idle_timeout(interaction.guild.id, seconds)
        await interaction.response.send_message(f"⏱ I leave idle channels after {settings.idle_timeout_s} s.",
                                                ephemeral=True)

    bot.tree.add_command(mine)
    bot.tree.add_command(server)
