"""Koe: voice channel id → Session, and the routing decision for a new channel.

The rule (DESIGN.md "Koe in one paragraph"): reuse the session of the user's voice channel; else play
here (a LocalSession) when this bot is not connected anywhere in that guild; else take a free child
(a RemoteSession, found through the Link handshake); none free → ``Busy`` naming how many bots there are
(and how many of them are offline).
Tearing a session down removes every copy of it. Koe knows nothing of discord, wavelink or grpc: the
process that owns it injects how to build a LocalSession and where children come from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from .errors import AlreadyConnected, Busy, KoeError, NoSession
from .records import SessionRecord
from .session import ASKED, CloseReason, Ending, Session, SessionState

__all__ = ["ChildPool", "Koe", "LocalFactory", "Route"]

log = logging.getLogger(__name__)

LocalFactory = Callable[[int, int], Session]
"""Builds (does not connect) a LocalSession for ``(guild_id, channel_id)``."""


class ChildPool(Protocol):
    """Where Koe finds children: the parent end of the Link streams."""

    @property
    def size(self) -> int:
        """How many children are configured (free or not)."""
        ...

    @property
    def offline(self) -> int:
        """How many of them are down right now (not asked, so not counted as busy)."""
        ...

    async def acquire(self, guild_id: int, channel_id: int) -> Session | None:
        """Claim a child free in ``guild_id`` and return its (not yet connected) RemoteSession, or None."""
        ...


@dataclass(frozen=True, slots=True)
class Route:
    """Where a channel's session lives; what ``Koe.routes()`` lists."""

    guild_id: int
    channel_id: int
    local: bool
    session: Session


