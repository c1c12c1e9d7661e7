"""Which Lavalink search prefixes Azura tries for plain words, and what to tell a user when none can answer.

A stock Lavalink v4 has no YouTube source (the built-in one is deprecated; the youtube-source plugin replaces
it), and Spotify, Apple Music and Deezer come with the LavaSrc plugin. A prefix whose source the node lacks is
answered ``empty``, exactly like a search that found nothing, so only the node's ``/v4/info`` tells the two
apart. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SEARCH_SOURCES",
    "empty_search_message",
    "is_direct",
    "parse_search_sources",
]

DEFAULT_SEARCH_SOURCES = ("ytsearch", "scsearch")


@dataclass(frozen=True, slots=True)
class _Source:
    manager: str  # the name in /v4/info sourceManagers
    label: str  # what people call it
    fix: str  # how to get it


_YOUTUBE = _Source("youtube", "YouTube", "add the youtube plugin")
_LAVASRC = "add the LavaSrc plugin"
_PREFIXES: dict[str, _Source] = {
    "ytsearch": _YOUTUBE,
    "ytmsearch": _YOUTUBE,
    "scsearch": _Source("soundcloud", "SoundCloud", "enable soundcloud in Lavalink's application.yml"),
    "spsearch": _Source("spotify", "Spotify", _LAVASRC),
    "amsearch": _Source("applemusic", "Apple Music", _LAVASRC),
    "dzsearch": _Source("deezer", "Deezer", _LAVASRC),
}
_PREFIX = re.compile(r"^[a-z][a-z0-9]*$")
_EXPLICIT = re.compile(r"^[a-z]{2,}search:", re.IGNORECASE)  # "scsearch:waves": the user chose the source


def parse_search_sources(text: str) -> tuple[str, ...]:
    """``"ytsearch, scsearch:"`` → ``("ytsearch", "scsearch")``; ValueError naming a malformed entry or none."""
    prefixes: list[str] = []
    for entry in text.split(","):
        prefix = entry.strip().lower().removesuffix(":")
        if not prefix:
            continue
        if not _PREFIX.match(prefix):
            raise ValueError(f"{entry.strip()!r} is not a Lavalink search prefix (like ytsearch or scsearch)")
        prefixes.append(prefix)
    if not prefixes:
        raise ValueError("at least one Lavalink search prefix is needed, e.g. ytsearch,scsearch")
    return tuple(dict.fromkeys(prefixes))


def is_direct(query: str) -> bool:
    """A link, or a query that names its source (``scsearch:waves``): Lavalink loads it as it is."""
    return query.lower().startswith(("http://", "https://")) or bool(_EXPLICIT.match(query))


def empty_search_message(query: str, prefixes: Iterable[str], source_managers: Collection[str] | None) -> str:
    """What to tell someone whose plain words ``prefixes`` all answered empty, given the node's source managers
    (None: unknown). A missing source is named with its fix ("Lavalink has no YouTube source: add the youtube
    plugin, see README …"); when no prefix has its source, that is all there is to say."""
    nothing = f"Nothing found for {query!r}. Try other words or a link."
    if source_managers is None:
        return nothing
    tried = list(prefixes)
    missing: dict[str, _Source] = {}
    for prefix in tried:
        source = _PREFIXES.get(prefix)
        if source is not None and source.manager not in source_managers:
            missing.setdefault(source.manager, source)
    if not missing:
        return nothing
    labels = " or ".join(source.label for source in missing.values())
    fixes = "; ".join(dict.fromkeys(source.fix for source in missing.values()))
    hint = f"Lavalink has no {labels} source: {fixes}, see README (Lavalink sources)."
    searchable = [p for p in tried if p not in _PREFIXES or _PREFIXES[p].manager not in missing]
    return f"{nothing} {hint}" if searchable else hint
