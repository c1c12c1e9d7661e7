"""The SQLite engine (aiosqlite): the embedded default, one file on the parent's disk.

One ``SqliteDatabase`` owns one aiosqlite connection in autocommit mode; transactions are explicit
(``BEGIN IMMEDIATE`` for writes, a deferred ``BEGIN`` for multi-statement reads) and an asyncio lock
serialises them, so concurrent coroutines never interleave statements inside one transaction. Several
databases (or processes) may share a file: WAL mode plus a busy timeout let them take turns.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from .database import Database, DatabaseError, Migration, Row

__all__ = ["BUSY_TIMEOUT_MS", "SqliteConnection", "SqliteDatabase"]

BUSY_TIMEOUT_MS = 10_000  # the longest a statement waits for another writer's lock before "database is locked"


class SqliteConnection:
    """The statements of one transaction on the aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        await self._conn.execute(sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())


class SqliteDatabase(Database):
    """An open SQLite file with the parent schema applied."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._statements = SqliteConnection(conn)
        self._lock = asyncio.Lock()
        self.path = path
        self._closed = False

    @classmethod
    async def connect(cls, path: str | Path, migrations: Sequence[Migration]) -> SqliteDatabase:
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
            await db._migrate(migrations)
        except BaseException:
            await conn.close()
            raise
        return db

    @property
    def location(self) -> str:
        return str(self.path)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            await self._conn.close()

    # -- transactions ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteConnection]:
        async with self._lock, self._begin("BEGIN IMMEDIATE") as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteConnection]:
        async with self._lock, self._begin("BEGIN") as conn:
            yield conn

    @asynccontextmanager
    async def _begin(self, begin: str) -> AsyncIterator[SqliteConnection]:
        if self._closed:
            raise DatabaseError("The database is closed.")
        try:
            await self._conn.execute(begin)
        except BaseException:
            # Cancelled while BEGIN was queued: it may still run, so undo it (aiosqlite runs calls in order).
            await self._rollback()
            raise
        try:
            yield self._statements
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

    async def journal_mode(self) -> str:
        async with self._lock, self._conn.execute("PRAGMA journal_mode") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else ""

    async def table_names(self) -> list[str]:
        async with self.read() as conn:
            rows = await conn.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        return [str(row[0]) for row in rows]


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
