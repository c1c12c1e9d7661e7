"""Which guild, channel and bot a log line is about, without passing them to every ``log`` call.

Where a command or an RPC starts handling a session, ``bound(guild_id=…, channel_id=…)`` sets them for
everything that runs inside (contextvars follow ``await`` and the tasks created inside, and go back when
the block ends). ``ContextFilter`` copies them onto every record, so the text format can show them and
``JsonFormatter`` (AZURA_LOG_FORMAT=json) writes them as fields: one JSON object per line.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

__all__ = ["FIELDS", "ContextFilter", "JsonFormatter", "TextFormatter", "about", "bound", "current"]

FIELDS = ("guild_id", "channel_id", "bot")  # what a line can be about; None when not known
_context: contextvars.ContextVar[dict[str, int | str | None]] = contextvars.ContextVar("azura_log_context")


def current() -> dict[str, int | str | None]:
    """The fields bound here (only those that are set)."""
    return dict(_context.get({}))


@contextmanager
def bound(**fields: int | str | None) -> Iterator[None]:
    """Log lines inside carry ``fields`` (``guild_id``, ``channel_id``, ``bot``) besides those bound outside;
    a field given as None is left as it was."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown log context field(s): {', '.join(sorted(unknown))}")
    merged = {**_context.get({}), **{key: value for key, value in fields.items() if value is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def about(request: object) -> contextlib.AbstractContextManager[None]:
    """``bound`` to the guild, channel and bot a request (an RPC's message) addresses, when it carries them."""
    return bound(guild_id=getattr(request, "guild_id", None) or None,
                 channel_id=getattr(request, "channel_id", None) or None,
                 bot=getattr(request, "bot_id", None) or None)


class ContextFilter(logging.Filter):
    """Puts the bound fields on every record (None when not bound), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get({})
        for key in FIELDS:
            setattr(record, key, fields.get(key))
        return True


class TextFormatter(logging.Formatter):
    """The usual one-line text, with ``[guild=… channel=…]`` after the logger's name when they are known."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(azura_context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        known = [f"{key.removesuffix('_id')}={getattr(record, key)}" for key in FIELDS
                 if getattr(record, key, None) is not None]
        record.azura_context = f" [{' '.join(known)}]" if known else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context fields (null when
    not known), and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            line[key] = getattr(record, key, None)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)
