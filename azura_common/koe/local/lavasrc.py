"""Which queries need the LavaSrc plugin (Spotify, Apple Music and Deezer links and searches), and whether a
node's ``/v4/info`` says it can load them. Pure: no I/O.

Without LavaSrc a Spotify link is just a web page to Lavalink (its http source answers "Unknown file format")
and ``spsearch:`` answers empty, so neither tells the user what is missing: Azura asks the node first.
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = ["SERVICE_NAMES", "lavasrc_source", "serves"]

SERVICE_NAMES = {"spotify": "Spotify", "applemusic": "Apple Music", "deezer": "Deezer"}
"""LavaSrc's source managers (as ``/v4/info`` names them) and what people call them."""

_PREFIXES = {"spsearch:": "spotify", "sprec:": "spotify", "amsearch:": "applemusic", "dzsearch:": "deezer",
             "dzisrc:": "deezer", "dzrec:": "deezer"}
# The link shapes LavaSrc claims (track, album, playlist, artist; Spotify's intl-xx/ locale prefix too).
_LINKS = (
    (re.compile(r"^https?://(?:open|play)\.spotify\.com/(?:intl-[a-z]{2}/)?(?:track|album|playlist|artist)/",
                re.IGNORECASE), "spotify"),
    (re.compile(r"^https?://music\.apple\.com/(?:[a-z]{2}/)?(?:album|playlist|song|artist)/", re.IGNORECASE),
     "applemusic"),
    (re.compile(r"^https?://(?:www\.)?deezer\.com/(?:[a-z]{2}/)?(?:track|album|playlist|artist)/", re.IGNORECASE),
     "deezer"),
)


def lavasrc_source(query: str) -> str | None:
    """The LavaSrc source manager a query needs (``"spotify"``…), or None when it needs none of them."""
    text = query.strip()
    lowered = text.lower()
    for prefix, source in _PREFIXES.items():
        if lowered.startswith(prefix):
            return source
    return next((source for pattern, source in _LINKS if pattern.match(text)), None)


def serves(source: str, source_managers: Collection[str]) -> bool:
    """Whether a node with these ``/v4/info`` source managers loads ``source``'s links (LavaSrc registers one
    source manager per service it was configured for, so the plugin alone is not enough)."""
    return source in source_managers
