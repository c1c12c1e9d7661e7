"""Why a session ended, in the reader's language: the words a session's ending carries (``str(Ending)``, English,
as logs and the wire have them) matched to the catalogue's ``ending.*`` sentences. Pure: no discord."""

from __future__ import annotations

from typing import Final

from .i18n import catalogue, text

__all__ = ["ending_text"]

_BY: Final = (("/leave by ", "ending.leave_by"), ("leave pressed by ", "ending.leave_pressed_by"))


def ending_text(reason: str, locale: str | None) -> str:
    """``reason`` (``str(ending)``) in the language of ``locale``; words the catalogue does not know, as they are."""
    for prefix, key in _BY:
        if reason.startswith(prefix):
            return text(key, locale, name=reason.removeprefix(prefix))
    key = "ending." + reason.replace(" ", "_")
    return text(key, locale) if key in catalogue() else reason
