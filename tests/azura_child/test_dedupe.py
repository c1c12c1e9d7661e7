"""A retried mutation is applied once, even when the first caller went away half way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from azura_child.dedupe import RequestDedupe
from azura_common.koe.errors import InvalidArgument


async def test_concurrent_and_later_retries_get_the_first_outcome() -> None:
    dedupe: RequestDedupe[int] = RequestDedupe()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        return runs

    assert await asyncio.gather(dedupe.run("r1", work), dedupe.run("r1", work)) == [1, 1]
    assert await dedupe.run("r1", work) == 1 and runs == 1
    assert await dedupe.run("r2", work) == 2


async def test_a_caller_that_goes_away_does_not_cancel_the_change() -> None:
    dedupe: RequestDedupe[str] = RequestDedupe()
    applied: list[str] = []
    release = asyncio.Event()

    async def change() -> str:
        await release.wait()
        applied.append("enqueued")
        return "done"

    first = asyncio.create_task(dedupe.run("r", change))
    await asyncio.sleep(0)
    first.cancel()  # the stream broke under the first caller
    with pytest.raises(asyncio.CancelledError):
        await first
    release.set()
    assert await dedupe.run("r", change) == "done"  # the retry waits for the same change
    assert applied == ["enqueued"]


async def test_errors_are_remembered_and_old_ids_expire() -> None:
    now = [0.0]
    dedupe: RequestDedupe[int] = RequestDedupe(capacity=10, ttl_s=5, clock=lambda: now[0])

    async def boom() -> int:
        raise ValueError("bad")

    for _ in range(2):
        with pytest.raises(ValueError):
            await dedupe.run("r", boom)
    now[0] = 10

    async def ok() -> int:
        return 7

    assert await dedupe.run("x", ok) == 7
    assert len(dedupe) == 1  # "r" aged out


async def test_a_reused_key_with_another_payload_is_refused_and_runs_nothing() -> None:
    dedupe: RequestDedupe[str] = RequestDedupe()
    runs: list[str] = []

    def work(name: str) -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            runs.append(name)
            return name

        return run

    key = ("Enqueue", 1, 2, "r1")
    assert await dedupe.run(key, work("first"), b"payload-1") == "first"
    with pytest.raises(InvalidArgument, match="already used for a different request"):
        await dedupe.run(key, work("second"), b"payload-2")
    assert await dedupe.run(key, work("again"), b"payload-1") == "first"  # the same request: the first reply
    assert await dedupe.run(("Enqueue", 1, 3, "r1"), work("other channel"), b"payload-2") == "other channel"
    assert runs == ["first", "other channel"]
