"""The one way tests, the harness and the demo wait for something to happen: ``eventually``.

A fixed sleep either waits too long or, on a loaded machine, not long enough; ``eventually`` re-checks a
condition until it holds and fails with a message naming what never happened. Where the thing waited on
has its own event (an ``asyncio.Event``, a ``ChildLink.wait_up``), await that instead: nothing re-checks
faster than being told.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

__all__ = ["POLL_S", "eventually"]

T = TypeVar("T")

POLL_S = 0.01  # fine enough to time a 100 ms promise, coarse enough to cost nothing


@overload
async def eventually(
    check: Callable[[], Awaitable[T | None]], *, timeout: float, what: str, poll_s: float = POLL_S
) -> T: ...


@overload
async def eventually(check: Callable[[], T | None], *, timeout: float, what: str, poll_s: float = POLL_S) -> T: ...


async def eventually(check: Callable[[], Any], *, timeout: float, what: str, poll_s: float = POLL_S) -> Any:
    """Re-check ``check`` until it holds; returns its value.

    ``check`` holds when it returns something truthy: a predicate, or a finder returning the thing found
    (None until then); it may be a coroutine function. An ``AssertionError`` from it means "not yet"; any
    other exception ends the wait at once (a process that died will not become ready). After ``timeout``
    seconds raises ``TimeoutError`` naming ``what``, chained to the last failed assertion if there was one.
    """
    deadline = time.monotonic() + timeout
    while True:
        failed: AssertionError | None = None
        try:
            value = check()
            if inspect.isawaitable(value):
                value = await value
        except AssertionError as exc:
            failed = exc
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}") from failed
        await asyncio.sleep(poll_s)
