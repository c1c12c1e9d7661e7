"""The numbers commands, buttons and sessions agree on. One place each, so they cannot drift apart."""

from __future__ import annotations

from typing import Final

from azura_common.koe.session import MAX_VOLUME  # the sessions' own limit, named here for commands too

__all__ = [
    "AUTOCOMPLETE_CHOICES",
    "BUTTON_VOLUME_STEP",
    "CHOICE_LENGTH",
    "MAX_VOLUME",
    "PAGE",
]

PAGE: Final = 10  # entries on one page of /queue, /history and /playlist show
AUTOCOMPLETE_CHOICES: Final = 25  # the most suggestions Discord shows
CHOICE_LENGTH: Final = 100  # Discord's limit on a suggestion's name and value
BUTTON_VOLUME_STEP: Final = 10  # what the now-playing 🔉 / 🔊 buttons change
