"""The parent bot's database, whichever engine holds it: opening it, migrating it, running transactions on it.

Two engines, one schema and one migration history:
- SQLite (``aiosqlite``), the embedded default: a file at ``AZURA_DB_PATH`` (``sqlite.py``).
- PostgreSQL (``asyncpg``), when ``DATABASE_URL`` is a ``postgres://`` URL: for platforms that do not keep the disk
  (``postgres.py``).

Both give the same transactions: ``transaction()`` is a write transaction that runs alone (SQLite's
``BEGIN IMMEDIATE``; on PostgreSQL every write transaction first takes one advisory lock), so a read-check-write
inside it (a playlist name still free? the next position?) cannot race another writer, in this process or
another; ``read()`` sees one consistent snapshot. Statements use ``?`` placeholders on both engines.

Migrations are the numbered ``NNNN_name.sql`` files of ``azura_parent/migrations``, written in the SQL both engines
speak. Each one not yet recorded in ``schema_version`` is applied in its own write transaction together with its
version row, so a failing migration leaves the database exactly as it was, and two processes opening one database
at once migrate it once.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from .url import is_database_url

__all__ = [
    "Connection",
    "Database",
    "DatabaseError",
    "Migration",
    "Row",
    "Tables",
    "load_migrations",
    "split_statements",
]

DEFAULT_FILENAME = "azura.sqlite3"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")

Row = Any
"""A result row: columns by name (``row["id"]``) or by index (``row[0]``) on both engines."""


class DatabaseError(RuntimeError):
    """The database cannot be used (unreachable, newer schema than this code, broken migration, timed out...)."""


class Connection(Protocol):
    """One transaction's statements, with ``?`` placeholders, whichever engine runs them."""

    async def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    async def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    async def fetch_one(self, sql: str, params: Sequence[object] = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: str | Path | None = None) -> list[Migration]:
    """The numbered migrations of ``directory`` (default: the packaged ``azura_parent/migrations``), in order."""
    found: list[Migration] = []
    if directory is None:
        files: Iterable[tuple[str, str]] = (
            (entry.name, entry.read_text(encoding="utf-8"))
            for entry in resources.files("azura_parent").joinpath("migrations").iterdir()
            if entry.is_file()
        )
    else:
        files = ((p.name, p.read_text(encoding="utf-8")) for p in Path(directory).iterdir() if p.is_file())
    for filename, sql in files:
        match = _MIGRATION_NAME.match(filename)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), sql))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise DatabaseError(f"Two migrations share a version number: {versions}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a migration script into complete SQL statements (``;`` inside strings/triggers is respected)."""
    statements: list[str] = []
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            if _has_code(statement):
                statements.append(statement)
            pending = ""
    if _has_code(pending.rstrip(";")):
        raise DatabaseError(f"Migration ends with an incomplete statement: {pending.strip()[:80]!r}")
    return statements


def _has_code(sql: str) -> bool:
    """Whether ``sql`` holds anything besides comments, whitespace and semicolons."""
    without_block = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    without_line = re.sub(r"--[^\n]*", "", without_block)
    return bool(without_line.replace(";", "").strip())


class Database(ABC):
    """An open database with the parent schema applied. Create it with ``await Database.open(location)``."""

    dialect: str  # "sqlite" or "postgresql"

    # -- lifecycle ------------------------------------------------------------------------------------

    @staticmethod
    def default_path(env: Mapping[str, str] | None = None) -> Path:
        """``AZURA_DB_PATH``, else ``AZURA_DATA_DIR/azura.sqlite3``, else ``./data/azura.sqlite3``."""
        environ = os.environ if env is None else env
        if environ.get("AZURA_DB_PATH"):
            return Path(environ["AZURA_DB_PATH"])
        if environ.get("AZURA_DATA_DIR"):
            return Path(environ["AZURA_DATA_DIR"]) / DEFAULT_FILENAME
        return Path("data") / DEFAULT_FILENAME

    @staticmethod
    async def open(location: str | Path, migrations: Sequence[Migration] | None = None) -> Database:
        """Open and migrate the database at ``location``: a ``postgres://``/``postgresql://`` URL (PostgreSQL),
        else the path of an SQLite file (created with its directories if needed) or ``:memory:``."""
        chosen = load_migrations() if migrations is None else list(migrations)
        if isinstance(location, str) and is_database_url(location):
            from .postgres import PostgresDatabase  # asyncpg only where PostgreSQL is used

            return await PostgresDatabase.connect(location, chosen)
        from .sqlite import SqliteDatabase

        return await SqliteDatabase.connect(location, chosen)

    @abstractmethod
    async def close(self) -> None:
        """Close the database; closing twice is fine, and a closed database refuses transactions."""

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- transactions ---------------------------------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A write transaction, alone among writers: committed on success, rolled back on any exception."""

    @abstractmethod
    def read(self) -> AbstractAsyncContextManager[Connection]:
        """A read transaction: every statement inside sees the same snapshot."""

    # -- introspection --------------------------------------------------------------------------------

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, for messages and logs (a URL's password is never shown)."""

    async def schema_version(self) -> int:
        async with self.read() as conn:
            row = await conn.fetch_one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    @abstractmethod
    async def table_names(self) -> list[str]:
        """The tables of the schema, sorted (``schema_version`` included)."""

    # -- migrations -----------------------------------------------------------------------------------

    def _portable(self, sql: str) -> str:
        """A migration statement as this engine runs it (PostgreSQL maps SQLite's type names, see postgres.py)."""
        return sql

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        known = max((m.version for m in migrations), default=0)
        async with self.transaction() as conn:
            await conn.execute(
                self._portable(
                    "CREATE TABLE IF NOT EXISTS schema_version"
                    " (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
                )
            )
        for migration in migrations:
            # Re-check inside the write transaction: another process may have migrated meanwhile.
            async with self.transaction() as conn:
                row = await conn.fetch_one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                current = int(row[0]) if row else 0
                self._refuse_newer(current, known)
                if migration.version <= current:
                    continue
                for statement in split_statements(migration.sql):
                    try:
                        await conn.execute(self._portable(statement))
                    except Exception as exc:  # the engine's own error: say which migration, roll back
                        raise DatabaseError(
                            f"Migration {migration.version:04d}_{migration.name} failed on {self.dialect}: {exc}"
                        ) from exc
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
        if migrations:
            self._refuse_newer(await self.schema_version(), known)

    def _refuse_newer(self, current: int, known: int) -> None:
        if current > known:
            raise DatabaseError(f"{self.location} has schema version {current}, newer than this code knows ({known}).")


class Tables:
    """Typed access to some of the tables: every method is one transaction on ``db``."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
