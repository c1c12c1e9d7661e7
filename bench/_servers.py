"""Server side of bench/remote_latency.py, run as its own process (never forked: see FIELD_NOTES.md).

    python bench/_servers.py child    a real child (ChildApp from the environment) plus, in the same process,
                                      an aiohttp JSON endpoint doing the same pause, and a gRPC KoeSession
                                      and an aiohttp endpoint that do no work (the transport alone)
    python bench/_servers.py hubs N BASE   N Link-only children on ports BASE..BASE+N-1 (acquisition timing)
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from bench/

from azura_common.fastio import FAST_GRPC_IO

os.environ.setdefault("GRPC_EXPERIMENTS", FAST_GRPC_IO)  # as the bots do: before grpc is imported

import grpc
from aiohttp import web

from azura_child.app import ChildApp
from azura_child.auth import AuthInterceptor
from azura_child.config import ChildConfig
from azura_child.servicer import Context, KoeSessionService, mutation
from azura_common.koe import convert
from azura_common.koe.koe import Koe
from azura_common.koe.link import LinkHub
from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.session import SessionState
from azura_common.process import run_main
from azura_common.voicebot import point_discord_at


def state_json(state: SessionState) -> dict[str, Any]:
    """What the first Koe's HTTP design sent back: the state as JSON."""
    current = state.current
    return {
        "guild_id": str(state.guild_id), "channel_id": str(state.channel_id), "bot_id": str(state.bot_id),
        "connected": state.connected, "paused": state.paused, "volume": state.volume,
        "position_ms": state.position_ms, "current_position": state.current_position, "total": state.total,
        "current": None if current is None else {"title": current.title, "encoded": current.encoded,
                                                 "length_ms": current.length_ms},
    }


class NoWorkService(KoeSessionService):
    """Pause with every shared piece of a real RPC (dedupe, in-flight, errors) but no session behind it:
    measures the gRPC transport alone."""

    reply = pb.PauseReply(state=convert.state_to_pb(SessionState(guild_id=1, channel_id=2, bot_id=3, connected=True,
                                                                 paused=True)))

    @mutation
    async def Pause(self, request: pb.PauseRequest, context: Context) -> pb.PauseReply:
        return self.reply


async def serve_child() -> None:
    config = ChildConfig.from_env()
    if config.discord_api:
        point_discord_at(config.discord_api)  # as the child's entry point does
    app = ChildApp(config)
    await app.start()
    canned_state = state_json(SessionState(guild_id=1, channel_id=2, bot_id=3, connected=True, paused=True))

    async def noop(request: web.Request) -> web.Response:
        await request.json()
        return web.json_response({"state": canned_state})

    async def pause(request: web.Request) -> web.Response:
        body = await request.json()
        session = app.koe.require(int(body["channel_id"]))
        return web.json_response({"state": state_json(await session.pause())})

    http = web.Application()
    http.router.add_post("/noop", noop)
    http.router.add_post("/pause", pause)
    runner = web.AppRunner(http, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["BENCH_HTTP_PORT"])).start()

    nowork = grpc.aio.server(interceptors=[AuthInterceptor(app.config.secret)])
    nothing = Koe(local_factory=None)
    NoWorkService(nothing, LinkHub(nothing, bot_user_id=lambda: 0, ready=lambda: True)).add_to_server(nowork)
    nowork.add_insecure_port(f"127.0.0.1:{os.environ['BENCH_NOWORK_PORT']}")
    if os.environ.get("BENCH_UDS"):
        nowork.add_insecure_port(f"unix:{os.environ['BENCH_UDS']}")
        site = web.UnixSite(runner, os.environ["BENCH_UDS"] + ".http")
        await site.start()
    await nowork.start()
    await app.wait()


async def serve_hubs(count: int, base: int) -> None:
    servers = []
    for i in range(count):
        koe = Koe(local_factory=None)
        hub = LinkHub(koe, bot_user_id=lambda i=i: 1000 + i, ready=lambda: True)
        server = grpc.aio.server(interceptors=[AuthInterceptor(os.environ["AZURA_CLUSTER_SECRET"])])
        KoeSessionService(koe, hub).add_to_server(server)
        server.add_insecure_port(f"127.0.0.1:{base + i}")
        await server.start()
        servers.append(server)
    await asyncio.Event().wait()


async def main() -> int:
    if sys.argv[1] == "child":
        await serve_child()
    else:
        await serve_hubs(int(sys.argv[2]), int(sys.argv[3]))
    return 0


if __name__ == "__main__":
    run_main(main())  # uvloop, as the bots run
