"""/search's menu options: one per result (at most 10), within Discord's limits whatever the tracks hold, and the
tracks the chosen values stand for."""

from __future__ import annotations

import dataclasses

import pytest

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import Track
from azura_common.rules.picker import OPTION_CHARS, PICKER_RESULTS, chosen_tracks, option_label, picker_options
from azura_sandbox.fake_discord.components import component_errors

SONG = Track(encoded="e", title="Golden Hearts", author="Mira Solano", uri="https://www.youtube.com/watch?v=x",
             length_ms=205_000)


def results(n: int) -> list[Track]:
    return [dataclasses.replace(SONG, title=f"Song {i}", encoded=f"e{i}") for i in range(n)]


def test_a_label_is_title_author_and_length() -> None:
    assert option_label(SONG) == "Golden Hearts — Mira Solano · 3:25"
    assert option_label(dataclasses.replace(SONG, author="")) == "Golden Hearts · 3:25"
    assert option_label(dataclasses.replace(SONG, is_stream=True, length_ms=2**63 - 1)) == \
        "Golden Hearts — Mira Solano · 🔴 LIVE"
    assert option_label(dataclasses.replace(SONG, is_stream=True), "de") == "Golden Hearts — Mira Solano · 🔴 LIVE"
    assert option_label(dataclasses.replace(SONG, title=" \n ")) == "? — Mira Solano · 3:25"


def test_long_titles_and_authors_are_cut_keeping_the_length_visible() -> None:
    huge = dataclasses.replace(SONG, title="T" * 500, author="A" * 300, uri="https://x/" + "u" * 300,
                               length_ms=36_000_000)
    label = option_label(huge)
    assert len(label) == OPTION_CHARS and label.endswith(" · 10:00:00") and "T…" in label and "A…" in label
    (option,) = picker_options([huge])
    assert len(option.description or "") == OPTION_CHARS


def test_at_most_ten_options_valid_for_discord() -> None:
    worst = [dataclasses.replace(SONG, title="名" * 300, author="🎵" * 80, uri="h" * 500) for _ in range(25)]
    options = picker_options(worst)
    assert len(options) == PICKER_RESULTS and [o.value for o in options] == [str(i) for i in range(10)]
    menu = {"type": 3, "custom_id": "azura:search:1", "min_values": 1, "max_values": len(options),
            "options": [{"label": o.label, "value": o.value, "description": o.description} for o in options]}
    assert component_errors([{"type": 1, "components": [menu]}]) == {}
    assert picker_options([dataclasses.replace(SONG, uri="")])[0].description is None
    assert len(picker_options(results(3))) == 3


def test_the_chosen_values_give_their_tracks_best_first() -> None:
    found = results(12)
    assert chosen_tracks(found, ["3", "1"]) == [found[1], found[3]]
    assert chosen_tracks(found, ["9"]) == [found[9]]
    for bad in (["10"], ["1", "x"], []):  # past the menu's ten, not a value, nothing
        with pytest.raises(InvalidArgument, match="is not a result of this search"):
            chosen_tracks(found, bad)
