"""The LavaLyrics plugin's REST API, as the fake Lavalink answers it (topi314/LavaLyrics, also served by LavaSrc).

- ``GET /v4/lyrics?track=<encoded>&skipTrackSource=<bool>``: the lyrics of an encoded track.
- ``GET /v4/sessions/{sessionId}/players/{guildId}/track/lyrics?skipTrackSource=<bool>``: of the player's current
  track; 404 when it plays nothing.

Both answer 200 with a Lyrics object ``{sourceName, provider, text, lines: [{timestamp, duration, line,
plugin}], plugin}`` (synced lyrics: ``lines`` with timestamps, ``text`` null; plain lyrics: ``text``, no lines)
or 204 when none were found. Which catalogue tracks have which is decided by their identifier
(``lyrics_kind``), so it is the same on every node and in the tests. A node without the plugin (the default,
as a stock Lavalink; ``lyrics_plugin = True`` adds it) has no such routes: Lavalink's 404.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from aiohttp import web

from azura_sandbox.fake_lavalink import catalogue
from azura_sandbox.fake_lavalink.core import LavalinkCore
from azura_sandbox.fake_lavalink.model import LavalinkError

__all__ = ["LYRICS_PLUGIN", "LyricsApi", "LyricsKind", "lyrics_kind", "lyrics_of"]

LYRICS_PLUGIN = {"name": "lavalyrics-plugin", "version": "1.1.0"}
LyricsKind = Literal["synced", "plain", "none"]
LINES = 24
_WORDS = ("we", "run", "under", "neon", "rain", "tonight", "hold", "the", "light", "till", "morning", "calls",
          "your", "echo", "on", "the", "highway", "home")


def lyrics_kind(info: dict[str, Any]) -> LyricsKind:
    """Which lyrics a track has: a third synced, a third plain, a third none (streams never have any)."""
    if info.get("isStream"):
        return "none"
    kinds: tuple[LyricsKind, ...] = ("synced", "plain", "none")
    return kinds[hashlib.sha256(str(info.get("identifier", "")).encode()).digest()[0] % 3]


def _line(identifier: str, index: int) -> str:
    digest = hashlib.sha256(f"{identifier}\x1f{index}".encode()).digest()
    return " ".join(_WORDS[b % len(_WORDS)] for b in digest[: 3 + digest[5] % 4]).capitalize()


def lyrics_of(info: dict[str, Any]) -> dict[str, Any] | None:
    """The Lyrics object of a track, or None when it has none."""
    kind = lyrics_kind(info)
    if kind == "none":
        return None
    identifier = str(info["identifier"])
    texts = [f"{index + 1}. {_line(identifier, index)}" for index in range(LINES)]
    source = str(info.get("sourceName") or "youtube")
    if kind == "plain":
        return {"sourceName": source, "provider": "Genius", "text": "\n".join(texts), "lines": [], "plugin": {}}
    step = max(1, int(info["length"]) // LINES)
    lines = [{"timestamp": i * step, "duration": step, "line": text, "plugin": {}} for i, text in enumerate(texts)]
    return {"sourceName": source, "provider": "MusixMatch", "text": None, "lines": lines, "plugin": {}}


def _answer(info: dict[str, Any]) -> web.Response:
    found = lyrics_of(info)
    return web.Response(status=204) if found is None else web.json_response(found)


class LyricsApi(LavalinkCore):
    """The lyrics routes (see the module's docstring)."""

    # The node has the LavaLyrics plugin (listed in /v4/info). Off, as on a stock Lavalink, the routes answer
    # Lavalink's 404; the sandbox turns it on.
    lyrics_plugin = False

    def _require_plugin(self) -> None:
        if not self.lyrics_plugin:
            raise LavalinkError(404, "Not Found")

    async def _track_lyrics(self, request: web.Request) -> web.Response:
        self._require_plugin()
        encoded = request.query.get("track")
        if not encoded:
            raise LavalinkError(400, "Required parameter 'track' is not present")
        track = catalogue.decode_track(encoded)
        if track is None:
            raise LavalinkError(400, "Failed to decode track")
        return _answer(track["info"])

    async def _player_lyrics(self, request: web.Request) -> web.Response:
        self._require_plugin()
        player = self._session(request).players.get(self._guild(request))
        if player is None or player.track is None:
            raise LavalinkError(404, "Not currently playing anything")
        return _answer(player.track["info"])
