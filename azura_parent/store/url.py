"""``DATABASE_URL``: which PostgreSQL server, written the way platforms give it.

Heroku writes ``postgres://user:password@host:5432/dbname``; others write ``postgresql://`` and add libpq query
parameters (``?sslmode=require``, ``connect_timeout=10``, ``channel_binding=...``). The URL is checked when the
configuration is read, so a typo is a clear start-up error rather than a driver traceback, and it is shown only with
its password masked.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Final

__all__ = ["DEFAULT_CONNECT_TIMEOUT_S", "SSL_MODES", "PostgresTarget", "is_database_url", "parse_database_url"]

SCHEMES: Final = ("postgres", "postgresql")
SSL_MODES: Final = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
DEFAULT_CONNECT_TIMEOUT_S: Final = 10.0

# libpq parameters asyncpg understands itself, and server settings it sends at connection time (search_path: the
# bot's tables in a schema of their own in a shared database).
_PASSED_ON: Final = frozenset({
    "host", "port", "dbname", "user", "password", "passfile", "sslmode", "sslcert", "sslkey", "sslrootcert",
    "sslcrl", "sslpassword", "ssl_min_protocol_version", "ssl_max_protocol_version", "target_session_attrs",
    "application_name", "search_path",
})  # fmt: skip
# libpq parameters asyncpg has no use for: channel binding is negotiated by the server's auth method.
_IGNORED: Final = frozenset({"channel_binding", "gssencmode", "keepalives", "keepalives_idle"})


def is_database_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL database (``postgres://`` or ``postgresql://``), not an SQLite path."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


@dataclass(frozen=True, slots=True)
class PostgresTarget:
    """A checked ``DATABASE_URL``: what asyncpg connects to, and how to show it."""

    dsn: str = field(repr=False)  # holds the password
    display: str  # the URL with its password masked
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S


def parse_database_url(url: str) -> PostgresTarget:
    """Check a ``postgres://``/``postgresql://`` URL; ``ValueError`` says what is wrong (never with the password)."""
    text = url.strip()
    if not is_database_url(text):
        raise ValueError("must be a postgres:// or postgresql:// URL (unset it to keep the SQLite file)")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise ValueError(f"is not a valid URL: {_mask(text)}") from None
    try:
        port = parts.port  # reading it checks it
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"has a port that is not a number from 1 to 65535: {_mask(text)}")
    try:
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValueError(f"has a malformed query string: {_mask(text)}") from None
    kept: list[tuple[str, str]] = []
    connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S
    for key, value in query:
        if key == "sslmode" and value not in SSL_MODES:
            raise ValueError(f"sslmode must be one of {', '.join(SSL_MODES)}, not {value!r}")
        if key == "connect_timeout":
            connect_timeout_s = _positive_seconds(value)
        elif key in _PASSED_ON:
            kept.append((key, value))
        elif key not in _IGNORED:
            raise ValueError(
                f"has a parameter this bot does not understand: {key!r} (known: {', '.join(sorted(_PASSED_ON))},"
                " connect_timeout)"
            )
    if not parts.hostname and not any(key == "host" for key, _ in kept):
        raise ValueError(f"names no server (postgres://user:password@host:5432/dbname): {_mask(text)}")
    # asyncpg reads both schemes; one spelling keeps what is logged and compared simple.
    dsn = urllib.parse.urlunsplit(("postgresql", parts.netloc, parts.path, urllib.parse.urlencode(kept), ""))
    return PostgresTarget(dsn=dsn, display=_mask(dsn), connect_timeout_s=connect_timeout_s)


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ValueError(f"connect_timeout must be a positive number of seconds, not {value!r}")
    return seconds


def _mask(url: str) -> str:
    """``url`` with the password (in the user part or a ``password=`` parameter) replaced by ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc
        userinfo, at, hostport = netloc.rpartition("@")
        if at and ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
        query = "&".join(
            f"{key}=***" if key == "password" else f"{key}={value}"
            for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        )
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return f"{url.partition('://')[0]}://***"
