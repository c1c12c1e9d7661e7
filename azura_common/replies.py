"""The one way a bot answers only the person who acted: errors, refusals and private confirmations alike."""

from __future__ import annotations

import contextlib
import logging

import discord

__all__ = ["reply_privately"]

log = logging.getLogger(__name__)


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Show ``text`` to the invoking user only, whatever was answered before.

    Not answered yet: an ephemeral reply. After a "thinking…" defer the placeholder is removed first: the
    first followup would otherwise take the placeholder's place and be public if it was. After a button's
    silent defer: an ephemeral followup. Mentions never ping. A reply that cannot be delivered (the
    interaction expired) is logged, not raised: there is nobody left to tell."""
    quiet = discord.AllowedMentions.none()
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)
            return
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=quiet)
    except discord.HTTPException as exc:
        log.warning("could not answer %s privately: %s", interaction.user.id, exc)
