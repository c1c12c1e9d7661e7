"""The wavelink adapter: the only module that imports wavelink.

``KoePlayer`` is the wavelink player a ``LocalSession`` drives: it speaks Koe (tracks, positions, volumes)
and turns wavelink's failures into the ``KoeError`` a user can read. ``Lavalink`` wraps this process's
node and its searches. wavelink's own queue and autoplay stay off: the Koe queue decides what plays.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

import wavelink

from ..errors import ChildUnavailable, InvalidArgument, KoeError, PermissionDenied, TrackLoadFailed
from ..session import CloseReason, Ending, Track
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


class KoePlayer(wavelink.Player):
    """A wavelink player driven by one LocalSession (so bot listeners can route events to it).

    It keeps its own position estimate: wavelink's starts only from Lavalink's last report, which comes
    every few seconds, so right after our own seek/play/pause it would start from a stale one (two quick
    ``+10`` seeks would land on the same spot). Ours restarts from whatever is newest: a report
    (``note_player_update``) or what we just told Lavalink.
    """

    session: LocalSession | None = None
    _anchor: tuple[int, int] | None = None  # (position in ms, monotonic ns when it was true)

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

    # -- what a LocalSession asks of its player (see local.session.VoicePlayer) ---------------------------
    @property
    def lavalink_session_id(self) -> str:
        return self.node.session_id or ""

    async def play_track(self, track: Track, *, volume: int, paused: bool, start_ms: int | None = None) -> None:
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
        await lavalink_call(self.seek(position_ms), REFUSED)
        self._restart_clock(position_ms)

    async def set_paused(self, paused: bool) -> None:
        position = self.position
        await lavalink_call(self.pause(paused), REFUSED)
        self._restart_clock(position)

    async def change_volume(self, volume: int) -> None:
        await lavalink_call(self.set_volume(volume), REFUSED)

    async def stop_track(self) -> None:
        await lavalink_call(self.stop(), REFUSED)

    async def leave(self) -> None:
        """Leave voice, best effort: the session ends whether or not Lavalink answers."""
        where = self.channel.id if self.channel is not None else "?"
        try:
            await asyncio.wait_for(self.disconnect(), LAVALINK_TIMEOUT_S)
        except (TimeoutError, wavelink.WavelinkException, AssertionError) as exc:
            log.warning("leaving voice in %s: %s", where, exc)

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
        self._node = None
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        await wavelink.Pool.close()
