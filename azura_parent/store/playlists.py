"""Playlists of resolved tracks: per user, shared publicly or globally, with per-entry trims.

Every method is one transaction: a write either happens completely or not at all, and every failure is a
``KoeError`` whose message may be shown to a Discord user verbatim. Permission policy (who may make a
playlist global) belongs to the caller; the store only records what it is told.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal, cast

from azura_common.koe.errors import FieldValue, InvalidArgument, KoeError, PermissionDenied, QueueIndexError
from azura_common.koe.queue import validate_track
from azura_common.koe.session import Track

from .database import Connection, Tables

__all__ = [
    "AUTOCOMPLETE_LIMIT",
    "MAX_NAME_LENGTH",
    "MAX_PLAYLIST_ENTRIES",
    "Playlist",
    "PlaylistEntry",
    "PlaylistNotFound",
    "PlaylistPage",
    "PlaylistStore",
    "Visibility",
    "clean_name",
]

MAX_NAME_LENGTH: Final = 50
MAX_PLAYLIST_ENTRIES: Final = 5000
AUTOCOMPLETE_LIMIT: Final = 25

Visibility = Literal["private", "public", "global"]
VISIBILITIES: Final[tuple[Visibility, ...]] = ("private", "public", "global")

_ENTRY_COLUMNS: Final = (
    "position, encoded, title, author, uri, length_ms, identifier, source, artwork_url, is_stream, start_ms, end_ms"
)
_PLAYLIST_COLUMNS: Final = (
    "p.id, p.owner_id, p.name, p.visibility, p.created_at,"
    " (SELECT COUNT(*) FROM playlist_entries e WHERE e.playlist_id = p.id) AS size"
)


class PlaylistNotFound(KoeError):
    """No playlist by that name (for that owner)."""

    kind = "playlist_not_found"
    status = "NOT_FOUND"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "playlists.not_found", {}


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist's header. Its entries come from ``Store.entries`` (paged) or ``Store.tracks`` (all)."""

    id: int
    owner_id: int
    name: str
    visibility: Visibility
    created_at: datetime  # UTC
    size: int  # number of entries


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    """One entry: its 1-based position and its track (trims applied, ``requester_id`` 0)."""

    position: int
    track: Track


@dataclass(frozen=True, slots=True)
class PlaylistPage:
    playlist: Playlist
    items: tuple[PlaylistEntry, ...]
    total: int  # entries in the whole playlist
    offset: int  # 0-based index of the first item of this page


# -- validation --------------------------------------------------------------------------------------------


def _display(name: str) -> str:
    """A user-typed name with its whitespace normalised, as names are stored."""
    return " ".join(name.split())


def _name_key(name: str) -> str:
    """What makes two names the same: normalised whitespace, NFKC, case-folded."""
    return unicodedata.normalize("NFKC", _display(name)).casefold()


