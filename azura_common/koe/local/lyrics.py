"""Asking a Lavalink node for a track's lyrics through the LavaLyrics plugin's REST API (LavaSrc serves the same):
``GET /v4/lyrics?track=<encoded>&skipTrackSource=false``. The track travels as its encoded blob, so any node
answers for any session's track, whichever bot plays it.

200 is the Lyrics object, 204 means none were found, 404 means the node has no such route: no lyrics plugin.
"""

from __future__ import annotations

import logging
from typing import Protocol

import aiohttp

from ..errors import MusicServerDown, TrackLoadFailed
from ..lyrics import Lyrics, LyricsUnavailable, lyrics_from_json

__all__ = ["LYRICS_TIMEOUT_S", "LyricsNode", "fetch_lyrics"]

log = logging.getLogger(__name__)

LYRICS_TIMEOUT_S = 10.0  # a lyrics provider behind the plugin may be slow; a user waits for this at most


class LyricsNode(Protocol):
    """Where a Lavalink node is (wavelink's Node has both)."""

    @property
    def uri(self) -> str: ...

    @property
    def password(self) -> str: ...


async def fetch_lyrics(node: LyricsNode, encoded: str, *, timeout_s: float = LYRICS_TIMEOUT_S) -> Lyrics | None:
    """The lyrics of the encoded track, None when the plugin found none. ``LyricsUnavailable`` when the node has no
    lyrics plugin, ``MusicServerDown`` when it does not answer in time."""
    url = f"{node.uri.rstrip('/')}/v4/lyrics"
    params = {"track": encoded, "skipTrackSource": "false"}
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(
            url, params=params, headers={"Authorization": node.password}
        ) as response:
            if response.status == 204:
                return None
            if response.status == 404:
                raise LyricsUnavailable()
            if response.status != 200:
                log.warning("lyrics: %s answered %s: %s", url, response.status, (await response.text())[:200])
                raise TrackLoadFailed(key="lyrics.lookup_failed")
            data = await response.json()
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.warning("lyrics: %s unreachable: %r", url, exc)
        raise MusicServerDown(key="lyrics.server_slow") from exc
    return lyrics_from_json(data) if isinstance(data, dict) else None
