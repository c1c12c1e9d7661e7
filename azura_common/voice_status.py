"""The line under a voice channel's name (its "voice channel status"): the track the bot plays there.

Each bot runs one ``VoiceStatus`` over the sessions it plays itself (the parent its own, each child its own),
hooked where its now-playing board is: ``poke`` on every track change, ``ending`` when a session ends while its bot
is still in the channel (``LocalSession``'s ``on_ending``, before it leaves), ``ended`` once it is gone. The status
is set with ``PUT /channels/{id}/voice-status`` (discord.py's HTTP client, with a timeout) only when the bot may:
Set Voice Channel Status there and connected to that channel (clearing after leaving needs Manage Channels too,
as Discord has it, which is why ``ending`` clears it before the bot leaves; ``ended`` retries what that missed).
The same status is never sent twice, and a burst of changes becomes one request. A refusal
(403) is logged once per channel and never raised: the music plays on without a status.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from .koe.errors import KoeError
from .koe.koe import Koe
from .koe.local.session import LocalSession
from .koe.session import Session, SessionState
from .rules.text import shorten
from .supervised import Supervised

__all__ = ["STATUS_CHARS", "VoiceStatus", "status_text"]

log = logging.getLogger(__name__)

STATUS_CHARS = 500  # Discord's maxLength of a voice channel status
REQUEST_TIMEOUT_S = 5.0
COALESCE_S = 0.2


def status_text(state: SessionState) -> str | None:
    """The status for a session: its current track ("♪ title — author"), None when nothing plays."""
    track = state.current
    if track is None:
        return None
    by = f" — {track.author}" if track.author else ""
    return shorten(f"♪ {track.title}{by}", STATUS_CHARS)


class VoiceStatus:
    """One bot's voice channel statuses, kept to the track each of its sessions plays."""

    def __init__(self, client: discord.Client, koe: Koe, *, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        self.client = client
        self.koe = koe
        self.timeout_s = timeout_s
        self._shown: dict[int, str] = {}  # voice channel id → the status this bot set there
        self._pending: set[int] = set()  # channels whose status may have changed
        self._ended: set[int] = set()  # channels whose session ended: clear their status
        self._refused: set[int] = set()  # channels where a refusal was logged already
        self._sending = asyncio.Lock()  # one request at a time, so a clear is never overtaken by an older status
        self._wake = asyncio.Event()
        self._task = Supervised("voice-status", self._run)

    def start(self) -> None:
        self._task.start()

    async def close(self) -> None:
        await self._task.close()

    def poke(self, channel_id: int) -> None:
        """The session in ``channel_id`` may play something else now."""
        self._pending.add(channel_id)
        self._wake.set()

    async def ending(self, session: Session) -> None:
        """``session`` is ending and its bot is still connected there: clear the status now, which needs no
        Manage Channels yet (the session waits for this, at most one request's timeout, before it leaves)."""
        await self._show(session.channel_id, None)

    async def ended(self, session: Session, *_: object) -> None:
        """``session`` ended: its channel's status (if this bot set one and ``ending`` could not clear it) is
        cleared."""
        if session.channel_id in self._shown:
            self._ended.add(session.channel_id)
            self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, set()
            ended, self._ended = self._ended, set()
            for channel_id in ended:
                await self._show(channel_id, None)
            for channel_id in pending - ended:
                await self._show(channel_id, await self._wanted(channel_id))
            await asyncio.sleep(COALESCE_S)

    async def _wanted(self, channel_id: int) -> str | None:
        session = self.koe.get(channel_id)
        if session is None or self.koe.local_channel(session.guild_id) != channel_id:
            return None  # not this bot's session (a child plays it and sets its own status)
        try:
            return status_text(await session.get_state())
        except KoeError:
            return self._shown.get(channel_id)  # unknown now: leave what is shown

    async def _show(self, channel_id: int, status: str | None) -> None:
        async with self._sending:
            if status is not None and not self._live(channel_id):
                return  # looked up before its session began to end: outdated
            await self._send(channel_id, status)

    def _live(self, channel_id: int) -> bool:
        """Whether a session plays in ``channel_id`` that has not begun to end."""
        session = self.koe.get(channel_id)
        return session is not None and not (isinstance(session, LocalSession) and session.ended)

    async def _send(self, channel_id: int, status: str | None) -> None:
        if self._shown.get(channel_id) == status or (status is None and channel_id not in self._shown):
            return  # already shown: nothing spent of the rate limit
        if not self._allowed(channel_id):
            if status is None:
                self._shown.pop(channel_id, None)  # nothing more this bot can do about it
            return
        try:
            await asyncio.wait_for(
                self.client.http.edit_voice_channel_status(status, channel_id=channel_id), self.timeout_s
            )
        except discord.Forbidden as exc:
            self._say_refused(channel_id, str(exc))
            return
        except (discord.HTTPException, TimeoutError) as exc:
            log.warning("voice channel status of %s not set: %r", channel_id, exc)
            return
        if status is None:
            self._shown.pop(channel_id, None)
        else:
            self._shown[channel_id] = status

    def _allowed(self, channel_id: int) -> bool:
        """Whether Discord lets this bot set that channel's status, from the permissions it sent."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return False
        me = channel.guild.me
        if me is None:
            return True  # not known yet: Discord will say
        allowed = channel.permissions_for(me)
        connected = me.voice is not None and me.voice.channel is not None and me.voice.channel.id == channel_id
        if allowed.set_voice_channel_status and (connected or allowed.manage_channels):
            return True
        self._say_refused(channel_id, "no Set Voice Channel Status permission there" if connected
                          else "not connected there and no Manage Channels permission")
        return False

    def _say_refused(self, channel_id: int, why: str) -> None:
        if channel_id not in self._refused:
            self._refused.add(channel_id)
            log.warning("can't set the voice channel status of %s: %s; the music plays on without it", channel_id, why)
