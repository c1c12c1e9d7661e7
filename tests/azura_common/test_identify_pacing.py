"""Shards identify as fast as Discord's max_concurrency buckets allow: one per bucket per 5 s."""

from __future__ import annotations

import asyncio

from azura_common.identify_pacing import IdentifyPacer


class FakeClock:
    """Time that moves only when the pacer sleeps (so the test needs no real 5 s waits)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def identify_times(max_concurrency: int, shards: list[int]) -> list[float]:
    clock = FakeClock()
    pacer = IdentifyPacer(max_concurrency, 5.0, clock=clock, sleep=clock.sleep)
    times = []
    for shard in shards:
        await pacer.wait_turn(shard)
        times.append(clock.now - 1000.0)
    return times


async def test_one_bucket_takes_one_identify_per_interval() -> None:
    assert await identify_times(1, [0, 1, 2, 3]) == [0.0, 5.0, 10.0, 15.0]


async def test_shards_in_different_buckets_identify_at_once() -> None:
    assert await identify_times(4, [0, 1, 2, 3]) == [0.0, 0.0, 0.0, 0.0]
    # buckets {0, 2} and {1, 3}: the second of each bucket waits for the bucket's next slot
    assert await identify_times(2, [0, 1, 2, 3]) == [0.0, 0.0, 5.0, 5.0]


async def test_a_slot_is_claimed_once_even_by_shards_waiting_together() -> None:
    pacer = IdentifyPacer(1, 0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    waits = await asyncio.gather(*(pacer.wait_turn(shard) for shard in range(3)))
    assert all(abs(w - want) < 0.02 for w, want in zip(sorted(waits), [0.0, 0.05, 0.1], strict=True)), waits
    assert loop.time() - started >= 0.09
