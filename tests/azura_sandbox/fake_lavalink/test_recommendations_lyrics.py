"""The fake Lavalink's autoplay recommendations (YouTube mixes, LavaSrc's sprec:) and its LavaLyrics routes, over
real HTTP, and the parent's lyrics client (``koe.local.lyrics``) against them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from azura_common.koe.errors import MusicServerDown
from azura_common.koe.local.lyrics import fetch_lyrics
from azura_common.koe.lyrics import LyricsUnavailable
from azura_sandbox.fake_lavalink import FakeLavalink, catalogue
from azura_sandbox.fake_lavalink.lyrics import lyrics_kind
from azura_sandbox.fake_lavalink.recommendations import MIX_SIZE, radio_pool

AUTH = {"Authorization": "youshallnotpass"}


class Node:
    def __init__(self, uri: str, password: str) -> None:
        self.uri, self.password = uri, password


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeLavalink]:
    node = FakeLavalink(sources=("youtube", "soundcloud", "http", "spotify"))
    node.lyrics_plugin = True
    await node.start()
    yield node
    await node.stop()


async def get(fake: FakeLavalink, path: str, **params: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(fake.uri + path, params=params, headers=AUTH) as response:
        body = await response.json() if response.status not in (204,) else None
        return response.status, body


async def test_a_mix_starts_with_its_seed_and_two_seeds_mixes_overlap(fake: FakeLavalink) -> None:
    seed = radio_pool("youtube")[5]["info"]["identifier"]
    status, found = await get(fake, "/v4/loadtracks",
                              identifier=f"https://www.youtube.com/watch?v={seed}&list=RD{seed}")
    assert status == 200 and found["loadType"] == "playlist"
    ids = [t["info"]["identifier"] for t in found["data"]["tracks"]]
    assert ids[0] == seed and len(ids) == MIX_SIZE == len(set(ids))
    other = ids[1]
    _, again = await get(fake, "/v4/loadtracks", identifier=f"https://www.youtube.com/watch?v={other}&list=RD{other}")
    assert set(ids) & {t["info"]["identifier"] for t in again["data"]["tracks"]}  # mixes share tracks


async def test_sprec_needs_lavasrc(fake: FakeLavalink) -> None:
    status, found = await get(fake, "/v4/loadtracks", identifier="sprec:seed_tracks=abc,def")
    assert status == 200 and found["loadType"] == "playlist"
    assert {t["info"]["sourceName"] for t in found["data"]["tracks"]} == {"spotify"}
    fake.sources = ("youtube",)
    _, none = await get(fake, "/v4/loadtracks", identifier="sprec:seed_tracks=abc")
    assert none == {"loadType": "empty", "data": {}}


def first_with(kind: str) -> dict[str, Any]:
    return next(t for n in range(60) if lyrics_kind((t := catalogue.make_track(f"song {n}", 0))["info"]) == kind)


async def test_lyrics_routes_answer_as_lavalyrics_does(fake: FakeLavalink) -> None:
    synced, plain, none = first_with("synced"), first_with("plain"), first_with("none")
    status, body = await get(fake, "/v4/lyrics", track=synced["encoded"], skipTrackSource="false")
    assert status == 200 and body["text"] is None and body["lines"][1]["timestamp"] > 0
    status, body = await get(fake, "/v4/lyrics", track=plain["encoded"])
    assert status == 200 and body["lines"] == [] and body["text"].startswith("1. ")
    assert (await get(fake, "/v4/lyrics", track=none["encoded"]))[0] == 204
    assert (await get(fake, "/v4/lyrics"))[0] == 400
    info = await get(fake, "/v4/info")
    assert {"name": "lavalyrics-plugin", "version": "1.1.0"} in info[1]["plugins"]
    fake.lyrics_plugin = False  # a stock node: no such route, and /v4/info does not list the plugin
    assert (await get(fake, "/v4/lyrics", track=synced["encoded"]))[0] == 404
    assert "lavalyrics-plugin" not in [p["name"] for p in (await get(fake, "/v4/info"))[1]["plugins"]]


async def test_the_parent_client_reads_synced_plain_none_and_no_plugin(fake: FakeLavalink) -> None:
    node = Node(fake.uri, fake.password)
    synced = await fetch_lyrics(node, first_with("synced")["encoded"])
    assert synced is not None and synced.synced and synced.current_index(synced.lines[3].timestamp_ms) == 3
    plain = await fetch_lyrics(node, first_with("plain")["encoded"])
    assert plain is not None and not plain.synced and plain.provider == "Genius"
    assert await fetch_lyrics(node, first_with("none")["encoded"]) is None
    fake.lyrics_plugin = False
    with pytest.raises(LyricsUnavailable):
        await fetch_lyrics(node, first_with("synced")["encoded"])
    fake.delay_ms = 500
    with pytest.raises(MusicServerDown):
        await fetch_lyrics(node, first_with("synced")["encoded"], timeout_s=0.1)
