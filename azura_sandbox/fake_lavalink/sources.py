"""Which audio sources the fake Lavalink has, and what ``/v4/info`` says about them. Pure: no I/O.

A real Lavalink v4 resolves an identifier by asking each registered source manager in turn; when none
claims it (``ytsearch:…`` without a YouTube source, a bare word, a Spotify link without LavaSrc) the answer
is ``{"loadType": "empty", "data": {}}`` (lavaplayer's "no matches"). A link to a site whose source is
missing is still an http(s) URL, so with the http source it is fetched and fails as an unknown format.
YouTube needs the youtube-source plugin (Lavalink's built-in YouTube source is deprecated and broken),
Spotify, Apple Music and Deezer need LavaSrc: those sources list their plugin in ``/v4/info``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DEFAULT_SOURCES",
    "KNOWN_SOURCES",
    "SEARCH_PREFIXES",
    "STOCK_SOURCES",
    "parse_sources",
    "plugins_for",
    "source_of_url",
]

KNOWN_SOURCES = (
    "youtube", "soundcloud", "bandcamp", "twitch", "vimeo", "http", "local", "spotify", "applemusic", "deezer",
)
# What the sandbox and the tests have always had: YouTube (by its plugin) and the built-in sources.
DEFAULT_SOURCES = ("youtube", "soundcloud", "bandcamp", "twitch", "vimeo", "http", "local")
# A stock Lavalink v4 with no plugins (its application.yml disables the deprecated YouTube source).
STOCK_SOURCES = ("soundcloud", "bandcamp", "twitch", "vimeo", "http")

SEARCH_PREFIXES: dict[str, str] = {
    "ytsearch:": "youtube",
    "ytmsearch:": "youtube",
    "scsearch:": "soundcloud",
    "spsearch:": "spotify",
    "amsearch:": "applemusic",
    "dzsearch:": "deezer",
}
_URL_SOURCES: dict[str, str] = {
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "soundcloud.com": "soundcloud",
    "spotify.com": "spotify",
    "music.apple.com": "applemusic",
    "deezer.com": "deezer",
    "bandcamp.com": "bandcamp",
    "twitch.tv": "twitch",
    "vimeo.com": "vimeo",
}
_PLUGINS: dict[str, tuple[str, str]] = {
    "youtube": ("youtube-plugin", "1.13.3"),
    "spotify": ("lavasrc-plugin", "4.7.2"),
    "applemusic": ("lavasrc-plugin", "4.7.2"),
    "deezer": ("lavasrc-plugin", "4.7.2"),
}


def parse_sources(text: str | Iterable[str]) -> tuple[str, ...]:
    """Source names from ``"youtube,soundcloud"`` or a list; unknown names raise ValueError."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = sorted(set(names) - set(KNOWN_SOURCES))
    if unknown:
        raise ValueError(f"unknown Lavalink source(s) {unknown}; known: {', '.join(KNOWN_SOURCES)}")
    return tuple(dict.fromkeys(names))


def plugins_for(sources: Iterable[str]) -> list[dict[str, str]]:
    """``/v4/info`` ``plugins``: one entry per plugin the sources need."""
    seen: dict[str, str] = {}
    for source in sources:
        if source in _PLUGINS:
            name, version = _PLUGINS[source]
            seen.setdefault(name, version)
    return [{"name": name, "version": version} for name, version in seen.items()]


def source_of_url(url: str) -> str:
    """The source that claims an http(s) URL (``http`` for any other site)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    for domain, source in _URL_SOURCES.items():
        if host == domain or host.endswith("." + domain):
            return source
    return "http"
