"""Deterministic, pure track catalogue for the fake Lavalink.

The same query always yields the same tracks. A track's ``encoded`` string is the urlsafe base64 of the
JSON of its ``info`` dict, so it can be decoded back without any server state.

Query conventions (case-insensitive), for the sources the node has (``sources.py``):

* a search prefix (``ytsearch:``, ``scsearch:``, ``spsearch:``…) → ``search`` with 20 tracks from that source;
  without that source → ``empty``, as Lavalink answers when no source manager claims the identifier;
* an ``http(s)://`` URL containing ``playlist`` or ``list=`` → ``playlist`` with 12 tracks;
* any other ``http(s)://`` URL → ``track``; a URL of a site whose source is missing → ``error`` "Unknown file
  format." when the node has the http source (it fetched a web page), else ``empty``;
* a bare word → ``empty`` (no source claims it: clients add a search prefix);
* a query containing ``nothing`` → ``empty``; containing ``error`` → ``error``;
* a query containing ``live`` yields stream tracks (``isStream`` true, not seekable), and so does an http(s)
  link of the http source that looks like a radio (``stream``, ``radio``, ``icecast``, a playlist file);
* a query containing ``short`` yields 5-second tracks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Collection
from typing import Any

from azura_sandbox.fake_lavalink.sources import DEFAULT_SOURCES, SEARCH_PREFIXES, source_of_url

_ARTISTS: list[str] = [
    "The Velvet Lanterns", "Mira Solano", "Northbound Echo", "Kasimir & The Tides", "Luna Okafor",
    "Glass Harbour", "Dario Venn", "Saffron Skies", "The Paper Comets", "Ingrid Hale",
    "Midnight Arcade", "Tomás Reyes", "Coral Static", "Yuki Amano", "Brass Monarchs", "Elowen Frost",
]
_ADJECTIVES: list[str] = [
    "Golden", "Electric", "Quiet", "Broken", "Endless", "Silver", "Neon", "Falling", "Wild", "Hollow",
    "Crimson", "Gentle", "Restless", "Distant", "Burning", "Paper",
]
_NOUNS: list[str] = [
    "Hearts", "Skyline", "River", "Summer", "Radio", "Highway", "Satellites", "Garden", "Horizon",
    "Letters", "Thunder", "Lights", "Echoes", "Tides", "Mornings", "Stars",
]
_SUFFIXES: list[str] = ["", "", "", " (Live)", " (Remastered)", " (Acoustic)", " - Radio Edit", " (feat. Nova)"]

MIN_LENGTH_MS = 120_000
MAX_LENGTH_MS = 360_000
SHORT_LENGTH_MS = 5_000
STREAM_LENGTH_MS = 9_223_372_036_854_775_807  # Lavalink reports Long.MAX_VALUE for streams
SEARCH_RESULTS = 20  # about what a YouTube search answers (the picker shows the top 10)
_STREAM_WORDS = ("stream", "radio", "icecast", ".m3u", ".pls")
PLAYLIST_SIZE = 12


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _identifier(digest: bytes) -> str:
    """An 11-character YouTube-like identifier derived from the digest."""
    return base64.urlsafe_b64encode(digest[:9]).decode().rstrip("=")[:11]


def encode_info(info: dict[str, Any]) -> str:
    """Encode a track info dict to the fake's opaque ``encoded`` string."""
    raw = json.dumps(info, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_track(encoded: str) -> dict[str, Any] | None:
    """Decode an ``encoded`` string back into a full track dict, or ``None`` if it is not ours."""
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        info = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        return None
    if not isinstance(info, dict) or "identifier" not in info or "length" not in info:
        return None
    return {"encoded": encoded, "info": info, "pluginInfo": {}, "userData": {}}


def make_track(query: str, index: int, source: str = "youtube") -> dict[str, Any]:
    """Build the ``index``-th track for ``query``: a Lavalink v4 track object."""
    lowered = query.lower()
    digest = _digest(source, query, str(index))
    identifier = _identifier(digest)
    artist = _ARTISTS[digest[9] % len(_ARTISTS)]
    title = (
        f"{_ADJECTIVES[digest[10] % len(_ADJECTIVES)]} {_NOUNS[digest[11] % len(_NOUNS)]}"
        f"{_SUFFIXES[digest[12] % len(_SUFFIXES)]}"
    )
    # a live query, or a radio/Icecast link through the http source: Lavalink marks both isStream
    is_stream = "live" in lowered or (source == "http" and any(w in lowered for w in _STREAM_WORDS))
    if is_stream:
        length = STREAM_LENGTH_MS
        title = f"{title} - 24/7 Live Radio"
    elif "short" in lowered:
        length = SHORT_LENGTH_MS
    else:
        span = MAX_LENGTH_MS - MIN_LENGTH_MS
        length = MIN_LENGTH_MS + int.from_bytes(digest[13:17], "big") % (span // 1000) * 1000
    if source == "soundcloud":
        uri = f"https://soundcloud.com/{artist.lower().replace(' ', '-')}/{identifier.lower()}"
        artwork = f"https://i1.sndcdn.com/artworks-{identifier}-t500x500.jpg"
    elif source == "spotify":
        uri = f"https://open.spotify.com/track/{identifier}"
        artwork = f"https://i.scdn.co/image/{identifier}"
    elif source == "http":
        uri, artwork = query, None
    else:
        uri = f"https://www.youtube.com/watch?v={identifier}"
        artwork = f"https://i.ytimg.com/vi/{identifier}/maxresdefault.jpg"
    info: dict[str, Any] = {
        "identifier": identifier,
        "isSeekable": not is_stream,
        "author": artist,
        "length": length,
        "isStream": is_stream,
        "position": 0,
        "title": title,
        "uri": uri,
        "artworkUrl": artwork,
        "isrc": None if is_stream else f"US{digest[17] % 90 + 10}{int.from_bytes(digest[18:21], 'big'):07d}"[:12],
        "sourceName": source,
    }
    return {"encoded": encode_info(info), "info": info, "pluginInfo": {}, "userData": {}}


EMPTY: dict[str, Any] = {"loadType": "empty", "data": {}}


def _failure(message: str, cause: str) -> dict[str, Any]:
    return {
        "loadType": "error",
        "data": {
            "message": message,
            "severity": "common",
            "cause": f"com.sedmelluq.discord.lavaplayer.tools.FriendlyException: {cause}",
        },
    }


def load_tracks(identifier: str, sources: Collection[str] = DEFAULT_SOURCES) -> dict[str, Any]:
    """Resolve a ``loadtracks`` identifier into a Lavalink v4 load result, with the node's *sources*."""
    query = identifier.strip()
    lowered = query.lower()
    for prefix, source in SEARCH_PREFIXES.items():
        if lowered.startswith(prefix):
            return _search(query[len(prefix):].strip(), source) if source in sources else dict(EMPTY)
    if lowered.startswith(("http://", "https://")):
        source = source_of_url(lowered)
        if source in sources:
            return _load_url(query, source)
        if "http" in sources:
            return _failure("Unknown file format.", "Unknown file format.")
        return dict(EMPTY)
    return dict(EMPTY)  # a bare word: no source manager claims it


def _search(terms: str, source: str) -> dict[str, Any]:
    lowered = terms.lower()
    if "error" in lowered:
        return _failure("Something went wrong while looking up the track.", "fake failure")
    if not terms or "nothing" in lowered:
        return dict(EMPTY)
    return {"loadType": "search", "data": [make_track(terms, i, source) for i in range(SEARCH_RESULTS)]}


def _load_url(query: str, source: str) -> dict[str, Any]:
    lowered = query.lower()
    if "error" in lowered:
        return _failure("Something went wrong while looking up the track.", "fake failure")
    if "nothing" in lowered:
        return dict(EMPTY)
    if "playlist" in lowered or "list=" in lowered:
        digest = _digest("playlist", query)
        name = f"{_ADJECTIVES[digest[0] % len(_ADJECTIVES)]} {_NOUNS[digest[1] % len(_NOUNS)]} Mix"
        return {
            "loadType": "playlist",
            "data": {
                "info": {"name": name, "selectedTrack": -1},
                "pluginInfo": {},
                "tracks": [make_track(query, i, source) for i in range(PLAYLIST_SIZE)],
            },
        }
    return {"loadType": "track", "data": make_track(query, 0, source)}