class Koe:
    """Channel id → session for one process.

    ``on_closed`` is called (after the session is forgotten) whenever a session ends, whatever ended it,
    so the owner can tell others (the child sends ``SessionClosed`` upstream from there).
    """

    def __init__(
        self,
        local_factory: LocalFactory | None,
        children: ChildPool | None = None,
        on_closed: Callable[[Session, Ending], Awaitable[None]] | None = None,
    ) -> None:
        self._local_factory = local_factory
        self._children = children
        self._on_closed = on_closed
        self._routes: dict[int, Route] = {}
        self._local_guilds: dict[int, int] = {}  # guild id → channel id this process plays in
        self._opening: dict[int, asyncio.Future[Session]] = {}  # channel id → the open in progress

    def use_children(self, children: ChildPool) -> None:
        """Wire the child pool after construction (the pool's Links need this Koe to reconcile into)."""
        self._children = children

    # -- lookup -------------------------------------------------------------------------------------
    def get(self, channel_id: int) -> Session | None:
        route = self._routes.get(channel_id)
        return route.session if route else None

    def require(self, channel_id: int) -> Session:
        """The session of ``channel_id`` or ``NoSession``."""
        session = self.get(channel_id)
        if session is None:
            raise NoSession()
        return session

    def routes(self) -> list[Route]:
        return list(self._routes.values())

    def local_channel(self, guild_id: int) -> int | None:
        """The channel this process plays in within ``guild_id``, if any."""
        return self._local_guilds.get(guild_id)

    @property
    def bots_total(self) -> int:
        return (1 if self._local_factory is not None else 0) + (self._children.size if self._children else 0)

    # -- routing ------------------------------------------------------------------------------------
    async def open(
        self, guild_id: int, channel_id: int, text_channel_id: int | None = None, dj_role_id: int | None = None
    ) -> Session:
        """The session for a user's voice channel, creating and connecting one if needed."""
        session, _ = await self.open_tracked(guild_id, channel_id, text_channel_id, dj_role_id)
        return session

    async def open_tracked(
        self, guild_id: int, channel_id: int, text_channel_id: int | None = None, dj_role_id: int | None = None
    ) -> tuple[Session, bool]:
        """Like ``open``, and whether this very call created the session (only its creator may undo it).

        Concurrent opens of one channel share one attempt; opens of different channels run side by side
        (children guard themselves with their lease, the local bot is reserved before any await)."""
        existing = self.get(channel_id)
        if existing is not None:
            return existing, False
        pending = self._opening.get(channel_id)
        if pending is not None:
            return await asyncio.shield(pending), False
        attempt: asyncio.Future[Session] = asyncio.get_running_loop().create_future()
        self._opening[channel_id] = attempt
        try:
            session = await self._open_new(guild_id, channel_id, lambda s: s.connect(text_channel_id, dj_role_id))
        except BaseException as exc:
            attempt.set_exception(exc)
            attempt.exception()  # retrieved: concurrent waiters re-raise it
            raise
        finally:
            del self._opening[channel_id]
        attempt.set_result(session)
        return session, True

    async def restore(
        self, record: SessionRecord, *, replacing: Session | None = None,
        as_of_now: Callable[[], SessionRecord] | None = None,
    ) -> Session:
        """Bring a session back from its record on a bot free in its guild (failover, restart), routed as a
        new session is. ``replacing``: the session now in that channel (a parked or lost one), which the
        restored one replaces only once it plays; on failure the channel keeps it. ``as_of_now``: the record
        again once a bot is found (finding one may wait for a starting child; a parked session's position
        must not run on meanwhile)."""
        current = self.get(record.channel_id)
        if current is not None and current is not replacing:
            raise AlreadyConnected(key="errors.channel_has_session")
        return await self._open_new(
            record.guild_id, record.channel_id, lambda s: s.restore(as_of_now() if as_of_now else record)
        )

    async def _open_new(
        self, guild_id: int, channel_id: int, start: Callable[[Session], Awaitable[object]]
    ) -> Session:
        local = self._local_factory is not None and guild_id not in self._local_guilds
        session: Session | None = None
        if local:
            assert self._local_factory is not None
            self._local_guilds[guild_id] = channel_id  # reserved before any await
            session = self._local_factory(guild_id, channel_id)
        elif self._children is not None:
            session = await self._children.acquire(guild_id, channel_id)
        if session is None:
            raise Busy(self.bots_total, offline=self._children.offline if self._children else 0)
        try:
            await start(session)
        except BaseException:
            if local and self._local_guilds.get(guild_id) == channel_id:
                del self._local_guilds[guild_id]
            if not local:
                await _quietly_disconnect(session)
            raise
        self._add(Route(guild_id, channel_id, local, session))
        return session

    def adopt(self, session: Session, *, local: bool) -> None:
        """Track a session that already exists elsewhere (a child's Hello after a parent restart)."""
        self._add(Route(session.guild_id, session.channel_id, local, session))

    # -- teardown -----------------------------------------------------------------------------------
    async def destroy(self, channel_id: int, ending: Ending = ASKED) -> None:
        """Disconnect the channel's session and forget it here (the remote copy goes with disconnect)."""
        route = self._routes.get(channel_id)
        if route is None:
            raise NoSession()
        if route.local:
            # Forget first: the LocalSession's own end callback then finds nothing and cannot relabel the reason.
            await self.forget(channel_id, ending, route.session)
            await route.session.disconnect(ending)
            return
        # Remote: forget only once the child let go, or music nobody can stop would play on.
        try:
            await route.session.disconnect(ending)
        except NoSession:
            pass  # the child had already ended it
        await self.forget(channel_id, ending, route.session)

    async def forget(self, channel_id: int, ending: Ending, session: Session | None = None) -> Session | None:
        """Drop a session that ended elsewhere (a child's SessionClosed, a LocalSession's own end).

        With ``session``, only that very session is dropped: a late notice about an old session must not
        drop a newer one in the same channel."""
        current = self._routes.get(channel_id)
        if current is None or (session is not None and current.session is not session):
            return None
        route = self._remove(channel_id)
        if route is None:
            return None
        log.info("session in channel %s ended: %s", channel_id, ending)
        if self._on_closed is not None:
            await self._on_closed(route.session, ending)
        return route.session

    async def close(self, ending: Ending | None = None, *, local_only: bool = False) -> None:
        """Disconnect every session (or only this process's own), all at once: shutdown has a deadline."""
        ending = ending or Ending(CloseReason.SHUTDOWN)
        channels = [r.channel_id for r in self._routes.values() if r.local or not local_only]
        results = await asyncio.gather(*(self.destroy(c, ending) for c in channels), return_exceptions=True)
        for channel_id, result in zip(channels, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("closing session in %s: %s", channel_id, result)

    async def states(self) -> list[SessionState]:
        """The state of every session that can still answer (one ending right now is skipped)."""
        found: list[SessionState] = []
        for route in self.routes():
            try:
                found.append(await route.session.get_state())
            except KoeError as exc:
                log.debug("no state for %s: %s", route.channel_id, exc)
        return found

    def _add(self, route: Route) -> None:
        self._remove(route.channel_id)  # a restored session replaces the one it stood in for
        self._routes[route.channel_id] = route
        if route.local:
            self._local_guilds[route.guild_id] = route.channel_id

    def _remove(self, channel_id: int) -> Route | None:
        route = self._routes.pop(channel_id, None)
        if route is not None and route.local and self._local_guilds.get(route.guild_id) == channel_id:
            del self._local_guilds[route.guild_id]
        return route


async def _quietly_disconnect(session: Session) -> None:
    # A child claimed for a session whose connect failed must be released, or its lease leaks.
    try:
        await session.disconnect()
    except KoeError as exc:
        log.debug("releasing a failed remote session: %s", exc)
