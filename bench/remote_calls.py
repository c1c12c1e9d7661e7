"""RemoteSession latency: typed requests on the open Call streams (the hot path) vs unary RPCs.

    .venv/bin/python bench/remote_calls.py [calls]

One child process on the sandbox fakes; the same GetState / Skip requests are sent both ways, interleaved
in rounds so machine noise hits both alike. Prints p50/p99 per variant and the ratio unary / stream.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Track
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox


async def timed(session: RemoteSession, calls: int) -> list[float]:
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        if i % 5 == 4:
            await session.skip(to=1 + i % 3)  # a mutating call with a request id now and then
        else:
            await session.get_state()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


async def main(calls: int) -> None:
    sandbox = await Sandbox.start(speed=1)
    child = await sandbox.spawn_child("bench-child")
    streams = ChildConnection(child.address, sandbox.secret, streams=2)
    unary = ChildConnection(child.address, sandbox.secret, use_streams=False)
    session = RemoteSession(streams, sandbox.guild.id, sandbox.voices[0].id)
    await session.connect()
    found = load_tracks("ytsearch:bench")["data"][:3]
    await session.enqueue([Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"])
                           for t in found])
    plain = RemoteSession(unary, sandbox.guild.id, sandbox.voices[0].id)
    results: dict[str, list[float]] = {"stream": [], "unary": []}
    try:
        await timed(session, 200)  # warm up both paths
        await timed(plain, 200)
        for _ in range(5):
            results["stream"] += await timed(session, calls // 5)
            results["unary"] += await timed(plain, calls // 5)
    finally:
        await session.disconnect()
        await streams.close()
        await unary.close()
        await sandbox.stop()
    print(f"{calls} calls each, 1 in 5 a Skip (mutating), the rest GetState; child in its own process")
    print(f"{'variant':10} {'p50 µs':>9} {'p99 µs':>9}")
    p50 = {}
    for name, samples in results.items():
        samples.sort()
        p50[name] = statistics.median(samples)
        print(f"{name:10} {p50[name]:9.0f} {samples[int(len(samples) * 0.99) - 1]:9.0f}")
    print(f"unary / stream (p50): {p50['unary'] / p50['stream']:.2f}×")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
