"""The one skip policy, for ``/skip`` and the now-playing skip button: who skips at once, who only votes,
what only a DJ may do. Pure.

A DJ skips at once, any way; so does whoever requested the current track. Anyone else votes (the button
cannot vote: it refuses and points at ``/skip``). Skipping by more than one, backwards, or to a position is
a DJ's call.
"""

from __future__ import annotations

import enum
from typing import Final

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument

__all__ = [
    "DJ_SKIP",
    "DJ_SKIP_BUTTON",
    "DJ_SKIP_BUTTON_KEY",
    "DJ_SKIP_KEY",
    "Skip",
    "check_skip_options",
    "is_forced_skip",
    "skip_needs_a_track",
    "skip_verdict",
]

DJ_SKIP_KEY: Final = "rules.dj_skip"
DJ_SKIP_BUTTON_KEY: Final = "rules.dj_skip_button"
DJ_SKIP: Final = text(DJ_SKIP_KEY)  # English; the catalogue has it in every language
DJ_SKIP_BUTTON: Final = text(DJ_SKIP_BUTTON_KEY)


class Skip(enum.Enum):
    """What happens when someone asks to skip."""

    NOW = "now"  # skip at once
    VOTE = "vote"  # the listeners vote; the skip happens when a majority has
    DJ_ONLY = "dj only"  # refused: only a DJ may skip that way


def check_skip_options(by: int | None, to: int | None) -> None:
    """``by`` and ``to`` make sense together, or a friendly error says why not."""
    if by is not None and to is not None:
        raise InvalidArgument(argument="to", key="rules.skip_by_and_to")
    if by == 0:
        raise InvalidArgument(argument="by", key="koe.skip_by_zero")


def is_forced_skip(*, by: int | None, to: int | None) -> bool:
    """Anything but "the next track": a jump, several tracks at once, or backwards."""
    return to is not None or (by is not None and by != 1)


def skip_needs_a_track(*, by: int | None, to: int | None) -> bool:
    """Skipping forward needs something playing; going back (negative ``by``) or jumping does not."""
    return to is None and (by is None or by > 0)


def skip_verdict(*, dj: bool, own_track: bool, forced: bool = False) -> Skip:
    """Whether this skip happens now, goes to a vote, or is refused."""
    if dj:
        return Skip.NOW
    if forced:
        return Skip.DJ_ONLY
    return Skip.NOW if own_track else Skip.VOTE
