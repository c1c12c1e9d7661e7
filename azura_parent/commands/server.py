"""``/server …``: a server's settings for Azura (Manage Server): the DJ role, 24/7 mode, the idle timeout."""

from __future__ import annotations

import contextlib

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.errors import KoeError
from azura_common.replies import private_locale, reply_privately

from .base import BotServices

__all__ = ["ServerCommands"]


class ServerCommands(
    app_commands.Group,
    name="server",
    description="Server settings for Azura (Manage Server)",
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
):
    def __init__(self, bot: BotServices) -> None:
        super().__init__()
        self.bot = bot

    @staticmethod
    def _guild_id(interaction: discord.Interaction) -> int:
        assert interaction.guild is not None, "guild_only: Discord never sends these from DMs"
        return interaction.guild.id

    @app_commands.command(name="dj-role", description="Who counts as a DJ (leave empty to let everyone DJ).")
    @app_commands.describe(role="The DJ role; omit to clear it")
    async def dj_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        guild_id = self._guild_id(interaction)
        await self.bot.store.set_dj_role(guild_id, role.id if role else None)
        for route in self.bot.koe.routes():  # running sessions' buttons follow the new rule at once
            if route.guild_id == guild_id:
                with contextlib.suppress(KoeError):
                    await route.session.connect(dj_role_id=role.id if role else 0)
        locale = private_locale(interaction)
        said = (text("replies.dj_role_set", locale, role=role.mention) if role
                else text("replies.dj_role_cleared", locale))
        await reply_privately(interaction, said)

    @app_commands.command(name="always-on", description="24/7 mode: stay in voice when idle or alone.")
    @app_commands.describe(enabled="On: never leave for being idle. Off: leave after the idle timeout")
    async def always_on(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self.bot.store.set_always_on(self._guild_id(interaction), enabled)
        await reply_privately(interaction, text("replies.always_on" if enabled else "replies.always_off",
                                                private_locale(interaction)))

    @app_commands.command(name="idle-timeout", description="How long to wait before leaving an idle channel.")
    @app_commands.describe(seconds="30 to 86400")
    async def idle_timeout(self, interaction: discord.Interaction, seconds: int) -> None:
        settings = await self.bot.store.set_idle_timeout(self._guild_id(interaction), seconds)
        await reply_privately(interaction, text("replies.idle_timeout_set", private_locale(interaction),
                                                seconds=settings.idle_timeout_s))

    # -- autoplay --
    @app_commands.command(name="autoplay", description="Whether new sessions start with autoplay on.")
    @app_commands.describe(enabled="On: new sessions keep playing related tracks when their queue runs out")
    async def autoplay(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self.bot.store.set_autoplay_default(self._guild_id(interaction), enabled)
        key = "autoplay.default_on" if enabled else "autoplay.default_off"
        await reply_privately(interaction, text(key, private_locale(interaction)))
