"""Latency of a session call: in-process, through a child over gRPC, and over the first Koe's HTTP design.

    .venv/bin/python bench/remote_latency.py [calls] [--json OUT]

One run, side by side, rounds interleaved so machine noise hits every variant alike:
- transport alone: ``RemoteSession.pause`` (one unary RPC) to a KoeSession whose Pause does no work, vs an
  aiohttp JSON POST to a handler that does no work, both in one server process;
- end to end: ``LocalSession.pause`` in this process; ``RemoteSession.pause`` through a real child process
  to the fake Lavalink; the same pause behind an aiohttp JSON endpoint in that same child process;
- acquisition: ``Children.acquire`` for a free child among 1, 4 and 16 children (each a real gRPC server
  with its Link).
Prints p50/p99 per variant, the ratios between them, and the goals; ``--json`` also writes every sample (µs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from azura_common.fastio import FAST_GRPC_IO

os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # the parent's runtime: before grpc is imported

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azura_child.app import ChildApp
from azura_child.config import ChildConfig
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.link.by_hand import reserve
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Session, Track
from azura_common.process import run_main
from azura_common.voicebot import point_discord_at
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import Sandbox, free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
Call = Callable[[], Awaitable[object]]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def timed(call: Call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        out.append((time.perf_counter() - start) * 1e6)
    return out


async def side_by_side(variants: dict[str, Call], calls: int, rounds: int = 10) -> dict[str, list[float]]:
    for call in variants.values():  # warm up connections, streams and caches
        await timed(call, 100)
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, call in variants.items():
            results[name] += await timed(call, calls // rounds)
    return results


def spawn_module(module: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, str(HERE / "_servers.py"), *args], cwd=ROOT,
                                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)


async def wait_port(port: int, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise TimeoutError(f"nothing listens on {port}")


def log_dir() -> Path:
    logs = Path(os.environ.get("AZURA_SANDBOX_LOGS", "/tmp/azura-sandbox-logs"))
    logs.mkdir(parents=True, exist_ok=True)
    return logs


def tracks() -> list[Track]:
    found = load_tracks("ytsearch:latency bench")["data"][:3]
    return [Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"]) for t in found]


async def main(calls: int) -> dict[str, dict[str, list[float]]]:
    sandbox = await Sandbox.start(speed=1)
    processes: list[subprocess.Popen[bytes]] = []
    logs = log_dir()
    try:
        # -- the processes ---------------------------------------------------------------------------
        # Lavalink in its own process, as in production: it must not share this process's GIL with the client.
        lavalink_port = free_port()
        processes.append(spawn_module("azura_sandbox.fake_lavalink", ["--port", str(lavalink_port)],
                                      logs / "bench-lavalink.log"))
        await wait_port(lavalink_port)
        lavalink = {"LAVALINK_URI": f"http://127.0.0.1:{lavalink_port}"}
        child_port, http_port, nowork_port = free_port(), free_port(), free_port()
        env = {**sandbox.child_env("bench-child", child_port), **lavalink, "BENCH_HTTP_PORT": str(http_port),
               "BENCH_NOWORK_PORT": str(nowork_port)}
        processes.append(spawn(["child"], env, logs / "bench-child.log"))
        hub_base = free_port() + 1000
        processes.append(spawn(["hubs", "16", str(hub_base)], {"AZURA_CLUSTER_SECRET": sandbox.secret},
                               logs / "bench-hubs.log"))
        point_discord_at(sandbox.discord_api)  # as the child's entry point does
        local_app = ChildApp(ChildConfig.from_env({**sandbox.child_env("bench-local", free_port()), **lavalink}))
        await local_app.start()
        for port in (child_port, http_port, nowork_port, hub_base + 15):
            await wait_port(port)
        await asyncio.wait_for(local_app.bot.ready_event.wait(), 30)
        while not local_app.bot.is_serving:  # noqa: ASYNC110 - Lavalink readiness has no event to wait on
            await asyncio.sleep(0.05)

        # -- sessions with a track playing -------------------------------------------------------------
        local: Session = await local_app.koe.open(sandbox.guild.id, sandbox.voices[0].id)
        await local.enqueue(tracks())
        connection = ChildConnection(f"127.0.0.1:{child_port}", sandbox.secret)
        remote = RemoteSession(connection, sandbox.guild.id, sandbox.voices[1].id)
        for _ in range(300):  # the child logs in to the fake Discord in the background
            try:
                await reserve(connection, sandbox.guild.id, sandbox.voices[1].id)  # the parent's handshake
                await remote.connect()
                break
            except Exception:
                await asyncio.sleep(0.1)
        await remote.enqueue(tracks())
        nowork_connection = ChildConnection(f"127.0.0.1:{nowork_port}", sandbox.secret)
        nowork = RemoteSession(nowork_connection, 1, 2)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        body = {"guild_id": str(sandbox.guild.id), "channel_id": str(sandbox.voices[1].id)}

        async def http_call(path: str) -> object:
            payload = {**body, "request_id": uuid.uuid4().hex}
            async with http.post(f"http://127.0.0.1:{http_port}{path}", json=payload) as response:
                response.raise_for_status()
                return await response.json()

        # -- transport alone, then end to end -----------------------------------------------------------
        transport = await side_by_side(
            {"RemoteSession.pause (no-work handler)": nowork.pause,
             "aiohttp JSON POST (no-work handler)": lambda: http_call("/noop")}, calls)
        end_to_end = await side_by_side(
            {"LocalSession.pause (in-process)": local.pause,
             "RemoteSession.pause (child process)": remote.pause,
             "aiohttp JSON pause (same child)": lambda: http_call("/pause")}, calls)
        await http.close()

        # -- acquisition ---------------------------------------------------------------------------------
        acquisition: dict[int, list[float]] = {}
        for count in (1, 4, 16):
            koe = Koe(local_factory=None)
            children = Children([ChildLink(ChildConnection(f"127.0.0.1:{hub_base + i}", sandbox.secret), koe)
                                 for i in range(count)])
            children.start()
            assert await children.wait_up(20) == count
            samples = []
            for n in range(300):
                start = time.perf_counter()
                session = await children.acquire(10_000 + n, 1)  # a fresh guild: every child is free there
                samples.append((time.perf_counter() - start) * 1e6)
                assert session is not None
            acquisition[count] = samples[50:]
            await children.close()

        await remote.disconnect()
        await connection.close()
        await nowork_connection.close()
        await local_app.stop()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.to_thread(process.wait, 10)
        await sandbox.stop()

    def table(title: str, results: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
        print(f"\n{title}")
        print(f"  {'variant':40} {'p50 µs':>8} {'p99 µs':>8}")
        stats = {name: percentiles(samples) for name, samples in results.items()}
        for name, (p50, p99) in stats.items():
            print(f"  {name:40} {p50:8.0f} {p99:8.0f}")
        return stats

    print(f"{calls} calls per variant, interleaved in 10 rounds; one run on a shared machine: compare ratios")
    t = table("transport alone (handlers do no work)", transport)
    e = table("end to end (the pause reaches the fake Lavalink)", end_to_end)
    transport_ratio = t["RemoteSession.pause (no-work handler)"][0] / t["aiohttp JSON POST (no-work handler)"][0]
    e2e_ratio = e["RemoteSession.pause (child process)"][0] / e["aiohttp JSON pause (same child)"][0]
    remote_p99_ms = e["RemoteSession.pause (child process)"][1] / 1000
    print("\nacquiring a free child (Children.acquire: query all, claim the first, release the rest)")
    print(f"  {'children':>8} {'p50 µs':>8} {'p99 µs':>8}")
    acq = {}
    for count, samples in acquisition.items():
        acq[count] = percentiles(samples)
        print(f"  {count:>8} {acq[count][0]:8.0f} {acq[count][1]:8.0f}")
    local_p50 = e["LocalSession.pause (in-process)"][0]
    print("\nratios (p50)")
    print(f"  transport RemoteSession / aiohttp        {transport_ratio:5.2f}")
    print(f"  end to end RemoteSession / aiohttp       {e2e_ratio:5.2f}")
    print(f"  end to end RemoteSession / in-process    {e['RemoteSession.pause (child process)'][0] / local_p50:5.2f}")
    print("goals")
    print(f"  RemoteSession.pause p99                 {remote_p99_ms:5.2f} ms  (goal ≤ 2 ms)")
    print(f"  acquisition among 16 p50                {acq[16][0] / 1000:5.2f} ms  (goal ≤ 3 ms)")
    return {"transport_us": transport, "end_to_end_us": end_to_end,
            "acquisition_us": {f"{count} children": samples for count, samples in acquisition.items()}}


async def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/remote_latency.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("calls", type=int, nargs="?", default=2000, help="calls per variant")
    parser.add_argument("--json", type=Path, help="write every sample (µs) per variant here")
    args = parser.parse_args(argv)
    samples = await main(args.calls)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        rounded = {group: {name: [round(v, 1) for v in values] for name, values in variants.items()}
                   for group, variants in samples.items()}
        args.json.write_text(json.dumps({"calls": args.calls, **rounded}))
    return 0


if __name__ == "__main__":
    run_main(run(sys.argv[1:]))  # uvloop, as the parent runs
