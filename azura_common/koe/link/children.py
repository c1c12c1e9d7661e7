"""``Children``: every configured child, as Koe's child pool on the parent.

``acquire`` asks every child that is up (and not stopping) at once over its Link and claims the first that
is free, releasing the others; a child only promised to a concurrent request is asked again after a short
jittered pause, so many simultaneous ``/play``s spread over every free child.

Links come and go at run time too (discovery: ``azura_parent/discovery.py``): ``add`` links a new child;
``retire`` takes one out of the pool for new sessions and moves its sessions away (handed over while it still
answers, the way a stopping child's are; a child that is down is failed over by its own Link); ``remove``
closes it once it holds none. One ``TokenBook`` is shared by every Link, those added later too (no token
index is handed to two children).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid

from ..errors import ChildUnavailable
from ..failover import Failover
from ..remote import RemoteSession
from ..session import Session
from .parent_end import ChildLink
from .tokens import TokenBook

__all__ = ["ACQUIRE_TIMEOUT_S", "UNREACHABLE", "Children"]

ACQUIRE_TIMEOUT_S = 5.0  # a /play waits at most this long for a free child
log = logging.getLogger(__name__)

UNREACHABLE = "The other Azura bots can't be reached right now; try again in a moment."


class Children:
    """Every configured child: Koe's ChildPool on the parent."""

    def __init__(self, links: list[ChildLink]) -> None:
        self.links = links
        self._failover: Failover | None = None
        self._started = False
        self._retiring: set[ChildLink] = set()  # out of the pool for new sessions; removed once they hold none
        self.tokens = TokenBook()  # one book for every Link: no token index is handed to two children
        for link in links:
            link.use_tokens(self.tokens)
            link.on_process_bots = self._link_process_bots

    @property
    def failover(self) -> Failover | None:
        return self._failover

    @failover.setter
    def failover(self, failover: Failover | None) -> None:
        """Where every link's sessions go when its child goes away, links added later included."""
        self._failover = failover
        for link in self.links:
            link.failover = failover

    @property
    def size(self) -> int:
        return len(self.links)

    @property
    def offline(self) -> int:
        return sum(1 for link in self.links if not link.up)

    def start(self) -> None:
        self._started = True
        for link in self.links:
            link.start()

    def add(self, link: ChildLink) -> None:
        """A child found at run time: in the pool at once, its Link opening (if the pool has started)."""
        link.failover = self._failover
        link.use_tokens(self.tokens)
        link.on_process_bots = self._link_process_bots
        self.links.append(link)
        if self._started:
            link.start()

    def bots_of(self, link: ChildLink) -> list[ChildLink]:
        """Every Link to a bot of ``link``'s process (one channel), ``link`` included."""
        return [other for other in self.links if other.connection.shares_channel(link.connection)]

    def process_sessions(self, link: ChildLink) -> list[RemoteSession]:
        """The sessions held by every bot of ``link``'s process (what must move before it can be removed)."""
        return [session for bot in self.bots_of(link) or [link] for session in bot.sessions()]

    def _link_process_bots(self, link: ChildLink, count: int) -> None:
        """A process's first bot said its process runs ``count`` bots: link each one not linked yet."""
        linked = {other.connection.bot_slot for other in self.bots_of(link)}
        for slot in range(2, count + 1):
            if slot not in linked:
                log.info("child %s runs %d bots: linking bot %d", link.address, count, slot)
                self.add(link.sibling(slot))

    def retiring(self, link: ChildLink) -> bool:
        return link in self._retiring

    def retire(self, link: ChildLink) -> None:
        """Take ``link`` out of the pool for new sessions and move its sessions to other bots.

        A child that still answers hands each session over (restored elsewhere first, then told to stand down,
        so the music does not stop); one that is down has its sessions failed over by its own Link (parked and
        restored). Called again while sessions remain (nobody was free), it tries the hand-over again."""
        for bot in self.bots_of(link) or [link]:  # an address going away takes every bot of its process
            self._retiring.add(bot)
            sessions = bot.sessions()
            if bot.up and sessions and self._failover is not None:
                self._failover.bot_draining(list(sessions), dict(bot.records), bot.bot_user_id)

    def keep(self, link: ChildLink) -> None:
        """A retiring child that is wanted again (its address came back): in the pool again."""
        for bot in self.bots_of(link) or [link]:
            self._retiring.discard(bot)

    async def remove(self, link: ChildLink) -> None:
        """Close ``link`` and every other bot's Link of its process, and forget them (after ``retire`` moved
        their sessions)."""
        bots = self.bots_of(link) or [link]
        for bot in bots:
            self._retiring.discard(bot)
            if bot in self.links:
                self.links.remove(bot)
            self.tokens.forget(bot.address)
        await asyncio.gather(*(bot.close() for bot in bots))
        await link.connection.close()  # the one channel they shared

    async def wait_up(self, timeout: float) -> int:
        """Wait (at most ``timeout``) for every Link to be up, those a multi-bot process's first Hello adds
        meanwhile included; how many are."""
        deadline = time.monotonic() + timeout
        while True:
            links = list(self.links)
            await asyncio.gather(*(link.wait_up(max(0.0, deadline - time.monotonic())) for link in links))
            if len(self.links) == len(links) or time.monotonic() >= deadline:
                return sum(1 for link in self.links if link.up)

    async def close(self) -> None:
        await asyncio.gather(*(link.close() for link in self.links))
        await asyncio.gather(*(link.connection.close() for link in self.links), return_exceptions=True)

    def link_of(self, session: Session) -> ChildLink | None:
        if isinstance(session, RemoteSession):
            for link in self.links:
                if link.connection is session.connection:
                    return link
        return None

    async def acquire(self, guild_id: int, channel_id: int) -> Session | None:
        """Ask every child at once; claim the first that is free; release the rest.

        A child that is only promised to a concurrent request is asked again after a short, jittered
        pause, so twenty simultaneous /plays spread over every free child instead of all but one failing."""
        deadline = time.monotonic() + ACQUIRE_TIMEOUT_S
        candidates = self._in_pool()
        if self.links and not candidates:
            raise ChildUnavailable(UNREACHABLE)
        asked = set(candidates)
        while candidates:
            chosen, held, answered = await self._acquire_round(guild_id, channel_id, candidates)
            if chosen is not None:
                return RemoteSession(chosen.connection, guild_id, channel_id, chosen.bot_user_id)
            if not answered:
                raise ChildUnavailable(UNREACHABLE)  # "busy" would be a lie: nobody could say
            if not held or time.monotonic() > deadline:
                return None
            # Asked again: those only held (or starting), and any child that linked up meanwhile, which may be
            # free now while a held one stays starting for seconds.
            linked = [link for link in self._in_pool() if link not in asked]
            asked.update(linked)
            candidates = held + linked
            await asyncio.sleep(random.uniform(0.005, 0.03))
        return None

    def _in_pool(self) -> list[ChildLink]:
        """The Links that may get a new session now: up, not stopping, not retiring."""
        return [link for link in self.links if link.up and link.draining_until is None and link not in self._retiring]

    async def _acquire_round(
        self, guild_id: int, channel_id: int, candidates: list[ChildLink]
    ) -> tuple[ChildLink | None, list[ChildLink], bool]:
        request_id = uuid.uuid4().hex
        asks = {
            asyncio.create_task(link.ask_availability(request_id, guild_id, channel_id)): link for link in candidates
        }
        chosen: ChildLink | None = None
        held: list[ChildLink] = []
        answered = False
        try:
            pending = set(asks)
            while pending and chosen is None:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    answer, link = task.result(), asks[task]
                    answered = answered or answer != "down"
                    if answer == "held":
                        held.append(link)
                    elif answer == "available" and chosen is None:
                        if await link.claim(request_id, guild_id, channel_id):
                            chosen = link
                        else:
                            link.release(request_id, guild_id)
        finally:
            for task in asks:
                if not task.done():
                    task.cancel()
            results = await asyncio.gather(*asks, return_exceptions=True)
            for task, outcome in zip(asks, results, strict=True):
                link = asks[task]
                if link is not chosen and outcome == "available":
                    link.release(request_id, guild_id)
        return chosen, held, answered
