"""This process's Lavalink nodes: every configured node connected (each kept up by a ``LinkKeeper``), new
sessions on the least-loaded healthy one (``node_choice``), a lost node's sessions moved to the others,
searches, and destroying another session's player. With ``player.py`` and ``node.py`` one of the only modules
that import wavelink.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import wavelink

from ... import metrics
from ...config import LavalinkServer
from ...supervised import Supervised
from ..errors import (
    InvalidArgument,
    KoeError,
    MusicServerDown,
    TrackLoadFailed,
)
from ..lyrics import Lyrics
from ..session import Track
from .keeper import CHECK_S, LinkKeeper, Outage
from .lavasrc import SERVICE_NAMES, lavasrc_source, serves
from .lyrics import fetch_lyrics
from .node import KeptNode, check_wavelink_internals
from .node_choice import choose_node
from .player import HEARTBEAT_S, REFUSED, KoePlayer, lavalink_call, track_from_playable
from .search_sources import DEFAULT_SEARCH_SOURCES, empty_search_message, is_direct

__all__ = ["SWITCH_AFTER_S", "Lavalink", "PlayersRestored", "SearchResult"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# A node away this long has its sessions moved to the other nodes: longer than a Lavalink that drops and takes
# its connection back (0.05 s here, its players played on), shorter than a restart (seconds for a real JVM).
SWITCH_AFTER_S = 2.0

PlayersRestored = Callable[[bool, Sequence[KoePlayer]], Awaitable[None]]
"""Called when ``players`` are on a Lavalink session again, before they serve commands: ``resumed`` True when
that session kept them (only a voice server moved meanwhile needs sending), False when they must be replayed
(their node restarted and lost them, or they were moved to another node)."""


# -- the nodes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a query found: every track of a link or playlist, or the matches of a search (best first)."""

    tracks: tuple[Track, ...]
    playlist: str | None = None  # the playlist's name when the query was a playlist


