"""The parent bot's SQLite database: opening it, migrating it, and running transactions on it.

One ``Database`` owns one aiosqlite connection in autocommit mode; transactions are explicit
(``BEGIN IMMEDIATE`` for writes, a deferred ``BEGIN`` for multi-statement reads) and an asyncio lock
serialises them, so concurrent coroutines never interleave statements inside one transaction. Several
``Database`` objects (or processes) may share a file: WAL mode plus a busy timeout let them take turns.

Migrations are the numbered ``NNNN_name.sql`` files of ``azura_parent/migrations``. Each one not yet
recorded in ``schema_version`` is applied in its own transaction together with its version row, so a
failing migration leaves the database exactly as it was.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Database",
    "DatabaseError",
    "Migration",
    "Tables",
    "fetch_all",
    "fetch_one",
    "load_migrations",
    "split_statements",
]

BUSY_TIMEOUT_MS = 10_000
DEFAULT_FILENAME = "azura.sqlite3"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")


class DatabaseError(RuntimeError):
    """The database file cannot be used (newer schema than this code, broken migration set...)."""


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


class Database:
    """An open SQLite database with the parent schema applied. Create it with ``await Database.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self._closed = False

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

    @classmethod
    async def open(cls, path: str | Path, migrations: Sequence[Migration] | None = None) -> Database:
        """Open (creating it and its directories if needed) and migrate the database at ``path``."""
        db_path = Path(path)
        if str(path) != ":memory:":
            db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await _set_wal(conn)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            db = cls(conn, db_path)
            await db._migrate(load_migrations() if migrations is None else list(migrations))
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- transactions ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on any exception."""
        async with self._lock, self._begin("BEGIN IMMEDIATE") as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read transaction: every statement inside sees the same snapshot."""
        async with self._lock, self._begin("BEGIN") as conn:
            yield conn

    @asynccontextmanager
    async def _begin(self, begin: str) -> AsyncIterator[aiosqlite.Connection]:
        if self._closed:
            raise DatabaseError("The database is closed.")
        try:
            await self._conn.execute(begin)
        except BaseException:
            # Cancelled while BEGIN was queued: it may still run, so undo it (aiosqlite runs calls in order).
            await self._rollback()
            raise
        try:
            yield self._conn
        except BaseException:
            await self._rollback()
            raise
        try:
            await self._conn.execute("COMMIT")
        except sqlite3.Error:
            await self._rollback()
            raise

    async def _rollback(self) -> None:
        try:
            await self._conn.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass  # no transaction was open

    # -- introspection --------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        async with self.read() as conn, conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def journal_mode(self) -> str:
        async with self._lock, self._conn.execute("PRAGMA journal_mode") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else ""

    # -- migrations -----------------------------------------------------------------------------------

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        known = max((m.version for m in migrations), default=0)
        for migration in migrations:
            # Re-check inside the write transaction: another process may have migrated meanwhile.
            async with self.transaction() as conn:
                async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
                    row = await cur.fetchone()
                current = int(row[0]) if row else 0
                if current > known:
                    raise DatabaseError(
                        f"{self.path} has schema version {current}, newer than this code knows ({known})."
                    )
                if migration.version <= current:
                    continue
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
        if not migrations:
            return
        current = await self.schema_version()
        if current > known:
            raise DatabaseError(f"{self.path} has schema version {current}, newer than this code knows ({known}).")


async def _set_wal(conn: aiosqlite.Connection) -> None:
    # Switching to WAL needs a moment with no other connection in the file, and SQLite answers "locked" at
    # once instead of waiting on the busy timeout: retry for as long as that timeout would have waited.
    attempts = BUSY_TIMEOUT_MS // 50
    for attempt in range(attempts):
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cur:
                await cur.fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.05)


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> Any:
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone()


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> list[Any]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


class Tables:
    """Typed access to some of the tables: every method is one transaction on ``db``."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
