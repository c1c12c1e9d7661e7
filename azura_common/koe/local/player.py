"""The wavelink adapter (with ``node.py``, the only modules that import wavelink).

``KoePlayer`` is the wavelink player a ``LocalSession`` drives: it speaks Koe (tracks, positions, volumes)
and turns wavelink's failures into the ``KoeError`` a user can read. ``Lavalink`` wraps this process's
node and its searches, and keeps the node connected (``node.KeptNode`` and ``keeper.LinkKeeper``: wavelink's
own reconnecting stays off). wavelink's own queue and autoplay stay off: the Koe queue decides what plays.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import wavelink

from ...supervised import Supervised, wait_set
from ..errors import (
    ChildUnavailable,
    InvalidArgument,
    KoeError,
    MusicServerDown,
    NotConnected,
    PermissionDenied,
    TrackLoadFailed,
)
from ..session import CloseReason, Ending, Track
from .keeper import CHECK_S, SWITCH_AFTER_S, LinkKeeper, Outage, Restored
from .node import KeptNode, check_wavelink_internals
from .search_sources import DEFAULT_SEARCH_SOURCES, empty_search_message, is_direct
from .session import LocalSession

__all__ = [
    "KoePlayer",
    "Lavalink",
    "SearchResult",
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

    While the node is down (``Lavalink.ready`` is False) every call that needs Lavalink raises
    ``MusicServerDown`` at once, and the session's own state waits for ``replay``.
    """

    session: LocalSession | None = None
    _anchor: tuple[int, int] | None = None  # (position in ms, monotonic ns when it was true)
    _voice_pending = False  # Discord moved our voice server while Lavalink was away: tell it when back

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_wavelink_internals(self)

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
            raise NotConnected("I lost my voice connection details; use /leave and /play again.")
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
        raise PermissionDenied(f"I can't join <#{channel_id}>: check that I may connect and speak there.") from exc
    except wavelink.WavelinkException as exc:  # ChannelTimeoutException and friends
        log.warning("joining %s: %r", channel_id, exc)
        raise ChildUnavailable(f"Couldn't join <#{channel_id}> in time; try again.") from exc


async def lavalink_call(call: Awaitable[T], refused: str) -> T:
    """Await a wavelink call with a deadline; its failures become the KoeError a user can read (never the
    library's own words: they mean nothing to a listener)."""
    try:
        return await asyncio.wait_for(call, LAVALINK_TIMEOUT_S)
    except TimeoutError as exc:
        raise MusicServerDown("The music server did not answer in time; your queue is safe.") from exc
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


# -- the node ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a query found: every track of a link or playlist, or the matches of a search (best first)."""

    tracks: tuple[Track, ...]
    playlist: str | None = None  # the playlist's name when the query was a playlist


