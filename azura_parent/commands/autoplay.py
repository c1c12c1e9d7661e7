"""``/autoplay on|off``: whether the session of the user's voice channel keeps playing related tracks when its
queue runs out (the server's default for new sessions is ``/server autoplay``)."""

from __future__ import annotations

import discord
from discord import app_commands

from azura_common.i18n import text
from azura_common.koe.session import Session

from .base import SessionCommands
from .voice import Voice

__all__ = ["AutoplayCommands"]

ON_OFF_CHOICES = [app_commands.Choice(name=name, value=name) for name in ("on", "off")]


class AutoplayCommands(SessionCommands):
    @app_commands.command(name="autoplay", description="When the queue runs out, keep playing related tracks.")
    @app_commands.describe(mode="on: queue related tracks when the queue runs out; off: stop there")
    @app_commands.choices(mode=ON_OFF_CHOICES)
    async def autoplay(self, interaction: discord.Interaction, mode: app_commands.Choice[str]) -> None:
        enabled = mode.value == "on"  # the tree refuses any value but the two choices, with a friendly error

        async def work(voice: Voice, session: Session) -> str:
            await session.set_autoplay(enabled)
            return text("autoplay.on" if enabled else "autoplay.off", voice.public_locale)

        await self.run(interaction, work)
