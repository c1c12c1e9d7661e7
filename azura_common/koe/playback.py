"""Where a seek lands and what a volume change gives: one rule for every kind of session.

A LocalSession applies the result to its player, a ParkedSession keeps it for when a bot plays it again;
both must refuse and clamp alike. Pure: no I/O.
"""

from __future__ import annotations

from ..render import format_duration
from .errors import InvalidArgument, NothingPlaying
from .session import MAX_VOLUME, Track

__all__ = ["seek_target", "volume_target"]


def seek_target(track: Track | None, now_ms: int, position_ms: int, relative: bool) -> int:
    """Where a seek to ``position_ms`` (or by it, ``relative``) from ``now_ms`` lands in ``track``.

    An absolute time outside the track is refused; a relative one stops at the track's trims."""
    if track is None:
        raise NothingPlaying()
    if track.is_stream:
        raise InvalidArgument(argument="position", key="streams.no_seek")
    target = now_ms + position_ms if relative else position_ms
    end = track.length_ms if track.end_ms is None else min(track.end_ms, track.length_ms)
    if not relative and not 0 <= target <= end:
        raise InvalidArgument(argument="position", key="koe.seek_outside_track",
                              params={"target": format_duration(target), "end": format_duration(end)})
    return max(track.start_ms, min(target, end))


def volume_target(current: int, volume: int, relative: bool) -> int:
    """The volume after setting ``volume`` (or changing by it, ``relative``): a relative change clamps to
    0–MAX_VOLUME, an absolute one outside it is refused."""
    if relative:
        return max(0, min(MAX_VOLUME, current + volume))
    if not 0 <= volume <= MAX_VOLUME:
        raise InvalidArgument(argument="volume", key="koe.volume_range", params={"max": MAX_VOLUME, "value": volume})
    return volume
