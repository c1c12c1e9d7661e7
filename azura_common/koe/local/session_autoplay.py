"""A ``LocalSession``'s autoplay: when its queue runs out, related tracks play on. The lookup runs in the
background (``local.autoplay.AutoplayLookup``); what it finds is queued here, under the session's lock."""

from __future__ import annotations

from collections.abc import Sequence

from ..session import EnqueueMode, SessionState, Track
from .session_core import SessionCore

__all__ = ["SessionAutoplay"]


class SessionAutoplay(SessionCore):
    """The autoplay part of ``LocalSession``."""

    async def set_autoplay(self, enabled: bool) -> SessionState:
        async with self._lock:
            self._require_player()
            self.autoplay = enabled
            self._autoplay_if_ran_out()  # turned on after the queue ran out: start now
            self._changed("set_autoplay")
            return self._state()

    def _autoplay_if_ran_out(self) -> None:
        last = self.queue.tracks[-1] if self.queue.tracks else None
        if self.autoplay and self._autoplay is not None and last is not None and self.queue.current is None:
            self._autoplay.start(last, self.queue.tracks, self._queue_related)

    async def _queue_related(self, tracks: Sequence[Track]) -> None:
        """Autoplay found ``tracks``: they play, unless someone queued something meanwhile or turned it off."""
        async with self._lock:
            player = self._player
            if player is None or self._ended or not self.autoplay or self.queue.current is not None:
                return
            before = self.queue.checkpoint()
            self.queue.enqueue(tracks, EnqueueMode.FIFO, None)
            try:
                await self._play_current(player)
            except BaseException:
                self.queue.rollback(before)
                raise
            self._changed("enqueue")

    async def _stop_autoplay(self) -> None:
        """The session ends: a lookup still running is cancelled."""
        if self._autoplay is not None:
            await self._autoplay.cancel()
