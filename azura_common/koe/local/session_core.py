"""What every part of a ``LocalSession`` shares: its state and the steps its commands are made of.

``LocalSession`` (``local.session``) is assembled from one class per concept (``session_record``,
``session_effects``, ``session_autoplay``); each builds on ``SessionCore``, whose state ``LocalSession.__init__``
sets.
"""

from __future__ import annotations

import asyncio
import random

from ..effects import Effects
from ..errors import NoSession
from ..queue import Queue
from ..session import SessionState
from .autoplay import AutoplayLookup
from .session_player import VoicePlayer

__all__ = ["SessionCore"]


class SessionCore:
    """One voice channel's session state, and the steps shared by its commands."""

    _guild_id: int
    _channel_id: int
    _bot_id: int
    _rng: random.Random | None
    queue: Queue
    _player: VoicePlayer | None
    _text_channel_id: int | None
    _paused: bool
    _volume: int
    _effects: Effects
    _lock: asyncio.Lock
    _ended: bool
    dj_role_id: int | None
    nowplaying_message_id: int | None
    autoplay: bool
    _autoplay: AutoplayLookup | None

    # ``LocalSession``'s: they hand the session itself (a ``LocalSession``) to the player and the owner.
    async def _join(self) -> VoicePlayer:
        """Join the channel (if not in it yet) and return the player."""
        raise NotImplementedError

    def _changed(self, what: str) -> None:
        """Tell the owner the session changed (``what``: the command or event)."""
        raise NotImplementedError

    def _require_player(self) -> VoicePlayer:
        # An ended (or never connected) session is no session at all: the same NoSession a child answers
        # for a channel it does not hold, so Local and Remote sessions fail alike.
        if self._ended or self._player is None:
            raise NoSession()
        return self._player

    async def _play_or_restore(self, player: VoicePlayer, before: int) -> None:
        # A failed Lavalink call must leave the queue as it was: the command "changes nothing".
        try:
            if self.queue.current is None:
                await player.stop_track()
            else:
                await self._play_current(player)
        except BaseException:
            self.queue.restore(before)
            raise

    async def _play_current(self, player: VoicePlayer) -> None:
        track = self.queue.current
        if track is None:
            return
        await player.play_track(track, volume=self._volume, paused=self._paused)

    def _position_ms(self) -> int:
        """Where the current track is (0: none playing)."""
        player = self._player
        return player.position if (player is not None and self.queue.current is not None) else 0

    def _state(self, position_ms: int | None = None) -> SessionState:
        player = self._player
        return SessionState(
            guild_id=self._guild_id,
            channel_id=self._channel_id,
            bot_id=self._bot_id,
            text_channel_id=self._text_channel_id,
            connected=player is not None and not self._ended,
            current=self.queue.current,
            current_position=self.queue.current_position,
            position_ms=self._position_ms() if position_ms is None else position_ms,
            paused=self._paused,
            volume=self._volume,
            repeat=self.queue.repeat,
            total=self.queue.total,
            upcoming=self.queue.upcoming_count,
            effects=self._effects,
            autoplay=self.autoplay,
        )
