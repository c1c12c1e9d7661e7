"""Apply a retried mutating call once: request id → the outcome of its first execution."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

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
        if not request_id:
            return await call()
        self._expire()
        known = self._outcomes.get(request_id)
        if known is not None:
            # shield: a cancelled retry must not cancel the first attempt's outcome for everyone else
            return await asyncio.shield(known[1])
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._outcomes[request_id] = (self._clock(), future)
        try:
            result = await call()
        except asyncio.CancelledError:
            # The caller went away before an outcome: forget it so a retry runs for real.
            del self._outcomes[request_id]
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: retries re-raise it, nobody else must
            raise
        future.set_result(result)
        return result

    def _expire(self) -> None:
        now = self._clock()
        while self._outcomes:
            request_id, (stamp, future) = next(iter(self._outcomes.items()))
            if len(self._outcomes) <= self._capacity and now - stamp < self._ttl_s:
                break
            if not future.done():
                break
            del self._outcomes[request_id]
