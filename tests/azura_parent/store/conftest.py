"""The store's tests run on both engines: a real SQLite file and a real PostgreSQL server.

The PostgreSQL server comes from the ``pgserver`` package (the server's binaries ship in its wheel): one server per
test session, started the first time a test asks for it, stopped at the end; every test gets a schema of its own
(``search_path`` in its URL: as empty as a new database, and made in a millisecond where a database takes 0.1-0.2 s).
As root, pgserver runs the server as its own ``pgserver`` system user.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azura_parent.store import Database

log = logging.getLogger(__name__)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
_schema_numbers = itertools.count(1)


class PostgresForTests:
    """The session's PostgreSQL server: fresh schemas, and URLs to them."""

    def __init__(self, server: Any, started_s: float) -> None:
        self.server = server
        self.started_s = started_s  # how long pgserver took to start it

    def url(self, schema: str | None = None) -> str:
        """The server's ``postgres`` database (pgserver's URL: a Unix socket in ``?host=``), in ``schema``."""
        base = str(self.server.get_uri())
        return base if schema is None else f"{base}&search_path={schema}"

    def psql(self, sql: str) -> str:
        return str(self.server.psql(sql))

    def create_schema(self) -> str:
        name = f"azura_test_{next(_schema_numbers)}"
        self.psql(f"CREATE SCHEMA {name};")
        return name

    def drop_schema(self, name: str) -> None:
        self.psql(f"DROP SCHEMA IF EXISTS {name} CASCADE;")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresForTests]:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset and uses /tmp/runtime-<uid> for pgserver's lock file
        warnings.simplefilter("ignore")
        import pgserver

    # Not under pytest's basetemp: a pytest session started meanwhile (another checkout, CI) prunes old basetemps,
    # which would pull the data directory from under the running server.
    home = Path(tempfile.mkdtemp(prefix="azura-pgserver-"))
    started = time.perf_counter()
    server = pgserver.get_server(home / "data", cleanup_mode="delete")
    started_s = time.perf_counter() - started
    log.info("pgserver started PostgreSQL in %.2f s at %s", started_s, server.get_uri())
    # A test server: durability buys nothing here, and fsync on every commit slows each test down.
    server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off; SELECT pg_reload_conf();")
    try:
        yield PostgresForTests(server, started_s)
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh, empty database lives: an SQLite file's path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "nested" / "dir" / "azura.sqlite3")
        return
    pg: PostgresForTests = request.getfixturevalue("postgres")
    name = pg.create_schema()
    try:
        yield pg.url(name)
    finally:
        pg.drop_schema(name)


@pytest.fixture
def pg_url(postgres: PostgresForTests) -> Iterator[str]:
    """A fresh PostgreSQL schema only (for tests of that engine alone)."""
    name = postgres.create_schema()
    try:
        yield postgres.url(name)
    finally:
        postgres.drop_schema(name)


Snapshot = Callable[[Database], Awaitable[dict[str, list[tuple[object, ...]]]]]


@pytest.fixture
def snapshot() -> Snapshot:
    return _snapshot


async def _snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, on either engine: equal snapshots mean an unchanged database."""
    tables: dict[str, list[tuple[object, ...]]] = {}
    for table in await db.table_names():
        async with db.read() as conn:
            rows = await conn.fetch_all(f"SELECT * FROM {table} ORDER BY 1")
        tables[table] = [tuple(row) for row in rows]
    return tables
