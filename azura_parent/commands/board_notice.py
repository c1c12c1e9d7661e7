"""Whether the bot playing a session may post its now-playing message, and what to tell people when it may not.

The message is optional: the music plays without it. But a server that took Send Messages from a bot in the
music channel would otherwise see music with no message and no reason, so ``/play`` says what to fix. The
permissions are the ones Discord sent the parent (channel overwrites included), for whichever bot plays.
"""

from __future__ import annotations

import discord

from azura_common.koe.errors import KoeError
from azura_common.koe.session import SessionState

from .base import BotServices
from .voice import Voice

__all__ = ["BOARD_NEEDS", "board_notice", "board_refusal"]

BOARD_NEEDS = (("view_channel", "View Channel"), ("send_messages", "Send Messages"))


def board_refusal(guild: discord.Guild, state: SessionState) -> str | None:
    """What the bot playing ``state`` needs in the session's text channel to post there, or None when it may
    (or when this server's channel or that bot is unknown here)."""
    channel = guild.get_channel(state.text_channel_id) if state.text_channel_id else None
    bot = guild.get_member(state.bot_id)
    if channel is None or bot is None:
        return None
    allowed = channel.permissions_for(bot)
    missing = [label for flag, label in BOARD_NEEDS if not getattr(allowed, flag)]
    if not missing:
        return None
    return (f"I can't post in {channel.mention}: give {bot.display_name} {' and '.join(missing)} there. "
            "The music plays anyway; only its now-playing message is missing.")


async def board_notice(bot: BotServices, voice: Voice, text: str) -> str:
    """``text`` (a command's answer about the user's session), plus what to fix if its board can't be posted."""
    session = bot.koe.get(voice.channel.id)
    if session is None:
        return text
    try:
        state = await session.get_state()
    except KoeError:  # it ended meanwhile: nothing to post anyway
        return text
    refusal = board_refusal(voice.guild, state)
    return text if refusal is None else f"{text}\n⚠️ {refusal}"
