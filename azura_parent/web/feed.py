"""Live updates: session changes the parent already sees → every browser watching that server.

The parent hears of a change three ways: its own commands and the web's call ``bot.changed(session)``, its own
player's track events (``session_listeners``), and a child's record pushed over the Link. Each is a ``poke``
with the voice channel. The feed reads that session's card once (coalescing a burst of pokes) and hands it to
every subscriber of the server; a session that ended is sent as a card of None. Nothing polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from azura_common.koe.errors import KoeError

from .cards import Card

__all__ = ["CardEvent", "SessionFeed", "Subscription"]

log = logging.getLogger(__name__)

COALESCE_S = 0.05  # pokes within this long make one read
QUEUE_BOUND = 64  # a browser that falls this far behind loses its oldest events (the next card repairs it)


@dataclass(frozen=True, slots=True)
class CardEvent:
    guild_id: int
    channel_id: int
    card: Card | None  # None: the session ended


class Subscription:
    def __init__(self, feed: SessionFeed, guild_id: int) -> None:
        self.feed, self.guild_id = feed, guild_id
        self.events: asyncio.Queue[CardEvent] = asyncio.Queue(QUEUE_BOUND)

    def put(self, event: CardEvent) -> None:
        if self.events.full():
            self.events.get_nowait()
        self.events.put_nowait(event)

    def close(self) -> None:
        self.feed.unsubscribe(self)


ReadCard = Callable[[int], Awaitable[Card | None]]  # channel id → its card now, None when no session


class SessionFeed:
    def __init__(self, read: ReadCard, guild_of: Callable[[int], int | None]) -> None:
        self._read, self._guild_of = read, guild_of
        self._subscribers: dict[int, set[Subscription]] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}  # channel id → its read under way
        self._guilds: dict[int, int] = {}  # channel id → guild id, remembered for the session's end

    def subscribe(self, guild_id: int) -> Subscription:
        subscription = Subscription(self, guild_id)
        self._subscribers.setdefault(guild_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        found = self._subscribers.get(subscription.guild_id)
        if found is not None:
            found.discard(subscription)
            if not found:
                del self._subscribers[subscription.guild_id]

    def poke(self, channel_id: int) -> None:
        """``channel_id``'s session changed (or ended): its watchers get its card shortly."""
        guild_id = self._guild_of(channel_id) or self._guilds.get(channel_id)
        if guild_id is None:
            return
        self._guilds[channel_id] = guild_id
        if guild_id not in self._subscribers or channel_id in self._pending:
            return
        task = asyncio.get_running_loop().create_task(self._publish(guild_id, channel_id), name=f"feed-{channel_id}")
        self._pending[channel_id] = task

    async def _publish(self, guild_id: int, channel_id: int) -> None:
        try:
            await asyncio.sleep(COALESCE_S)
            del self._pending[channel_id]  # a poke from now on reads again
            try:
                card = await self._read(channel_id)
            except KoeError as exc:  # the session is going away or its bot is unreachable: the next poke repairs
                log.debug("card of %s not read: %s", channel_id, exc)
                return
            if card is None:
                self._guilds.pop(channel_id, None)
            for subscription in list(self._subscribers.get(guild_id, ())):
                subscription.put(CardEvent(guild_id, channel_id, card))
        finally:
            if self._pending.get(channel_id) is asyncio.current_task():
                del self._pending[channel_id]

    async def close(self) -> None:
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._pending.clear()
