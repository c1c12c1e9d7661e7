"""What users type, turned into numbers: times, volume changes, queue positions. Pure; errors are friendly
``InvalidArgument``s that name the option."""

from __future__ import annotations

import re

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.queue import parse_positions

from .limits import MAX_VOLUME

__all__ = ["parse_positions", "parse_seek", "parse_time", "parse_volume"]

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})$|^(\d+)$")
_UNITS = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")


def _clock_ms(text: str) -> int | None:
    match = _CLOCK.match(text)
    if match:
        hours, minutes, seconds, plain = match.groups()
        if plain is not None:
            return int(plain) * 1000
        if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            return None
        return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
    match = _UNITS.match(text)
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return ((hours * 60 + minutes) * 60 + seconds) * 1000
    return None


def parse_seek(text: str) -> tuple[int, bool]:
    """``1:23`` → (83000, absolute); ``+15`` → (15000, relative); ``-10`` → (-10000, relative)."""
    raw = text.strip().replace(" ", "")
    sign = 0
    if raw[:1] in "+-" and raw:
        sign = 1 if raw[0] == "+" else -1
        raw = raw[1:]
    ms = _clock_ms(raw) if raw else None
    if ms is None:
        raise InvalidArgument(
            f"{text.strip()!r} is not a time. Use 1:23 to jump there, +15 to go forward or -10 to go back.",
            "time",
        )
    return (sign * ms, True) if sign else (ms, False)


def parse_time(text: str, what: str) -> int:
    """A point in a track (``1:23``, ``90``, ``1m30s``) in ms; ``what`` names the option in errors."""
    ms, relative = parse_seek(text)
    if relative:
        raise InvalidArgument(f"Give the {what} as a time like 1:23, not {text!r}.", what)
    return ms


def parse_volume(text: str, step: int) -> tuple[int, bool]:
    """``80`` → (80, absolute); ``+``/``-`` → ±step (relative); ``+20`` → (20, relative)."""
    raw = text.strip().replace(" ", "").rstrip("%")
    if raw in ("+", "-"):
        return (step if raw == "+" else -step), True
    match = re.fullmatch(r"([+-]?)(\d{1,4})", raw)
    if match is None:
        raise InvalidArgument(
            f"{text.strip()!r} is not a volume. Use a number from 0 to {MAX_VOLUME}, or + / - to step it.", "volume"
        )
    sign, number = match.groups()
    value = int(number)
    if sign:
        return (value if sign == "+" else -value), True
    return value, False
