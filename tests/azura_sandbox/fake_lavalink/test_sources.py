"""The fake Lavalink's sources: what a node without YouTube (or without any search) answers, to real wavelink;
and voice connections closed for one bot's player."""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest
import wavelink

from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, STOCK_SOURCES, FakeLavalink, catalogue

_ids = itertools.count()
GUILD = 424_242_424_242
VOICE = {"token": "tok", "endpoint": "voice.example:443", "sessionId": "vs"}


class Client(discord.Client):
    """Never logs in: just a user id for wavelink's websocket."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none())
        self._connection.user = SimpleNamespace(id=555)  # type: ignore[assignment]


async def _node(lavalink: FakeLavalink) -> wavelink.Node:
    node = wavelink.Node(identifier=f"sources-{next(_ids)}", uri=lavalink.uri, password=lavalink.password,
                         inactive_player_timeout=None)
    await wavelink.Pool.connect(nodes=[node], client=Client())
    return node


@pytest.fixture
async def stock() -> AsyncIterator[tuple[FakeLavalink, wavelink.Node]]:
    lavalink = FakeLavalink(sources=STOCK_SOURCES)
    await lavalink.start()
    node = await _node(lavalink)
    try:
        yield lavalink, node
    finally:
        await node.close(eject=True)
        await node._session.close()
        await lavalink.stop()


async def _info(lavalink: FakeLavalink) -> Any:
    async with aiohttp.ClientSession(headers={"Authorization": lavalink.password}) as http:
        async with http.get(f"{lavalink.uri}/v4/info") as resp:
            return await resp.json()


async def test_info_lists_the_sources_and_the_plugins_they_need() -> None:
    for sources, plugins in (
        (("youtube", "soundcloud", "http", "spotify"), ["youtube-plugin", "lavasrc-plugin"]),
        (STOCK_SOURCES, []),
        (DEFAULT_SOURCES, ["youtube-plugin"]),
    ):
        lavalink = FakeLavalink(sources=sources)
        await lavalink.start()
        try:
            info = await _info(lavalink)
        finally:
            await lavalink.stop()
        assert info["sourceManagers"] == list(sources)
        assert [p["name"] for p in info["plugins"]] == plugins and all(p["version"] for p in info["plugins"])
    with pytest.raises(ValueError, match="unknown Lavalink source"):
        FakeLavalink(sources=("youtube", "napster"))


async def test_a_stock_node_finds_nothing_on_youtube_and_plays_soundcloud(
    stock: tuple[FakeLavalink, wavelink.Node],
) -> None:
    lavalink, node = stock
    assert await wavelink.Playable.search("lofi beats", node=node) == []  # wavelink's default is ytmsearch:
    assert await wavelink.Playable.search("lofi beats", source=wavelink.TrackSource.YouTube, node=node) == []
    found = await wavelink.Playable.search("lofi beats", source=wavelink.TrackSource.SoundCloud, node=node)
    assert isinstance(found, list) and len(found) == 20 and {t.source for t in found} == {"soundcloud"}
    assert await wavelink.Playable.search("lofi beats", source="spsearch", node=node) == []
    with pytest.raises(wavelink.LavalinkLoadException, match="Unknown file format"):
        await wavelink.Playable.search("https://www.youtube.com/watch?v=dQw4w9WgXcQ", node=node)
    assert lavalink.searches == [
        "ytmsearch:lofi beats", "ytsearch:lofi beats", "scsearch:lofi beats", "spsearch:lofi beats",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ]


def test_the_catalogue_answers_as_lavalink_for_each_source() -> None:
    empty = {"loadType": "empty", "data": {}}
    assert catalogue.load_tracks("ytsearch:x", STOCK_SOURCES) == empty
    assert catalogue.load_tracks("lofi beats") == empty  # a bare word: no source claims it
    assert catalogue.load_tracks("spsearch:song", ("spotify",))["data"][0]["info"]["sourceName"] == "spotify"
    assert catalogue.load_tracks("https://open.spotify.com/track/1", ("youtube",)) == empty  # no http source
    assert catalogue.load_tracks("https://example.com/a.mp3", ("http",))["data"]["info"]["sourceName"] == "http"
    failed = catalogue.load_tracks("https://soundcloud.com/a/b", ("youtube", "http"))
    assert failed["loadType"] == "error" and failed["data"]["message"] == "Unknown file format."


@pytest.mark.slow  # starts the fake as a process
async def test_the_command_line_takes_sources() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "azura_sandbox.fake_lavalink", "--port", "0", "--sources", "soundcloud,http",
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        async with asyncio.timeout(10):
            while b"ready on" not in (line := await proc.stderr.readline()):
                assert line, "the fake Lavalink exited"
        match = re.search(rb"http://127\.0\.0\.1:(\d+) \(sources: soundcloud,http\)", line)
        assert match is not None, line
        async with aiohttp.ClientSession(headers={"Authorization": "youshallnotpass"}) as http:
            async with http.get(f"http://127.0.0.1:{int(match.group(1))}/v4/info") as resp:
                assert (await resp.json())["sourceManagers"] == ["soundcloud", "http"]
    finally:
        proc.terminate()
        await proc.wait()


async def test_a_voice_close_hits_only_that_bots_player() -> None:
    lavalink = FakeLavalink()
    await lavalink.start()
    sockets: dict[str, aiohttp.ClientWebSocketResponse] = {}
    try:
        async with aiohttp.ClientSession(lavalink.uri, headers={"Authorization": lavalink.password}) as http:
            for user in ("111", "222"):  # two bots, each with its own Lavalink session, in one guild
                ws = await http.ws_connect("/v4/websocket", headers={"User-Id": user, "Client-Name": "test/1"})
                sockets[user] = ws
                ready = await ws.receive_json()
                async with http.patch(f"/v4/sessions/{ready['sessionId']}/players/{GUILD}", json={"voice": VOICE}):
                    pass
            assert lavalink.websocket_closed(GUILD, 4006, user_id=222, reason="gone") == 1
            while (event := await asyncio.wait_for(sockets["222"].receive_json(), 5)).get("op") != "event":
                pass
            assert event == {"op": "event", "type": "WebSocketClosedEvent", "guildId": str(GUILD), "code": 4006,
                             "reason": "gone", "byRemote": True}
            connected = {p["user_id"]: p["connected"] for p in lavalink.players_truth()}
            assert connected == {"111": True, "222": False}
            for ws in sockets.values():
                await ws.close()
    finally:
        await lavalink.stop()
