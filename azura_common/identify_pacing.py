"""When a bot's shards may IDENTIFY: Discord's session start rate, per ``max_concurrency`` bucket.

Discord takes one IDENTIFY per bucket per 5 s, where a shard's bucket is ``shard_id % max_concurrency``
(``max_concurrency`` comes from ``GET /gateway/bot``: 1 for most bots, 16 or more for large ones). A faster
one is answered "invalid session" and costs a reconnect. discord.py itself waits 5 s before every IDENTIFY
but a process's first, whatever the buckets: four shards take 15 s to start where max_concurrency 4 allows
them all at once. This pacer waits only as long as the shard's bucket requires.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["IDENTIFY_INTERVAL_S", "IdentifyPacer"]

IDENTIFY_INTERVAL_S = 5.0


class IdentifyPacer:
    """One bot's identify schedule: ``await wait_turn(shard_id)`` right before that shard identifies."""

    def __init__(
        self,
        max_concurrency: int = 1,
        interval_s: float = IDENTIFY_INTERVAL_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.interval_s = interval_s
        self._clock = clock
        self._sleep = sleep
        self._next: dict[int, float] = {}  # bucket -> earliest time of its next IDENTIFY
        self._lock = asyncio.Lock()

    def bucket(self, shard_id: int) -> int:
        return shard_id % max(1, self.max_concurrency)

    async def wait_turn(self, shard_id: int) -> float:
        """Wait until *shard_id*'s bucket may identify again and claim that slot; the seconds waited."""
        async with self._lock:  # claims in call order, so two shards of one bucket never take the same slot
            bucket = self.bucket(shard_id)
            now = self._clock()
            start = max(now, self._next.get(bucket, now))
            self._next[bucket] = start + self.interval_s
        if start > now:
            await self._sleep(start - now)
        return start - now
