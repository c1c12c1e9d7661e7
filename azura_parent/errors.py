"""Errors only the parent's commands raise; the Koe ones live in azura_common.koe.errors."""

from __future__ import annotations

import contextlib
import logging

import discord

from azura_common.koe.errors import KoeError

__all__ = ["NotInVoice", "tell_error"]

log = logging.getLogger(__name__)


class NotInVoice(KoeError):
    kind = "not_in_voice"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "You're not in a voice channel. Join one first."


async def tell_error(interaction: discord.Interaction, message: str) -> None:
    """Show ``message`` to the invoking user only. A deferred ("thinking…") reply is removed first, so
    the error is ephemeral even after a defer."""
    try:
        if interaction.response.is_done():
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
            await interaction.followup.send(f"⚠️ {message}", ephemeral=True)
        else:
            await interaction.response.send_message(f"⚠️ {message}", ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not report an error to the user: %s", exc)
