"""The numbers commands, buttons and sessions agree on. One place each, so they cannot drift apart."""

from __future__ import annotations

from typing import Final

from azura_common.koe.session import MAX_VOLUME  # the sessions' own limit, named here for commands too

__all__ = [
    "AUTOCOMPLETE_CHOICES",
    "BUTTON_VOLUME_STEP",
    "CHOICE_LENGTH",
    "EMBED_DESCRIPTION_CHARS",
    "EMBED_FIELDS",
    "MAX_VOLUME",
    "MESSAGE_CHARS",
    "PAGE",
    "SHOWN_AUTHOR_CHARS",
    "SHOWN_LINK_CHARS",
    "SHOWN_TITLE_CHARS",
]

PAGE: Final = 10  # entries on one page of /queue, /history and /playlist show
AUTOCOMPLETE_CHOICES: Final = 25  # the most suggestions Discord shows
CHOICE_LENGTH: Final = 100  # Discord's limit on a suggestion's name and value
BUTTON_VOLUME_STEP: Final = 10  # what the now-playing 🔉 / 🔊 buttons change

# Discord's own limits on what a bot sends: longer is refused outright, so the user would get nothing.
MESSAGE_CHARS: Final = 2_000  # a message's content
EMBED_DESCRIPTION_CHARS: Final = 4_096
EMBED_FIELDS: Final = 25
# What one track line shows, so a page of ten worst-case lines (without links) fits one message; longer is
# cut with "…". A longer link is left out and the title shown bold instead.
SHOWN_TITLE_CHARS: Final = 90
SHOWN_AUTHOR_CHARS: Final = 40
SHOWN_LINK_CHARS: Final = 300
