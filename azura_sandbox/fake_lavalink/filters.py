"""Lavalink v4 player filters, validated as Lavalink does before it applies anything.

A player PATCH may carry ``filters``: an object that replaces every filter the player had ({} clears them).
Lavalink refuses unknown filters, wrong types and out-of-range values with a 400 and its error body, and
changes nothing; the player keeps what it accepted across track changes. Pure: no aiohttp.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from azura_sandbox.fake_lavalink.model import LavalinkError

__all__ = ["audible_filters", "check_filters"]

Check = Callable[[float], bool]



def _any(_: float) -> bool:
    return True


def _positive(v: float) -> bool:
    return v > 0


def _unit(v: float) -> bool:
    return 0 < v <= 1


# filter → field → what a value must satisfy (Lavalink v4's filter objects; every field optional)
_FIELDS: Final[dict[str, dict[str, Check]]] = {
    "timescale": {"speed": _positive, "pitch": _positive, "rate": _positive},
    "karaoke": {"level": _any, "monoLevel": _any, "filterBand": _any, "filterWidth": _any},
    "tremolo": {"frequency": _positive, "depth": _unit},
    "vibrato": {"frequency": lambda v: 0 < v <= 14, "depth": _unit},
    "rotation": {"rotationHz": _any},
    "distortion": {name: _any for name in ("sinOffset", "sinScale", "cosOffset", "cosScale", "tanOffset",
                                           "tanScale", "offset", "scale")},
    "channelMix": {name: lambda v: 0 <= v <= 1 for name in ("leftToLeft", "leftToRight", "rightToLeft",
                                                             "rightToRight")},
    "lowPass": {"smoothing": lambda v: v > 1},
}
_KNOWN: Final = frozenset({*_FIELDS, "volume", "equalizer", "pluginFilters"})
BANDS: Final = 15


def _fail(message: str) -> LavalinkError:
    return LavalinkError(400, f"Invalid filters: {message}")


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"'{where}' must be a number")
    return float(value)


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"'{where}' must be an object")
    return value


def _equalizer(value: object) -> None:
    if not isinstance(value, list) or len(value) > BANDS:
        raise _fail(f"'equalizer' must be an array of at most {BANDS} bands")
    seen: set[int] = set()
    for i, entry in enumerate(value):
        band_obj = _object(entry, f"equalizer[{i}]")
        if set(band_obj) != {"band", "gain"}:
            raise _fail(f"'equalizer[{i}]' must have exactly 'band' and 'gain'")
        band = band_obj["band"]
        if isinstance(band, bool) or not isinstance(band, int) or not 0 <= band < BANDS or band in seen:
            raise _fail(f"'equalizer[{i}].band' must be a distinct integer from 0 to {BANDS - 1}")
        seen.add(band)
        if not -0.25 <= _number(band_obj["gain"], f"equalizer[{i}].gain") <= 1.0:
            raise _fail(f"'equalizer[{i}].gain' must be between -0.25 and 1.0")


def check_filters(value: object) -> dict[str, Any]:
    """``value`` as the player's new filters, or the LavalinkError (400) Lavalink answers for it."""
    filters = _object(value, "filters")
    unknown = sorted(set(filters) - _KNOWN)
    if unknown:
        raise _fail(f"unknown filter '{unknown[0]}'")
    for name, fields in _FIELDS.items():
        if name not in filters:
            continue
        given = _object(filters[name], name)
        for field, value_of in given.items():
            check = fields.get(field)
            if check is None:
                raise _fail(f"unknown field '{name}.{field}'")
            if not check(_number(value_of, f"{name}.{field}")):
                raise _fail(f"'{name}.{field}' is out of range")
    if "volume" in filters and not 0 <= _number(filters["volume"], "volume") <= 5:
        raise _fail("'volume' must be between 0.0 and 5.0")
    if "equalizer" in filters:
        _equalizer(filters["equalizer"])
    if "pluginFilters" in filters:
        _object(filters["pluginFilters"], "pluginFilters")
    return filters


def audible_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """``filters`` without the parts that change nothing (equalizer bands at gain 0: wavelink sends all 15
    always), for comparing what a player sounds like with what a client meant."""
    audible = {name: value for name, value in filters.items() if name != "equalizer"}
    bands = [band for band in filters.get("equalizer", []) if band.get("gain")]
    if bands:
        audible["equalizer"] = bands
    return audible
