"""End to end: the real parent process keeps its data in PostgreSQL when DATABASE_URL says so, and says clearly
when that database cannot be used."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from azura_sandbox.testing import ROOT, ParentProcess, Sandbox

pytestmark = pytest.mark.slow  # real parent processes, a PostgreSQL server
SECRET = "hunter2-not-logged"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(user_names=("alice",))
    try:
        yield sb
    finally:
        await sb.stop()


async def start_parent(sb: Sandbox, env: dict[str, str], *, wait: bool = True) -> ParentProcess:
    parent = ParentProcess(env)
    sb.children.append(parent)  # stopped with the sandbox
    parent.start()
    if wait:
        await parent.wait_ready()
    return parent


async def test_a_playlist_saved_by_slash_command_is_in_postgresql_after_the_parent_restarts(
    sandbox: Sandbox, pg_url: str, tmp_path: Path
) -> None:
    sb, alice = sandbox, sandbox.users["alice"]
    sqlite_path = tmp_path / "azura.sqlite3"
    env = {**sb.parent_env("pg-parent", [], sqlite_path), "DATABASE_URL": pg_url}

    parent = await start_parent(sb, env)
    created = await sb.discord.invoke(
        alice, sb.guild, sb.text, "playlist", {"name": "Night Drive"}, subcommand="create"
    )
    assert created.text == "📁 Created playlist **Night Drive**."
    added = await sb.discord.invoke(
        alice, sb.guild, sb.text, "playlist", {"name": "Night Drive", "what": "query", "query": "one more song"},
        subcommand="add",
    )  # fmt: skip
    assert added.text.startswith("📁 Added [") and added.text.endswith(" to **Night Drive** (#1–#1)."), added.text
    title = added.text.removeprefix("📁 Added [").split("](")[0]
    assert await parent.stop() == 0

    parent = await start_parent(sb, env)  # a new process: what it shows comes from the database
    shown = await sb.discord.invoke(alice, sb.guild, sb.text, "playlist", {"name": "night drive"}, subcommand="show")
    assert shown.text.splitlines()[0].startswith(f"📁 **Night Drive** by <@{alice.id}> · private · 1 track"), shown.text
    assert title in shown.text
    assert "PostgreSQL at postgresql://postgres:***@/postgres?host=" in parent.log_text()

    conn = await asyncpg.connect(pg_url)  # the rows are in PostgreSQL, and no SQLite file was made
    try:
        assert [r["name"] for r in await conn.fetch("SELECT name FROM playlists")] == ["Night Drive"]
        assert [r["title"] for r in await conn.fetch("SELECT title FROM playlist_entries")] == [title]
    finally:
        await conn.close()
    assert not sqlite_path.exists()


async def test_a_database_the_parent_cannot_open_stops_it_with_a_clear_message(
    sandbox: Sandbox, pg_url: str, tmp_path: Path
) -> None:
    bad_url = pg_url.replace("postgresql://postgres:@/postgres", f"postgresql://postgres:{SECRET}@/no_such_db")
    env = {**sandbox.parent_env("pg-parent-bad", [], tmp_path / "azura.sqlite3"), "DATABASE_URL": bad_url}
    parent = await start_parent(sandbox, env, wait=False)
    assert parent.process is not None
    code = await asyncio.to_thread(parent.process.wait, 40)
    log = parent.log_text()
    assert code == 1, log
    assert "stopped by an error: Cannot open the PostgreSQL database postgresql://postgres:***@/no_such_db" in log
    assert 'database "no_such_db" does not exist' in log
    assert SECRET not in log
    assert "Traceback" not in log


def test_a_malformed_database_url_stops_the_parent_before_anything_starts() -> None:
    env = {
        **os.environ,
        "AZURA_PARENT_TOKEN": "t",
        "DATABASE_URL": f"postgres://azura:{SECRET}@db:5432/azura?sslmode=please",
    }
    done = subprocess.run(
        [sys.executable, "-m", "azura_parent"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2  # a setting to fix: not worth a restart
    assert done.stderr.strip().splitlines()[-1] == (
        "azura_parent: DATABASE_URL sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full,"
        " not 'please'"
    )
    assert SECRET not in done.stderr + done.stdout