def clean_name(name: str) -> str:
    """The playlist name as stored (surrounding whitespace stripped), or InvalidArgument."""
    cleaned = _display(name)
    if not cleaned:
        raise InvalidArgument(argument="name", key="playlists.name_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidArgument(argument="name", key="playlists.name_too_long", params={"max": MAX_NAME_LENGTH})
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidArgument(argument="name", key="playlists.name_control")
    return cleaned


def _clean_visibility(visibility: str) -> Visibility:
    if visibility not in VISIBILITIES:
        raise InvalidArgument(argument="visibility", key="playlists.visibility_unknown",
                              params={"names": ", ".join(VISIBILITIES), "value": repr(visibility)})
    return visibility


def _entry_index_error(position: int, total: int, name: str) -> QueueIndexError:
    if total == 0:
        key = "playlists.entry_of_empty"
    elif position < 1:
        key = "playlists.entry_before_start"
    else:
        key = "playlists.entry_past_end_one" if total == 1 else "playlists.entry_past_end"
    return QueueIndexError(position, total, key=key, params={"position": position, "name": name, "total": total})


def _row_to_playlist(row: Any) -> Playlist:
    return Playlist(
        id=int(row["id"]),
        owner_id=int(row["owner_id"]),
        name=str(row["name"]),
        visibility=cast(Visibility, row["visibility"]),
        created_at=datetime.fromtimestamp(float(row["created_at"]), UTC),
        size=int(row["size"]),
    )


def _row_to_entry(row: Any) -> PlaylistEntry:
    return PlaylistEntry(
        position=int(row["position"]),
        track=Track(
            encoded=str(row["encoded"]),
            title=str(row["title"]),
            author=str(row["author"]),
            uri=str(row["uri"]),
            length_ms=int(row["length_ms"]),
            identifier=str(row["identifier"]),
            source=str(row["source"]),
            artwork_url=str(row["artwork_url"]),
            is_stream=bool(row["is_stream"]),
            requester_id=0,
            start_ms=int(row["start_ms"]),
            end_ms=None if row["end_ms"] is None else int(row["end_ms"]),
        ),
    )


class PlaylistStore(Tables):
    """The ``playlists`` and ``playlist_entries`` tables."""

    # -- playlists ----------------------------------------------------------------------------------------

    async def create_playlist(self, owner_id: int, name: str, visibility: str = "private") -> Playlist:
        cleaned = clean_name(name)
        vis = _clean_visibility(visibility)
        async with self._db.transaction() as conn:
            if await self._find_own(conn, owner_id, cleaned) is not None:
                raise InvalidArgument(argument="name", key="playlists.already_have", params={"name": cleaned})
            inserted = await conn.fetch_one(
                "INSERT INTO playlists (owner_id, name, name_key, visibility, created_at) VALUES (?, ?, ?, ?, ?)"
                " RETURNING id",
                (owner_id, cleaned, _name_key(cleaned), vis, float(self._clock())),
            )
            assert inserted is not None
            return await self._by_id(conn, int(inserted["id"]))

    async def delete_playlist(self, owner_id: int, name: str) -> Playlist:
        """Delete one of ``owner_id``'s playlists with all its entries; returns what was deleted."""
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, name)
            await conn.execute("DELETE FROM playlists WHERE id = ?", (playlist.id,))
        return playlist

    async def rename_playlist(self, owner_id: int, old: str, new: str) -> Playlist:
        cleaned = clean_name(new)
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, old)
            clash = await self._find_own(conn, owner_id, cleaned)
            if clash is not None and clash.id != playlist.id:
                raise InvalidArgument(argument="name", key="playlists.already_have", params={"name": clash.name})
            await conn.execute(
                "UPDATE playlists SET name = ?, name_key = ? WHERE id = ?", (cleaned, _name_key(cleaned), playlist.id)
            )
        return replace(playlist, name=cleaned)

    async def set_visibility(self, owner_id: int, name: str, visibility: str) -> Playlist:
        vis = _clean_visibility(visibility)
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, name)
            await conn.execute("UPDATE playlists SET visibility = ? WHERE id = ?", (vis, playlist.id))
        return replace(playlist, visibility=vis)

    async def get_playlist(self, owner_id: int, name: str) -> Playlist:
        async with self._db.read() as conn:
            return await self._own(conn, owner_id, name)

    async def get_playlist_by_id(self, playlist_id: int) -> Playlist:
        async with self._db.read() as conn:
            return await self._by_id(conn, playlist_id)

    async def find_playable(self, requester_id: int, name: str, owner_id: int | None = None) -> Playlist:
        """The playlist ``requester_id`` means by ``name``.

        With another ``owner_id``: that user's playlist, if it is public or global (private ones raise
        PermissionDenied). Without: the requester's own playlist, else a global one with that name.
        """
        async with self._db.read() as conn:
            if owner_id is not None and owner_id != requester_id:
                playlist = await self._find_own(conn, owner_id, name)
                if playlist is None:
                    raise PlaylistNotFound(key="playlists.user_has_none", params={"name": _display(name)})
                if playlist.visibility == "private":
                    raise PermissionDenied(key="playlists.private")
                return playlist
            own = await self._find_own(conn, requester_id, name)
            if own is not None:
                return own
            if owner_id is None:
                row = await conn.fetch_one(
                    f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p WHERE p.visibility = 'global' AND p.name_key = ?"
                    " ORDER BY p.created_at, p.id LIMIT 1",
                    (_name_key(name),),
                )
                if row is not None:
                    return _row_to_playlist(row)
        raise PlaylistNotFound(key="playlists.you_have_none", params={"name": _display(name)})

    async def list_playlists(self, owner_id: int) -> list[Playlist]:
        async with self._db.read() as conn:
            rows = await conn.fetch_all(
                f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p WHERE p.owner_id = ? ORDER BY p.name_key, p.id",
                (owner_id,),
            )
        return [_row_to_playlist(row) for row in rows]

    async def list_public(
        self, prefix: str = "", limit: int = AUTOCOMPLETE_LIMIT, *, owner_id: int | None = None
    ) -> list[Playlist]:
        """Public and global playlists whose name starts with ``prefix`` (any case); global ones first."""
        key = _name_key(prefix)
        sql = (
            f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p"
            " WHERE p.visibility IN ('public', 'global') AND substr(p.name_key, 1, ?) = ?"
        )
        params: list[object] = [len(key), key]
        if owner_id is not None:
            sql += " AND p.owner_id = ?"
            params.append(owner_id)
        sql += " ORDER BY p.visibility = 'global' DESC, p.name_key, p.id LIMIT ?"
        params.append(max(0, limit))
        async with self._db.read() as conn:
            rows = await conn.fetch_all(sql, params)
        return [_row_to_playlist(row) for row in rows]

    async def playlist_names(self, owner_id: int, prefix: str = "", limit: int = AUTOCOMPLETE_LIMIT) -> list[str]:
        """Names of ``owner_id``'s playlists starting with ``prefix`` (any case), for autocomplete."""
        key = _name_key(prefix)
        async with self._db.read() as conn:
            rows = await conn.fetch_all(
                "SELECT name FROM playlists WHERE owner_id = ? AND substr(name_key, 1, ?) = ?"
                " ORDER BY name_key, id LIMIT ?",
                (owner_id, len(key), key, max(0, limit)),
            )
        return [str(row["name"]) for row in rows]

    # -- entries ------------------------------------------------------------------------------------------

    async def add_entries(self, owner_id: int, name: str, tracks: Sequence[Track]) -> tuple[int, ...]:
        """Append ``tracks`` to the end of the playlist; returns their 1-based positions. All or nothing."""
        for track in tracks:
            validate_track(track)
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, name)
            if not tracks:
                return ()
            if playlist.size + len(tracks) > MAX_PLAYLIST_ENTRIES:
                room = MAX_PLAYLIST_ENTRIES - playlist.size
                raise InvalidArgument(argument="tracks", key="playlists.full_one" if len(tracks) == 1
                                      else "playlists.full", params={"max": MAX_PLAYLIST_ENTRIES,
                                                                     "name": playlist.name, "room": room,
                                                                     "count": len(tracks)})
            first = playlist.size + 1
            await conn.execute_many(
                f"INSERT INTO playlist_entries (playlist_id, {_ENTRY_COLUMNS}) VALUES (?{', ?' * 12})",
                [
                    (
                        playlist.id,
                        first + i,
                        t.encoded,
                        t.title,
                        t.author,
                        t.uri,
                        t.length_ms,
                        t.identifier,
                        t.source,
                        t.artwork_url,
                        int(t.is_stream),
                        t.start_ms,
                        t.end_ms,
                    )
                    for i, t in enumerate(tracks)
                ],
            )
        return tuple(range(first, first + len(tracks)))

    async def remove_entries(self, owner_id: int, name: str, start: int, end: int | None = None) -> list[Track]:
        """Remove positions ``start``..``end`` (inclusive; just ``start`` when ``end`` is None).

        The entries after them move up so positions stay 1..n. Returns the removed tracks.
        """
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, name)
            last = start if end is None else end
            total = playlist.size
            if not 1 <= start <= total:
                raise _entry_index_error(start, total, playlist.name)
            if last < start:
                raise InvalidArgument(argument="end", key="playlists.range_backwards",
                                      params={"last": last, "start": start})
            if last > total:
                raise _entry_index_error(last, total, playlist.name)
            rows = await conn.fetch_all(
                f"SELECT {_ENTRY_COLUMNS} FROM playlist_entries WHERE playlist_id = ? AND position BETWEEN ? AND ?"
                " ORDER BY position",
                (playlist.id, start, last),
            )
            await conn.execute(
                "DELETE FROM playlist_entries WHERE playlist_id = ? AND position BETWEEN ? AND ?",
                (playlist.id, start, last),
            )
            # Two steps through negative positions so the unique (playlist, position) index never clashes.
            removed = last - start + 1
            await conn.execute(
                "UPDATE playlist_entries SET position = -(position - ?) WHERE playlist_id = ? AND position > ?",
                (removed, playlist.id, last),
            )
            await conn.execute(
                "UPDATE playlist_entries SET position = -position WHERE playlist_id = ? AND position < 0",
                (playlist.id,),
            )
        return [_row_to_entry(row).track for row in rows]

    async def trim_entry(
        self, owner_id: int, name: str, position: int, start_ms: int = 0, end_ms: int | None = None
    ) -> Track:
        """Set the trims of one entry (``end_ms`` None plays to the end); returns the trimmed track."""
        async with self._db.transaction() as conn:
            playlist = await self._own(conn, owner_id, name)
            if not 1 <= position <= playlist.size:
                raise _entry_index_error(position, playlist.size, playlist.name)
            row = await conn.fetch_one(
                f"SELECT {_ENTRY_COLUMNS} FROM playlist_entries WHERE playlist_id = ? AND position = ?",
                (playlist.id, position),
            )
            trimmed = replace(_row_to_entry(row).track, start_ms=start_ms, end_ms=end_ms)
            validate_track(trimmed)
            await conn.execute(
                "UPDATE playlist_entries SET start_ms = ?, end_ms = ? WHERE playlist_id = ? AND position = ?",
                (start_ms, end_ms, playlist.id, position),
            )
        return trimmed

    async def entries(self, playlist: Playlist | int, offset: int = 0, limit: int = 10) -> PlaylistPage:
        """One page of a playlist (by header or id): ``limit`` entries from 0-based ``offset``."""
        if offset < 0:
            raise InvalidArgument(argument="offset", key="playlists.page_before_first")
        if limit < 0:
            raise InvalidArgument(argument="limit", key="playlists.page_negative")
        playlist_id = playlist.id if isinstance(playlist, Playlist) else playlist
        async with self._db.read() as conn:
            current = await self._by_id(conn, playlist_id)
            rows = await conn.fetch_all(
                f"SELECT {_ENTRY_COLUMNS} FROM playlist_entries WHERE playlist_id = ?"
                " ORDER BY position LIMIT ? OFFSET ?",
                (playlist_id, limit, offset),
            )
        return PlaylistPage(
            playlist=current, items=tuple(_row_to_entry(row) for row in rows), total=current.size, offset=offset
        )

    async def tracks(self, playlist: Playlist | int) -> list[Track]:
        """Every entry of a playlist in order, trims applied, ``requester_id`` 0 (the caller sets it)."""
        playlist_id = playlist.id if isinstance(playlist, Playlist) else playlist
        async with self._db.read() as conn:
            await self._by_id(conn, playlist_id)
            rows = await conn.fetch_all(
                f"SELECT {_ENTRY_COLUMNS} FROM playlist_entries WHERE playlist_id = ? ORDER BY position",
                (playlist_id,),
            )
        return [_row_to_entry(row).track for row in rows]

    # -- helpers (inside a transaction) --------------------------------------------------------------------

    async def _find_own(self, conn: Connection, owner_id: int, name: str) -> Playlist | None:
        row = await conn.fetch_one(
            f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p WHERE p.owner_id = ? AND p.name_key = ?",
            (owner_id, _name_key(name)),
        )
        return None if row is None else _row_to_playlist(row)

    async def _own(self, conn: Connection, owner_id: int, name: str) -> Playlist:
        playlist = await self._find_own(conn, owner_id, name)
        if playlist is None:
            raise PlaylistNotFound(key="playlists.you_have_none", params={"name": _display(name)})
        return playlist

    async def _by_id(self, conn: Connection, playlist_id: int) -> Playlist:
        row = await conn.fetch_one(f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p WHERE p.id = ?", (playlist_id,))
        if row is None:
            raise PlaylistNotFound(key="playlists.gone")
        return _row_to_playlist(row)