class Lavalink:
    """This process's connection to its Lavalink node, kept up by a ``LinkKeeper``.

    wavelink keeps one global Pool per process; this node joins it under ``identifier`` and leaves it on
    ``close``. ``on_restored`` (the bot's) puts players back after Lavalink lost them.
    """

    def __init__(self, uri: str, password: str, identifier: str = "azura", *, check_s: float = CHECK_S,
                 heartbeat_s: float = HEARTBEAT_S, more: Sequence[tuple[str, str]] = (),
                 switch_after_s: float = SWITCH_AFTER_S) -> None:
        self.uri = uri
        self.password = password
        self.more = tuple(more)  # further Lavalink nodes (uri, password): the sessions move there in turn
        self.switch_after_s = switch_after_s
        self.identifier = identifier
        self.check_s = check_s
        self.heartbeat_s = heartbeat_s
        self.on_restored: Restored | None = None
        self._node: KeptNode | None = None
        self._keeper: LinkKeeper | None = None
        self._keeping: Supervised | None = None

    async def connect(self, client: Any) -> None:
        """Join the Pool and start keeping the node connected for ``client`` (a logged-in discord.Client);
        call from its setup_hook. Returns at once: the bot logs in (NOT_SERVING) while Lavalink is away."""
        node = KeptNode(
            identifier=self.identifier,
            uri=self.uri,
            password=self.password,
            client=client,
            heartbeat=self.heartbeat_s,
            resume_timeout=60,
            inactive_player_timeout=None,  # idle policy is Azura's, not wavelink's
        )
        node.servers = ((self.uri, self.password), *self.more)
        await wavelink.Pool.connect(nodes=[node], client=client)
        if wavelink.Pool.nodes.get(self.identifier) is not node:
            raise RuntimeError(f"another Lavalink node is already called {self.identifier!r} in this process")
        check_wavelink_internals(node, node.link)
        keeper = LinkKeeper(node.link, on_restored=self._restored, check_s=self.check_s, name=f"Lavalink {self.uri}",
                            next_server=node.link.next_server, switch_after_s=self.switch_after_s)
        node.keeper = keeper
        self._node, self._keeper = node, keeper
        self._keeping = Supervised(f"lavalink-keeper-{self.identifier}", keeper.run)
        self._keeping.start()

    async def _restored(self, resumed: bool) -> None:
        if resumed:
            await self._destroy_strays()
        if self.on_restored is not None:
            await self.on_restored(resumed)

    async def _destroy_strays(self) -> None:
        """Lavalink kept our session, and with it the players of channels we left while it was away (a
        /leave, a kick): nothing else would ever destroy them."""
        node = self._node
        if node is None:
            return
        try:
            players = await lavalink_call(node.fetch_players(), REFUSED)
            for stray in (p for p in players if node.get_player(p.guild_id) is None):
                log.info("destroying the player Lavalink kept for guild %s, which we left", stray.guild_id)
                await self.destroy_player(node.session_id or "", stray.guild_id)
        except KoeError as exc:
            log.warning("cleaning up after Lavalink came back: %s", exc)

    @property
    def ready(self) -> bool:
        """Connected and every session restored: Lavalink may be asked."""
        return self._keeper is not None and self._keeper.up

    def down_for(self) -> float | None:
        """Seconds since the connection was lost (None while up, or before the first connection)."""
        return None if self._keeper is None else self._keeper.down_for()

    @property
    def outages(self) -> tuple[Outage, ...]:
        return tuple(self._keeper.outages) if self._keeper is not None else ()

    def player_factory(self) -> Callable[[Any, Any], KoePlayer]:
        """What ``channel.connect(cls=...)`` takes: a KoePlayer on this node (not whichever the Pool picks)."""
        if self._node is None:
            raise MusicServerDown()
        return functools.partial(KoePlayer, nodes=[self._node])

    # Plain words are searched with these prefixes in turn (the parent sets AZURA_SEARCH_SOURCES).
    search_sources: tuple[str, ...] = DEFAULT_SEARCH_SOURCES

    async def search(self, query: str, requester_id: int = 0) -> SearchResult:
        """Resolve a query or URL: a URL or a playlist gives all its tracks, a search its best match first.

        A link (or a query naming its source, ``scsearch:…``) is loaded as it is; plain words go to each of
        ``search_sources`` in turn until one finds something. Nothing found raises ``TrackLoadFailed`` naming
        the query, or what to add to Lavalink when it has none of those sources."""
        text = query.strip()
        if not text:
            raise InvalidArgument("Tell me what to play: a search, a link or a playlist link.", "query")
        refused = f"Couldn't load {text!r}"
        if is_direct(text):
            found = await lavalink_call(wavelink.Playable.search(text, source=None), refused)
        else:
            found = await self._search_words(text, refused)
        if isinstance(found, wavelink.Playlist):
            tracks = tuple(track_from_playable(item, requester_id) for item in found.tracks)
            playlist: str | None = found.name
        else:
            tracks = tuple(track_from_playable(item, requester_id) for item in found)
            playlist = None
        if not tracks:
            raise await self._nothing_found(text)
        return SearchResult(tracks=tracks, playlist=playlist)

    async def _search_words(self, text: str, refused: str) -> wavelink.Search:
        """Plain words: each of ``search_sources`` in turn until one finds something. A source that fails is
        passed over; its failure is raised only when no other source found anything."""
        failure: TrackLoadFailed | None = None
        for prefix in self.search_sources:
            try:
                found = await lavalink_call(wavelink.Playable.search(text, source=prefix), refused)
            except TrackLoadFailed as exc:
                failure = failure or exc
                continue
            if found:
                return found
        if failure is not None:
            raise failure
        return []

    async def _nothing_found(self, text: str) -> TrackLoadFailed:
        """Why a search found nothing: the words, or (from the node's /v4/info) sources Lavalink lacks."""
        managers: list[str] | None = None
        if not is_direct(text):
            try:
                managers = (await lavalink_call(wavelink.Pool.get_node().fetch_info(), REFUSED)).source_managers
            except (KoeError, wavelink.WavelinkException) as exc:
                log.debug("no /v4/info to explain an empty search: %s", exc)
        return TrackLoadFailed(empty_search_message(text, self.search_sources, managers))

    async def destroy_player(self, lavalink_session_id: str, guild_id: int) -> None:
        """Destroy a player of another Lavalink session (a dead bot's): nothing may play on unattached
        beside the bot that took its channel over. Already gone is fine; failures are the caller's to log."""
        node = self._node
        if node is None or not lavalink_session_id:
            return
        path = f"v4/sessions/{lavalink_session_id}/players/{guild_id}"
        try:
            await lavalink_call(node.send("DELETE", path=path), REFUSED)
        except TrackLoadFailed as exc:  # Lavalink's 404: that session or player is gone already
            log.debug("destroying %s: %s", path, exc)

    async def close(self) -> None:
        """Stop keeping the node, disconnect its players and leave the Pool (another node may take the name)."""
        node, self._node = self._node, None
        if self._keeping is not None:
            await self._keeping.close()
        if node is None:
            return
        link = node.link
        try:
            await node.close(eject=True)
        finally:
            await link.close_socket()
            await node._session.close()  # wavelink leaves its HTTP session open
