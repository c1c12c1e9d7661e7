"""A session played by this process: ``LocalSession`` and the wavelink adapter it plays through.

- ``session``: ``LocalSession`` (the Session protocol on a ``VoicePlayer``; no wavelink).
- ``player``: the wavelink adapter: ``KoePlayer``, track conversion, Lavalink calls with friendly errors.
- ``lavalink``: this process's ``Lavalink``: the node, searches, several nodes in turn.
- ``node``: wavelink's node and websocket, reconnected by the keeper instead of by wavelink.
- ``keeper``: ``LinkKeeper``: notices a lost Lavalink at once, reconnects, replays sessions (no wavelink).
"""

from .lavalink import Lavalink, SearchResult
from .player import (
    KoePlayer,
    joining,
    note_player_update,
    session_of,
    track_from_playable,
)
from .session import LocalSession, PlayerConnector, SessionEnded, VoicePlayer

__all__ = [
    "KoePlayer",
    "Lavalink",
    "LocalSession",
    "PlayerConnector",
    "SearchResult",
    "SessionEnded",
    "VoicePlayer",
    "joining",
    "note_player_update",
    "session_of",
    "track_from_playable",
]
