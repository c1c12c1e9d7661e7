"""The Session protocol and the plain data it speaks.

A Session is one voice channel's music: a queue plus a player. ``LocalSession`` implements it on this
process's Lavalink player, ``RemoteSession`` forwards every call to the child that holds the matching
``LocalSession``. Both speak only the types below, so callers never know which one they hold.
Nothing here imports discord, wavelink or grpc.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .effects import NO_EFFECTS, Effects

if TYPE_CHECKING:
    from .records import SessionRecord

__all__ = [
    "ASKED",
    "MAX_VOLUME",
    "CloseReason",
    "Ending",
    "EnqueueMode",
    "EnqueueResult",
    "QueueItem",
    "QueuePage",
    "RemoveAbsent",
    "RemoveRange",
    "RemoveRequester",
    "RemoveTarget",
    "RepeatMode",
    "Session",
    "SessionState",
    "Track",
]


MAX_VOLUME = 1000
"""The loudest a session plays (Lavalink's own limit; 100 is unchanged)."""


class EnqueueMode(enum.Enum):
    """Where newly enqueued tracks go."""

    FIFO = "fifo"  # after everything upcoming
    LIFO = "lifo"  # play next, in the order given
    RANDOM = "random"  # each track at a random upcoming slot
    INTERLACE = "interlace"  # fair between requesters


class CloseReason(enum.Enum):
    """Why a session ended. Set where the end arises and carried as is (on the wire as
    ``azura.koe.v1.CloseReason``), so nobody has to guess it back from words meant for people."""

    DISCONNECT = "disconnect requested"  # asked for: /leave, a failed /play, the parent tearing down
    BUTTON = "leave pressed"  # a user pressed stop/leave on the now-playing message
    IDLE = "idle"  # nobody listened, or nothing played, for the idle timeout
    KICKED = "kicked"  # someone took the bot out of its channel (a kick, a move)
    CHANNEL_DELETED = "channel deleted"
    LAVALINK_LOST = "lavalink lost"  # the Lavalink node went away and did not come back in time
    SHUTDOWN = "shutdown"  # the bot playing it is shutting down
    CHILD_LOST = "child lost"  # the bot playing it no longer holds it (restarted, gone)
    MOVED = "moved to another bot"  # failover or a planned stop: another bot carries on


@dataclass(frozen=True, slots=True)
class Ending:
    """A session's end: the machine-readable ``reason`` and, for people, an optional ``detail``."""

    reason: CloseReason
    detail: str = ""

    def __str__(self) -> str:
        return self.detail or self.reason.value


ASKED = Ending(CloseReason.DISCONNECT)
"""The default end: someone asked for it."""


class RepeatMode(enum.Enum):
    NONE = "none"
    ONE = "one"  # the current track again and again
    ALL = "all"  # back to the first track after the last


@dataclass(frozen=True, slots=True)
class Track:
    """A resolved, playable track as it sits in a queue.

    ``encoded`` is Lavalink's opaque track blob: tracks travel resolved, so whoever plays them never
    searches again. ``start_ms``/``end_ms`` trim the entry (``end_ms`` None plays to the end).
    """

    encoded: str
    title: str
    author: str = ""
    uri: str = ""
    length_ms: int = 0
    identifier: str = ""
    source: str = ""
    artwork_url: str = ""
    is_stream: bool = False
    requester_id: int = 0
    start_ms: int = 0
    end_ms: int | None = None

    @property
    def play_length_ms(self) -> int:
        """How long this entry plays once its trims are applied."""
        end = self.length_ms if self.end_ms is None else min(self.end_ms, self.length_ms)
        return max(0, end - self.start_ms)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A track with its 1-based absolute queue position (history included)."""

    position: int
    track: Track


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of a queue. ``items`` hold absolute positions so pages can be stitched together."""

    items: tuple[QueueItem, ...]
    total: int  # entries in the whole queue, history included
    current_position: int  # 1-based position of the current track; 0 when nothing is current
    offset: int  # 0-based index of the first item of this page in the whole queue


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """Where the new tracks landed and whether playback started because of them."""

    positions: tuple[int, ...]
    started: bool
    total: int


@dataclass(frozen=True, slots=True)
class SessionState:
    """What a user sees of a session at one instant."""

    guild_id: int
    channel_id: int
    bot_id: int
    text_channel_id: int | None = None
    connected: bool = False
    current: Track | None = None
    current_position: int = 0  # 1-based absolute position; 0 when nothing is current
    position_ms: int = 0  # playback position inside the current track
    paused: bool = False
    volume: int = 100
    repeat: RepeatMode = RepeatMode.NONE
    total: int = 0  # entries in the queue, history included
    upcoming: int = 0  # entries after the current one
    effects: Effects = NO_EFFECTS  # the session's audio effects (kept across tracks)
    # -- autoplay --
    autoplay: bool = False  # related tracks are queued when the queue runs out


@dataclass(frozen=True, slots=True)
class RemoveRange:
    """Remove positions ``start``..``end`` inclusive (1-based, absolute); no ``end``: just ``start``."""

    start: int
    end: int | None = None


@dataclass(frozen=True, slots=True)
class RemoveRequester:
    """Remove every upcoming track requested by ``user_id``."""

    user_id: int


@dataclass(frozen=True, slots=True)
class RemoveAbsent:
    """Remove every upcoming track whose requester is not among ``present_ids`` (members still listening)."""

    present_ids: frozenset[int] = field(default_factory=frozenset)


RemoveTarget = RemoveRange | RemoveRequester | RemoveAbsent


@runtime_checkable
class Session(Protocol):
    """One voice channel's music. Every method may raise a ``KoeError`` and then changes nothing.

    Each method maps to exactly one RPC of ``azura.koe.v1.KoeSession`` (snake_case → CamelCase);
    a parity test keeps the two in step.
    """

    @property
    def guild_id(self) -> int: ...

    @property
    def channel_id(self) -> int: ...

    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        """Join the voice channel (idempotent); remember where to post now-playing messages and which role
        may use the DJ buttons there."""
        ...

    async def restore(self, record: SessionRecord) -> SessionState:
        """Join the voice channel and carry on from ``record`` (failover, restart): the same queue, the same
        track at the recorded position plus the time played since, the same volume, repeat and pause."""
        ...

    async def disconnect(self, ending: Ending = ASKED) -> None:
        """Stop, leave the voice channel and end the session, saying why."""
        ...

    async def enqueue(
        self,
        tracks: Sequence[Track],
        mode: EnqueueMode = EnqueueMode.FIFO,
        position: int | None = None,
    ) -> EnqueueResult:
        """Add tracks (``position`` overrides ``mode``); starts playback when nothing is playing."""
        ...

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        """Skip ``by`` tracks (negative goes back) or, when ``to`` is given, jump to that position."""
        ...

    async def back(self, by: int = 1) -> SessionState:
        """Go back ``by`` tracks in the history."""
        ...

    async def pause(self) -> SessionState: ...

    async def resume(self) -> SessionState: ...

    async def stop(self) -> SessionState:
        """Stop playback and clear what is upcoming; history stays, the bot stays connected."""
        ...

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        """Seek inside the current track; ``relative`` moves by ``position_ms`` (may be negative)."""
        ...

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        """Set the volume (0–MAX_VOLUME, 100 is unchanged) or, ``relative``, change it by ``volume``."""
        ...

    async def set_repeat(self, mode: RepeatMode) -> SessionState: ...

    # -- effects --
    async def set_effects(self, effects: Effects) -> SessionState:
        """Replace the session's audio effects (``NO_EFFECTS`` clears them); they stay across tracks."""
        ...

    async def shuffle(self) -> SessionState:
        """Shuffle the upcoming tracks only."""
        ...

    # -- autoplay --
    async def set_autoplay(self, enabled: bool) -> SessionState:
        """Turn autoplay on or off: when the queue runs out, related tracks are queued (``koe.autoplay``)."""
        ...

    async def move(self, from_position: int, to_position: int) -> SessionState:
        """Move one upcoming entry to another upcoming position."""
        ...

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        """Remove entries; returns what was removed."""
        ...

    async def clear(self) -> SessionState:
        """Remove every upcoming track; the current one keeps playing."""
        ...

    async def get_state(self) -> SessionState: ...

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        """A page of the whole queue, history included, ``offset`` 0-based."""
        ...
