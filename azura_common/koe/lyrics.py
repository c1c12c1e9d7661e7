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

__all__ = ["Lyrics", "LyricsLine", "LyricsUnavailable", "lyrics_from_json"]


class LyricsUnavailable(KoeError):
    """The music server has no lyrics plugin (LavaLyrics or LavaSrc): its lyrics routes answer 404."""

    kind = "lyrics_unavailable"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "This music server has no lyrics plugin (LavaLyrics or LavaSrc), so I can't show lyrics."


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
