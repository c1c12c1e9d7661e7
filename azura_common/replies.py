"""The one way a bot answers only the person who acted: errors, refusals and private confirmations alike; and
the language each answer is written in (private: the user's Discord language; public: the server's)."""

from __future__ import annotations

import contextlib
import logging

import discord

__all__ = ["private_locale", "public_locale", "reply_privately"]

log = logging.getLogger(__name__)


def private_locale(interaction: discord.Interaction) -> str:
    """The language of a reply only the invoking user sees: their Discord client's (``interaction.locale``)."""
    return str(interaction.locale)


def public_locale(interaction: discord.Interaction) -> str:
    """The language of a message everyone in the channel reads: the server's preferred locale (the user's in DMs)."""
    return str(interaction.guild_locale or interaction.locale)


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
