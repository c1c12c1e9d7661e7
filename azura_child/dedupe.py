"""Apply a retried mutating call once: request key → the outcome of its first execution.

A key names one request: the RPC, the guild, the channel and the caller's request id. The payload's
fingerprint travels with it, so an id reused for a different request is refused, never answered with
another request's reply.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from azura_common.koe.errors import InvalidArgument

T = TypeVar("T")

__all__ = ["REUSED_ID", "RequestDedupe"]


REUSED_ID = "This request id was already used for a different request; send a new id."


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[T]):
    stamp: float
    fingerprint: bytes
    future: asyncio.Future[T]


class RequestDedupe(Generic[T]):
    """Remembers the outcome (reply or exception) of recent requests.

    A retry that arrives while the first attempt still runs waits for that attempt instead of running
    again; one that arrives later gets the remembered outcome. Bounded by count and age.
    """

    def __init__(self, capacity: int = 4096, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self._capacity = capacity
        self._ttl_s = ttl_s
        self._clock = clock
        self._outcomes: OrderedDict[Hashable, _Outcome[T]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._outcomes)

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]], fingerprint: bytes = b"") -> T:
        """The outcome of ``call`` for ``key``, running it at most once; a falsy key is never remembered.

        ``fingerprint`` identifies the payload: the same key with another fingerprint raises
        ``InvalidArgument`` and runs nothing. The work runs as its own task: a caller that goes away (a
        broken stream, a deadline) does not cancel a change half way through, and its retry waits for that
        same outcome instead of applying it again."""
        if not key:
            return await call()
        self._expire()
        known = self._outcomes.get(key)
        if known is None:
            task: asyncio.Future[T] = asyncio.ensure_future(call())
            task.add_done_callback(_retrieve)
            known = _Outcome(self._clock(), fingerprint, task)
            self._outcomes[key] = known
        elif known.fingerprint != fingerprint:
            raise InvalidArgument(REUSED_ID, "request_id")
        return await asyncio.shield(known.future)

    async def close(self) -> None:
        """Cancel work still running (shutdown)."""
        pending = [outcome.future for outcome in self._outcomes.values() if not outcome.future.done()]
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _expire(self) -> None:
        now = self._clock()
        while self._outcomes:
            key, outcome = next(iter(self._outcomes.items()))
            if len(self._outcomes) <= self._capacity and now - outcome.stamp < self._ttl_s:
                break
            if not outcome.future.done():
                break
            del self._outcomes[key]


def _retrieve(task: asyncio.Future[Any]) -> None:
    # Mark the exception as seen: a caller that gave up must not leave "exception never retrieved" noise.
    if not task.cancelled():
        task.exception()
