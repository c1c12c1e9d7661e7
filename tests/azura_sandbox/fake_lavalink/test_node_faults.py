"""The fake Lavalink's node-wide faults, each on its own: a restart that loses every session, and a node that
refuses connections for a while; and its load: ``stats`` with its real players and the CPU and frame figures a
test sets through the control API (to make a node look busy), at the interval set there. Checked with plain
HTTP/websocket clients, as Lavalink's own clients see them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from azura_sandbox.fake_lavalink import FakeLavalink, catalogue

pytestmark = pytest.mark.slow  # real outages, waited out

PASSWORD = "youshallnotpass"
HEADERS = {"Authorization": PASSWORD, "User-Id": "4242", "Client-Name": "node-faults-test"}
GUILD = "111222333"
VOICE = {"token": "tok", "endpoint": "voice.example:443", "sessionId": "vsess", "channelId": "42"}


@pytest.fixture
async def lavalink() -> AsyncIterator[FakeLavalink]:
    server = FakeLavalink(PASSWORD, speed=1)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http(lavalink: FakeLavalink) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(lavalink.uri) as session:
        yield session


async def open_session(http: aiohttp.ClientSession) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    """A websocket session with resuming on and one playing player in it."""
    ws = await http.ws_connect("/v4/websocket", headers=HEADERS)
    ready = await ws.receive_json(timeout=2)
    assert ready["op"] == "ready" and not ready["resumed"]
    sid = ready["sessionId"]
    async with http.patch(f"/v4/sessions/{sid}", json={"resuming": True, "timeout": 60}, headers=HEADERS) as resp:
        assert resp.status == 200
    track = catalogue.load_tracks("ytsearch:restart me")["data"][0]
    body = {"voice": VOICE, "track": {"encoded": track["encoded"]}, "position": 5_000}
    async with http.patch(f"/v4/sessions/{sid}/players/{GUILD}", json=body, headers=HEADERS) as resp:
        assert resp.status == 200
    return ws, sid


async def close_frame(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The first non-data message: what the server closed the socket with."""
    while True:
        message = await ws.receive(timeout=2)
        if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return message


async def test_a_restart_closes_cleanly_loses_every_session_and_refuses_while_down(
    lavalink: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws, sid = await open_session(http)
    assert [p["session_id"] for p in lavalink.players_truth()] == [sid]
    port = lavalink.port
    restarting = asyncio.create_task(lavalink.restart(down_s=0.5))
    closed = await close_frame(ws)
    assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 1001  # a clean close, as on shutdown
    await asyncio.sleep(0.1)
    with pytest.raises(aiohttp.ClientConnectionError):  # nothing listens while it is down
        async with http.get("/version", headers=HEADERS):
            pass
    await restarting
    assert lavalink.port == port and lavalink.restarts == 1
    assert lavalink.players_truth() == [] and lavalink.sessions_truth() == []
    # Back: the old session is unknown, a resume attempt gets a new session and nothing of the old one.
    async with http.get(f"/v4/sessions/{sid}/players/{GUILD}", headers=HEADERS) as resp:
        assert resp.status == 404
    again = await http.ws_connect("/v4/websocket", headers={**HEADERS, "Session-Id": sid})
    ready = await again.receive_json(timeout=2)
    assert ready["resumed"] is False and ready["sessionId"] != sid
    assert [s["session_id"] for s in lavalink.sessions_truth()] == [ready["sessionId"]]
    await again.close()


async def test_a_restart_requested_over_the_control_api_answers_first(
    lavalink: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws, _ = await open_session(http)
    async with http.post("/_sandbox/faults", json={"restart": True, "down_s": 0.2}) as resp:
        assert resp.status == 200 and (await resp.json())["applied"] == {"restart": {"down_s": 0.2}}
    assert (await close_frame(ws)).data == 1001
    deadline = time.monotonic() + 3
    while lavalink.restarts == 0:
        assert time.monotonic() < deadline, "the fake never came back"
        await asyncio.sleep(0.02)
    async with http.get("/version", headers=HEADERS) as resp:
        assert resp.status == 200
    async with http.post("/_sandbox/faults", json={"down_s": 1, "bogus": True}) as resp:
        assert resp.status == 400


async def test_refusing_connections_for_a_while_then_serving_again(
    lavalink: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws, sid = await open_session(http)
    async with http.post("/_sandbox/faults", json={"refuse_for_s": 0.6}) as resp:
        assert (await resp.json())["applied"] == {"refuse_for_s": 0.6}
    started = time.monotonic()
    with pytest.raises(aiohttp.ClientError):
        async with http.get("/v4/info", headers=HEADERS):
            pass
    with pytest.raises(aiohttp.ClientError):
        await http.ws_connect("/v4/websocket", headers=HEADERS)
    assert not ws.closed  # an open websocket is not cut by refusing new connections
    while True:
        try:
            async with http.get("/v4/info", headers=HEADERS) as resp:
                assert resp.status == 200
                break
        except aiohttp.ClientError:
            assert time.monotonic() - started < 3, "still refusing long after the fault's end"
            await asyncio.sleep(0.05)
    assert time.monotonic() - started >= 0.55
    # The state was kept: the session and its player are still there.
    assert [p["session_id"] for p in lavalink.players_truth()] == [sid]
    await ws.close()


# -- load ------------------------------------------------------------------------------------------------


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
    assert 0.1 <= came <= 1.0, came  # the new interval, not the 5 s it had
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
