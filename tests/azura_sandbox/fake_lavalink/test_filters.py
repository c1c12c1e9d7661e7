"""The fake Lavalink refuses filters as Lavalink v4 does (unknown filters, wrong types, out of range)."""

from __future__ import annotations

from typing import Any

import pytest

from azura_sandbox.fake_lavalink.filters import check_filters
from azura_sandbox.fake_lavalink.model import LavalinkError


@pytest.mark.parametrize(("filters", "why"), [
    ([], "'filters' must be an object"),
    ({"reverb": {}}, "unknown filter 'reverb'"),
    ({"timescale": {"speed": "fast"}}, "'timescale.speed' must be a number"),
    ({"timescale": {"speed": 0}}, "'timescale.speed' is out of range"),
    ({"timescale": {"tempo": 1.0}}, "unknown field 'timescale.tempo'"),
    ({"rotation": 0.2}, "'rotation' must be an object"),
    ({"equalizer": [{"band": 15, "gain": 0.1}]}, "'equalizer[0].band' must be a distinct integer from 0 to 14"),
    ({"equalizer": [{"band": 0, "gain": 1.5}]}, "'equalizer[0].gain' must be between -0.25 and 1.0"),
    ({"volume": True}, "'volume' must be a number"),
])
def test_bad_filters_are_refused_with_lavalinks_400(filters: Any, why: str) -> None:
    with pytest.raises(LavalinkError) as info:
        check_filters(filters)
    assert info.value.status == 400 and info.value.message == f"Invalid filters: {why}"


def test_good_filters_pass_unchanged() -> None:
    good = {"timescale": {"speed": 1.2, "pitch": 1.2, "rate": 1.0}, "equalizer": [{"band": 0, "gain": 0.25}],
            "lowPass": {"smoothing": 20.0}, "volume": 1.0}
    assert check_filters(good) == good and check_filters({}) == {}
