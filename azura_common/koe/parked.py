"""ParkedSession: a session that no bot plays right now, kept with its queue until one can.

When the bot playing a channel goes away and no other bot is free in that server, the session is parked
rather than lost: commands keep working on it (``/queue``, ``/nowplaying``, editing the queue, ``/leave``),
nothing plays, and the failover restores it on the first bot that frees up, from ``record()``. It is the
pure Queue plus the record's settings: no I/O, no discord, no grpc.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from .effects import Effects, check_effects
from .errors import AlreadyConnected, NothingPlaying
from .playback import seek_target, volume_target
from .queue import Queue
from .records import SessionRecord, now_ms
from .session import (
    ASKED,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueuePage,
    RemoveTarget,
    RepeatMode,
    SessionState,
    Track,
)

__all__ = ["ParkedSession"]


class ParkedSession:
    """Implements the Session protocol on a record while no bot plays it."""

    def __init__(self, record: SessionRecord, *, why: str = "") -> None:
        self._record = record
        self.from_bot = record.bot_id  # the bot that played it last
        self.why = why  # what happened to that bot, for the messages that say so
        current = record.current_position or len(record.tracks) + 1
        self.queue = Queue(record.tracks, current_position=current, repeat=record.repeat)
        # Nothing plays while parked: the position stays where playback was when the bot went away.
        self._position_ms = record.position_at(now_ms())
        self._paused = record.paused
        self._volume = record.volume
        self._effects = record.effects
        self._lock = asyncio.Lock()

    @property
    def guild_id(self) -> int:
        return self._record.guild_id

    @property
    def channel_id(self) -> int:
        return self._record.channel_id

    def record(self) -> SessionRecord:
        """The record to restore from: the queue as edited while parked, the position where it stopped."""
        return replace(
            self._record,
            bot_id=0,
            tracks=self.queue.tracks,
            current_position=self.queue.current_position,
            position_ms=self._position_ms if self.queue.current is not None else 0,
            checkpoint_ms=now_ms(),
            paused=self._paused,
            volume=self._volume,
            repeat=self.queue.repeat,
            effects=self._effects,
            updated_ms=now_ms(),
        )

    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        if text_channel_id is not None:
            self._record = replace(self._record, text_channel_id=text_channel_id)
        return self._state()

    async def restore(self, record: SessionRecord) -> SessionState:
        raise AlreadyConnected(key="errors.channel_has_session")

    async def disconnect(self, ending: Ending = ASKED) -> None:
        """Nothing plays, so nothing to leave: the session just ends (its owner forgets it)."""

    async def enqueue(
        self, tracks: Sequence[Track], mode: EnqueueMode = EnqueueMode.FIFO, position: int | None = None
    ) -> EnqueueResult:
        async with self._lock:
            idle = self.queue.current is None
            positions = self.queue.enqueue(tracks, mode, position)
            if idle and self.queue.current is not None:
                self._position_ms = self.queue.current.start_ms
            return EnqueueResult(positions=positions, started=False, total=self.queue.total)

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        async with self._lock:
            if to is not None:
                self.queue.skip_to(to)
            else:
                self.queue.skip(by)
            return self._moved()

    async def back(self, by: int = 1) -> SessionState:
        async with self._lock:
            self.queue.back(by)
            return self._moved()

    async def pause(self) -> SessionState:
        return await self._set_paused(True)

    async def resume(self) -> SessionState:
        return await self._set_paused(False)

    async def stop(self) -> SessionState:
        async with self._lock:
            self.queue.stop()
            self._paused = False
            return self._moved()

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        async with self._lock:
            self._position_ms = seek_target(self.queue.current, self._position_ms, position_ms, relative)
            return self._state()

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        async with self._lock:
            self._volume = volume_target(self._volume, volume, relative)
            return self._state()

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        self.queue.repeat = mode
        return self._state()

    # -- effects --
    async def set_effects(self, effects: Effects) -> SessionState:
        self._effects = check_effects(effects)  # nothing plays: the bot that takes it over applies them
        return self._state()

    # -- autoplay --
    async def set_autoplay(self, enabled: bool) -> SessionState:
        self._record = replace(self._record, autoplay=enabled)  # the bot that restores it carries it on
        return self._state()

    async def shuffle(self) -> SessionState:
        async with self._lock:
            self.queue.shuffle()
            return self._state()

    async def move(self, from_position: int, to_position: int) -> SessionState:
        async with self._lock:
            self.queue.move(from_position, to_position)
            return self._state()

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        async with self._lock:
            return tuple(self.queue.remove(target))

    async def clear(self) -> SessionState:
        async with self._lock:
            self.queue.clear()
            return self._state()

    async def get_state(self) -> SessionState:
        return self._state()

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        return self.queue.page(offset, limit)

    async def _set_paused(self, paused: bool) -> SessionState:
        if self.queue.current is None:
            raise NothingPlaying()
        self._paused = paused
        return self._state()

    def _moved(self) -> SessionState:
        current = self.queue.current
        self._position_ms = current.start_ms if current is not None else 0
        return self._state()

    def _state(self) -> SessionState:
        current = self.queue.current
        return SessionState(
            guild_id=self.guild_id,
            channel_id=self.channel_id,
            bot_id=0,
            text_channel_id=self._record.text_channel_id,
            connected=False,
            current=current,
            current_position=self.queue.current_position,
            position_ms=self._position_ms if current is not None else 0,
            paused=self._paused,
            volume=self._volume,
            repeat=self.queue.repeat,
            total=self.queue.total,
            upcoming=self.queue.upcoming_count,
            effects=self._effects,
            autoplay=self._record.autoplay,
        )
