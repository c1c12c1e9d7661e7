"""The options of ``/search``'s select menu: one per result, within Discord's limits, and the tracks a user's
chosen values stand for. Pure: no discord.

Discord refuses a whole message whose select menu breaks a limit (label, value and description ≤ 100
characters, 1 to 25 options, max_values ≤ the options), so the user would get nothing: every option is cut
to fit here, keeping the author and length visible when a title is long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from azura_common.i18n import text
from azura_common.koe.errors import InvalidArgument
from azura_common.koe.session import Track
from azura_common.render import format_duration
from azura_common.rules.text import shorten

__all__ = ["OPTION_CHARS", "PICKER_RESULTS", "PickerOption", "chosen_tracks", "picker_options"]

PICKER_RESULTS: Final = 10  # results a /search menu offers
OPTION_CHARS: Final = 100  # Discord's limit on a select option's label, value and description
_AUTHOR_CHARS: Final = 40  # at most this much of the label is the author's


@dataclass(frozen=True, slots=True)
class PickerOption:
    label: str  # "title — author · 3:25"
    value: str  # the result's index, "0".."9"
    description: str | None  # the track's link, when it has one


def option_label(track: Track, locale: str | None = None) -> str:
    """``title — author · length`` in at most ``OPTION_CHARS``: the title is what is cut."""
    length = text("streams.live", locale) if track.is_stream else format_duration(track.play_length_ms)
    author = shorten(" ".join(track.author.split()), _AUTHOR_CHARS)
    tail = f" — {author} · {length}" if author else f" · {length}"
    title = " ".join(track.title.split()) or "?"
    return shorten(title, OPTION_CHARS - len(tail)) + tail


def picker_options(tracks: Sequence[Track], locale: str | None = None) -> list[PickerOption]:
    """One option per result, the first ``PICKER_RESULTS`` of them, best first."""
    return [PickerOption(option_label(track, locale), str(index), shorten(track.uri, OPTION_CHARS) or None)
            for index, track in enumerate(tracks[:PICKER_RESULTS])]


def chosen_tracks(tracks: Sequence[Track], values: Sequence[str]) -> list[Track]:
    """The results a menu's chosen ``values`` stand for, in the order of the results (best first); a value
    that is no option of the menu is refused."""
    offered = {str(index) for index in range(min(len(tracks), PICKER_RESULTS))}
    unknown = [value for value in values if value not in offered]
    if unknown or not values:
        raise InvalidArgument(argument="values", key="search.not_a_result", params={"value": str(unknown or "nothing")})
    picked = set(values)
    return [track for index, track in enumerate(tracks[:PICKER_RESULTS]) if str(index) in picked]
