"""A ``LocalSession``'s audio effects: Lavalink's filters, set by a command or carried over by a restore.
What an ``Effects`` means in filters is ``koe.effects``'s (pure)."""

from __future__ import annotations

from ..effects import Effects, check_effects, lavalink_filters
from ..session import SessionState
from .session_core import SessionCore
from .session_player import VoicePlayer

__all__ = ["SessionEffects"]


class SessionEffects(SessionCore):
    """The effects part of ``LocalSession``."""

    async def set_effects(self, effects: Effects) -> SessionState:
        check_effects(effects)
        async with self._lock:
            player = self._require_player()
            await player.apply_filters(lavalink_filters(effects))  # refused: the session keeps its old ones
            self._effects = effects
            self._changed("set_effects")
            return self._state()

    async def _restore_effects(self, player: VoicePlayer, effects: Effects) -> None:
        """A restored session's effects, put on ``player`` before its track, so that it starts with them."""
        if effects.active:
            await player.apply_filters(lavalink_filters(effects))
            self._effects = effects
