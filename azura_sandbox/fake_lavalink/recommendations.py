"""Related tracks for autoplay, as the fake Lavalink answers them. Pure and deterministic: no I/O, no state.

A YouTube mix (``https://www.youtube.com/watch?v=<id>&list=RD<id>``, the youtube-source plugin) and LavaSrc's
Spotify recommendations (``sprec:seed_tracks=<id>[,<id>…]``) both load as a ``playlist`` of ``MIX_SIZE`` tracks
drawn from one "radio" pool per source: the seed itself first when it is one of the pool (a real mix starts with
its seed video), then the pool from a place the seed decides. Mixes of different seeds overlap, as real ones
do, so whoever plays them must skip what already played. ``sprec:`` without the spotify source (no LavaSrc)
answers ``empty``, as Lavalink does for an identifier no source claims.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from typing import Any

from azura_sandbox.fake_lavalink.catalogue import EMPTY, make_track

__all__ = ["MIX_SIZE", "RADIO_SIZE", "load_recommendations", "radio_pool"]

RADIO_SIZE = 24
MIX_SIZE = 8
_MIX = re.compile(r"^https?://(?:www\.|music\.)?youtube\.com/watch\?v=([\w-]+)&list=RD([\w-]+)$", re.IGNORECASE)
_SPREC = re.compile(r"^sprec:seed_tracks=([\w,]+)$", re.IGNORECASE)


def radio_pool(source: str) -> list[dict[str, Any]]:
    """The tracks every mix of ``source`` draws from."""
    return [make_track("autoplay radio", index, source) for index in range(RADIO_SIZE)]


def _mix(seed_id: str, source: str, name: str) -> dict[str, Any]:
    pool = radio_pool(source)
    first = [t for t in pool if t["info"]["identifier"] == seed_id]
    start = hashlib.sha256(f"{source}\x1f{seed_id}".encode()).digest()[0] % RADIO_SIZE
    rest = [t for t in pool[start:] + pool[:start] if t["info"]["identifier"] != seed_id]
    tracks = (first + rest)[:MIX_SIZE]
    return {
        "loadType": "playlist",
        "data": {"info": {"name": name, "selectedTrack": 0 if first else -1}, "pluginInfo": {}, "tracks": tracks},
    }


def load_recommendations(identifier: str, sources: Collection[str]) -> dict[str, Any] | None:
    """The load result of a mix link or a ``sprec:`` identifier; None when ``identifier`` is neither."""
    query = identifier.strip()
    mix = _MIX.match(query)
    if mix is not None:
        if "youtube" not in sources:
            return None  # another site's URL as far as this node knows: the catalogue answers it
        return _mix(mix.group(1), "youtube", f"Mix - {mix.group(1)}")
    sprec = _SPREC.match(query)
    if sprec is not None:
        if "spotify" not in sources:
            return dict(EMPTY)
        return _mix(sprec.group(1).split(",")[0], "spotify", "Spotify Recommendations")
    return None
