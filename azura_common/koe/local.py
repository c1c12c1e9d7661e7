"""LocalSession: one voice channel played through this process's Lavalink player.

The only module that talks to wavelink. wavelink's own queue and autoplay stay off: the Koe queue model
decides what plays, and playback advances when Lavalink reports a track's end. The owning bot joins
voice for us (``PlayerConnector``: Discord objects stay in the bot modules) and forwards wavelink's
events to ``on_track_end`` and friends through ``KoePlayer.session``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import wavelink

from ..render import format_duration
from ..rules.limits import MAX_VOLUME
from .errors import (
    ChildUnavailable,
    InvalidArgument,
    KoeError,
    NoSession,
    NothingPlaying,
    PermissionDenied,
    TrackLoadFailed,
)
from .queue import Queue
from .session import (
    ASKED,
    CloseReason,
    Ending,
    EnqueueMode,
    EnqueueResult,
    QueuePage,
    RemoveTarget,
    RepeatMode,
    SessionState,
    Track,
)

__all__ = [
    "KoePlayer",
    "Lavalink",
    "LocalSession",
    "PlayerConnector",
    "SearchResult",
    "SessionEnded",
    "session_of",
    "track_from_playable",
]

log = logging.getLogger(__name__)

LAVALINK_TIMEOUT_S = 10.0
JOIN_TIMEOUT_S = 15.0  # above the bots' voice connect timeout (10 s)

PlayerConnector = Callable[[int, int], Awaitable["KoePlayer"]]
"""Joins voice channel ``(guild_id, channel_id)`` with a ``KoePlayer`` and returns it connected."""

SessionEnded = Callable[["LocalSession", Ending], Awaitable[None]]
"""Called once when the session ends for any reason, saying why."""


class KoePlayer(wavelink.Player):
    """A wavelink player that knows the LocalSession driving it (so bot listeners can route events)."""

    session: LocalSession | None = None

    def anchor(self, position_ms: int) -> None:
        """Restart wavelink's position estimate from what we just told Lavalink. Lavalink reports positions
        only every few seconds, so right after our own seek/play/pause the estimate would start from a stale
        report (two quick ``+10`` seeks would land on the same spot)."""
        self._last_position = position_ms
        self._last_update = time.monotonic_ns()

    async def on_voice_state_update(self, data: Any) -> None:
        # Discord took the bot out of its channel (a kick, a move, a deleted channel): the session ends
        # and says why. Our own disconnect detaches the session first, so it never lands here.
        session = self.session
        channel_id = data.get("channel_id")
        await super().on_voice_state_update(data)
        if session is None or session.ended:
            return
        if not channel_id:
            await session.on_voice_lost(Ending(CloseReason.KICKED, "kicked from voice"))
        elif int(channel_id) != session.channel_id:
            await session.on_voice_lost(Ending(CloseReason.KICKED, "moved out of its channel"))


def track_from_playable(playable: wavelink.Playable, requester_id: int = 0) -> Track:
    """A Koe Track from a wavelink search result."""
    return Track(
        encoded=playable.encoded,
        title=playable.title,
        author=playable.author,
        uri=playable.uri or "",
        length_ms=playable.length,
        identifier=playable.identifier,
        source=playable.source,
        artwork_url=playable.artwork or "",
        is_stream=playable.is_stream,
        requester_id=requester_id,
    )


def _playable(track: Track) -> wavelink.Playable:
    # Tracks travel resolved: rebuild wavelink's object from what we carry, no decode round trip.
    payload: Any = {
        "encoded": track.encoded,
        "info": {
            "identifier": track.identifier,
            "isSeekable": not track.is_stream,
            "author": track.author,
            "length": track.length_ms,
            "isStream": track.is_stream,
            "position": 0,
            "title": track.title,
            "uri": track.uri or None,
            "artworkUrl": track.artwork_url or None,
            "isrc": None,
            "sourceName": track.source or "unknown",
        },
        "pluginInfo": {},
        "userData": {},
    }
    return wavelink.Playable(payload)


class LocalSession:
    """Implements the Session protocol on a local wavelink player."""

    def __init__(
        self,
        guild_id: int,
        channel_id: int,
        bot_id: int,
        connect_player: PlayerConnector,
        on_end: SessionEnded | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._guild_id = guild_id
        self._channel_id = channel_id
        self._bot_id = bot_id
        self._connect_player = connect_player
        self._on_end = on_end
        self.queue = Queue(rng=rng)
        self._player: KoePlayer | None = None
        self._text_channel_id: int | None = None
        self._paused = False
        self._volume = 100
        self._lock = asyncio.Lock()
        self._ended = False
        self.dj_role_id: int | None = None  # who may use the DJ buttons (None: everyone)

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

    # -- Session ------------------------------------------------------------------------------------
    async def connect(self, text_channel_id: int | None = None, dj_role_id: int | None = None) -> SessionState:
        async with self._lock:
            if self._ended:
                raise NoSession("This session has ended.")
            if text_channel_id is not None:
                self._text_channel_id = text_channel_id
            if dj_role_id is not None:
                self.dj_role_id = dj_role_id
            if self._player is None or not self._player.connected:
                try:
                    # Longer than the voice connect's own timeout, so that one fails first and cleans up.
                    player = await asyncio.wait_for(
                        self._connect_player(self._guild_id, self._channel_id), JOIN_TIMEOUT_S
                    )
                except TimeoutError as exc:
                    raise ChildUnavailable(f"Couldn't join <#{self._channel_id}> in time; try again.") from exc
                except wavelink.InvalidChannelStateException as exc:
                    raise PermissionDenied(
                        f"I can't join <#{self._channel_id}>: check that I may connect and speak there."
                    ) from exc
                except wavelink.WavelinkException as exc:  # ChannelTimeoutException and friends
                    log.warning("joining %s: %r", self._channel_id, exc)
                    raise ChildUnavailable(f"Couldn't join <#{self._channel_id}> in time; try again.") from exc
                player.session = self
                self._player = player
            return self._state()

    async def disconnect(self, ending: Ending = ASKED) -> None:
        await self.end(ending)

    async def end(self, ending: Ending) -> None:
        """End the session (idempotent): leave voice and tell the owner, once."""
        if self._ended:
            return
        self._ended = True
        player, self._player = self._player, None
        if player is not None:
            player.session = None
            try:
                await asyncio.wait_for(player.disconnect(), LAVALINK_TIMEOUT_S)
            except (TimeoutError, wavelink.WavelinkException, AssertionError) as exc:
                log.warning("leaving voice in %s: %s", self._channel_id, exc)
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
            return self._state()

    async def back(self, by: int = 1) -> SessionState:
        async with self._lock:
            player = self._require_player()
            before = self.queue.snapshot()
            self.queue.back(by)
            await self._play_or_restore(player, before)
            return self._state()

    async def pause(self) -> SessionState:
        return await self._set_paused(True)

    async def resume(self) -> SessionState:
        return await self._set_paused(False)

    async def stop(self) -> SessionState:
        async with self._lock:
            player = self._require_player()
            self.queue.stop()
            await self._lavalink(player.stop())
            self._paused = False
            return self._state()

    async def seek(self, position_ms: int, relative: bool = False) -> SessionState:
        async with self._lock:
            player = self._require_player()
            track = self.queue.current
            if track is None:
                raise NothingPlaying()
            if track.is_stream:
                raise InvalidArgument("You can't seek in a live stream.", "position")
            target = player.position + position_ms if relative else position_ms
            end = track.length_ms if track.end_ms is None else min(track.end_ms, track.length_ms)
            if not relative and not 0 <= target <= end:
                raise InvalidArgument(
                    f"{format_duration(target)} is outside this track (0:00–{format_duration(end)}).", "position"
                )
            target = max(track.start_ms, min(target, end))
            await self._lavalink(player.seek(target))
            player.anchor(target)
            return self._state(position_ms=target)

    async def set_volume(self, volume: int, relative: bool = False) -> SessionState:
        async with self._lock:
            player = self._require_player()
            target = self._volume + volume if relative else volume
            if relative:
                target = max(0, min(MAX_VOLUME, target))
            elif not 0 <= target <= MAX_VOLUME:
                raise InvalidArgument(f"Volume must be between 0 and {MAX_VOLUME}, not {volume}.", "volume")
            await self._lavalink(player.set_volume(target))
            self._volume = target
            return self._state()

    async def set_repeat(self, mode: RepeatMode) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.repeat = mode
            return self._state()

    async def shuffle(self) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.shuffle()
            return self._state()

    async def move(self, from_position: int, to_position: int) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.move(from_position, to_position)
            return self._state()

    async def remove(self, target: RemoveTarget) -> tuple[Track, ...]:
        async with self._lock:
            self._require_player()
            return tuple(self.queue.remove(target))

    async def clear(self) -> SessionState:
        async with self._lock:
            self._require_player()
            self.queue.clear()
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

    async def on_voice_lost(self, ending: Ending) -> None:
        """The bot left the channel without us asking (kicked, channel deleted, Lavalink gone)."""
        await self.end(ending)

    # -- internals ----------------------------------------------------------------------------------
    def _require_player(self) -> KoePlayer:
        # An ended (or never connected) session is no session at all: the same NoSession a child answers
        # for a channel it does not hold, so Local and Remote sessions fail alike.
        if self._ended or self._player is None:
            raise NoSession()
        return self._player

    async def _set_paused(self, paused: bool) -> SessionState:
        async with self._lock:
            player = self._require_player()
            if self.queue.current is None:
                raise NothingPlaying()
            position = player.position
            await self._lavalink(player.pause(paused))
            player.anchor(position)
            self._paused = paused
            return self._state()

    async def _play_or_restore(self, player: KoePlayer, before: Any) -> None:
        # A failed Lavalink call must leave the queue as it was: the command "changes nothing".
        try:
            if self.queue.current is None:
                await self._lavalink(player.stop())
            else:
                await self._play_current(player)
        except BaseException:
            self.queue.restore(before)
            raise

    async def _play_current(self, player: KoePlayer) -> None:
        track = self.queue.current
        if track is None:
            return
        await self._lavalink(
            player.play(
                _playable(track),
                replace=True,
                start=track.start_ms,
                end=track.end_ms,
                volume=self._volume,
                paused=self._paused,
                add_history=False,
            )
        )
        player.anchor(track.start_ms)

    async def _lavalink(self, call: Awaitable[Any]) -> Any:
        return await lavalink_call(call, "The music server refused that")

    def _state(self, position_ms: int | None = None) -> SessionState:
        player = self._player
        current = self.queue.current
        if position_ms is None:
            position_ms = player.position if (player is not None and current is not None) else 0
        return SessionState(
            guild_id=self._guild_id,
            channel_id=self._channel_id,
            bot_id=self._bot_id,
            text_channel_id=self._text_channel_id,
            connected=player is not None and not self._ended,
            current=current,
            current_position=self.queue.current_position,
            position_ms=position_ms,
            paused=self._paused,
            volume=self._volume,
            repeat=self.queue.repeat,
            total=self.queue.total,
            upcoming=self.queue.upcoming_count,
        )


async def lavalink_call(call: Awaitable[Any], refused: str) -> Any:
    """Await a wavelink call with a deadline; its failures become the KoeError a user can read."""
    try:
        return await asyncio.wait_for(call, LAVALINK_TIMEOUT_S)
    except TimeoutError as exc:
        raise ChildUnavailable("The music server did not answer in time.") from exc
    except wavelink.LavalinkLoadException as exc:
        raise TrackLoadFailed(f"{refused}: {exc.error}") from exc
    except wavelink.LavalinkException as exc:
        raise TrackLoadFailed(f"{refused}: {exc}") from exc
    except (wavelink.WavelinkException, OSError) as exc:
        raise ChildUnavailable(f"The music server can't be reached: {exc}") from exc


def session_of(player: object) -> LocalSession | None:
    """The LocalSession behind a wavelink event's ``payload.player`` (None for foreign players)."""
    return player.session if isinstance(player, KoePlayer) else None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a query found: every track of a link or playlist, or the matches of a search (best first)."""

    tracks: tuple[Track, ...]
    playlist: str | None = None  # the playlist's name when the query was a playlist


class Lavalink:
    """This process's connection to its Lavalink node (wavelink keeps one global Pool per process)."""

    def __init__(self, uri: str, password: str, identifier: str = "azura", silence_limit_s: float = 150.0) -> None:
        self.uri = uri
        self.password = password
        self.identifier = identifier
        self._node: wavelink.Node | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._last_alive: float | None = None
        self.silence_limit_s = silence_limit_s

    async def connect(self, client: Any) -> None:
        """Start connecting the node for ``client`` (a logged-in discord.Client); call from its setup_hook."""
        node = wavelink.Node(
            identifier=self.identifier,
            uri=self.uri,
            password=self.password,
            client=client,
            resume_timeout=60,
            inactive_player_timeout=None,  # idle policy is Azura's, not wavelink's
            retries=None,
        )
        self._node = node
        # Not awaited: wavelink retries an absent Lavalink forever, and the bot must still log in and report
        # NOT_SERVING meanwhile. The task is owned here and cancelled by close().
        self._connecting = asyncio.create_task(self._connect(node, client), name="lavalink-connect")

    async def _connect(self, node: wavelink.Node, client: Any) -> None:
        try:
            await wavelink.Pool.connect(nodes=[node], client=client)
        except wavelink.WavelinkException as exc:
            log.error("Lavalink at %s: %s", self.uri, exc)

    @property
    def ready(self) -> bool:
        """Connected, and heard from recently: wavelink keeps a node CONNECTED after a clean close by the
        server, so silence longer than a few stats intervals (Lavalink sends them every minute) counts too."""
        if self._node is None or self._node.status is not wavelink.NodeStatus.CONNECTED:
            return False
        return self._last_alive is None or time.monotonic() - self._last_alive < self.silence_limit_s

    def note_alive(self) -> None:
        self._last_alive = time.monotonic()

    async def search(self, query: str, requester_id: int = 0, source: str = "ytsearch") -> SearchResult:
        """Resolve a query or URL: a URL or a playlist gives all its tracks, a search its best match first.

        An empty result raises ``TrackLoadFailed`` with a message that names the query."""
        text = query.strip()
        if not text:
            raise InvalidArgument("Tell me what to play: a search, a link or a playlist link.", "query")
        found = await lavalink_call(wavelink.Playable.search(text, source=source), f"Couldn't load {text!r}")
        if isinstance(found, wavelink.Playlist):
            tracks = tuple(track_from_playable(item, requester_id) for item in found.tracks)
            playlist: str | None = found.name
        else:
            tracks = tuple(track_from_playable(item, requester_id) for item in found)
            playlist = None
        if not tracks:
            raise TrackLoadFailed(f"Nothing found for {text!r}. Try other words or a link.")
        return SearchResult(tracks=tracks, playlist=playlist)

    async def close(self) -> None:
        self._node = None
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        await wavelink.Pool.close()
