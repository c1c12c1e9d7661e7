"""A ``LocalSession`` as a ``SessionRecord`` and back: the record another bot carries on from (``record``),
a session started from one (``restore``), and the player put back from it after a Lavalink restart
(``replay``)."""

from __future__ import annotations

from ..effects import NO_EFFECTS
from ..errors import AlreadyConnected, InvalidArgument, NoSession
from ..queue import Queue
from ..records import SessionRecord, now_ms
from ..session import SessionState
from .session_effects import SessionEffects

__all__ = ["SessionRecording"]


class SessionRecording(SessionEffects):
    """The record part of ``LocalSession`` (a restore brings effects back, hence ``SessionEffects``)."""

    async def restore(self, record: SessionRecord) -> SessionState:
        if (record.guild_id, record.channel_id) != (self._guild_id, self._channel_id):
            raise InvalidArgument(argument="record", key="errors.record_other_channel")
        async with self._lock:
            if self._ended:
                raise NoSession(key="errors.session_ended")
            if self.queue.total:
                raise AlreadyConnected(key="errors.already_has_queue")
            self._text_channel_id = record.text_channel_id
            self.dj_role_id = record.dj_role_id
            self.nowplaying_message_id = record.nowplaying_message_id
            self.autoplay = record.autoplay
            player = await self._join()
            current = record.current_position or len(record.tracks) + 1
            self.queue = Queue(record.tracks, current_position=current, repeat=record.repeat, rng=self._rng)
            self._volume, self._paused = record.volume, record.paused
            position = record.position_at(now_ms())
            try:
                await self._restore_effects(player, record.effects)
                track = self.queue.current
                if track is not None:
                    await player.play_track(track, volume=self._volume, paused=self._paused, start_ms=position)
                elif self._volume != 100:
                    await player.change_volume(self._volume)
            except BaseException:
                self.queue = Queue(rng=self._rng)  # a failed restore leaves an empty session: nothing half-done
                self._volume, self._paused, self._effects = 100, False, NO_EFFECTS
                raise
            self._changed("restore")
            return self._state(position_ms=position if self.queue.current else 0)

    @property
    def paused_or_idle(self) -> bool:
        """Nothing moves: no track, or paused (its record's position needs no fresh checkpoint)."""
        return self._paused or self.queue.current is None

    def board_posted(self, message_id: int) -> None:
        """This bot posted the session's now-playing message: its record carries it from now (pushed at once),
        so the bot can be told to edit it should the session move away while it is gone."""
        self.nowplaying_message_id = message_id
        self._changed("board")

    def record(self) -> SessionRecord:
        """This session as a record: what another bot needs to carry on from here."""
        player = self._player
        return SessionRecord(
            guild_id=self._guild_id,
            channel_id=self._channel_id,
            bot_id=self._bot_id,
            text_channel_id=self._text_channel_id,
            dj_role_id=self.dj_role_id,
            tracks=self.queue.tracks,
            current_position=self.queue.current_position,
            position_ms=self._position_ms(),
            paused=self._paused,
            volume=self._volume,
            repeat=self.queue.repeat,
            nowplaying_message_id=self.nowplaying_message_id,
            lavalink_session_id=player.lavalink_session_id if player is not None else "",
            effects=self._effects,
            autoplay=self.autoplay,
        )

    async def replay(self) -> None:
        """Lavalink lost this session's player (it restarted): put it back from the session's own record,
        the current track where playback is by now, same volume and pause. The queue does not change."""
        async with self._lock:
            player = self._player
            if player is None or self._ended:
                return
            record = self.record()
            await player.replay(self.queue.current, volume=self._volume, paused=self._paused,
                                start_ms=record.position_at(now_ms()))
            self._changed("replay")
