"""The wavelink player adapter (with ``lavalink.py`` and ``node.py``, the only modules that import wavelink).

``KoePlayer`` is the wavelink player a ``LocalSession`` drives: it speaks Koe (tracks, positions, volumes)
and turns wavelink's failures into the ``KoeError`` a user can read (``lavalink_call``). This process's node
and its searches are ``lavalink.Lavalink``. wavelink's own queue and autoplay stay off: the Koe queue
decides what plays.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import aiohttp
import wavelink

from ...supervised import wait_set
from ..errors import (
    ChildUnavailable,
    MusicServerDown,
    NotConnected,
    PermissionDenied,
    TrackLoadFailed,
)
from ..session import CloseReason, Ending, Track
from .node import KeptNode, check_wavelink_internals
from .node_choice import voice_region
from .session import LocalSession

__all__ = [
    "KoePlayer",
    "joining",
    "lavalink_call",
    "note_player_update",
    "playable_of",
    "session_of",
    "track_from_playable",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

LAVALINK_TIMEOUT_S = 10.0
REFUSED = "The music server refused that"
HEARTBEAT_S = 5.0  # websocket ping interval; a Lavalink that stops answering is dropped after 1.5 of these
REJOIN_TIMEOUT_S = 5.0


class KoePlayer(wavelink.Player):
    """A wavelink player driven by one LocalSession (so bot listeners can route events to it).

    It keeps its own position estimate: wavelink's starts only from Lavalink's last report, which comes
    every few seconds, so right after our own seek/play/pause it would start from a stale one (two quick
    ``+10`` seeks would land on the same spot). Ours restarts from whatever is newest: a report
    (``note_player_update``) or what we just told Lavalink.

    While its node is down every call that needs Lavalink raises ``MusicServerDown`` at once, and the
    session's own state waits for ``replay`` (there, or on the node it is moved to: ``rehome``).

    It starts on the node ``Lavalink.player_factory`` chose by load; ``place`` chooses again once Discord's
    first voice server update names the voice region, before anything reached Lavalink, so moving then costs
    nothing. Later voice server moves leave it where it is.
    """

    session: LocalSession | None = None
    voice_region: str | None = None  # from Discord's voice server endpoint, once known
    _anchor: tuple[int, int] | None = None  # (position in ms, monotonic ns when it was true)
    _voice_pending = False  # Discord moved our voice server while Lavalink was away: tell it when back

    def __init__(self, *args: Any, place: Callable[[str | None], KeptNode | None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._place = place  # until the first voice server update
        check_wavelink_internals(self)

    def rehome(self, node: wavelink.Node) -> None:
        """Move this player to ``node`` in wavelink's books (where events and calls go); what plays there is
        the caller's to send (``replay``)."""
        self._unlist()
        self._node = node
        if self.guild is not None:
            node._players[self.guild.id] = self

    def _unlist(self) -> None:
        guild = self.guild
        if guild is not None and self._node._players.get(guild.id) is self:
            del self._node._players[guild.id]

    @property
    def position(self) -> int:
        current = self.current
        if current is None or not self.playing or self._anchor is None:
            return 0
        position_ms, at_ns = self._anchor
        if self.paused:
            return position_ms
        return min(position_ms + (time.monotonic_ns() - at_ns) // 1_000_000, current.length)

    def _restart_clock(self, position_ms: int) -> None:
        self._anchor = (position_ms, time.monotonic_ns())

    @property
    def serving(self) -> bool:
        """Whether Lavalink can be asked anything now (a player on another kind of node always can)."""
        node = self.node
        return not isinstance(node, KeptNode) or node.serving

    def _require_serving(self) -> None:
        if not self.serving:
            raise MusicServerDown()

    # -- what a LocalSession asks of its player (see local.session.VoicePlayer) ---------------------------
    @property
    def lavalink_session_id(self) -> str:
        return self.node.session_id or ""

    async def play_track(self, track: Track, *, volume: int, paused: bool, start_ms: int | None = None) -> None:
        self._require_serving()
        await self._play_track(track, volume=volume, paused=paused, start_ms=start_ms)

    async def _play_track(self, track: Track, *, volume: int, paused: bool, start_ms: int | None = None) -> None:
        start = track.start_ms if start_ms is None else start_ms
        await lavalink_call(
            self.play(
                playable_of(track),
                replace=True,
                start=start,
                end=track.end_ms,
                volume=volume,
                paused=paused,
                add_history=False,
            ),
            REFUSED,
        )
        self._restart_clock(start)

    async def seek_to(self, position_ms: int) -> None:
        self._require_serving()
        await lavalink_call(self.seek(position_ms), REFUSED)
        self._restart_clock(position_ms)

    async def set_paused(self, paused: bool) -> None:
        self._require_serving()
        position = self.position
        await lavalink_call(self.pause(paused), REFUSED)
        self._restart_clock(position)

    async def change_volume(self, volume: int) -> None:
        self._require_serving()
        await lavalink_call(self.set_volume(volume), REFUSED)

    async def stop_track(self) -> None:
        self._require_serving()
        await lavalink_call(self.stop(), REFUSED)

    async def apply_filters(self, filters: dict[str, Any]) -> None:
        # wavelink keeps them and sends them again with every play: they stay across tracks (and a replay).
        self._require_serving()
        await lavalink_call(self.set_filters(wavelink.Filters(data=cast(Any, filters))), REFUSED)

    async def replay(self, track: Track | None, *, volume: int, paused: bool, start_ms: int) -> None:
        """Put this player on a Lavalink session that does not know it (Lavalink restarted): the voice
        connection Discord gave us, then ``track`` from ``start_ms``. Runs before the node serves commands."""
        await self._send_voice()
        if track is not None:
            await self._play_track(track, volume=volume, paused=paused, start_ms=start_ms)
        elif volume != 100:
            await lavalink_call(self.set_volume(volume), REFUSED)

    async def resend_voice_if_moved(self) -> None:
        """Lavalink resumed our session, but Discord moved our voice server meanwhile: tell it the new one."""
        if self._voice_pending:
            await self._send_voice()

    async def _send_voice(self) -> None:
        # wavelink's own _dispatch_voice_update leaves the voice channel when Lavalink refuses; here a refusal
        # is an error for the caller to report, and leaving is the session's decision.
        voice = self._voice_state.get("voice", {})
        request: Any = {"voice": {
            "sessionId": voice.get("session_id"),
            "token": voice.get("token"),
            "endpoint": voice.get("endpoint"),
            "channelId": self._voice_state.get("channel_id"),
        }}
        if not all(request["voice"][key] for key in ("sessionId", "token", "endpoint")) or self.guild is None:
            raise NotConnected(key="errors.lost_voice_details")
        await lavalink_call(self.node._update_player(self.guild.id, data=request), REFUSED)
        self._voice_pending = False

    async def rejoin(self) -> bool:
        """Join our channel again: Discord dropped the voice session (4006, 4009, a 4014 that was no kick). It
        answers with a new voice session and server, which wavelink hands to Lavalink, and the track plays on.
        Whether Lavalink got the new voice connection within ``REJOIN_TIMEOUT_S``."""
        guild, channel = self.guild, self.channel
        if guild is None or channel is None:
            return False
        me = guild.me
        deaf = me.voice.self_deaf if (me is not None and me.voice is not None) else True
        self._connection_event.clear()  # set again by wavelink once Lavalink has the new voice state
        await guild.change_voice_state(channel=channel, self_deaf=deaf)
        return await wait_set(self._connection_event, REJOIN_TIMEOUT_S)

    async def leave(self) -> None:
        """Leave voice, best effort: the session ends whether or not Lavalink answers."""
        where = self.channel.id if self.channel is not None else "?"
        try:
            if self.serving:
                await asyncio.wait_for(self.disconnect(), LAVALINK_TIMEOUT_S)
            elif self.guild is not None:  # Lavalink is away: leave Discord's channel without waiting for it
                await asyncio.wait_for(self.guild.change_voice_state(channel=None), LAVALINK_TIMEOUT_S)
        except (TimeoutError, wavelink.WavelinkException, aiohttp.ClientError, AssertionError) as exc:
            log.warning("leaving voice in %s: %s", where, exc)

    async def _disconnected_wait(self, code: int, by_remote: bool) -> None:
        # wavelink destroys the player one second after a 4014 unless Discord reconnects it by then. Azura
        # decides what a closed voice connection means instead (VoiceBot.on_wavelink_websocket_closed).
        return

    async def on_voice_server_update(self, data: Any) -> None:
        self.voice_region = voice_region(data.get("endpoint"))
        place, self._place = self._place, None
        if place is not None and self.voice_region is not None:
            provisional = self.node
            self._unlist()  # the choice weighs the nodes without this player on any of them
            self.rehome(place(self.voice_region) or provisional)
            if self.node is not provisional:
                log.info("voice region %s: playing in guild %s on %s", self.voice_region,
                         self.guild.id if self.guild else "?", self.node.identifier)
        if self.serving:
            await super().on_voice_server_update(data)
            return
        # Lavalink is away: keep the new server for when it is back (replay, or resend_voice_if_moved).
        self._voice_state["voice"]["token"] = data["token"]
        self._voice_state["voice"]["endpoint"] = data["endpoint"]
        self._voice_pending = True

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


def note_player_update(payload: wavelink.PlayerUpdateEventPayload) -> None:
    """A Lavalink position report (the bot's ``on_wavelink_player_update``): restart the player's clock."""
    if isinstance(payload.player, KoePlayer):
        payload.player._restart_clock(payload.position)


def session_of(player: object) -> LocalSession | None:
    """The LocalSession behind a wavelink event's ``payload.player`` (None for foreign players)."""
    return player.session if isinstance(player, KoePlayer) else None


async def joining(join: Awaitable[T], channel_id: int) -> T:
    """Await a voice join (``channel.connect(cls=KoePlayer)``); wavelink's refusals become KoeErrors."""
    try:
        return await join
    except wavelink.InvalidChannelStateException as exc:
        raise PermissionDenied(key="errors.cannot_join", params={"channel": f"<#{channel_id}>"}) from exc
    except wavelink.WavelinkException as exc:  # ChannelTimeoutException and friends
        log.warning("joining %s: %r", channel_id, exc)
        raise ChildUnavailable(key="errors.join_timeout", params={"channel": f"<#{channel_id}>"}) from exc


async def lavalink_call(call: Awaitable[T], refused: str) -> T:
    """Await a wavelink call with a deadline; its failures become the KoeError a user can read (never the
    library's own words: they mean nothing to a listener)."""
    try:
        return await asyncio.wait_for(call, LAVALINK_TIMEOUT_S)
    except TimeoutError as exc:
        raise MusicServerDown(key="errors.music_server_slow") from exc
    except wavelink.LavalinkLoadException as exc:
        raise TrackLoadFailed(f"{refused}: {exc.error}") from exc
    except wavelink.LavalinkException as exc:
        raise TrackLoadFailed(f"{refused}: {exc}") from exc
    except (wavelink.WavelinkException, aiohttp.ClientError, OSError) as exc:
        log.warning("Lavalink unreachable: %r", exc)
        raise MusicServerDown() from exc

# -- tracks ------------------------------------------------------------------------------------------------


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


def playable_of(track: Track) -> wavelink.Playable:
    """wavelink's object for a Koe Track. Tracks travel resolved: rebuilt from what we carry, no decode."""
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
