"""The session record: everything a failover or a restart needs to bring a session back as it was.

A record is what the parent keeps for every session, whichever bot plays it: the resolved queue with
requesters and trims, where playback is (a position checkpoint with the wall-clock time it was taken),
paused/volume/repeat/effects, where the now-playing message is, and which bot and Lavalink session play it.
Pure data and arithmetic: no I/O, no discord, no grpc.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .effects import NO_EFFECTS, Effects
from .session import RepeatMode, Track

__all__ = ["MovedBoard", "SessionRecord", "now_ms", "record_from_json", "record_to_json"]


def now_ms() -> int:
    """Wall-clock milliseconds: records outlive processes, so they use the clock every process shares."""
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    guild_id: int
    channel_id: int
    bot_id: int = 0  # the bot playing it; 0 when none does (parked)
    text_channel_id: int | None = None
    dj_role_id: int | None = None
    tracks: tuple[Track, ...] = ()  # the whole queue, history included
    current_position: int = 0  # 1-based; 0 when nothing is current
    position_ms: int = 0  # inside the current track, as of ``checkpoint_ms``
    checkpoint_ms: int = field(default_factory=now_ms)
    paused: bool = False
    volume: int = 100
    repeat: RepeatMode = RepeatMode.NONE
    nowplaying_message_id: int | None = None
    lavalink_session_id: str = ""  # the playing bot's Lavalink session (to destroy a dead bot's player)
    updated_ms: int = field(default_factory=now_ms)
    effects: Effects = NO_EFFECTS  # the session's audio effects: a failover plays on with them
    autoplay: bool = False  # -- autoplay --: related tracks when the queue runs out

    @property
    def current(self) -> Track | None:
        if 1 <= self.current_position <= len(self.tracks):
            return self.tracks[self.current_position - 1]
        return None

    def position_at(self, at_ms: int) -> int:
        """Where playback is at ``at_ms``: the checkpoint plus the time played since (none while paused),
        never past the end of the current entry."""
        track = self.current
        if track is None:
            return 0
        position = self.position_ms + (0 if self.paused else max(0, at_ms - self.checkpoint_ms))
        if track.is_stream or not track.length_ms:
            return position
        return min(position, track.start_ms + track.play_length_ms)

    def with_tracks_of(self, earlier: SessionRecord) -> SessionRecord:
        """This record with ``earlier``'s queue (an update that left the unchanged queue out)."""
        return replace(self, tracks=earlier.tracks)


@dataclass(frozen=True, slots=True)
class MovedBoard:
    """A now-playing message a bot left behind for a session that moved to another bot: only its author may
    edit it, so it is told when it comes back."""

    text_channel_id: int
    message_id: int
    voice_channel_id: int
    now_bot_id: int


def record_to_json(record: SessionRecord) -> str:
    data = asdict(record)
    data["repeat"] = record.repeat.value
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def record_from_json(text: str) -> SessionRecord:
    data: dict[str, Any] = json.loads(text)
    data["repeat"] = RepeatMode(data["repeat"])
    data["tracks"] = tuple(Track(**t) for t in data["tracks"])
    data["effects"] = Effects(**data.get("effects", {}))  # records written before effects existed have none
    return SessionRecord(**data)
