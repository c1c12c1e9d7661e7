"""What users type, turned into numbers: times, volume changes, queue positions. Pure; errors are friendly
``InvalidArgument``s that name the option.

Only ASCII digits count (``int()`` and ``str.isdigit()`` also take ``٣`` or ``３``, which nobody means as a
volume), and every number has a bound, so a typo of twenty digits gets the same friendly error as any other
junk instead of a seek to the year 3000:

- a seek or a trim point is at most ``MAX_SEEK_MS`` (7 days) either way;
- a volume or a change of it has at most 4 digits (the session refuses a volume past ``MAX_VOLUME`` and
  clamps a change to 0 to ``MAX_VOLUME``);
- a queue or playlist position is 1 to ``MAX_QUEUE_TRACKS``.
"""

from __future__ import annotations

import enum
import re
from typing import Final, TypeVar

from azura_common.koe import queue
from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import RemoveRange
from azura_common.koe.validation import MAX_QUEUE_TRACKS, MAX_SEEK_MS, check_position

from .limits import MAX_VOLUME
from .text import ECHO_CHARS, echo

__all__ = ["parse_choice", "parse_positions", "parse_seek", "parse_time", "parse_volume"]

Choice = TypeVar("Choice", bound=enum.Enum)

# Digit runs are bounded in the patterns themselves: int() of thousands of digits is slow, then refused.
_BIG: Final = "[0-9]{1,9}"
_CLOCK = re.compile(rf"^(?:({_BIG}):)?([0-9]{{1,2}}):([0-9]{{1,2}})$|^({_BIG})$")
_UNITS = re.compile(rf"^(?:({_BIG})h)?\s*(?:({_BIG})m)?\s*(?:({_BIG})s)?$")
_POSITIONS = re.compile(r"^[0-9\s.\-–to]*$")  # what a position or a range may be written with (ASCII digits)
_POSITION_DIGITS: Final = len(str(MAX_QUEUE_TRACKS))


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
    if ms is None or ms > MAX_SEEK_MS:
        raise InvalidArgument(argument="time", key="rules.not_a_time", params={"value": echo(text)})
    return (sign * ms, True) if sign else (ms, False)


def parse_time(text: str, what: str) -> int:
    """A point in a track (``1:23``, ``90``, ``1m30s``) in ms; ``what`` names the option in errors."""
    ms, relative = parse_seek(text)
    if relative:
        raise InvalidArgument(argument=what, key="rules.time_not_relative", params={"what": what, "value": echo(text)})
    return ms


def parse_volume(text: str, step: int) -> tuple[int, bool]:
    """``80`` → (80, absolute); ``+``/``-`` → ±step (relative); ``+20`` → (20, relative)."""
    raw = text.strip().replace(" ", "").removesuffix("%")
    if raw in ("+", "-"):
        return (step if raw == "+" else -step), True
    match = re.fullmatch(r"([+-]?)([0-9]{1,4})", raw)
    if match is None:
        raise InvalidArgument(argument="volume", key="rules.not_a_volume",
                              params={"value": echo(text), "max": MAX_VOLUME})
    sign, number = match.groups()
    value = int(number)
    if sign:
        return (value if sign == "+" else -value), True
    return value, False


def parse_positions(text: str) -> RemoveRange:
    """``"5"`` → position 5; ``"3-7"`` (or ``3..7``, ``3 to 7``) → positions 3 to 7 inclusive; each 1 to
    ``MAX_QUEUE_TRACKS``."""
    too_big = any(len(run) > _POSITION_DIGITS for run in re.findall(r"[0-9]+", text))
    if len(text) > ECHO_CHARS or _POSITIONS.fullmatch(text) is None or too_big:
        raise InvalidArgument(argument="positions", key="koe.not_positions", params={"value": echo(text)})
    target = queue.parse_positions(text)
    for position in (target.start, target.end or target.start):
        check_position(position)
    return target


def parse_choice(value: str, choices: type[Choice], what: str) -> Choice:
    """One of the fixed choices of an option (Discord offers only those, but a client may send anything)."""
    try:
        return choices(value)
    except ValueError:
        names = ", ".join(str(member.value) for member in choices)
        raise InvalidArgument(argument=what.lower(), key="rules.not_a_choice",
                              params={"what": what, "names": names, "value": echo(value)}) from None
