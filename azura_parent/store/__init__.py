"""What the parent bot remembers, in its SQLite database: settings and playlists.

- ``database``: opening and migrating the file, transactions (``Database``).
- ``settings``: per-user and per-guild settings (``SettingsStore``).
- ``playlists``: playlists of resolved tracks (``PlaylistStore``).
- ``records``: every session's record, for restoring it after a crash or a restart (``RecordStore``).

``Store`` is all three, over one database: what the bot holds.
"""

from .database import Database, DatabaseError
from .playlists import (
    MAX_NAME_LENGTH,
    MAX_PLAYLIST_ENTRIES,
    Playlist,
    PlaylistEntry,
    PlaylistNotFound,
    PlaylistPage,
    PlaylistStore,
    Visibility,
    clean_name,
)
from .records import RecordStore
from .settings import GuildSettings, SettingsStore, UserSettings

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_PLAYLIST_ENTRIES",
    "Database",
    "DatabaseError",
    "GuildSettings",
    "Playlist",
    "PlaylistEntry",
    "PlaylistNotFound",
    "PlaylistPage",
    "PlaylistStore",
    "RecordStore",
    "SettingsStore",
    "Store",
    "UserSettings",
    "Visibility",
    "clean_name",
]


class Store(SettingsStore, PlaylistStore, RecordStore):
    """Typed, transactional access to the parent bot's data: ``Store(db)``."""
