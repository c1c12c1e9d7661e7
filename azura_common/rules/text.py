"""Text of bounded length: what users typed, echoed back in an error, and what we show, cut to Discord's limits.
Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = ["ECHO_CHARS", "ELLIPSIS", "echo", "fit_lines", "shorten"]

ELLIPSIS: Final = "…"
ECHO_CHARS: Final = 40  # enough to recognise what one typed; a 6,000-character option is not repeated back


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its start and "…" (``limit`` characters in all)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def echo(text: str) -> str:
    """What a user typed, quoted for an error message, at most ``ECHO_CHARS`` characters of it."""
    return repr(shorten(text.strip(), ECHO_CHARS))


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """The lines joined, within ``limit`` characters: whole lines while they fit, then "…" where more were."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = len(line) + (1 if kept else 0)
        if used + cost > limit - len(ELLIPSIS) - 1:
            if not kept:  # not even the first line fits whole: cut it
                return shorten(line, limit)
            break
        kept.append(line)
        used += cost
    return "\n".join([*kept, ELLIPSIS])
