"""What a ``LocalSession`` drives: the ``VoicePlayer`` protocol and the ``PlayerConnector`` that joins one.

The player is anything that speaks ``VoicePlayer`` (``local.player.KoePlayer`` on wavelink), so the session
modules never import wavelink.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..session import Track

if TYPE_CHECKING:
    from .session import LocalSession

__all__ = ["PlayerConnector", "VoicePlayer"]


class VoicePlayer(Protocol):
    """A connected voice player, as a LocalSession drives it. Failures raise the KoeError a user reads."""

    session: LocalSession | None  # who drives it: the bot routes the player's events there

    @property
    def connected(self) -> bool: ...

    @property
    def position(self) -> int:
        """Milliseconds into the current track, estimated between the server's reports."""
        ...

    @property
    def lavalink_session_id(self) -> str:
        """The Lavalink session this player lives in (recorded, so another process can destroy it)."""
        ...

    async def play_track(self, track: Track, *, volume: int, paused: bool, start_ms: int | None = None) -> None:
        """Play ``track`` from ``start_ms`` (default: its start trim)."""
        ...

    async def seek_to(self, position_ms: int) -> None: ...

    async def set_paused(self, paused: bool) -> None: ...

    async def change_volume(self, volume: int) -> None: ...

    async def stop_track(self) -> None: ...

    async def apply_filters(self, filters: dict[str, Any]) -> None:
        """Set Lavalink's filters (a v4 ``filters`` object; {} clears them), kept for every later track."""
        ...

    async def replay(self, track: Track | None, *, volume: int, paused: bool, start_ms: int) -> None:
        """Put the player on a Lavalink session that lost it (a restart): voice, then ``track`` from
        ``start_ms`` with that volume and pause. Works while commands are still refused."""
        ...

    async def leave(self) -> None:
        """Leave voice, best effort (never raises)."""
        ...


PlayerConnector = Callable[[int, int], Awaitable[VoicePlayer]]
"""Joins voice channel ``(guild_id, channel_id)`` and returns the connected player."""
