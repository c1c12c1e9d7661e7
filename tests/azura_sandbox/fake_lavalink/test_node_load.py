"""The fake Lavalink's ``stats``: its real players and playing players, the CPU and frame figures a test sets
through the control API (to make a node look busy), at the interval set there. Plain HTTP and websocket
clients, as a Lavalink client sees them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from azura_sandbox.fake_lavalink import FakeLavalink, catalogue

PASSWORD = "youshallnotpass"
HEADERS = {"Authorization": PASSWORD, "User-Id": "4242", "Client-Name": "node-load-test"}
VOICE = {"token": "tok", "endpoint": "voice.example:443", "sessionId": "vsess", "channelId": "42"}


@pytest.fixture
async def lavalink() -> AsyncIterator[FakeLavalink]:
    server = FakeLavalink(PASSWORD, speed=1, stats_interval=60)  # Lavalink's own pace until a test sets one
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http(lavalink: FakeLavalink) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(lavalink.uri) as session:
        yield session


async def next_stats(ws: aiohttp.ClientWebSocketResponse, timeout: float = 2.0) -> dict[str, Any]:
    while True:
        message = await ws.receive_json(timeout=timeout)
        if message["op"] == "stats":
            return dict(message)


async def set_load(http: aiohttp.ClientSession, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with http.post("/_sandbox/load", json=body) as resp:
        return resp.status, await resp.json()


async def test_stats_count_the_players_and_carry_the_load_set_through_the_control_api(
        lavalink: FakeLavalink, http: aiohttp.ClientSession) -> None:
    ws = await http.ws_connect("/v4/websocket", headers=HEADERS)
    ready = await ws.receive_json(timeout=2)
    first = await next_stats(ws)  # sent on connect
    assert (first["players"], first["playingPlayers"], first["frameStats"]) == (0, 0, None)
    sid = ready["sessionId"]
    tracks = catalogue.load_tracks("ytsearch:node load")["data"]
    for guild, track in zip(("101", "102", "103"), tracks, strict=False):
        body = {"voice": VOICE, "track": {"encoded": track["encoded"]}, "paused": guild == "103"}
        async with http.patch(f"/v4/sessions/{sid}/players/{guild}", json=body, headers=HEADERS) as resp:
            assert resp.status == 200
    status, reply = await set_load(http, {"system_load": 0.9, "lavalink_load": 0.4, "frames_deficit": 120,
                                          "stats_interval": 0.2})
    assert status == 200 and reply["load"]["system_load"] == 0.9 and reply["load"]["stats_interval"] == 0.2
    asked = time.monotonic()
    stats = await next_stats(ws)
    came = time.monotonic() - asked
    assert 0.1 <= came <= 1.0, came  # the new interval, not the 60 s it had
    assert (stats["players"], stats["playingPlayers"]) == (3, 2)  # the paused one does not play
    assert stats["cpu"]["systemLoad"] == 0.9 and stats["cpu"]["lavalinkLoad"] == 0.4
    assert stats["frameStats"] == {"sent": 6000, "nulled": 0, "deficit": 120}
    async with http.get("/v4/stats", headers=HEADERS) as resp:  # as Lavalink: no frame stats over REST
        rest = await resp.json()
    assert rest["cpu"]["systemLoad"] == 0.9 and rest["players"] == 3 and rest["frameStats"] is None
    await ws.close()


@pytest.mark.parametrize("body", [
    {"system_load": 1.5}, {"system_load": "busy"}, {"lavalink_load": -0.1}, {"frames_nulled": 2.5},
    {"stats_interval": 0}, {"cpu": 0.5}, {"system_load": True},
])
async def test_a_bad_load_is_refused_and_changes_nothing(lavalink: FakeLavalink, http: aiohttp.ClientSession,
                                                          body: dict[str, Any]) -> None:
    before, interval = lavalink.load, lavalink.stats_interval
    status, reply = await set_load(http, {"system_load": 0.5, **body} if "system_load" not in body else body)
    assert status == 400 and reply["message"]
    assert lavalink.load == before and lavalink.stats_interval == interval
