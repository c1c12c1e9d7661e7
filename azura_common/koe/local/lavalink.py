"""This process's Lavalink: the node (kept connected by a ``LinkKeeper``, moved to the next of several
when one stays away), searches, and destroying another session's player. With ``player.py`` and ``node.py``
one of the only modules that import wavelink.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import wavelink

from ... import metrics
from ...supervised import Supervised
from ..errors import (
    InvalidArgument,
    KoeError,
    MusicServerDown,
    TrackLoadFailed,
)
from ..session import Track
from .keeper import CHECK_S, SWITCH_AFTER_S, LinkKeeper, Outage, Restored
from .node import KeptNode, check_wavelink_internals
from .player import HEARTBEAT_S, REFUSED, KoePlayer, lavalink_call, track_from_playable
from .search_sources import DEFAULT_SEARCH_SOURCES, empty_search_message, is_direct

__all__ = ["Lavalink", "SearchResult"]

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        metrics.watch_lavalink(self)

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

    def load(self) -> metrics.NodeLoad | None:
        """The node's latest ``stats`` (None before the first): what the metrics and /status show."""
        stats = self._node.stats if self._node is not None else None
        if stats is None:
            return None
        return metrics.NodeLoad(players=stats.players, playing=stats.playing, cpu=stats.cpu.lavalink_load)

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
        metrics.watch_lavalink(self, watching=False)
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
