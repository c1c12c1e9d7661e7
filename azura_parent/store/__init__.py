"""What the parent bot remembers, in its database (SQLite, or PostgreSQL by ``DATABASE_URL``): settings and playlists.

- ``database``: opening and migrating the database, transactions (``Database``); ``sqlite`` and ``postgres`` are
  the two engines, ``url`` checks a ``DATABASE_URL``.
- ``settings``: per-user and per-guild settings (``SettingsStore``).
- ``playlists``: playlists of resolved tracks (``PlaylistStore``).
- ``records``: every session's record, for restoring it after a crash or a restart (``RecordStore``).
- ``logins``: the dashboard's logins, so a restart keeps them (``LoginStore``).

``Store`` is all four, over one database: what the bot holds.
"""

from .database import Database, DatabaseError
from .logins import LoginRow, LoginStore
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
    "LoginRow",
    "LoginStore",
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


class Store(SettingsStore, PlaylistStore, RecordStore, LoginStore):
    """Typed, transactional access to the parent bot's data: ``Store(db)``."""
