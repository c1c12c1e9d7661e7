"""``/settings …``: each user's own preferences (where their tracks go, their volume step)."""

from __future__ import annotations

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.replies import private_locale, reply_privately

from .base import MODE_CHOICES, BotServices

__all__ = ["SettingsCommands"]


class SettingsCommands(app_commands.Group, name="settings", description="Your own preferences"):
    def __init__(self, bot: BotServices) -> None:
        super().__init__()
        self.bot = bot

    @app_commands.command(name="mode", description="Where your /play puts tracks by default.")
    @app_commands.describe(mode="fifo (end), lifo (next), random, interlace (fair between listeners)")
    @app_commands.choices(mode=MODE_CHOICES)
    async def mode(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        settings = await self.bot.store.set_enqueue_mode(interaction.user.id, mode.value)
        await reply_privately(interaction, text("replies.mode_set", private_locale(interaction),
                                                mode=settings.enqueue_mode))

    @app_commands.command(name="volume-step", description="How much /volume + and - change the volume.")
    @app_commands.describe(step="1 to 100")
    async def volume_step(self, interaction: discord.Interaction, step: int) -> None:
        settings = await self.bot.store.set_volume_step(interaction.user.id, step)
        await reply_privately(interaction, text("replies.volume_step_set", private_locale(interaction),
                                                step=settings.volume_step))

    @app_commands.command(name="show", description="Show your preferences.")
    async def show(self, interaction: discord.Interaction) -> None:
        s = await self.bot.store.get_user_settings(interaction.user.id)
        locale = private_locale(interaction)
        last = f"{s.last_volume}%" if s.last_volume is not None else text("replies.not_set", locale)
        await reply_privately(
            interaction, text("replies.settings_shown", locale, mode=s.enqueue_mode, step=s.volume_step, last=last)
        )
