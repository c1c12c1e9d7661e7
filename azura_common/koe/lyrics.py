"""Lyrics of a track as the LavaLyrics plugin (or LavaSrc) answers them, and which line is sung when. Pure: the
HTTP call is ``local.lyrics``'s.

The plugin's Lyrics object is ``{sourceName, provider, text, lines: [{timestamp, duration, line, plugin}],
plugin}``: synced lyrics have ``lines`` with timestamps (ms from the track's start), plain ones only ``text``.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import KoeError

__all__ = ["LYRICS_PAGE", "Lyrics", "LyricsLine", "LyricsNotFound", "LyricsUnavailable", "lyrics_from_json"]

LYRICS_PAGE = 15
"""Lines per page of /lyrics."""


class LyricsUnavailable(KoeError):
    """The music server has no lyrics plugin (LavaLyrics or LavaSrc): its lyrics routes answer 404."""

    kind = "lyrics_unavailable"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "This music server has no lyrics plugin (LavaLyrics or LavaSrc), so I can't show lyrics."


class LyricsNotFound(KoeError):
    """The lyrics plugin found no lyrics for the track."""

    kind = "lyrics_not_found"
    status = "NOT_FOUND"

    def default_message(self) -> str:
        return "I couldn't find lyrics for this track."


@dataclass(frozen=True, slots=True)
class LyricsLine:
    timestamp_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class Lyrics:
    """One track's lyrics: ``lines`` (synced: each with its start) or plain ``text`` split into lines."""

    lines: tuple[LyricsLine, ...]
    synced: bool
    provider: str = ""
    source: str = ""

    def current_index(self, position_ms: int) -> int | None:
        """The index of the line sung at ``position_ms`` (synced only; None before the first line)."""
        if not self.synced or not self.lines:
            return None
        starts = [line.timestamp_ms for line in self.lines]
        index = bisect.bisect_right(starts, position_ms) - 1
        return index if index >= 0 else None

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.lines) // LYRICS_PAGE))

    def page_lines(self, page: int) -> tuple[int, tuple[LyricsLine, ...]]:
        """Page ``page`` (1-based, clamped to the pages there are): its first line's index and its lines."""
        page = min(max(1, page), self.pages)
        start = (page - 1) * LYRICS_PAGE
        return start, self.lines[start:start + LYRICS_PAGE]

    def page_of(self, index: int | None) -> int:
        """The page holding line ``index`` (the first page when there is none)."""
        return 1 if index is None else index // LYRICS_PAGE + 1


def lyrics_from_json(data: Mapping[str, Any]) -> Lyrics | None:
    """The plugin's Lyrics object as ``Lyrics``; None when it holds no words at all."""
    raw_lines = data.get("lines") or []
    timed = [
        LyricsLine(int(item.get("timestamp") or 0), str(item.get("line") or ""))
        for item in raw_lines
        if isinstance(item, Mapping)
    ]
    provider, source = str(data.get("provider") or ""), str(data.get("sourceName") or "")
    if any(line.text.strip() for line in timed):
        timed.sort(key=lambda line: line.timestamp_ms)
        return Lyrics(tuple(timed), synced=True, provider=provider, source=source)
    text = str(data.get("text") or "")
    plain = tuple(LyricsLine(0, line) for line in text.splitlines())
    if not any(line.text.strip() for line in plain):
        return None
    return Lyrics(plain, synced=False, provider=provider, source=source)
