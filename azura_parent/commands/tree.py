"""The command tree with the one error handler: whatever a command (or one of its views) raises reaches the
user as one ephemeral message, and nothing else reaches users as an exception."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from azura_common.koe.errors import KoeError
from azura_common.replies import reply_privately

__all__ = ["AzuraTree", "error_message", "report_error"]

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong on my side; nothing was changed. Try again in a moment."


def error_message(error: Exception, where: str = "?") -> str:
    """What the user reads about ``error``: a KoeError's own sentence; a bug is logged and stays vague."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, KoeError):
        return str(original)
    if isinstance(original, app_commands.CheckFailure):
        return str(original) or "You can't use that here."
    if isinstance(original, app_commands.TransformerError):
        return f"{original.value!r} is not a valid value for that option."
    log.error("%s failed", where, exc_info=original)
    return SOMETHING_WENT_WRONG


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """Tell the invoking user what went wrong, privately, even after a public "thinking…"."""
    command = interaction.command
    where = f"command {command.qualified_name}" if command is not None else "interaction"
    await reply_privately(interaction, f"⚠️ {error_message(error, where)}")


class AzuraTree(app_commands.CommandTree[discord.Client]):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
