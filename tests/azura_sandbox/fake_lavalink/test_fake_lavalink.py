"""The fake Lavalink against the real wavelink 3.x client (no mocks of wavelink)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest
import wavelink

from azura_sandbox.fake_lavalink import FakeLavalink, catalogue

PASSWORD = "youshallnotpass"
AUTH = {"Authorization": PASSWORD}
GUILD = 111_222_333_444_555_666
VOICE = {"token": "tok", "endpoint": "voice.example:443", "sessionId": "vsess", "channelId": "42"}
_ids = itertools.count()


class RecordingClient(discord.Client):
    """A discord.Client that never logs in: it has a user and records every wavelink event it dispatches."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents(guilds=True))
        self.loop = asyncio.get_running_loop()
        self._connection.user = SimpleNamespace(id=987_654_321)  # type: ignore[assignment]
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        self.events.append((event, args[0] if args else None))
        self._changed.set()

    async def wait_event(
        self, name: str, check: Callable[[Any], bool] = lambda _: True, within: float = 5.0, since: int = 0
    ) -> Any:
        """Wait for the first event ``name`` (at index >= ``since``) whose payload passes ``check``."""
        deadline = time.monotonic() + within
        while True:
            for event, payload in self.events[since:]:
                if event == name and check(payload):
                    return payload
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [e for e, _ in self.events]
                raise AssertionError(f"no {name} within {within}s; saw {seen}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    def names(self, since: int = 0) -> list[str]:
        return [e for e, _ in self.events[since:]]


@pytest.fixture
async def lavalink() -> AsyncIterator[FakeLavalink]:
    server = FakeLavalink(PASSWORD, speed=50, player_update_interval=0.05, stats_interval=0.3)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client() -> RecordingClient:
    return RecordingClient()


@pytest.fixture
async def node(lavalink: FakeLavalink, client: RecordingClient) -> AsyncIterator[wavelink.Node]:
    n = wavelink.Node(
        identifier=f"fake-{next(_ids)}", uri=lavalink.uri, password=PASSWORD, retries=5, inactive_player_timeout=None
    )
    await wavelink.Pool.connect(nodes=[n], client=client)
    await client.wait_event("wavelink_node_ready")
    try:
        yield n
    finally:
        await n.close(eject=True)
        await n._session.close()


@pytest.fixture
async def http(lavalink: FakeLavalink) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(lavalink.uri) as session:
        yield session


def truth(lavalink: FakeLavalink, guild: int = GUILD) -> dict[str, Any]:
    [player] = [p for p in lavalink.players_truth() if p["guild_id"] == str(guild)]
    return player


async def play(node: wavelink.Node, track: wavelink.Playable, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"track": {"encoded": track.encoded, "userData": {"requester": 7}}, **extra}
    return dict(await node._update_player(GUILD, data=data, replace=True))  # type: ignore[arg-type]


# ---------------------------------------------------------------- catalogue (pure)


def test_catalogue_is_deterministic_and_decodable() -> None:
    first = catalogue.load_tracks("ytsearch:lofi beats")
    assert first == catalogue.load_tracks("ytsearch:lofi beats")
    assert first["loadType"] == "search" and len(first["data"]) == 20
    for track in first["data"]:
        info = track["info"]
        assert 120_000 <= info["length"] <= 360_000 and not info["isStream"]
        assert catalogue.decode_track(track["encoded"])["info"] == info  # type: ignore[index]
    assert catalogue.load_tracks("ytsearch:other")["data"][0]["info"]["identifier"] != first["data"][0]["info"][
        "identifier"
    ]
    assert catalogue.load_tracks("ytsearch:live radio")["data"][0]["info"]["isStream"] is True
    assert catalogue.load_tracks("ytsearch:short one")["data"][0]["info"]["length"] == 5_000
    assert catalogue.load_tracks("https://youtube.com/playlist?list=abc")["loadType"] == "playlist"
    assert len(catalogue.load_tracks("https://youtube.com/watch?v=x&list=abc")["data"]["tracks"]) >= 10
    assert catalogue.load_tracks("https://youtube.com/watch?v=x")["loadType"] == "track"
    assert catalogue.load_tracks("ytsearch:nothing here") == {"loadType": "empty", "data": {}}
    error = catalogue.load_tracks("ytsearch:error please")
    assert error["loadType"] == "error" and set(error["data"]) == {"message", "severity", "cause"}
    assert catalogue.decode_track("not-a-track!") is None


# ---------------------------------------------------------------- wavelink end to end


async def test_connects_and_sets_up_resuming(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    assert node.status is wavelink.NodeStatus.CONNECTED
    [session] = lavalink.sessions_truth()
    assert session["session_id"] == node.session_id
    assert session["user_id"] == "987654321" and session["client_name"].startswith("Wavelink/")
    assert session["resuming"] is True and session["timeout"] == 60
    info = await node.fetch_info()
    assert "youtube" in info.source_managers and info.version.major == 4
    assert await node.fetch_version() == "4.0.8"
    stats = await client.wait_event("wavelink_stats_update")
    assert stats.players == 0


async def test_search_via_wavelink(node: wavelink.Node) -> None:
    found = await wavelink.Playable.search("never gonna", node=node)
    assert isinstance(found, list) and len(found) == 20
    again = await wavelink.Playable.search("never gonna", node=node)
    assert [t.identifier for t in found] == [t.identifier for t in again]  # type: ignore[union-attr]
    sc = await wavelink.Playable.search("waves", source=wavelink.TrackSource.SoundCloud, node=node)
    assert isinstance(sc, list) and sc[0].source == "soundcloud"
    playlist = await wavelink.Pool.fetch_tracks("https://www.youtube.com/playlist?list=PL123", node=node)
    assert isinstance(playlist, wavelink.Playlist) and len(playlist.tracks) >= 10 and playlist.name
    single = await wavelink.Pool.fetch_tracks("https://www.youtube.com/watch?v=abc", node=node)
    assert isinstance(single, list) and len(single) == 1
    live = await wavelink.Playable.search("live radio", node=node)
    assert isinstance(live, list) and live[0].is_stream
    assert await wavelink.Playable.search("nothing at all", node=node) == []
    with pytest.raises(wavelink.LavalinkLoadException):
        await wavelink.Playable.search("error song", node=node)


async def test_plays_a_track_to_its_end(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    [track, *_] = await wavelink.Playable.search("short song", node=node)  # type: ignore[misc]
    response = await node._update_player(GUILD, data={"voice": VOICE})  # type: ignore[typeddict-item]
    assert response["state"]["connected"] is True
    mark = len(client.events)
    await play(node, track)
    start = await client.wait_event("wavelink_track_start", since=mark)
    assert start.track.identifier == track.identifier and start.track.extras.requester == 7
    end = await client.wait_event("wavelink_track_end", since=mark)
    assert end.reason == "finished" and end.track.identifier == track.identifier
    assert truth(lavalink)["track_title"] is None
    [player] = await node.fetch_players()
    assert player.guild_id == GUILD and player.track is None and player.state.connected


async def test_pause_seek_volume_and_player_updates(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    [track, *_] = await wavelink.Playable.search("long ballad", node=node)  # type: ignore[misc]
    mark = len(client.events)
    await node._update_player(GUILD, data={"voice": VOICE})  # type: ignore[typeddict-item]
    await play(node, track, paused=True, position=30_000)
    assert truth(lavalink)["paused"] and truth(lavalink)["position_ms"] == 30_000
    await asyncio.sleep(0.05)
    assert truth(lavalink)["position_ms"] == 30_000  # paused freezes the clock
    await node._update_player(GUILD, data={"position": 60_000, "volume": 35})
    t = truth(lavalink)
    assert t["position_ms"] == 60_000 and t["volume"] == 35 and t["track_identifier"] == track.identifier
    assert t["connected"] and t["user_data"] == {"requester": 7}
    await node._update_player(GUILD, data={"paused": False})
    await asyncio.sleep(0.1)
    assert 62_000 <= truth(lavalink)["position_ms"] <= 70_000  # ~0.1 s × 50
    update = await client.wait_event("wavelink_player_update", lambda p: p.position > 60_000, since=mark)
    assert update.connected and update.ping >= 0
    info = await node.fetch_player_info(GUILD)
    assert info is not None and info.volume == 35 and not info.paused and info.track is not None


async def test_replace_stop_endtime_and_destroy(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    a, b, c, *_ = await wavelink.Playable.search("three songs", node=node)  # type: ignore[misc]
    mark = len(client.events)
    await play(node, a)
    await node._update_player(GUILD, data={"track": {"encoded": c.encoded}}, replace=False)  # noReplace=True
    assert truth(lavalink)["track_identifier"] == a.identifier
    await play(node, b)
    replaced = await client.wait_event("wavelink_track_end", since=mark)
    assert replaced.reason == "replaced" and replaced.track.identifier == a.identifier
    await node._update_player(GUILD, data={"track": {"encoded": None}}, replace=True)
    stopped = await client.wait_event("wavelink_track_end", lambda p: p.reason == "stopped", since=mark)
    assert stopped.track.identifier == b.identifier
    await play(node, c, endTime=10_000)  # 10 s at speed 50 → 0.2 s
    finished = await client.wait_event("wavelink_track_end", lambda p: p.reason == "finished", since=mark)
    assert finished.track.identifier == c.identifier
    await play(node, a)
    await node._destroy_player(GUILD)
    cleanup = await client.wait_event("wavelink_track_end", lambda p: p.reason == "cleanup", since=mark)
    assert cleanup.track.identifier == a.identifier
    assert lavalink.players_truth() == []


async def test_survives_a_dropped_websocket_by_resuming(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    [track, *_] = await wavelink.Playable.search("marathon", node=node)  # type: ignore[misc]
    await node._update_player(GUILD, data={"voice": VOICE})  # type: ignore[typeddict-item]
    await play(node, track)
    session_id = node.session_id
    mark = len(client.events)
    assert await lavalink.drop_websockets() == 1
    ready = await client.wait_event("wavelink_node_ready", since=mark)
    assert ready.resumed is True and ready.session_id == session_id == node.session_id
    t = truth(lavalink)
    assert t["track_identifier"] == track.identifier and not t["paused"] and t["session_attached"]
    before = t["position_ms"]
    await asyncio.sleep(0.05)
    assert truth(lavalink)["position_ms"] > before  # still playing


class QuickBackoff(wavelink.backoff.Backoff):
    """Reconnect after 0.1 s, so the test waits for the outage, not for wavelink's random backoff."""

    def calculate(self) -> float:
        return 0.1


async def test_events_during_an_outage_are_replayed_on_resume(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient
) -> None:
    assert node._websocket is not None
    node._websocket.backoff = QuickBackoff()  # wavelink's is random 0-8 s
    [track, *_] = await wavelink.Playable.search("interlude", node=node)  # type: ignore[misc]
    mark = len(client.events)
    await play(node, track, position=track.length - 10_000)  # 10 s left: 0.2 s at speed 50
    await lavalink.apply_faults({"refuse_connections": True, "drop_websockets": True})
    await asyncio.sleep(0.35)  # the track finishes while the session is detached
    assert "wavelink_track_end" not in client.names(mark)
    assert truth(lavalink)["track_title"] is None
    await lavalink.apply_faults({"refuse_connections": False})
    ready = await client.wait_event("wavelink_node_ready", since=mark)
    assert ready.resumed
    end = await client.wait_event("wavelink_track_end", since=mark)
    assert end.reason == "finished" and end.track.identifier == track.identifier


async def test_injected_player_faults_reach_wavelink(
    lavalink: FakeLavalink, node: wavelink.Node, client: RecordingClient, http: aiohttp.ClientSession
) -> None:
    [track, *_] = await wavelink.Playable.search("fragile", node=node)  # type: ignore[misc]
    await node._update_player(GUILD, data={"voice": VOICE})  # type: ignore[typeddict-item]
    mark = len(client.events)
    await play(node, track)
    async with http.post("/_sandbox/faults", json={"track_stuck": str(GUILD)}) as resp:
        assert resp.status == 200 and (await resp.json())["applied"] == {"track_stuck": 1}
    stuck = await client.wait_event("wavelink_track_stuck", since=mark)
    assert stuck.threshold == 10_000 and stuck.track.identifier == track.identifier
    async with http.post("/_sandbox/faults", json={"websocket_closed": GUILD, "code": 4014}) as resp:
        assert resp.status == 200
    closed = await client.wait_event("wavelink_websocket_closed", since=mark)
    assert closed.code.value == 4014 and closed.by_remote is True
    assert truth(lavalink)["connected"] is False
    async with http.post("/_sandbox/faults", json={"track_exception": GUILD}) as resp:
        assert resp.status == 200
    exc = await client.wait_event("wavelink_track_exception", since=mark)
    assert exc.exception["severity"] == "common" and exc.exception["message"]
    end = await client.wait_event("wavelink_track_end", since=mark)
    assert end.reason == "loadFailed"
    async with http.get("/_sandbox/players") as resp:
        body = await resp.json()
    assert body["players"][0]["guild_id"] == str(GUILD) and body["players"][0]["track_title"] is None
    assert body["sessions"][0]["session_id"] == node.session_id


async def test_http_500_and_delay_faults(lavalink: FakeLavalink, http: aiohttp.ClientSession) -> None:
    async with http.post("/_sandbox/faults", json={"http_500": 2}) as resp:
        assert resp.status == 200
    for _ in range(2):
        async with http.get("/v4/info", headers=AUTH) as resp:
            assert resp.status == 500 and (await resp.json())["status"] == 500
    async with http.get("/v4/info", headers=AUTH) as resp:
        assert resp.status == 200
    await lavalink.apply_faults({"delay_ms": 150})
    started = time.monotonic()
    async with http.get("/version", headers=AUTH) as resp:
        assert resp.status == 200
    assert time.monotonic() - started >= 0.14
    await lavalink.apply_faults({"delay_ms": 0})
    async with http.post("/_sandbox/faults", json={"bogus": 1}) as resp:
        assert resp.status == 400


async def test_refuse_connections_makes_the_node_unreachable(
    lavalink: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    await lavalink.apply_faults({"refuse_connections": True})
    with pytest.raises(aiohttp.ClientError):
        async with http.get("/v4/info", headers=AUTH):
            pass
    async with http.get("/_sandbox/players") as resp:  # the control API stays reachable
        assert resp.status == 200
    await lavalink.apply_faults({"refuse_connections": False})
    async with http.get("/v4/info", headers=AUTH) as resp:
        assert resp.status == 200


# ---------------------------------------------------------------- REST error shapes


def assert_error_shape(body: dict[str, Any], status: int, path: str) -> None:
    assert {"timestamp", "status", "error", "message", "path"} <= set(body)
    assert body["status"] == status and body["path"] == path and isinstance(body["timestamp"], int)


async def test_unknown_route_is_404_with_lavalink_shape(http: aiohttp.ClientSession) -> None:
    async with http.get("/v4/nope", headers=AUTH) as resp:
        assert resp.status == 404
        assert_error_shape(await resp.json(), 404, "/v4/nope")
    async with http.get("/v4/sessions/missing/players", headers=AUTH) as resp:
        assert resp.status == 404
        assert (await resp.json())["message"] == "Session not found"


async def test_bad_auth_is_401(lavalink: FakeLavalink, http: aiohttp.ClientSession) -> None:
    async with http.get("/v4/info", headers={"Authorization": "wrong"}) as resp:
        assert resp.status == 401
        assert_error_shape(await resp.json(), 401, "/v4/info")
    bad = wavelink.Node(identifier=f"bad-{next(_ids)}", uri=lavalink.uri, password="wrong", retries=0)
    with pytest.raises(wavelink.AuthorizationFailedException):
        await bad._connect(client=RecordingClient())
    await bad._session.close()


async def test_malformed_json_is_400(http: aiohttp.ClientSession) -> None:
    async with http.ws_connect(
        "/v4/websocket", headers={**AUTH, "User-Id": "1", "Client-Name": "test/1"}
    ) as ws:
        ready = await ws.receive_json()
        assert ready["op"] == "ready" and ready["resumed"] is False
        sid = ready["sessionId"]
        path = f"/v4/sessions/{sid}/players/{GUILD}"
        async with http.patch(path, data=b"{not json", headers=AUTH) as resp:
            assert resp.status == 400
            assert_error_shape(await resp.json(), 400, path)
        async with http.patch(path, json={"volume": 5000}, headers=AUTH) as resp:
            assert resp.status == 400
        async with http.patch(path, json={"track": {"encoded": "garbage"}}, headers=AUTH) as resp:
            assert resp.status == 400
        async with http.patch(path, json={"track": {"identifier": "ytsearch:by id"}}, headers=AUTH) as resp:
            assert resp.status == 200 and (await resp.json())["track"]["info"]["title"]
        async with http.delete(path, headers=AUTH) as resp:
            assert resp.status == 204
        async with http.get(path, headers=AUTH) as resp:
            assert resp.status == 404


async def test_decode_routes(http: aiohttp.ClientSession) -> None:
    tracks = catalogue.load_tracks("ytsearch:decode me")["data"]
    async with http.get("/v4/decodetrack", params={"encodedTrack": tracks[0]["encoded"]}, headers=AUTH) as resp:
        assert resp.status == 200 and (await resp.json())["info"] == tracks[0]["info"]
    async with http.post("/v4/decodetracks", json=[t["encoded"] for t in tracks], headers=AUTH) as resp:
        assert [t["info"] for t in await resp.json()] == [t["info"] for t in tracks]


@pytest.mark.slow  # waits out a real resume timeout
async def test_session_lifecycle_without_wavelink(lavalink: FakeLavalink, http: aiohttp.ClientSession) -> None:
    headers = {**AUTH, "User-Id": "5", "Client-Name": "raw/1"}
    async with http.ws_connect("/v4/websocket", headers=headers) as ws:
        plain = (await ws.receive_json())["sessionId"]
    await asyncio.sleep(0.05)
    assert plain not in lavalink.sessions  # not resumable: gone with its websocket
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect("/v4/websocket", headers={k: v for k, v in headers.items() if k != "Client-Name"})
    assert refused.value.status == 400
    async with http.ws_connect("/v4/websocket", headers=headers) as ws:
        sid = (await ws.receive_json())["sessionId"]
        async with http.patch(f"/v4/sessions/{sid}", json={"resuming": True, "timeout": 1}, headers=AUTH) as resp:
            assert await resp.json() == {"resuming": True, "timeout": 1}
        async with http.patch(f"/v4/sessions/{sid}/players/1", json={"volume": 80}, headers=AUTH) as resp:
            assert resp.status == 200
    async with http.ws_connect("/v4/websocket", headers={**headers, "Session-Id": sid}) as ws:
        ready = await ws.receive_json()
        assert ready == {"op": "ready", "resumed": True, "sessionId": sid}
    async with http.get(f"/v4/sessions/{sid}/players", headers=AUTH) as resp:
        assert [p["volume"] for p in await resp.json()] == [80]
    await asyncio.sleep(1.7)  # resume timeout (1 s) expires
    assert sid not in lavalink.sessions
    async with http.ws_connect("/v4/websocket", headers={**headers, "Session-Id": sid}) as ws:
        ready = await ws.receive_json()
        assert ready["resumed"] is False and ready["sessionId"] != sid
