"""Every sentence a user reads, in the user's language: one catalogue, keyed by message, per area.

Pure: no discord import. A locale is Discord's string (``str(interaction.locale)``: "de", "pt-BR", "en-GB"…);
anything unknown reads English. Messages live in ``messages/<area>.py`` as ``MESSAGES``: key → language →
template, every key in every language of ``LANGUAGES`` with the same ``{placeholders}`` (a test checks).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Final

from . import messages

__all__ = ["LANGUAGES", "catalogue", "language_of", "text"]

LANGUAGES: Final = ("en", "de", "es", "fr", "pt-BR", "ja")
"""The languages every message is written in; the first is the fallback."""


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message of every area, by key."""
    found: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(messages.__path__):
        area = importlib.import_module(f"{messages.__name__}.{info.name}")
        for key, entry in area.MESSAGES.items():
            if key in found:
                raise RuntimeError(f"message {key!r} is defined twice (second time in {info.name})")
            found[key] = entry
    return found


def language_of(locale: str | None) -> str:
    """The catalogue language for a Discord locale: exact ("pt-BR"), else by its language ("es-419" → "es",
    "en-GB" → "en"), else English."""
    if not locale:
        return LANGUAGES[0]
    if locale in LANGUAGES:
        return locale
    base = locale.split("-")[0]
    return next((lang for lang in LANGUAGES if lang.split("-")[0] == base), LANGUAGES[0])


def text(key: str, locale: str | None = None, /, **params: object) -> str:
    """The message ``key`` in the language of ``locale``, filled with ``params``."""
    entry = catalogue()[key]
    return entry.get(language_of(locale), entry[LANGUAGES[0]]).format(**params)
