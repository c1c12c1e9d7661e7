"""RemoteSession throughput on the one channel a parent keeps per child: 1, 8 and 32 concurrent callers.

    .venv/bin/python bench/remote_calls.py [calls]

One child process on the sandbox fakes. Each caller sends GetState, with a Skip (a mutation, with its
request id) one call in five. Prints calls per second and p50/p99 latency per level of concurrency, so a
channel that serialises callers shows up as flat throughput and growing latency.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azura_common import fastio  # noqa: F401  (the parent's runtime: before grpc is imported)
from azura_common.koe.link.by_hand import reserve
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Track
from azura_common.process import run_main
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox


async def caller(session: RemoteSession, calls: int, samples: list[float]) -> None:
    for i in range(calls):
        start = time.perf_counter()
        if i % 5 == 4:
            await session.skip(to=1 + i % 3)
        else:
            await session.get_state()
        samples.append((time.perf_counter() - start) * 1e6)


async def main(calls: int) -> None:
    sandbox = await Sandbox.start(speed=1)
    child = await sandbox.spawn_child("bench-child")
    connection = ChildConnection(child.address, sandbox.secret)
    session = RemoteSession(connection, sandbox.guild.id, sandbox.voices[0].id)
    results: dict[int, tuple[float, list[float]]] = {}
    try:
        await reserve(connection, sandbox.guild.id, sandbox.voices[0].id)  # the parent's handshake
        await session.connect()
        found = load_tracks("ytsearch:bench")["data"][:3]
        await session.enqueue([Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"])
                               for t in found])
        await caller(session, 200, [])  # warm up
        for concurrency in (1, 8, 32):
            samples: list[float] = []
            start = time.perf_counter()
            await asyncio.gather(*(caller(session, calls // concurrency, samples) for _ in range(concurrency)))
            results[concurrency] = (len(samples) / (time.perf_counter() - start), samples)
        await session.disconnect()
    finally:
        await connection.close()
        await sandbox.stop()
    print(f"{calls} calls per level, 1 in 5 a Skip (mutating), the rest GetState; one channel to a child process")
    print(f"{'callers':>8} {'calls/s':>9} {'p50 µs':>9} {'p99 µs':>9}")
    for concurrency, (rate, samples) in results.items():
        samples.sort()
        p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
        print(f"{concurrency:>8} {rate:9.0f} {statistics.median(samples):9.0f} {p99:9.0f}")


async def run(calls: int) -> int:
    await main(calls)
    return 0


if __name__ == "__main__":
    run_main(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3200))  # uvloop, as the parent runs
