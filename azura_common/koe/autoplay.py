"""Autoplay's decisions: what to ask Lavalink for when a session's queue runs out, and which of the answers may
play. Pure: no I/O (the Lavalink calls are ``local.autoplay``'s).

Related tracks come from the seed's own source first (a YouTube mix, Spotify recommendations through LavaSrc),
else from a search on its artist. None of them may be one of the session's last ``RECENT_TRACKS`` tracks (nor
the same song twice in one batch), and each is marked as requested by autoplay, a requester id no Discord user
has, so the mark crosses the wire and the records with the track itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from .session import Track

__all__ = [
    "AUTOPLAY_REQUESTER_ID",
    "RECENT_TRACKS",
    "RELATED_BATCH",
    "RelatedQuery",
    "is_autoplay",
    "pick_related",
    "related_queries",
    "same_song_keys",
]

AUTOPLAY_REQUESTER_ID: Final = 1
"""The requester of autoplayed tracks: Discord ids are snowflakes (far above 2**22), so no user has this one."""

RECENT_TRACKS: Final = 50
"""Autoplay never picks one of the session's last this many tracks."""

RELATED_BATCH: Final = 3
"""Related tracks queued each time the queue runs out: a few, so the next ones follow the newest seed."""


def is_autoplay(track: Track) -> bool:
    """Whether autoplay, not a user, queued ``track``."""
    return track.requester_id == AUTOPLAY_REQUESTER_ID


@dataclass(frozen=True, slots=True)
class RelatedQuery:
    """One lookup: ``text`` loaded ``as_is`` (a link, LavaSrc's ``sprec:``), or searched as plain words."""

    text: str
    as_is: bool


def related_queries(seed: Track) -> tuple[RelatedQuery, ...]:
    """What to ask for tracks related to ``seed``, best first: its source's recommendations (YouTube's mix of
    the video, Spotify's recommendations through LavaSrc), then a search on its artist."""
    queries: list[RelatedQuery] = []
    identifier = seed.identifier.strip()
    if identifier and seed.source == "youtube":
        queries.append(RelatedQuery(f"https://www.youtube.com/watch?v={identifier}&list=RD{identifier}", True))
    elif identifier and seed.source == "spotify":
        queries.append(RelatedQuery(f"sprec:seed_tracks={identifier}", True))
    artist = seed.author.strip()
    if artist:
        queries.append(RelatedQuery(artist, False))
    return tuple(queries)


def same_song_keys(track: Track) -> tuple[str, ...]:
    """What makes two tracks the same song for autoplay: the same source and id, the same link, or the same
    title by the same artist (another upload of it)."""
    keys = [f"title:{track.title.strip().casefold()}\x1f{track.author.strip().casefold()}"]
    if track.identifier:
        keys.append(f"id:{track.source}\x1f{track.identifier}")
    if track.uri:
        keys.append(f"uri:{track.uri}")
    return tuple(keys)


def pick_related(
    candidates: Iterable[Track],
    history: Sequence[Track],
    *,
    batch: int = RELATED_BATCH,
    recent: int = RECENT_TRACKS,
) -> tuple[Track, ...]:
    """Up to ``batch`` of ``candidates`` (in their order) that are none of the last ``recent`` tracks of
    ``history`` (the session's queue, oldest first) and no song twice; streams are left out (a related live
    stream would never end, so autoplay would stop there). Each is marked as requested by autoplay, untrimmed."""
    seen: set[str] = set()
    for track in history[-recent:] if recent > 0 else ():
        seen.update(same_song_keys(track))
    picked: list[Track] = []
    for track in candidates:
        if len(picked) >= batch:
            break
        keys = same_song_keys(track)
        if track.is_stream or seen.intersection(keys):
            continue
        seen.update(keys)
        picked.append(replace(track, requester_id=AUTOPLAY_REQUESTER_ID, start_ms=0, end_ms=None))
    return tuple(picked)
