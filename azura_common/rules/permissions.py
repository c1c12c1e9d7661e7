"""Who may do what with a session or a playlist: one rule for the parent's commands and every bot's buttons.

The DJ rule decides the rest: stopping, leaving, clearing, going back further than one track (and, on the
buttons, going back at all: a button has no vote). Skipping has its own policy (``skip.py``), removing
tracks too (``remove.py``). Pure: callers read the member and the server's settings and pass plain values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from azura_common.i18n import text

__all__ = [
    "DJ_BUTTONS",
    "DJ_COMMANDS",
    "DJ_ONLY",
    "DJ_ONLY_KEY",
    "GLOBAL_NEEDS_MANAGE",
    "GLOBAL_NEEDS_MANAGE_KEY",
    "button_needs_dj",
    "command_needs_dj",
    "may_dj",
    "may_set_visibility",
]

DJ_ONLY_KEY: Final = "rules.dj_only"
GLOBAL_NEEDS_MANAGE_KEY: Final = "rules.global_needs_manage"
DJ_ONLY: Final = text(DJ_ONLY_KEY)  # English; the catalogue has it in every language
GLOBAL_NEEDS_MANAGE: Final = text(GLOBAL_NEEDS_MANAGE_KEY)

DJ_COMMANDS: Final = frozenset({"stop", "leave", "clear", "effects", "equalizer"})  # effects: everyone hears them
# a button cannot vote, so going back is a DJ's call
DJ_BUTTONS: Final = frozenset({"stop", "leave", "back", "effects_off"})


def may_dj(*, manage_guild: bool, role_ids: Iterable[int], dj_role_id: int | None, listeners: int) -> bool:
    """Manage Server; or the server's DJ role (none set: everyone); or nobody else is listening."""
    if manage_guild or not dj_role_id:
        return True
    return dj_role_id in set(role_ids) or listeners <= 1


def command_needs_dj(name: str, *, by: int = 1) -> bool:
    """Whether slash command ``name`` is a DJ's call: stop, leave, clear, effects, equalizer; back by more than
    one track."""
    return name in DJ_COMMANDS or (name == "back" and by > 1)


def button_needs_dj(action: str) -> bool:
    """Whether a now-playing button is a DJ's call (the skip button follows the skip policy instead)."""
    return action in DJ_BUTTONS


def may_set_visibility(visibility: str, *, manage_guild: bool) -> bool:
    """Anyone may make their playlist private or public; listing it for everyone (global) needs Manage Server."""
    return visibility != "global" or manage_guild
