"""The LavaSrc plugin of the fake Lavalink: Spotify, Apple Music and Deezer links and searches. Pure: no I/O.

LavaSrc claims ``open.spotify.com/{track,album,playlist}/…``, ``music.apple.com/…/{song,album,playlist}/…``
(an album link with ``?i=`` is one song), ``deezer.com/…/{track,album,playlist}/…`` and the prefixes
``spsearch:``, ``amsearch:``, ``dzsearch:``. It answers with tracks of its own ``sourceName`` whose ``uri`` is
the service's link (it resolves them to playable audio later, by ISRC), a ``playlist`` result with LavaSrc's
``pluginInfo`` (type, url, author, totalTracks) for albums and playlists. A node without the source leaves
the identifier to the built-in sources (``catalogue.load_tracks``), as a real Lavalink without the plugin does.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from azura_sandbox.fake_lavalink.catalogue import PLAYLIST_SIZE, SEARCH_RESULTS, encode_info, make_track

__all__ = ["LAVASRC_SOURCES", "load_lavasrc"]

LAVASRC_SOURCES = ("spotify", "applemusic", "deezer")
"""The source managers LavaSrc adds: give a FakeLavalink these among its ``sources`` to have the plugin."""

_PREFIXES = {"spsearch:": "spotify", "amsearch:": "applemusic", "dzsearch:": "deezer"}
_LINKS = (
    (re.compile(r"^https?://open\.spotify\.com/(?:intl-[a-z]{2}/)?(track|album|playlist)/([A-Za-z0-9]+)", re.I),
     "spotify"),
    (re.compile(r"^https?://music\.apple\.com/(?:[a-z]{2}/)?(song|album|playlist)/(?:[^/?]+/)?([^/?]+)", re.I),
     "applemusic"),
    (re.compile(r"^https?://(?:www\.)?deezer\.com/(?:[a-z]{2}/)?(track|album|playlist)/(\d+)", re.I), "deezer"),
)
_TRACK_LINKS = {
    "spotify": "https://open.spotify.com/track/{id}",
    "applemusic": "https://music.apple.com/us/song/{id}",
    "deezer": "https://www.deezer.com/track/{id}",
}
ALBUM_SIZE = 10


def load_lavasrc(identifier: str, sources: Collection[str]) -> dict[str, Any] | None:
    """The load result when LavaSrc (with the service's source among ``sources``) claims ``identifier``; None
    when it does not (not a LavaSrc identifier, or that source is off)."""
    query = identifier.strip()
    lowered = query.lower()
    for prefix, source in _PREFIXES.items():
        if lowered.startswith(prefix):
            return _search(query[len(prefix):].strip(), source) if source in sources else None
    for pattern, source in _LINKS:
        match = pattern.match(query)
        if match is not None and source in sources:
            return _link(query, source, match.group(1).lower(), match.group(2))
    return None


def _track(seed: str, index: int, source: str) -> dict[str, Any]:
    """The catalogue's track for ``seed``, as LavaSrc shows it: the service's own link and plugin info."""
    info = dict(make_track(seed, index, source)["info"])
    info["uri"] = _TRACK_LINKS[source].format(id=info["identifier"])
    plugin = {"albumName": None, "albumUrl": None, "artistUrl": None, "artistArtworkUrl": None,
              "previewUrl": None, "isPreview": False}
    return {"encoded": encode_info(info), "info": info, "pluginInfo": plugin, "userData": {}}


def _search(terms: str, source: str) -> dict[str, Any]:
    if not terms or "nothing" in terms.lower():
        return {"loadType": "empty", "data": {}}
    return {"loadType": "search", "data": [_track(terms, i, source) for i in range(SEARCH_RESULTS)]}


def _link(url: str, source: str, kind: str, ident: str) -> dict[str, Any]:
    if "nothing" in url.lower():
        return {"loadType": "empty", "data": {}}
    single = kind in ("track", "song") or (source == "applemusic" and "?i=" in url)
    if single:
        return {"loadType": "track", "data": _track(url, 0, source)}
    size = ALBUM_SIZE if kind == "album" else PLAYLIST_SIZE
    tracks = [_track(url, i, source) for i in range(size)]
    name = f"{'Album' if kind == 'album' else 'Playlist'} {ident[:12]}"
    return {
        "loadType": "playlist",
        "data": {
            "info": {"name": name, "selectedTrack": -1},
            "pluginInfo": {"type": kind, "url": url, "artworkUrl": None,
                           "author": tracks[0]["info"]["author"], "totalTracks": size},
            "tracks": tracks,
        },
    }
