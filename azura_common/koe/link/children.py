"""``Children``: every configured child, as Koe's child pool on the parent.

``acquire`` asks every child that is up (and not stopping) at once over its Link and claims the first that
is free, releasing the others; a child only promised to a concurrent request is asked again after a short
jittered pause, so many simultaneous ``/play``s spread over every free child. One ``TokenBook`` is shared by
every Link (a Link added later must ``use_tokens`` it too; one removed is ``tokens.forget``-ten).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid

from ..errors import ChildUnavailable
from ..remote import RemoteSession
from ..session import Session
from .parent_end import ChildLink
from .tokens import TokenBook

__all__ = ["ACQUIRE_TIMEOUT_S", "UNREACHABLE", "Children"]

ACQUIRE_TIMEOUT_S = 5.0  # a /play waits at most this long for a free child
UNREACHABLE = "The other Azura bots can't be reached right now; try again in a moment."


class Children:
    """Every configured child: Koe's ChildPool on the parent."""

    def __init__(self, links: list[ChildLink]) -> None:
        self.links = links
        self.tokens = TokenBook()  # one book for every Link: no token index is handed to two children
        for link in links:
            link.use_tokens(self.tokens)

    @property
    def size(self) -> int:
        return len(self.links)

    @property
    def offline(self) -> int:
        return sum(1 for link in self.links if not link.up)

    def start(self) -> None:
        for link in self.links:
            link.start()

    async def wait_up(self, timeout: float) -> int:
        results = await asyncio.gather(*(link.wait_up(timeout) for link in self.links))
        return sum(results)

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
        candidates = [link for link in self.links if link.up and link.draining_until is None]
        if self.links and not candidates:
            raise ChildUnavailable(UNREACHABLE)
        while candidates:
            chosen, held, answered = await self._acquire_round(guild_id, channel_id, candidates)
            if chosen is not None:
                return RemoteSession(chosen.connection, guild_id, channel_id, chosen.bot_user_id)
            if not answered:
                raise ChildUnavailable(UNREACHABLE)  # "busy" would be a lie: nobody could say
            if not held or time.monotonic() > deadline:
                return None
            candidates = held
            await asyncio.sleep(random.uniform(0.005, 0.03))
        return None

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
