"""Whether the bot playing a session may post its now-playing message, and what to tell people when it may not.

The message is optional: the music plays without it. But a server that took Send Messages from a bot in the
music channel would otherwise see music with no message and no reason, so ``/play`` says what to fix. The
permissions are the ones Discord sent the parent (channel overwrites included), for whichever bot plays.
"""

from __future__ import annotations

import discord

from azura_common.i18n import text
from azura_common.koe.errors import KoeError
from azura_common.koe.session import SessionState

from .base import BotServices
from .voice import Voice

__all__ = ["BOARD_NEEDS", "board_notice", "board_refusal"]

BOARD_NEEDS = ("view_channel", "send_messages")  # each named by the catalogue's music.permission_<flag>


def board_refusal(guild: discord.Guild, state: SessionState, locale: str | None = None) -> str | None:
    """What the bot playing ``state`` needs in the session's text channel to post there, or None when it may
    (or when this server's channel or that bot is unknown here); in the language of ``locale``."""
    channel = guild.get_channel(state.text_channel_id) if state.text_channel_id else None
    bot = guild.get_member(state.bot_id)
    if channel is None or bot is None:
        return None
    allowed = channel.permissions_for(bot)
    missing = [text(f"music.permission_{flag}", locale) for flag in BOARD_NEEDS if not getattr(allowed, flag)]
    if not missing:
        return None
    return text("music.board_refused", locale, channel=channel.mention, bot=bot.display_name,
                permissions=text("music.and", locale).join(missing))


async def board_notice(bot: BotServices, voice: Voice, answer: str) -> str:
    """``answer`` (a command's answer about the user's session), plus what to fix if its board can't be posted
    (in the server's language, as the answer is public)."""
    session = bot.koe.get(voice.channel.id)
    if session is None:
        return answer
    try:
        state = await session.get_state()
    except KoeError:  # it ended meanwhile: nothing to post anyway
        return answer
    refusal = board_refusal(voice.guild, state, voice.public_locale)
    return answer if refusal is None else f"{answer}\n⚠️ {refusal}"