class Lavalink:
    """This process's connections to its Lavalink nodes (``uri`` first, then ``more``), each kept up by a
    ``LinkKeeper``.

    wavelink keeps one global Pool per process; the nodes join it as ``identifier``, ``identifier-2``, … and
    leave it on ``close``. A new player goes to the least-loaded healthy node, preferring its voice region's
    (chosen once Discord names the voice server, see ``KoePlayer``); it stays there while that node lives.
    A node away for ``switch_after_s`` hands its players to the others, again by load and region, and
    ``on_restored`` (the bot's) replays them there; a node that comes back gets new sessions by load.
    """

    def __init__(self, uri: str, password: str, identifier: str = "azura", *, check_s: float = CHECK_S,
                 heartbeat_s: float = HEARTBEAT_S, more: Sequence[tuple[str, str] | LavalinkServer] = (),
                 switch_after_s: float = SWITCH_AFTER_S, region: str = "") -> None:
        self.servers = (LavalinkServer(uri, password, region), *(LavalinkServer(*server) for server in more))
        self.switch_after_s = switch_after_s
        self.identifier = identifier
        self.check_s = check_s
        self.heartbeat_s = heartbeat_s
        self.on_restored: PlayersRestored | None = None
        self._nodes: tuple[KeptNode, ...] = ()
        self._keeping: list[Supervised] = []
        self._managers: dict[str, tuple[str, frozenset[str]]] = {}  # node → (its Lavalink session, /v4/info's)

    async def connect(self, client: Any) -> None:
        """Join the Pool and start keeping every node connected for ``client`` (a logged-in discord.Client);
        call from its setup_hook. Returns at once: the bot logs in (NOT_SERVING) while Lavalink is away."""
        nodes = tuple(self._node(client, index, server) for index, server in enumerate(self.servers))
        await wavelink.Pool.connect(nodes=list(nodes), client=client)
        for node in nodes:
            if wavelink.Pool.nodes.get(node.identifier) is not node:
                raise RuntimeError(f"another Lavalink node is already called {node.identifier!r} in this process")
            check_wavelink_internals(node, node.link)
            node.keeper = LinkKeeper(node.link, on_restored=functools.partial(self._restored, node),
                                     check_s=self.check_s, name=f"Lavalink {node.uri}")
            self._keeping.append(Supervised(f"lavalink-keeper-{node.identifier}", node.keeper.run))
        self._nodes = nodes
        if len(nodes) > 1:
            self._keeping.append(Supervised(f"lavalink-mover-{self.identifier}", self._move_off_lost_nodes))
        for keeping in self._keeping:
            keeping.start()
        metrics.watch_lavalink(self)

    def _node(self, client: Any, index: int, server: LavalinkServer) -> KeptNode:
        node = KeptNode(
            identifier=self.identifier if index == 0 else f"{self.identifier}-{index + 1}",
            uri=server.uri,
            password=server.password,
            client=client,
            heartbeat=self.heartbeat_s,
            resume_timeout=60,
            inactive_player_timeout=None,  # idle policy is Azura's, not wavelink's
        )
        node.region = server.region
        return node

    async def _restored(self, node: KeptNode, resumed: bool) -> None:
        if resumed:
            await self._destroy_strays(node)
        if self.on_restored is not None:
            await self.on_restored(resumed, players_on(node))

    async def _destroy_strays(self, node: KeptNode) -> None:
        """Lavalink kept our session, and with it the players of channels we left while it was away (a
        /leave, a kick) or moved to another node: nothing else would ever destroy them."""
        try:
            players = await lavalink_call(node.fetch_players(), REFUSED)
            for stray in (p for p in players if node.get_player(p.guild_id) is None):
                log.info("destroying the player %s kept for guild %s, which we left", node.identifier, stray.guild_id)
                await self._destroy_on(node, node.session_id or "", stray.guild_id)
        except KoeError as exc:
            log.warning("cleaning up after Lavalink %s came back: %s", node.uri, exc)

    async def _move_off_lost_nodes(self) -> None:
        """Every ``check_s``: the players of a node away for ``switch_after_s`` go to the best healthy nodes."""
        while True:
            await asyncio.sleep(self.check_s)
            for node in self._nodes:
                down_for = node.keeper.down_for() if node.keeper is not None else None
                if down_for is not None and down_for >= self.switch_after_s and not node.link.is_open:
                    await self._move_players(node)

    async def _move_players(self, lost: KeptNode) -> None:
        moved: list[KoePlayer] = []
        for player in players_on(lost):
            target = self.choose(player.voice_region)
            if target is None:  # no node is up: they wait for the first to come back (its keeper replays)
                break
            player.rehome(target)
            moved.append(player)
        if not moved or self.on_restored is None:
            return
        log.warning("Lavalink %s stays away; %d session(s) moved to %s", lost.uri, len(moved),
                    ", ".join(sorted({player.node.uri for player in moved})))
        try:
            await self.on_restored(False, moved)
        except Exception:  # one session that could not be put back must not keep the others waiting
            log.exception("replaying the sessions moved off %s failed", lost.uri)

    def choose(self, region: str | None = None) -> KeptNode | None:
        """The node a new session goes to (``node_choice.choose_node``), or None when none is up."""
        by_name = {node.identifier: node for node in self._nodes}
        chosen = choose_node([node.view() for node in self._nodes], region)
        return by_name[chosen.name] if chosen is not None else None

    @property
    def nodes(self) -> tuple[KeptNode, ...]:
        return self._nodes

    @property
    def ready(self) -> bool:
        """At least one node connected with its sessions restored: Lavalink may be asked. At start, only
        once every node was tried (connected or refused), so the first sessions are not all put on whichever
        node happened to answer first."""
        nodes = self._nodes
        return any(node.serving for node in nodes) and all(node.keeper is not None and node.keeper.tried
                                                           for node in nodes)

    def down_for(self) -> float | None:
        """Seconds since the last node up was lost (None while one is up, or before the first connection)."""
        if self.ready:
            return None
        downs = [down for node in self._nodes if node.keeper is not None
                 and (down := node.keeper.down_for()) is not None]
        return min(downs, default=None)

    @property
    def outages(self) -> tuple[Outage, ...]:
        """Every node's latest outages, oldest first."""
        found = [outage for node in self._nodes if node.keeper is not None for outage in node.keeper.outages]
        return tuple(sorted(found, key=lambda outage: outage.lost_at))

    def player_factory(self) -> Callable[[Any, Any], KoePlayer]:
        """What ``channel.connect(cls=...)`` takes: a KoePlayer on the least-loaded healthy node (not whichever
        the Pool picks), which picks again by region once Discord names the voice server."""
        node = self.choose()
        if node is None:
            raise MusicServerDown()
        return functools.partial(KoePlayer, nodes=[node], place=self.choose)

    # Plain words are searched with these prefixes in turn (the parent sets AZURA_SEARCH_SOURCES).
    search_sources: tuple[str, ...] = DEFAULT_SEARCH_SOURCES

    async def search(self, query: str, requester_id: int = 0) -> SearchResult:
        """Resolve a query or URL: a URL or a playlist gives all its tracks, a search its best match first.

        A link (or a query naming its source, ``scsearch:…``) is loaded as it is; plain words go to each of
        ``search_sources`` in turn until one finds something. Nothing found raises ``TrackLoadFailed`` naming
        the query, or what to add to Lavalink when it has none of those sources."""
        text = query.strip()
        if not text:
            raise InvalidArgument(argument="query", key="errors.nothing_to_play")
        refused = f"Couldn't load {text!r}"
        node = self._searching_node()
        if is_direct(text):
            await self._check_plugin(text, node)
            found = await lavalink_call(wavelink.Playable.search(text, source=None, node=node), refused)
        else:
            found = await self._search_words(text, refused, node)
        if isinstance(found, wavelink.Playlist):
            tracks = tuple(track_from_playable(item, requester_id) for item in found.tracks)
            playlist: str | None = found.name
        else:
            tracks = tuple(track_from_playable(item, requester_id) for item in found)
            playlist = None
        if not tracks:
            raise await self._nothing_found(text, node)
        return SearchResult(tracks=tracks, playlist=playlist)

    # -- autoplay --
    async def load(self, identifier: str, requester_id: int = 0) -> tuple[Track, ...]:
        """Load ``identifier`` exactly as given, no search prefix added (a mix link, LavaSrc's ``sprec:…``): its
        tracks, none when Lavalink found none."""
        node = self._searching_node()
        found = await lavalink_call(wavelink.Pool.fetch_tracks(identifier, node=node), f"Couldn't load {identifier!r}")
        items = found.tracks if isinstance(found, wavelink.Playlist) else found
        return tuple(track_from_playable(item, requester_id) for item in items)

    async def lyrics(self, encoded: str) -> Lyrics | None:
        """The lyrics of an encoded track from a lyrics plugin on a healthy node (``local.lyrics``)."""
        return await fetch_lyrics(self._searching_node(), encoded)

    def _searching_node(self) -> KeptNode:
        node = self.choose()
        if node is None:
            raise MusicServerDown()
        return node

    async def _search_words(self, text: str, refused: str, node: KeptNode) -> wavelink.Search:
        """Plain words: each of ``search_sources`` in turn until one finds something. A source that fails is
        passed over; its failure is raised only when no other source found anything."""
        failure: TrackLoadFailed | None = None
        for prefix in self.search_sources:
            try:
                found = await lavalink_call(wavelink.Playable.search(text, source=prefix, node=node), refused)
            except TrackLoadFailed as exc:
                failure = failure or exc
                continue
            if found:
                return found
        if failure is not None:
            raise failure
        return []

    async def _nothing_found(self, text: str, node: KeptNode) -> TrackLoadFailed:
        """Why a search found nothing: the words, or (from the node's /v4/info) sources Lavalink lacks."""
        managers = None if is_direct(text) else await self._fetch_managers(node)  # fresh: it explains a failure
        return TrackLoadFailed(empty_search_message(text, self.search_sources, managers))

    async def _check_plugin(self, text: str, node: KeptNode) -> None:
        """A Spotify/Apple Music/Deezer link or search on a node without LavaSrc: say so instead of loading it
        (Lavalink would answer "Unknown file format" or nothing at all)."""
        source = lavasrc_source(text)
        if source is None:
            return
        managers = await self._source_managers(node)
        if managers is not None and not serves(source, managers):
            raise TrackLoadFailed(key="streams.needs_lavasrc", params={"service": SERVICE_NAMES[source]})

    async def _source_managers(self, node: KeptNode) -> frozenset[str] | None:
        """The node's ``/v4/info`` source managers, asked once per Lavalink session: plugins come and go only
        with a restart, which starts a new session. None when the node does not answer (in time)."""
        session = node.session_id or ""
        known = self._managers.get(node.identifier)
        if known is not None and known[0] == session:
            return known[1]
        managers = await self._fetch_managers(node)
        if managers is not None:
            self._managers[node.identifier] = (session, managers)
        return managers

    @staticmethod
    async def _fetch_managers(node: KeptNode) -> frozenset[str] | None:
        """The node's ``/v4/info`` source managers now (within Lavalink's timeout), or None."""
        try:
            info = await lavalink_call(node.fetch_info(), REFUSED)
        except (KoeError, wavelink.WavelinkException) as exc:
            log.debug("no /v4/info from %s: %s", node.identifier, exc)
            return None
        return frozenset(info.source_managers)

    async def destroy_player(self, lavalink_session_id: str, guild_id: int) -> None:
        """Destroy a player of another Lavalink session (a dead bot's): nothing may play on unattached
        beside the bot that took its channel over. The session is on one of the nodes; the others do not know
        it. Already gone is fine; failures are the caller's to log."""
        if not lavalink_session_id:
            return
        await asyncio.gather(*(self._destroy_on(node, lavalink_session_id, guild_id)
                               for node in self._nodes if node.serving))

    @staticmethod
    async def _destroy_on(node: KeptNode, lavalink_session_id: str, guild_id: int) -> None:
        path = f"v4/sessions/{lavalink_session_id}/players/{guild_id}"
        try:
            await lavalink_call(node.send("DELETE", path=path), REFUSED)
        except TrackLoadFailed as exc:  # Lavalink's 404: that session or player is gone already, or elsewhere
            log.debug("destroying %s on %s: %s", path, node.identifier, exc)

    async def close(self) -> None:
        """Stop keeping the nodes, disconnect their players and leave the Pool (other nodes may take the names)."""
        metrics.watch_lavalink(self, watching=False)
        nodes, self._nodes = self._nodes, ()
        keeping, self._keeping = self._keeping, []
        await asyncio.gather(*(k.close() for k in keeping))
        for node in nodes:
            link = node.link
            try:
                await node.close(eject=True)
            finally:
                await link.close_socket()
                await node._session.close()  # wavelink leaves its HTTP session open


def players_on(node: KeptNode) -> list[KoePlayer]:
    """Our players on ``node`` (all of them: the node is ours alone)."""
    return [player for player in node.players.values() if isinstance(player, KoePlayer)]
