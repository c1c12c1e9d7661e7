"""LocalSession: one voice channel played through this process's Lavalink player.

The Koe queue decides what plays; playback advances when Lavalink reports a track's end. The owning bot
joins voice for us (``PlayerConnector``: Discord objects stay in the bot modules) and forwards the
player's events to ``on_track_end`` and friends. The player is anything that speaks ``VoicePlayer``
(``local.player.KoePlayer`` on wavelink; ``session_player``), so nothing here imports wavelink.

LocalSession is assembled from one class per concept: ``session_core`` (state, shared steps),
``session_record`` (record, restore, replay), ``session_effects``, ``session_autoplay`` (the run-out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence

from ..effects import NO_EFFECTS
from ..errors import ChildUnavailable, KoeError, NoSession, NothingPlaying
from ..playback import seek_target, volume_target
from ..queue import Queue
from ..session import (
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
from .autoplay import AutoplayLookup, RelatedFinder
from .session_autoplay import SessionAutoplay
from .session_player import PlayerConnector, VoicePlayer
from .session_record import SessionRecording

__all__ = ["JOIN_TIMEOUT_S", "LocalSession", "PlayerConnector", "SessionEnded", "SessionEnding", "VoicePlayer"]

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 15.0  # above the bots' voice connect timeout (10 s)

SessionEnded = Callable[["LocalSession", Ending], Awaitable[None]]
"""Called once when the session ends for any reason, saying why."""

SessionEnding = Callable[["LocalSession"], Awaitable[None]]
"""Called once when the session ends, before its bot leaves the channel (what needs the bot still there: clearing
the voice channel status, which Discord lets a bot do without Manage Channels only while it is connected)."""

SessionChanged = Callable[["LocalSession", bool], None]
"""Called after every change of a live session; the flag says whether the queue's tracks changed (not just
where it is), so a record of it knows when to carry the whole queue again."""

_QUEUE_EDITS = frozenset({"enqueue", "move", "remove", "shuffle", "clear", "stop", "restore"})


class LocalSession(SessionRecording, SessionAutoplay):
    """Implements the Session protocol on a local wavelink player: the commands, joining and ending here;
    the record (and restore, replay), effects and autoplay in their modules (``session_*``)."""

    def __init__(
        self,
        guild_id: int,
        channel_id: int,
        bot_id: int,
        connect_player: PlayerConnector,
        on_end: SessionEnded | None = None,
        rng: random.Random | None = None,
        on_change: SessionChanged | None = None,
        find_related: RelatedFinder | None = None,
        on_ending: SessionEnding | None = None,
    ) -> None:
        self._guild_id = guild_id
        self._channel_id = channel_id
        self._bot_id = bot_id
        self._connect_player = connect_player
        self._on_end = on_end
        self._on_ending = on_ending
        self.on_change = on_change
        self._rng = rng
        self.queue = Queue(rng=rng)
        self._player: VoicePlayer | None = None
        self._text_channel_id: int | None = None
        self._paused = False
        self._volume = 100
        self._effects = NO_EFFECTS
        self._lock = asyncio.Lock()
        self._ended = False
        self._ended_event = asyncio.Event()
        self.dj_role_id: int | None = None  # who may use the DJ buttons (None: everyone)
        self.nowplaying_message_id: int | None = None  # set by the board that posts it (kept in the record)
        self.autoplay = False  # -- autoplay --: related tracks when the queue runs out (``session_autoplay``)
        self._autoplay = AutoplayLookup(find_related, f"autoplay-{channel_id}") if find_related else None

    # -- identity -----------------------------------------------------------------------------------
    @property
    def guild_id(self) -> int:
        return self._guild_id

    @property
    def channel_id(self) -> int:
        return self._channel_id

    @property
    def ended(self) -> bool:
        return self._ended

    async def wait_ended(self, timeout_s: float) -> bool:
        """Wait at most ``timeout_s`` for the session to end; whether it has."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ended_event.wait(), timeout_s)
        return self._ended

    # -- Session ------------------------------------------------------------------------------------
    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        async with self._lock:
            if self._ended:
                raise NoSession(key="errors.session_ended")
            if text_channel_id is not None:
                self._text_channel_id = text_channel_id
            if dj_role_id is not None:
                self.dj_role_id = dj_role_id
            await self._join()
            return self._state()

    async def _join(self) -> VoicePlayer:
        if self._player is None or not self._player.connected:
            try:
                # Longer than the voice connect's own timeout, so that one fails first and cleans up.
                player = await asyncio.wait_for(self._connect_player(self._guild_id, self._channel_id), JOIN_TIMEOUT_S)
            except TimeoutError as exc:
                raise ChildUnavailable(key="errors.join_timeout", params={"channel": f"<#{self._channel_id}>"}) from exc
            player.session = self
            self._player = player
        return self._player

    def _changed(self, what: str) -> None:
        if self.on_change is not None and not self._ended:
            self.on_change(self, what in _QUEUE_EDITS)

    async def disconnect(self, ending: Ending = ASKED) -> None:
        await self.end(ending)

    async def end(self, ending: Ending) -> None:
        """End the session (idempotent): leave voice and tell the owner, once."""
        if self._ended:
            return
        self._ended = True
        self._ended_event.set()
        await self._stop_autoplay()
        if self._on_ending is not None:
            try:
                await self._on_ending(self)
            except Exception:  # the session ends all the same: the bot must leave
                log.exception("the ending hook of the session in %s failed", self._channel_id)
        player, self._player = self._player, None
        if player is not None:
            player.session = None
            await player.leave()
        if self._on_end is not None:
            await self._on_end(self, ending)

    async def enqueue(
        self,
        tracks: Sequence[Track],
        mode: EnqueueMode = EnqueueMode.FIFO,
        position: int | None = None,
    ) -> EnqueueResult:
        async with self._lock:
            player = self._require_player()
            idle = self.queue.current is None
            before = self.queue.checkpoint() if idle else None  # only a start can fail after the change
            positions = self.queue.enqueue(tracks, mode, position)
            started = idle and self.queue.current is not None
            if started and before is not None:
                try:
                    await self._play_current(player)
                except BaseException:
                    self.queue.rollback(before)  # "a failed command changes nothing", cancellation included
                    raise
            self._changed("enqueue")
            return EnqueueResult(positions=positions, started=started, total=self.queue.total)

    async def skip(self, by: int = 1, to: int | None = None) -> SessionState:
        async with self._lock:
            player = self._require_player()
            before = self.queue.snapshot()
            if to is not None:
                self.queue.skip_to(to)
            else:
                self.queue.skip(by)
            await self._play_or_restore(player, before)
            self._autoplay_if_ran_out()  # skipped past the end
            self._changed("skip")
            return self._state()

    async def back(self, by: int = 1) -> SessionState:
        async with self._lock:
            player = self._require_player()
            before = self.queue.snapshot()
            self.queue.back(by)
            await self._play_or_restore(player, before)
            self._changed("back")
            return self._state()

    async def pause(self) -> SessionState:
        return await self._set_paused(True)

    async def resume(self) -> SessionState:
        return await self._set_paused(False)

    async def stop(self) -> SessionState:
        async with self._lock:
            player = self._require_player()
            self.queue.stop()
            await player.stop_track()
            self._paused = False
            self._changed("stop")
            return self._state()

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        async with self._lock:
            player = self._require_player()
            target = seek_target(self.queue.current, player.position, position_ms, relative)
            await player.seek_to(target)
            self._changed("seek")
            return self._state(position_ms=target)

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        async with self._lock:
            player = self._require_player()
            target = volume_target(self._volume, volume, relative)
            await player.change_volume(target)
            self._volume = target
            self._changed("set_volume")
            return self._state()

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.repeat = mode
            self._changed("set_repeat")
            return self._state()

    async def shuffle(self) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.shuffle()
            self._changed("shuffle")
            return self._state()

    async def move(self, from_position: int, to_position: int) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.move(from_position, to_position)
            self._changed("move")
            return self._state()

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        async with self._lock:
            self._require_player()
            removed = tuple(self.queue.remove(target))
            self._changed("remove")
            return removed

    async def clear(self) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.clear()
            self._changed("clear")
            return self._state()

    async def get_state(self) -> SessionState:
        self._require_player()
        return self._state()

    async def get_queue(self, offset: int = 0, limit: int = 25) -> QueuePage:
        self._require_player()
        return self.queue.page(offset, limit)

    # -- events from the bot's wavelink listeners ---------------------------------------------------
    async def on_track_end(self, reason: str) -> None:
        """Lavalink ended the current track. Only a natural end (or a failed load) advances the queue;
        ``replaced``/``stopped``/``cleanup`` come from our own skip/stop/leave."""
        if reason not in ("finished", "loadFailed"):
            return
        async with self._lock:
            player = self._player
            if player is None or self._ended:
                return
            self.queue.advance()
            if self.queue.current is not None:
                try:
                    await self._play_current(player)
                except KoeError as exc:
                    log.warning("advancing in %s failed: %s", self._channel_id, exc)
            self._autoplay_if_ran_out()
            self._changed("advance")

    async def on_voice_lost(self, ending: Ending) -> None:
        """The bot left the channel without us asking (kicked, channel deleted, Lavalink gone)."""
        await self.end(ending)

    # -- internals ----------------------------------------------------------------------------------
    async def _set_paused(self, paused: bool) -> SessionState:
        async with self._lock:
            player = self._require_player()
            if self.queue.current is None:
                raise NothingPlaying()
            await player.set_paused(paused)
            self._paused = paused
            self._changed("pause")
            return self._state()
