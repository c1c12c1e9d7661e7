"""Which links and searches need LavaSrc, and whether a node's /v4/info source managers can load them."""

from __future__ import annotations

from azura_common.koe.local.lavasrc import lavasrc_source, serves
from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, LAVASRC_SOURCES


def test_spotify_apple_music_and_deezer_links_and_searches_need_lavasrc() -> None:
    assert lavasrc_source("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M") == "spotify"
    assert lavasrc_source("https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=x") == "spotify"
    assert lavasrc_source(" spsearch:Daft Punk ") == "spotify" and lavasrc_source("SPSEARCH:x") == "spotify"
    assert lavasrc_source("https://music.apple.com/us/album/discovery/697194953") == "applemusic"
    assert lavasrc_source("https://music.apple.com/us/playlist/chill/pl.u-abc") == "applemusic"
    assert lavasrc_source("amsearch:waves") == "applemusic"
    assert lavasrc_source("https://www.deezer.com/en/album/302127") == "deezer"
    assert lavasrc_source("https://deezer.com/track/3135556") == "deezer" and lavasrc_source("dzsearch:x") == "deezer"
    for other in ("https://www.youtube.com/watch?v=x", "http://radio.example/live.mp3", "ocean waves",
                  "scsearch:waves", "https://open.spotify.com/", "https://example.com/open.spotify.com/track/x"):
        assert lavasrc_source(other) is None, other


def test_a_node_serves_what_its_source_managers_name() -> None:
    assert serves("spotify", (*DEFAULT_SOURCES, *LAVASRC_SOURCES))
    assert not serves("spotify", DEFAULT_SOURCES)
    assert not serves("deezer", ("spotify", "applemusic"))  # LavaSrc configured without Deezer
