"""AZURA_SEARCH_SOURCES: which Lavalink prefixes plain words go to, and what a user reads when none can answer."""

from __future__ import annotations

import pytest

from azura_common.config import ConfigError
from azura_common.koe.local.search_sources import (
    DEFAULT_SEARCH_SOURCES,
    empty_search_message,
    is_direct,
    parse_search_sources,
)
from azura_parent.config import ParentConfig
from azura_sandbox.fake_lavalink import DEFAULT_SOURCES, STOCK_SOURCES

NOTHING = "Nothing found for 'ocean waves'. Try other words or a link."


def test_the_setting_lists_prefixes_in_order_and_says_what_is_wrong() -> None:
    base = {"AZURA_PARENT_TOKEN": "t"}
    assert ParentConfig.from_env(base).search_sources == DEFAULT_SEARCH_SOURCES == ("ytsearch", "scsearch")
    chosen = ParentConfig.from_env({**base, "AZURA_SEARCH_SOURCES": " scsearch:, ytmsearch , scsearch"})
    assert chosen.search_sources == ("scsearch", "ytmsearch")
    with pytest.raises(ConfigError, match=r"AZURA_SEARCH_SOURCES: 'yt search' is not a Lavalink search prefix"):
        ParentConfig.from_env({**base, "AZURA_SEARCH_SOURCES": "yt search"})
    with pytest.raises(ValueError, match="at least one Lavalink search prefix"):
        parse_search_sources(" , ")


def test_links_and_queries_that_name_their_source_are_loaded_as_they_are() -> None:
    assert is_direct("https://www.youtube.com/watch?v=x") and is_direct("HTTP://example.com/a.mp3")
    assert is_direct("scsearch:waves") and is_direct("spsearch:Daft Punk")
    assert not is_direct("ocean waves") and not is_direct("re:zero opening") and not is_direct("search:x")


def test_an_empty_search_says_what_lavalink_lacks() -> None:
    assert empty_search_message("ocean waves", DEFAULT_SEARCH_SOURCES, DEFAULT_SOURCES) == NOTHING
    assert empty_search_message("ocean waves", DEFAULT_SEARCH_SOURCES, None) == NOTHING  # /v4/info unknown
    youtube = "Lavalink has no YouTube source: add the youtube plugin, see README (Lavalink sources)."
    # SoundCloud was searched and found nothing: say so, and what would search YouTube too
    assert empty_search_message("ocean waves", DEFAULT_SEARCH_SOURCES, STOCK_SOURCES) == f"{NOTHING} {youtube}"
    # nothing could have been searched: only the fix
    assert empty_search_message("ocean waves", ("ytsearch", "ytmsearch"), STOCK_SOURCES) == youtube
    assert empty_search_message("ocean waves", DEFAULT_SEARCH_SOURCES, ()) == (
        "Lavalink has no YouTube or SoundCloud source: add the youtube plugin; enable soundcloud in Lavalink's "
        "application.yml, see README (Lavalink sources).")
    assert empty_search_message("ocean waves", ("spsearch", "amsearch"), ("youtube",)) == (
        "Lavalink has no Spotify or Apple Music source: add the LavaSrc plugin, see README (Lavalink sources).")
    # a prefix Azura does not know (another plugin's) may well have its source: nothing to blame
    assert empty_search_message("ocean waves", ("vksearch",), ()) == NOTHING
