"""Dashboard logins in the parent's database: a restart of the parent keeps everyone logged in.

Rows are keyed by a hash of the session id (``session_hash``): the database alone opens no session. What a
row holds is the dashboard's ``Login`` minus the id: the user, their language, the servers Discord listed at login,
the CSRF token and when it expires. Expired rows are pruned whenever a login is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .database import Row, Tables

__all__ = ["LoginRow", "LoginStore"]


@dataclass(frozen=True, slots=True)
class LoginRow:
    session_hash: str
    user_id: int
    name: str
    locale: str
    guild_ids: frozenset[int]
    csrf: str
    expires: float


def _login_of(row: Row) -> LoginRow:
    return LoginRow(str(row["session_hash"]), int(row["user_id"]), str(row["name"]), str(row["locale"]),
                    frozenset(int(g) for g in json.loads(str(row["guild_ids"]))), str(row["csrf"]),
                    float(row["expires"]))


class LoginStore(Tables):
    """The ``dashboard_logins`` table."""

    async def save_login(self, login: LoginRow) -> None:
        """Keep ``login`` (and forget every expired one)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM dashboard_logins WHERE expires < ?", (self._clock(),))
            await conn.execute(
                "INSERT INTO dashboard_logins (session_hash, user_id, name, locale, guild_ids, csrf, expires)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (login.session_hash, login.user_id, login.name, login.locale,
                 json.dumps(sorted(login.guild_ids)), login.csrf, login.expires),
            )

    async def find_login(self, session_hash: str) -> LoginRow | None:
        """The unexpired login of ``session_hash``, if any."""
        async with self._db.read() as conn:
            row = await conn.fetch_one(
                "SELECT * FROM dashboard_logins WHERE session_hash = ? AND expires >= ?",
                (session_hash, self._clock()),
            )
        return _login_of(row) if row is not None else None

    async def delete_login(self, session_hash: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM dashboard_logins WHERE session_hash = ?", (session_hash,))

    async def prune_logins(self) -> int:
        """Forget every expired login; how many there were."""
        async with self._db.transaction() as conn:
            row = await conn.fetch_one("SELECT COUNT(*) FROM dashboard_logins WHERE expires < ?", (self._clock(),))
            await conn.execute("DELETE FROM dashboard_logins WHERE expires < ?", (self._clock(),))
        return int(row[0]) if row else 0
