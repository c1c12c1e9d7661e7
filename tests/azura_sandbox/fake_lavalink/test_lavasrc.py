"""The fake Lavalink's LavaSrc: Spotify, Apple Music and Deezer tracks, albums, playlists and searches when the
node has the plugin; without it they are left to the built-in sources, as a real Lavalink does."""

from __future__ import annotations

from typing import Any

import aiohttp

from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, LAVASRC_SOURCES, FakeLavalink, catalogue
from azura_sandbox.fake_lavalink.lavasrc import ALBUM_SIZE, load_lavasrc

WITH = (*DEFAULT_SOURCES, *LAVASRC_SOURCES)


def test_links_resolve_to_tracks_of_their_service() -> None:
    cases = [
        ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify", "https://open.spotify.com/track/"),
        ("https://music.apple.com/us/song/blinding-lights/1488408568", "applemusic", "https://music.apple.com/us/song/"),
        ("https://music.apple.com/us/album/after-hours/1499378108?i=1499378615", "applemusic", "https://music.apple"),
        ("https://www.deezer.com/track/3135556", "deezer", "https://www.deezer.com/track/"),
    ]
    for url, source, link in cases:
        found = load_lavasrc(url, WITH)
        assert found is not None and found["loadType"] == "track", url
        info = found["data"]["info"]
        assert info["sourceName"] == source and info["uri"].startswith(link) and not info["isStream"]
        assert catalogue.decode_track(found["data"]["encoded"]) is not None  # playable like any other track


def test_albums_and_playlists_are_playlists_with_lavasrc_info() -> None:
    for url, kind, size in (("https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy", "album", ALBUM_SIZE),
                            ("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M", "playlist", 12),
                            ("https://music.apple.com/us/playlist/chill/pl.u-abc", "playlist", 12),
                            ("https://www.deezer.com/en/album/302127", "album", ALBUM_SIZE)):
        found = load_lavasrc(url, WITH)
        assert found is not None and found["loadType"] == "playlist", url
        data: dict[str, Any] = found["data"]
        assert data["pluginInfo"]["type"] == kind and data["pluginInfo"]["totalTracks"] == len(data["tracks"]) == size
        assert data["info"]["name"] and data["info"]["selectedTrack"] == -1


def test_search_prefixes_and_a_node_without_the_plugin() -> None:
    found = load_lavasrc("dzsearch:ocean waves", WITH)
    assert found is not None and found["loadType"] == "search"
    assert {t["info"]["sourceName"] for t in found["data"]} == {"deezer"}
    assert load_lavasrc("spsearch:nothing here", WITH) == {"loadType": "empty", "data": {}}
    assert load_lavasrc("https://www.youtube.com/watch?v=x", WITH) is None  # not LavaSrc's
    # without LavaSrc the built-in sources answer: a web page the http source can't play, or nothing
    assert load_lavasrc("https://open.spotify.com/track/x1", DEFAULT_SOURCES) is None
    assert catalogue.load_tracks("https://open.spotify.com/track/x1", DEFAULT_SOURCES)["loadType"] == "error"
    assert catalogue.load_tracks("spsearch:waves", DEFAULT_SOURCES)["loadType"] == "empty"


def test_radio_links_are_streams_of_lavalinks_length() -> None:
    for url in ("http://radio.example/live.mp3", "https://icecast.example:8000/stream", "http://x.example/radio.m3u"):
        info = catalogue.load_tracks(url)["data"]["info"]
        assert info["isStream"] and not info["isSeekable"] and info["length"] == 9_223_372_036_854_775_807, url
    assert not catalogue.load_tracks("http://files.example/song.mp3")["data"]["info"]["isStream"]


async def test_the_node_answers_lavasrc_only_when_it_has_it() -> None:
    for sources, plugins, load_type in ((WITH, {"youtube-plugin", "lavasrc-plugin"}, "playlist"),
                                        (DEFAULT_SOURCES, {"youtube-plugin"}, "error")):
        lavalink = FakeLavalink(sources=sources)
        await lavalink.start()
        try:
            async with aiohttp.ClientSession(headers={"Authorization": lavalink.password}) as http:
                async with http.get(f"{lavalink.uri}/v4/info", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    info = await resp.json()
                params = {"identifier": "https://open.spotify.com/playlist/abc"}
                async with http.get(f"{lavalink.uri}/v4/loadtracks", params=params,
                                    timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    loaded = await resp.json()
        finally:
            await lavalink.stop()
        assert {p["name"] for p in info["plugins"]} == plugins
        assert info["sourceManagers"] == list(sources)
        assert loaded["loadType"] == load_type
