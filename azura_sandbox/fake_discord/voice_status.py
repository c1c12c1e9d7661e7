"""A voice channel's status (the line under its name): ``PUT /channels/{channel_id}/voice-status``, as Discord has it.

The body is ``{"status": str | null}`` (at most 500 characters; null or "" clears it). The bot needs
Set Voice Channel Status there, and Manage Channels as well when it is not connected to that channel. The new
status is kept on the channel and sent to the server's bots as ``VOICE_CHANNEL_STATUS_UPDATE``
(``{id, guild_id, status}``); the reply is 204. A bot leaving the channel leaves the status as it is: Discord's
API reference documents no clearing on a disconnect (only this route and the gateway event), so the fake clears
nothing by itself, and a bot without Manage Channels must clear its status before it leaves.
"""

from __future__ import annotations

import logging

from aiohttp import web

from .core import FakeDiscordCore, Ref
from .permissions import MANAGE_CHANNELS, SET_VOICE_CHANNEL_STATUS, VIEW_CHANNEL, has
from .replies import ApiError, invalid_field, missing_permissions, no_content, read_object, snowflake_param

__all__ = ["VOICE_STATUS_CHARS", "VoiceStatusApi"]

log = logging.getLogger(__name__)

VOICE_STATUS_CHARS = 500  # the spec's maxLength of ``status``


class VoiceStatusApi(FakeDiscordCore):
    """The voice-status route and its driver methods, mixed into ``FakeDiscord``."""

    async def _put_voice_status(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        channel = self._channel(snowflake_param(request, "channel_id"), bot, VIEW_CHANNEL | SET_VOICE_CHANNEL_STATUS)
        if not channel.is_voice:
            raise ApiError(400, "Cannot execute action on this channel type", 50024)
        body = await read_object(request)
        status = body.get("status")
        if status is not None and not isinstance(status, str):
            raise invalid_field("status", "BASE_TYPE_STRING", "Must be a string.")
        if status is not None and len(status) > VOICE_STATUS_CHARS:
            raise invalid_field("status", "BASE_TYPE_MAX_LENGTH", f"Must be {VOICE_STATUS_CHARS} or fewer in length.")
        state = self.world.guilds[channel.guild_id].voice_states.get(bot.user_id)
        connected = state is not None and state.channel_id == channel.id
        if not connected and not has(self.world.channel_permissions(channel, bot.user_id), MANAGE_CHANNELS):
            raise missing_permissions()
        channel.voice_status = status or None
        self.voice_status_updates += 1
        log.info("voice channel %s status set by %s: %r", channel.id, bot.user_id, channel.voice_status)
        await self.dispatch_guild(
            channel.guild_id, "VOICE_CHANNEL_STATUS_UPDATE",
            {"id": str(channel.id), "guild_id": str(channel.guild_id), "status": channel.voice_status}, channel.id,
        )
        return no_content()

    # ---- driver -------------------------------------------------------------------------------------

    voice_status_updates = 0  # every accepted PUT, for tests that check nothing is sent twice

    def voice_status(self, channel: Ref) -> str | None:
        """The status shown under a voice channel's name now (None: none)."""
        return self._channel_of(channel).voice_status

    def voice_status_count(self) -> int:
        """How many voice-status updates the fake accepted so far (from every bot)."""
        return self.voice_status_updates
