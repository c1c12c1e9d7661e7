"""Apply a retried mutating call once: request id → the outcome of its first execution."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["RequestDedupe"]


class RequestDedupe(Generic[T]):
    """Remembers the outcome (reply or exception) of recent request ids.

    A retry that arrives while the first attempt still runs waits for that attempt instead of running
    again; one that arrives later gets the remembered outcome. Bounded by count and age.
    """

    def __init__(self, capacity: int = 4096, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self._capacity = capacity
        self._ttl_s = ttl_s
        self._clock = clock
        self._outcomes: OrderedDict[str, tuple[float, asyncio.Future[T]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._outcomes)

    async def run(self, request_id: str, call: Callable[[], Awaitable[T]]) -> T:
        """The outcome of ``call`` for ``request_id``, running it at most once.

        The work runs as its own task: a caller that goes away (a broken stream, a deadline) does not cancel
        a change half way through, and its retry waits for that same outcome instead of applying it again."""
        if not request_id:
            return await call()
        self._expire()
        known = self._outcomes.get(request_id)
        if known is None:
            task: asyncio.Future[T] = asyncio.ensure_future(call())
            task.add_done_callback(_retrieve)
            known = (self._clock(), task)
            self._outcomes[request_id] = known
        return await asyncio.shield(known[1])

    async def close(self) -> None:
        """Cancel work still running (shutdown)."""
        pending = [future for _, future in self._outcomes.values() if not future.done()]
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _expire(self) -> None:
        now = self._clock()
        while self._outcomes:
            request_id, (stamp, future) = next(iter(self._outcomes.items()))
            if len(self._outcomes) <= self._capacity and now - stamp < self._ttl_s:
                break
            if not future.done():
                break
            del self._outcomes[request_id]


def _retrieve(task: asyncio.Future[Any]) -> None:
    # Mark the exception as seen: a caller that gave up must not leave "exception never retrieved" noise.
    if not task.cancelled():
        task.exception()
