"""An SQLite database made before PostgreSQL support keeps working: opened in place, nothing lost, writable.

``fixtures/made_by_migrations_1_to_3.sql`` is such a database (settings, two playlists with trimmed entries, a session
record, its own ``schema_version`` rows), dumped by sqlite3 from the store as it was before this engine split.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from azura_common.koe.session import Track
from azura_parent.store import Database, GuildSettings, Store, UserSettings
from azura_parent.store.database import load_migrations

pytestmark = pytest.mark.slow  # real SQLite files

OLD_DUMP = Path(__file__).with_name("fixtures") / "made_by_migrations_1_to_3.sql"
ALICE, BOB, GUILD = 1001, 1002, 5000


def restore(path: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(OLD_DUMP.read_text(encoding="utf-8"))
        return conn.execute("SELECT version, name, applied_at FROM schema_version ORDER BY version").fetchall()


async def test_an_old_sqlite_database_opens_in_place_with_everything_in_it(tmp_path: Path) -> None:
    path = tmp_path / "azura.sqlite3"
    versions = restore(path)
    assert [v[0] for v in versions] == [1, 2, 3]

    db = await Database.open(path)
    try:
        store = Store(db)
        assert await db.schema_version() == max(m.version for m in load_migrations())
        assert await store.get_user_settings(ALICE) == UserSettings("interlace", 25, 70)
        assert await store.get_guild_settings(GUILD) == GuildSettings(4242, True, 600)
        road = await store.get_playlist(ALICE, "road trip")
        assert (road.name, road.visibility, road.size) == ("Road Trip", "public", 4)
        tracks = await store.tracks(road)
        assert [(t.encoded, t.start_ms, t.end_ms) for t in tracks] == [
            ("enc1", 1000, None), ("enc3", 3000, None), ("enc4", 4000, 120_004), ("enc5", 5000, None)
        ]  # fmt: skip
        assert (await store.find_playable(ALICE, "STRASSE HITS")).owner_id == BOB  # global, found by its key
        [record] = await store.session_records()
        assert (record.channel_id, record.bot_id, record.position_ms) == (777000111222333444, 999000111222333444, 12345)
        assert [t.title for t in record.tracks] == ["Live"]

        # and it takes new writes: ids go on from the old ones, names stay unique
        fresh = await store.create_playlist(ALICE, "New")
        assert fresh.id > road.id
        assert await store.add_entries(ALICE, "road trip", [Track(encoded="enc6", title="Song 6")]) == (5,)
    finally:
        await db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        applied = conn.execute("SELECT version, name, applied_at FROM schema_version ORDER BY version").fetchall()
        assert applied[: len(versions)] == versions  # nothing re-applied (later migrations come after)
        assert [v[0] for v in applied] == [m.version for m in load_migrations()]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
